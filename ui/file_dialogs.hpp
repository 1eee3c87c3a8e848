// SPDX-License-Identifier: MIT
// File dialogs that finish the name the user typed: the chosen type's extension is added when
// none was typed.
#pragma once

#include <QString>
#include <QStringList>

class QWidget;

namespace dynfit::ui {

/// The extension of a filter such as "SVG (*.svg)": "svg" (empty for "All (*)").
QString filterSuffix(const QString& filter);

/// Asks for a path to write to. `filters` are like {"PNG (*.png)", "SVG (*.svg)"}; the first is
/// chosen at the start. A name typed without an extension gets the chosen filter's one. Empty
/// when cancelled.
QString askSavePath(QWidget* parent,
                    const QString& title,
                    const QStringList& filters,
                    const QString& directory = QString());

} // namespace dynfit::ui
