// SPDX-License-Identifier: MIT
// The model text editor.
#include "model_editor.hpp"

#include "code_edit.hpp"
#include "model/vocabulary.hpp"
#include "model_highlighter.hpp"

#include <QFontDatabase>
#include <QLabel>
#include <QPlainTextEdit>
#include <QTextBlock>
#include <QTimer>
#include <QVBoxLayout>

namespace dynfit::ui {

namespace {

constexpr int kDebounceMs = 300;

// What completion offers: the model's own names, then the language's words.
QStringList namesOf(const model::CompiledModel& m) {
    QStringList words;
    for (const auto& s : m.states) {
        words << QString::fromStdString(s);
    }
    for (const auto& p : m.params) {
        if (p.network.empty()) {
            words << QString::fromStdString(p.name);
        }
    }
    for (const auto& [name, value] : m.consts) {
        words << QString::fromStdString(name);
    }
    for (const auto& net : m.networks) {
        words << QString::fromStdString(net.name);
    }
    for (const model::LanguageWord& w : model::languageWords()) {
        const QString word = QString::fromUtf8(w.word.data(), qsizetype(w.word.size()));
        if (word.size() > 1 && word[0].isLetter() && !words.contains(word)) {
            words << word; // the language's words, from its reference
        }
    }
    return words;
}

} // namespace

ModelEditor::ModelEditor(QWidget* parent)
    : QWidget(parent), m_edit(new CodeEdit(this)), m_status(new QLabel(this)),
      m_debounce(new QTimer(this)) {
    m_edit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    new ModelHighlighter(m_edit->document());
    m_edit->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_edit->setTabStopDistance(4 * m_edit->fontMetrics().horizontalAdvance(' '));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_edit, 1);
    layout->addWidget(m_status);
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(kDebounceMs);
    connect(m_debounce, &QTimer::timeout, this, &ModelEditor::compileNow);
    connect(m_edit, &QPlainTextEdit::textChanged, this, [this] {
        m_debounce->start();
        emit textEdited();
    });
}

void ModelEditor::setText(const QString& text) {
    const QSignalBlocker blocker(m_edit);
    m_edit->setPlainText(text);
    compileNow();
}

QStringList ModelEditor::completions() const {
    return static_cast<const CodeEdit*>(m_edit)->completions();
}

QString ModelEditor::text() const {
    return m_edit->toPlainText();
}

void ModelEditor::compileNow() {
    m_debounce->stop();
    const std::string text = m_edit->toPlainText().toStdString();
    model::Diagnostics diagnostics;
    // Bytecode: native code would cost a compiler run on this thread for every edited text.
    m_model = model::compileModel(text, diagnostics, {}, {.native = false, .seed = m_seed});
    showDiagnostics(diagnostics);
    if (m_model) {
        static_cast<CodeEdit*>(m_edit)->setCompletions(namesOf(*m_model));
    }
    emit compiled(m_model);
}

// "states x, y · 2 params · network U 2→50→2": what the text declares, at a glance.
QString ModelEditor::summary() const {
    if (!m_model) {
        return {};
    }
    QStringList states;
    for (const auto& s : m_model->states) {
        states << QString::fromStdString(s);
    }
    int scalars = 0;
    for (const auto& p : m_model->params) {
        scalars += p.network.empty() ? 1 : 0;
    }
    QString text = tr("states %1 · %2 params").arg(states.join(", ")).arg(scalars);
    for (const auto& net : m_model->networks) {
        QStringList widths{QString::number(net.layers.front().first)};
        for (const auto& layer : net.layers) {
            widths << QString::number(layer.second);
        }
        text += tr(" · network %1 %2").arg(QString::fromStdString(net.name), widths.join("→"));
    }
    return text;
}

void ModelEditor::showDiagnostics(const model::Diagnostics& diagnostics) {
    m_messages.clear();
    QList<QTextEdit::ExtraSelection> marks;
    for (const model::Diagnostic& d : diagnostics.items) {
        const bool error = d.severity == model::Severity::Error;
        m_messages << QString("%1:%2: %3: %4")
                          .arg(d.where.line)
                          .arg(d.where.column)
                          .arg(error ? "error" : "warning")
                          .arg(QString::fromStdString(d.message));
        const QTextBlock block = m_edit->document()->findBlockByNumber(d.where.line - 1);
        if (!block.isValid()) {
            continue;
        }
        QTextEdit::ExtraSelection mark;
        mark.cursor = QTextCursor(block);
        mark.cursor.setPosition(block.position() + std::max(0, d.where.column - 1));
        mark.cursor.movePosition(QTextCursor::EndOfWord, QTextCursor::KeepAnchor);
        if (!mark.cursor.hasSelection()) {
            mark.cursor.movePosition(QTextCursor::Right, QTextCursor::KeepAnchor);
        }
        mark.format.setUnderlineStyle(QTextCharFormat::WaveUnderline);
        mark.format.setUnderlineColor(error ? Qt::red : QColor(200, 140, 0));
        mark.format.setToolTip(QString::fromStdString(d.message));
        marks << mark;
    }
    m_edit->setExtraSelections(marks);
    m_status->setText(m_messages.isEmpty() ? tr("✓ compiles · %1").arg(summary())
                                           : m_messages.join('\n'));
    m_status->setStyleSheet(diagnostics.hasErrors() ? "color: #b00020" : "color: #2e7d32");
}

} // namespace dynfit::ui
