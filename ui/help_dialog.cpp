// SPDX-License-Identifier: MIT
// Help: the language reference and the shortcuts.
#include "help_dialog.hpp"

#include "model/vocabulary.hpp"

#include <QAction>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace dynfit::ui {

namespace {

QString fromView(std::string_view text) {
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

// Anchors must be plain names: operators get theirs spelled out.
QString anchorName(std::string_view word, model::WordKind kind) {
    QString name;
    for (const QChar c : fromView(word)) {
        name +=
            c.isLetterOrNumber() ? QString(c) : QString("u%1").arg(c.unicode(), 4, 16, QChar('0'));
    }
    const char* prefix = kind == model::WordKind::Function     ? "fn-"
                         : kind == model::WordKind::Activation ? "act-"
                                                               : "word-";
    return prefix + name;
}

} // namespace

QString languageReferenceHtml() {
    using model::WordKind;
    QString html = "<h2>The model language</h2>"
                   "<p>A model is a text, one statement per line. Names may use any letters "
                   "(α, k₁). Numbers: 2, 0.5, 1e-3. Press F1 on a word in the editor to come "
                   "here.</p>";
    for (const WordKind kind : {WordKind::Statement, WordKind::Modifier, WordKind::Builtin,
                                WordKind::Operator, WordKind::Function, WordKind::Activation}) {
        html += "<h3>" + fromView(model::wordKindTitle(kind)) + "</h3>";
        for (const model::LanguageWord& w : model::languageWords()) {
            if (w.kind != kind) {
                continue;
            }
            html +=
                QString("<p><a name=\"%1\"></a><b><code>%2</code></b> &nbsp; "
                        "<code>%3</code><br/>%4</p><pre style=\"background:#f4f4f4\">%5"
                        "</pre>")
                    .arg(anchorName(w.word, w.kind), fromView(w.word).toHtmlEscaped(),
                         fromView(w.syntax).toHtmlEscaped(), fromView(w.summary).toHtmlEscaped(),
                         fromView(w.example).trimmed().toHtmlEscaped());
        }
    }
    return html;
}

QString languageAnchor(const QString& word, bool call) {
    const std::string key = word.toStdString();
    const model::LanguageWord* found = nullptr;
    for (const model::LanguageWord& w : model::languageWords()) {
        if (w.word == key && (found == nullptr || (call && w.kind == model::WordKind::Function))) {
            found = &w;
        }
    }
    return found != nullptr ? anchorName(found->word, found->kind) : QString();
}

LanguageReference::LanguageReference(QWidget* parent)
    : QDialog(parent), m_browser(new QTextBrowser(this)) {
    setWindowTitle(tr("Model language — DynFit"));
    m_browser->setObjectName("languageReference");
    m_browser->setHtml(languageReferenceHtml());
    m_browser->setOpenLinks(false);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_browser);
    resize(640, 720);
}

bool LanguageReference::showWord(const QString& word, bool call) {
    m_anchor = languageAnchor(word, call);
    if (m_anchor.isEmpty()) {
        m_browser->moveCursor(QTextCursor::Start);
        return false;
    }
    m_browser->scrollToAnchor(m_anchor);
    return true;
}

QString shortcutsHtml(const QList<QAction*>& actions) {
    QString rows;
    for (const QAction* action : actions) {
        if (action->shortcut().isEmpty()) {
            continue;
        }
        rows += QString("<tr><td><b>%1</b></td><td>%2</td></tr>")
                    .arg(action->shortcut().toString(QKeySequence::NativeText).toHtmlEscaped(),
                         action->text().remove('&').remove(QChar(0x2026)).toHtmlEscaped());
    }
    return "<h3>Keyboard shortcuts</h3><table cellspacing=\"6\">" + rows
           + "<tr><td><b>F1</b></td><td>In the model editor: the reference entry of the word "
             "under the cursor</td></tr></table>";
}

} // namespace dynfit::ui
