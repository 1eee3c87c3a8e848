// SPDX-License-Identifier: MIT
// Options of a solve: tolerances, step limits, what to save.
#pragma once

#include <atomic>
#include <optional>
#include <vector>

namespace dynfit::ode {

/// Every option has a default that suits a first solve. Times are absolute (not relative to t0).
struct SolveOptions {
    double reltol = 1e-3;                   ///< relative tolerance of the local error
    double abstol = 1e-6;                   ///< absolute tolerance (all components)
    std::vector<double> abstolPerComponent; ///< per-component abstol; overrides `abstol` if set
    double dt = 0.0;                        ///< > 0: fixed step size, no error control
    double dtInitial = 0.0;                 ///< > 0: first adaptive step; else HNW's heuristic
    double dtmin = 0.0;                     ///< smallest adaptive step; 0: a few ulps of t
    double dtmax = 0.0;                     ///< largest step; 0: the whole span
    int maxEvents = 10000;                  ///< continuous events allowed before EventAccumulation
    long maxiters = 100000;                 ///< step attempts (accepted + rejected) allowed
    std::vector<double> saveat;             ///< times to save at, monotone in the solve direction
    double saveatStep = 0.0;                ///< > 0: save at t0, t0 + step, …, and t1
    std::optional<bool> saveEverystep;      ///< default: true when no saveat is given
    bool dense = false;                     ///< keep each step's interpolant: Solution::at(t)
    std::vector<double> tstops; ///< must-hit times: steps land on each exactly (doses, kinks)
    const std::atomic<bool>* cancel = nullptr; ///< polled once per step; set to stop the solve
};

} // namespace dynfit::ode
