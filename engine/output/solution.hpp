// SPDX-License-Identifier: MIT
// What a solve returns: saved times and states, status, message, statistics, dense output.
#pragma once

#include "core/stats.hpp"
#include "core/status.hpp"
#include "output/dense_output.hpp"

#include <string>
#include <vector>

namespace dynfit::ode {

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

    [[nodiscard]] bool ok() const { return status == SolveStatus::Success; }

    /// u(t) from the dense output (requires SolveOptions::dense).
    State at(double time) const {
        State out = u.front();
        dense.evaluate(time, out);
        return out;
    }
};

} // namespace dynfit::ode
