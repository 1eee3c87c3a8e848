// SPDX-License-Identifier: MIT
// The first step size of an adaptive solve (Hairer–Nørsett–Wanner, Solving ODEs I, II.4).
#pragma once

#include "control/error_norm.hpp"
#include "core/stats.hpp"

#include <algorithm>
#include <cmath>

namespace dynfit::ode {

/// HNW's heuristic: a step whose Euler error and second-derivative estimate both fit the
/// tolerance. `f0` = f(t0, u0) is given (it becomes the first stage); `work1`, `work2` are
/// scratch vectors sized like u0. Costs one right-hand-side evaluation. Returns |h|.
template<class Rhs, class State, class Params>
double initialStepSize(Rhs& f,
                       const Params& p,
                       double t0,
                       const State& u0,
                       const State& f0,
                       int order,
                       double direction,
                       double dtmax,
                       const Tolerances& tol,
                       State& work1,
                       State& work2,
                       SolveStats& stats) {
    using Real = RealOf<typename State::Scalar>;
    const double d0 = scaledNorm(u0, u0, tol);
    const double d1 = scaledNorm(f0, u0, tol);
    double h0 = (d0 < 1e-5 || d1 < 1e-5) ? 1e-6 : 0.01 * d0 / d1;
    h0 = std::min(h0, dtmax);

    work1 = u0 + f0 * Real(direction * h0);
    f(work2, work1, p, t0 + direction * h0);
    ++stats.nRhs;
    work1 = work2 - f0;
    const double d2 = scaledNorm(work1, u0, tol) / h0;

    const double dmax = std::max(d1, d2);
    const double h1 =
        dmax <= 1e-15 ? std::max(1e-6, h0 * 1e-3) : std::pow(0.01 / dmax, 1.0 / (order + 1));
    double h = std::min(100.0 * h0, h1);
    if (!std::isfinite(h) || h <= 0.0) {
        h = 1e-6;
    }
    return std::min(h, dtmax);
}

} // namespace dynfit::ode
