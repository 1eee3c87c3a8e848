// SPDX-License-Identifier: MIT
// File dialogs.
#include "file_dialogs.hpp"

#include <QFileDialog>
#include <QRegularExpression>

namespace dynfit::ui {

QString filterSuffix(const QString& filter) {
    const auto match = QRegularExpression(R"(\*\.(\w+))").match(filter);
    return match.hasMatch() ? match.captured(1) : QString();
}

QString askSavePath(QWidget* parent,
                    const QString& title,
                    const QStringList& filters,
                    const QString& directory) {
    QFileDialog dialog(parent, title, directory);
    dialog.setObjectName("saveDialog");
    dialog.setAcceptMode(QFileDialog::AcceptSave);
    dialog.setFileMode(QFileDialog::AnyFile);
    dialog.setNameFilters(filters);
    if (!filters.isEmpty()) {
        dialog.selectNameFilter(filters.front());
        dialog.setDefaultSuffix(filterSuffix(filters.front()));
    }
    QObject::connect(
        &dialog, &QFileDialog::filterSelected, &dialog,
        [&dialog](const QString& filter) { dialog.setDefaultSuffix(filterSuffix(filter)); });
    if (dialog.exec() != QDialog::Accepted || dialog.selectedFiles().isEmpty()) {
        return {};
    }
    return dialog.selectedFiles().front();
}

} // namespace dynfit::ui
