// SPDX-License-Identifier: MIT
// Locating an event's crossing on a step's interpolant: the crossing test on two samples and the
// Illinois refinement of a bracket. Shared by our own integrator and the CVODE event runner.
#pragma once

#include "problem/events.hpp"

#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

namespace dynfit::ode::detail {

// Whether g going from a to b crosses zero in the event's direction. A start exactly at zero
// (just after an event on the same surface) is not a crossing.
inline bool crosses(Crossing direction, double a, double b) {
    const bool up = a < 0.0 && b >= 0.0;
    const bool down = a > 0.0 && b <= 0.0;
    return direction == Crossing::Upward ? up : direction == Crossing::Downward ? down : up || down;
}

// The Illinois variant of regula falsi on g(t) (the condition along an interpolant), bracket
// [ta, tb] with g(ta) and g(tb) of opposite signs (or g(tb) = 0), dir the sign of the time
// direction: returns the end of the final bracket on the crossing's far side, so that the
// condition has crossed there (and the next step, which starts on that side, does not find the
// same crossing again).
template<class Condition>
double refineRoot(Condition&& g, double dir, double ta, double ga, double tb, double gb) {
    int side = 0;
    for (int iteration = 0; iteration < 200; ++iteration) {
        const double width = std::abs(tb - ta);
        if (gb == 0.0 || width <= 4 * std::numeric_limits<double>::epsilon() * std::abs(tb)) {
            break;
        }
        double t = tb - gb * (tb - ta) / (gb - ga);
        if (!(dir * (t - ta) > 0.0 && dir * (tb - t) > 0.0)) {
            t = 0.5 * (ta + tb); // round-off left the bracket: bisect
        }
        const double gt = g(t);
        if ((gt < 0.0) == (gb < 0.0) && gt != 0.0) {
            tb = t;
            gb = gt;
            if (side == 1) {
                ga *= 0.5; // Illinois: the retained end's value halved
            }
            side = 1;
        } else {
            ta = t;
            ga = gt;
            if (side == -1) {
                gb *= 0.5;
            }
            side = -1;
            if (gt == 0.0) {
                return t;
            }
        }
    }
    return tb;
}

// Two crossings of one event closer than this, relative to the solve's time scale, cannot be
// told apart in floating point (2^-42 ≈ 2.3e-13, a few thousand ulps): the crossings accumulate
// there (a Zeno point: a ball coming to rest), and no solver can step past that point. Without
// this test a method locates bounces down to the last ulp and then falls through the floor.
constexpr double kAccumulationGap = 0x1p-42;

inline bool accumulates(double previous, double t, double scale) {
    return std::abs(t - previous) <= kAccumulationGap * scale;
}

inline std::string accumulationMessage(const std::string& event, double previous, double t) {
    char gap[32];
    std::snprintf(gap, sizeof gap, "%.3g", std::abs(t - previous));
    return event + " fired again " + gap
           + " after its previous crossing: its crossings accumulate there (a Zeno point), and "
             "no method can step past it";
}

} // namespace dynfit::ode::detail
