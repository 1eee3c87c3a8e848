// SPDX-License-Identifier: MIT
// Syntax colours for the model language: keywords, functions, numbers, comments, derivatives.
#pragma once

#include <QRegularExpression>
#include <QSyntaxHighlighter>
#include <QTextCharFormat>
#include <vector>

namespace dynfit::ui {

class ModelHighlighter : public QSyntaxHighlighter {
    Q_OBJECT
  public:
    explicit ModelHighlighter(QTextDocument* document);

  protected:
    void highlightBlock(const QString& text) override;

  private:
    struct Rule {
        QRegularExpression pattern;
        QTextCharFormat format;
    };
    std::vector<Rule> m_rules;
};

} // namespace dynfit::ui
