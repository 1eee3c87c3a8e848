// SPDX-License-Identifier: MIT
// Resolving the save points of a solve from the options.
#pragma once

#include <string>
#include <vector>

namespace dynfit::ode {

/// The save times: the explicit list as given, or t0, t0 + step, …, t1 for a step (t1 included,
/// times within a few ulps of t1 merged into it). Works for backward spans. On invalid input
/// (unordered times, times outside the span, a non-positive step) returns false and says why.
bool resolveSaveTimes(const std::vector<double>& saveat,
                      double saveatStep,
                      double t0,
                      double t1,
                      std::vector<double>& times,
                      std::string& error);

} // namespace dynfit::ode
