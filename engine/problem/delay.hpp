// SPDX-License-Identifier: MIT
// The shape of a delay problem with constant lags (issue 15): u'(t) = f(u(t), u(t − τ_1), …,
// u(t − τ_m), p, t) with a history before t0, and where its solution is not smooth.
#pragma once

#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

namespace dynfit::ode {

/// Constant positive lags and the state before the start. `initDiffers`: u(t0) differs from the
/// history's limit at t0 (an order-0 discontinuity at t0, propagated like the others).
template<class State, class Params>
struct DelaySpec {
    std::function<std::vector<double>(const Params& p)> lags;
    std::function<State(double t, const Params& p)> history;
    bool initDiffers = false;
};

/// The times in (t0, t1] where the solution may lose smoothness: t0 + any sum of up to
/// `maxOrder` lags (a discontinuity in u^(k) at t0 reappears in u^(k+1) one lag later), sorted and
/// merged where closer than `mergeTolerance`. The method of steps lands on each.
inline std::vector<double> discontinuityTimes(double t0,
                                              double t1,
                                              const std::vector<double>& lags,
                                              int maxOrder,
                                              double mergeTolerance = 1e-12) {
    std::vector<double> level = {t0}, out;
    for (int order = 1; order <= maxOrder; ++order) {
        std::vector<double> next;
        for (const double t : level) {
            for (const double lag : lags) {
                if (lag > 0 && t + lag <= t1) {
                    next.push_back(t + lag);
                }
            }
        }
        out.insert(out.end(), next.begin(), next.end());
        level = std::move(next);
    }
    std::sort(out.begin(), out.end());
    std::vector<double> merged;
    for (const double t : out) {
        if (merged.empty() || t - merged.back() > mergeTolerance * std::max(1.0, std::abs(t))) {
            merged.push_back(t);
        }
    }
    return merged;
}

} // namespace dynfit::ode
