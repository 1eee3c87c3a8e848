// SPDX-License-Identifier: MIT
// The seed's Lotka–Volterra example as a ready-made problem and a one-call run for the front ends.
#pragma once

#include "core/stats.hpp"
#include "core/status.hpp"
#include "problem/ode_problem.hpp"

#include <Eigen/Core>
#include <string>
#include <string_view>
#include <vector>

namespace dynfit::examples {

/// Rabbits x and wolves y: x' = αx − βxy, y' = −γy + δxy, with p = (α, β, γ, δ).
struct LotkaVolterraRhs {
    template<class State, class Params>
    void operator()(State& du, const State& u, const Params& p, double /*t*/) const {
        du[0] = p[0] * u[0] - p[1] * u[0] * u[1];
        du[1] = -p[2] * u[1] + p[3] * u[0] * u[1];
    }
};

/// The seed's problem: p = (1.5, 1, 3, 1), u0 = (1, 1), t in [0, 10].
inline auto lotkaVolterraProblem() {
    return ode::makeOdeProblem(LotkaVolterraRhs{}, Eigen::Vector2d(1.0, 1.0), {0.0, 10.0},
                               Eigen::Vector4d(1.5, 1.0, 3.0, 1.0));
}

/// A solve's result in plain columns, for front ends that must not do numerics themselves.
struct ExampleRun {
    std::vector<std::string> stateNames;
    std::vector<double> t;
    std::vector<std::vector<double>> columns; ///< columns[i][k]: state i at t[k]
    SolveStatus status = SolveStatus::Success;
    std::string message;
    SolveStats stats;
    double seconds = 0.0;
};

/// Solves the Lotka–Volterra example with the named method, saving every `saveStep`.
/// An unknown method name gives status InvalidInput with the list of known names.
ExampleRun runLotkaVolterra(std::string_view method, double reltol, double abstol, double saveStep);

} // namespace dynfit::examples
