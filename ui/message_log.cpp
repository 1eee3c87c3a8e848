// SPDX-License-Identifier: MIT
// The message log.
#include "message_log.hpp"

#include <QApplication>
#include <QClipboard>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace dynfit::ui {

namespace {

QString levelName(MessageLevel level) {
    switch (level) {
    case MessageLevel::Warning:
        return QObject::tr("warning");
    case MessageLevel::Error:
        return QObject::tr("error");
    case MessageLevel::Info:
        break;
    }
    return QObject::tr("info");
}

QString line(const MessageLog::Entry& e) {
    return QString("%1  %2  %3")
        .arg(e.time.toString("HH:mm:ss"), levelName(e.level).leftJustified(7), e.text);
}

} // namespace

MessageLog::MessageLog(QWidget* parent) : QWidget(parent), m_view(new QPlainTextEdit(this)) {
    m_view->setReadOnly(true);
    m_view->setObjectName("messageLogText");
    m_view->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_view->setLineWrapMode(QPlainTextEdit::WidgetWidth); // long messages read whole
    m_view->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    auto* copy = new QPushButton(tr("Copy all"), this);
    auto* clearButton = new QPushButton(tr("Clear"), this);
    connect(copy, &QPushButton::clicked, this, &MessageLog::copyAll);
    connect(clearButton, &QPushButton::clicked, this, &MessageLog::clear);
    auto* buttons = new QHBoxLayout;
    buttons->addStretch(1);
    buttons->addWidget(copy);
    buttons->addWidget(clearButton);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_view, 1);
    layout->addLayout(buttons);
}

void MessageLog::append(MessageLevel level, const QString& text) {
    if (text.isEmpty()) {
        return;
    }
    m_entries.push_back({QDateTime::currentDateTime(), level, text});
    const QString colour = level == MessageLevel::Error     ? "#b00020"
                           : level == MessageLevel::Warning ? "#a05a00"
                                                            : "#333333";
    m_view->appendHtml(QString("<span style=\"color:%1\">%2</span>")
                           .arg(colour, line(m_entries.back()).toHtmlEscaped()));
    emit appended(level, text);
}

QString MessageLog::plainText() const {
    QStringList lines;
    for (const Entry& e : m_entries) {
        lines << line(e);
    }
    return lines.join('\n');
}

int MessageLog::warningCount() const {
    int count = 0;
    for (const Entry& e : m_entries) {
        count += e.level != MessageLevel::Info ? 1 : 0;
    }
    return count;
}

void MessageLog::copyAll() const {
    QApplication::clipboard()->setText(plainText());
}

void MessageLog::clear() {
    m_entries.clear();
    m_view->clear();
}

} // namespace dynfit::ui
