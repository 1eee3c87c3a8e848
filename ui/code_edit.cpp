// SPDX-License-Identifier: MIT
// The line-numbered editor.
#include "code_edit.hpp"

#include <QAbstractItemView>
#include <QCompleter>
#include <QKeyEvent>
#include <QPainter>
#include <QScrollBar>
#include <QStringListModel>
#include <QTextBlock>

namespace dynfit::ui {

namespace {

class Margin : public QWidget {
  public:
    explicit Margin(CodeEdit* editor) : QWidget(editor), m_editor(editor) {}
    QSize sizeHint() const override { return {m_editor->lineNumberWidth(), 0}; }

  protected:
    void paintEvent(QPaintEvent* event) override { m_editor->paintLineNumbers(event); }

  private:
    CodeEdit* m_editor;
};

} // namespace

CodeEdit::CodeEdit(QWidget* parent)
    : QPlainTextEdit(parent), m_margin(new Margin(this)), m_completer(new QCompleter(this)) {
    m_completer->setModel(new QStringListModel(m_completer));
    m_completer->setWidget(this);
    m_completer->setCompletionMode(QCompleter::PopupCompletion);
    m_completer->setCaseSensitivity(Qt::CaseSensitive);
    connect(m_completer, qOverload<const QString&>(&QCompleter::activated), this,
            &CodeEdit::insertCompletion);
    const auto updateWidth = [this] { setViewportMargins(lineNumberWidth(), 0, 0, 0); };
    connect(this, &QPlainTextEdit::blockCountChanged, this, updateWidth);
    connect(this, &QPlainTextEdit::updateRequest, this, [this](const QRect& rect, int dy) {
        if (dy != 0) {
            m_margin->scroll(0, dy);
        } else {
            m_margin->update(0, rect.y(), m_margin->width(), rect.height());
        }
    });
    updateWidth();
}

void CodeEdit::setCompletions(const QStringList& words) {
    QStringList sorted = words;
    sorted.removeDuplicates();
    sorted.sort();
    static_cast<QStringListModel*>(m_completer->model())->setStringList(sorted);
}

QStringList CodeEdit::completions() const {
    return static_cast<QStringListModel*>(m_completer->model())->stringList();
}

QString CodeEdit::wordUnderCursor() const {
    QTextCursor cursor = textCursor();
    cursor.select(QTextCursor::WordUnderCursor);
    return cursor.selectedText();
}

QString CodeEdit::helpWordAtCursor(bool* call) const {
    QTextCursor cursor = textCursor();
    const QString line = cursor.block().text();
    const int at = cursor.positionInBlock();
    const auto isWordChar = [](QChar c) { return c.isLetterOrNumber() || c == '_'; };
    int start = at, end = at;
    while (start > 0 && isWordChar(line[start - 1])) {
        --start;
    }
    while (end < line.size() && isWordChar(line[end])) {
        ++end;
    }
    QString word = line.mid(start, end - start);
    if (word.isEmpty() || word[0].isDigit()) { // an operator: the character at (or before) it
        static const QStringList operators = {"..", ">>"};
        for (const QString& op : operators) {
            for (int from = std::max(0, at - 1); from <= at; ++from) {
                if (line.mid(from, 2) == op) {
                    return op;
                }
            }
        }
        const int pos = at < line.size() && !line[at].isSpace() ? at : at - 1;
        word = pos >= 0 && pos < line.size() ? QString(line[pos]) : QString();
        if (word == "]") {
            word = "[";
        } else if (word == ")") {
            word = "(";
        }
    }
    if (call != nullptr) {
        int next = end;
        while (next < line.size() && line[next].isSpace()) {
            ++next;
        }
        *call = next < line.size() && line[next] == '(';
    }
    return word;
}

void CodeEdit::insertCompletion(const QString& word) {
    QTextCursor cursor = textCursor();
    const int typed = static_cast<int>(m_completer->completionPrefix().size());
    cursor.movePosition(QTextCursor::Left, QTextCursor::KeepAnchor, typed);
    cursor.insertText(word);
    setTextCursor(cursor);
}

// Undo and redo are the window's (one history for text, data and settings): the text edit lets
// their shortcuts through instead of undoing only its own document.
bool CodeEdit::event(QEvent* event) {
    if (event->type() == QEvent::ShortcutOverride) {
        auto* key = static_cast<QKeyEvent*>(event);
        if (key->matches(QKeySequence::Undo) || key->matches(QKeySequence::Redo)) {
            event->ignore();
            return false;
        }
    }
    return QPlainTextEdit::event(event);
}

void CodeEdit::keyPressEvent(QKeyEvent* event) {
    QAbstractItemView* popup = m_completer->popup();
    if (popup->isVisible()) {
        const bool enter = event->key() == Qt::Key_Enter || event->key() == Qt::Key_Return;
        const QString highlighted = popup->currentIndex().data().toString();
        if (enter && highlighted == wordUnderCursor()) {
            popup->hide(); // the word is typed out already: Enter is a new line, not "take it"
        }
    }
    if (popup->isVisible()) {
        switch (event->key()) {
        case Qt::Key_Enter:
        case Qt::Key_Return:
        case Qt::Key_Tab:
        case Qt::Key_Escape:
            event->ignore(); // the completer takes these
            return;
        default:
            break;
        }
    }
    QPlainTextEdit::keyPressEvent(event);
    const QString prefix = wordUnderCursor();
    if (event->text().isEmpty() || prefix.size() < 2) {
        popup->hide();
        return;
    }
    m_completer->setCompletionPrefix(prefix);
    if (m_completer->completionCount() == 0
        || (m_completer->completionCount() == 1 && m_completer->currentCompletion() == prefix)) {
        popup->hide();
        return;
    }
    popup->setCurrentIndex(m_completer->completionModel()->index(0, 0));
    QRect rect = cursorRect();
    rect.setWidth(popup->sizeHintForColumn(0) + popup->verticalScrollBar()->sizeHint().width());
    m_completer->complete(rect);
}

int CodeEdit::lineNumberWidth() const {
    int digits = 2;
    for (int n = std::max(1, blockCount()); n >= 100; n /= 10) {
        ++digits;
    }
    return 10 + fontMetrics().horizontalAdvance(QLatin1Char('9')) * digits;
}

void CodeEdit::resizeEvent(QResizeEvent* event) {
    QPlainTextEdit::resizeEvent(event);
    const QRect area = contentsRect();
    m_margin->setGeometry(QRect(area.left(), area.top(), lineNumberWidth(), area.height()));
}

void CodeEdit::paintLineNumbers(QPaintEvent* event) {
    QPainter painter(m_margin);
    painter.fillRect(event->rect(), QColor(245, 245, 245));
    painter.setPen(QColor(150, 150, 150));
    QTextBlock block = firstVisibleBlock();
    int top = qRound(blockBoundingGeometry(block).translated(contentOffset()).top());
    while (block.isValid() && top <= event->rect().bottom()) {
        const int height = qRound(blockBoundingRect(block).height());
        if (block.isVisible() && top + height >= event->rect().top()) {
            painter.drawText(0, top, m_margin->width() - 5, fontMetrics().height(), Qt::AlignRight,
                             QString::number(block.blockNumber() + 1));
        }
        block = block.next();
        top += height;
    }
}

} // namespace dynfit::ui
