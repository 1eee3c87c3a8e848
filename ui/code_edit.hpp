// SPDX-License-Identifier: MIT
// A plain-text editor with line numbers in a margin (diagnostics name lines).
#pragma once

#include <QPlainTextEdit>

class QCompleter;

namespace dynfit::ui {

class CodeEdit : public QPlainTextEdit {
    Q_OBJECT
  public:
    explicit CodeEdit(QWidget* parent = nullptr);

    /// Words offered as you type (two characters or more); Tab or Enter takes the highlighted one.
    void setCompletions(const QStringList& words);
    QStringList completions() const;
    QCompleter* completer() const { return m_completer; }

    /// The word (or operator) at the cursor, for F1; `call` is set when a '(' follows it.
    QString helpWordAtCursor(bool* call = nullptr) const;

    int lineNumberWidth() const;
    void paintLineNumbers(QPaintEvent* event);

  protected:
    void resizeEvent(QResizeEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    bool event(QEvent* event) override;

  private:
    QString wordUnderCursor() const;
    void insertCompletion(const QString& word);

    QWidget* m_margin;
    QCompleter* m_completer;
};

} // namespace dynfit::ui
