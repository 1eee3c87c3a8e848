// SPDX-License-Identifier: MIT
// Resolving the save points of a solve from the options.
#include "output/save_at.hpp"

#include <cmath>
#include <cstdio>
#include <limits>

namespace dynfit::ode {

namespace {

std::string describeTime(const char* what, std::size_t index, double t) {
    char buf[128];
    std::snprintf(buf, sizeof buf, "saveat[%zu] = %.10g %s", index, t, what);
    return buf;
}

} // namespace

bool resolveSaveTimes(const std::vector<double>& saveat,
                      double saveatStep,
                      double t0,
                      double t1,
                      std::vector<double>& times,
                      std::string& error) {
    times.clear();
    const double dir = t1 >= t0 ? 1.0 : -1.0;
    const double span = std::abs(t1 - t0);
    const double slack =
        8 * std::numeric_limits<double>::epsilon() * std::max(std::abs(t0), std::abs(t1));
    if (saveatStep != 0.0) {
        if (!(saveatStep > 0.0) || !std::isfinite(saveatStep)) {
            error = "the saveat step must be a positive number";
            return false;
        }
        const auto n = static_cast<long>(std::floor(span / saveatStep + 1e-9));
        times.reserve(static_cast<std::size_t>(n) + 2);
        for (long k = 0; k <= n; ++k) {
            times.push_back(t0 + dir * static_cast<double>(k) * saveatStep);
        }
        if (std::abs(times.back() - t1) <= slack + 1e-9 * saveatStep) {
            times.back() = t1;
        } else {
            times.push_back(t1);
        }
        return true;
    }
    times.reserve(saveat.size());
    for (std::size_t i = 0; i < saveat.size(); ++i) {
        const double t = saveat[i];
        if (!std::isfinite(t)) {
            error = describeTime("is not a finite number", i, t);
            return false;
        }
        if (dir * (t - t0) < -slack || dir * (t - t1) > slack) {
            error = describeTime("lies outside the time span", i, t);
            return false;
        }
        if (i > 0 && dir * (t - saveat[i - 1]) < 0.0) {
            error =
                describeTime("is out of order (save times must follow the solve direction)", i, t);
            return false;
        }
        times.push_back(t);
    }
    return true;
}

} // namespace dynfit::ode
