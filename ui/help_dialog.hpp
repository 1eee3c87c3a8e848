// SPDX-License-Identifier: MIT
// Help: the model-language reference (generated from the engine's list of the language's words,
// so it cannot drift from the parser), the keyboard shortcuts (read from the window's own
// actions) and About.
#pragma once

#include <QDialog>
#include <QList>

class QAction;
class QTextBrowser;

namespace dynfit::ui {

/// The reference as HTML: one section per kind of word, one anchor per word ("word-sqrt").
QString languageReferenceHtml();
/// The anchor of a word's entry, or empty when the language has no such word. `call`: the word
/// is followed by '(' (log(x) is the function, `log` after bounds the modifier).
QString languageAnchor(const QString& word, bool call = false);

/// A non-modal window showing the reference; showWord() scrolls to an entry.
class LanguageReference : public QDialog {
    Q_OBJECT
  public:
    explicit LanguageReference(QWidget* parent = nullptr);

    /// Scrolls to `word`'s entry; false when the language has no such word (the reference
    /// still opens, at the top).
    bool showWord(const QString& word, bool call = false);
    QString currentAnchor() const { return m_anchor; }
    QTextBrowser* browser() const { return m_browser; }

  private:
    QTextBrowser* m_browser;
    QString m_anchor;
};

/// The shortcuts of `actions` (those that have one) as an HTML table.
QString shortcutsHtml(const QList<QAction*>& actions);

} // namespace dynfit::ui
