// SPDX-License-Identifier: MIT
// Time events (doses) as the integrator runs them: their times become must-hit times, and the
// stop action applies every event due at the time it landed on (in the order given).
#pragma once

#include "problem/events.hpp"
#include "solvers/integrate.hpp"
#include "solvers/solve_options.hpp"

#include <algorithm>
#include <memory>
#include <vector>

namespace dynfit::ode {

/// Adds the events' times to `options.tstops` and installs the action that applies them.
/// `events` and `p` must outlive the solve.
template<class Stepper, class Problem, class Params>
void scheduleTimeEvents(Integrator<Stepper, Problem>& integrator,
                        const std::vector<TimeEvent<typename Problem::StateType, Params>>& events,
                        const Params& p) {
    using State = typename Problem::StateType;
    integrator.setStopAction([&events, &p](double t, State& u) {
        bool changed = false;
        for (const auto& event : events) {
            if (std::find(event.times.begin(), event.times.end(), t) != event.times.end()) {
                event.reset(u, p, t);
                changed = true;
            }
        }
        return changed;
    });
}

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
