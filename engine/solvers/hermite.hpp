// SPDX-License-Identifier: MIT
// Cubic Hermite interpolation through (u, f(u)) and (u_new, f(u_new)) over one step: the dense
// output of every method without its own interpolant, and its weights for the reverse sweeps.
#pragma once

#include <array>

namespace dynfit::ode {

/// Weights of u, u_new, h f(u) and h f(u_new) at θ ∈ [0, 1].
inline std::array<double, 4> hermiteWeights(double theta) {
    const double t2 = theta * theta;
    const double t3 = t2 * theta;
    return {2 * t3 - 3 * t2 + 1, -2 * t3 + 3 * t2, t3 - 2 * t2 + theta, t3 - t2};
}

/// out = u(t + θh) from the step's ends and their slopes f0 = f(t, u), f1 = f(t + h, u_new).
template<class State>
void hermiteInterpolate(double theta,
                        double h,
                        const State& u,
                        const State& uNew,
                        const State& f0,
                        const State& f1,
                        State& out) {
    using Real = typename State::Scalar;
    const auto w = hermiteWeights(theta);
    out = u * Real(w[0]);
    out += uNew * Real(w[1]);
    out += f0 * Real(h * w[2]);
    out += f1 * Real(h * w[3]);
}

} // namespace dynfit::ode
