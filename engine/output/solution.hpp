// SPDX-License-Identifier: MIT
// What a solve returns: saved times and states, status, message, statistics, dense output.
#pragma once

#include "core/stats.hpp"
#include "core/status.hpp"
#include "output/dense_output.hpp"

#include <string>
#include <vector>

namespace dynfit::ode {

/// One event that fired: when, which (its index in the problem's list), and the state on both
/// sides (equal for an event that only records its time).
template<class State>
struct EventRecord {
    double t = 0.0;
    int event = 0;
    State before;
    State after;
};

/// The result of solve(). On failure, t/u hold what was computed before the failure and
/// `message` names the time, the step and a remedy.
template<class State>
struct [[nodiscard]] Solution {
    std::vector<double> t;
    std::vector<State> u;
    SolveStatus status = SolveStatus::Success;
    std::string message;
    SolveStats stats;
    DenseOutput<State> dense; ///< empty unless SolveOptions::dense
    /// The events that fired (continuous and timed), in time order.
    std::vector<EventRecord<State>> events;
    /// What succeeded but deserves a look (a grazing event).
    std::vector<std::string> warnings;

    /// Success, or ended by a terminal event.
    [[nodiscard]] bool ok() const {
        return status == SolveStatus::Success || status == SolveStatus::Terminated;
    }

    /// u(t) from the dense output (requires SolveOptions::dense).
    State at(double time) const {
        State out = u.front();
        dense.evaluate(time, out);
        return out;
    }
};

} // namespace dynfit::ode
