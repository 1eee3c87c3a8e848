// SPDX-License-Identifier: MIT
// The message log: every message the window showed since the app started, with its time and
// level, whole (the status bar cuts long ones), selectable and copyable.
#pragma once

#include <QDateTime>
#include <QWidget>
#include <vector>

class QPlainTextEdit;

namespace dynfit::ui {

enum class MessageLevel { Info, Warning, Error };

class MessageLog : public QWidget {
    Q_OBJECT
  public:
    struct Entry {
        QDateTime time;
        MessageLevel level;
        QString text;
    };

    explicit MessageLog(QWidget* parent = nullptr);

    void append(MessageLevel level, const QString& text);
    const std::vector<Entry>& entries() const { return m_entries; }
    /// All entries as text, one per line: "12:01:07  warning  the message".
    QString plainText() const;
    int warningCount() const;

  public slots:
    void copyAll() const;
    void clear();

  signals:
    void appended(dynfit::ui::MessageLevel level, const QString& text);

  private:
    QPlainTextEdit* m_view;
    std::vector<Entry> m_entries;
};

} // namespace dynfit::ui
