// SPDX-License-Identifier: MIT
// The reference for the solver benchmark: DP5 on Lotka–Volterra as one plain C++ loop.
#pragma once

#include <vector>

namespace dynfit::bench {

struct HandWrittenResult {
    std::vector<double> t;
    std::vector<double> x, y;
    long steps = 0, rejected = 0, nf = 0;
};

/// Adaptive Dormand–Prince 5(4) on Lotka–Volterra (p = 1.5, 1, 3, 1; u0 = 1, 1) over [0, 10],
/// saving every `saveStep` through Shampine's interpolant: the same algorithm as the engine
/// (HNW initial step, PI control, RMS norm), hand-unrolled for two states with no abstraction.
void handWrittenDp5(double reltol, double abstol, double saveStep, HandWrittenResult& out);

} // namespace dynfit::bench
