// SPDX-License-Identifier: MIT
// Time events (doses) as the integrator runs them: their times are must-hit times (tstops), and
// Integrator::setTimeEvents applies every event due at the time it lands on.
#pragma once

#include "problem/events.hpp"

#include <vector>

namespace dynfit::ode {

/// The must-hit times of a list of time events (for SolveOptions::tstops).
template<class State, class Params>
std::vector<double> timeEventStops(const std::vector<TimeEvent<State, Params>>& events) {
    std::vector<double> stops;
    for (const auto& event : events) {
        stops.insert(stops.end(), event.times.begin(), event.times.end());
    }
    return stops;
}

} // namespace dynfit::ode
