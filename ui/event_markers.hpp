// SPDX-License-Identifier: MIT
// The events of a simulation as the time-series plot's markers.
#pragma once

#include "fit/simulation.hpp"
#include "solution_plot.hpp"

#include <vector>

namespace dynfit::ui {

inline std::vector<EventMarker> eventMarkers(const std::vector<fit::EventMark>& events) {
    std::vector<EventMarker> markers;
    for (const fit::EventMark& e : events) {
        const QString where = e.line > 0 ? QString(" (line %1)").arg(e.line)
                                         : QStringLiteral(" from the data set's dose table");
        markers.push_back({e.t, QString("%1%2 at t = %3")
                                    .arg(QString::fromStdString(e.kind), where)
                                    .arg(e.t, 0, 'g', 6)});
    }
    return markers;
}

} // namespace dynfit::ui
