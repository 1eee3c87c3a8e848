// SPDX-License-Identifier: MIT
// The line-numbered editor.
#include "code_edit.hpp"

#include <QPainter>
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

CodeEdit::CodeEdit(QWidget* parent) : QPlainTextEdit(parent), m_margin(new Margin(this)) {
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
