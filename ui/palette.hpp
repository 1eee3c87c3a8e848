// SPDX-License-Identifier: MIT
// One colour per state, the same in every view: the colour-blind-safe Okabe–Ito palette.
#pragma once

#include <QColor>
#include <cstddef>
#include <iterator>

namespace dynfit::ui {

inline QColor stateColour(std::size_t state) {
    static const QColor palette[] = {
        QColor(0, 114, 178), QColor(213, 94, 0),   QColor(0, 158, 115),  QColor(204, 121, 167),
        QColor(230, 159, 0), QColor(86, 180, 233), QColor(240, 228, 66), QColor(0, 0, 0)};
    return palette[state % std::size(palette)];
}

} // namespace dynfit::ui
