// SPDX-License-Identifier: MIT
// A plain-text editor with line numbers in a margin (diagnostics name lines).
#pragma once

#include <QPlainTextEdit>

namespace dynfit::ui {

class CodeEdit : public QPlainTextEdit {
    Q_OBJECT
  public:
    explicit CodeEdit(QWidget* parent = nullptr);

    int lineNumberWidth() const;
    void paintLineNumbers(QPaintEvent* event);

  protected:
    void resizeEvent(QResizeEvent* event) override;

  private:
    QWidget* m_margin;
};

} // namespace dynfit::ui
