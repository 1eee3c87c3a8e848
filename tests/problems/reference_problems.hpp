// SPDX-License-Identifier: MIT
// Shared test problems with analytic or published reference solutions, Jacobians and VJPs.
#pragma once

#include "examples/lotka_volterra.hpp"
#include "problem/ode_problem.hpp"

#include <Eigen/Core>
#include <cmath>

namespace dynfit::test {

using Vec1 = Eigen::Matrix<double, 1, 1>;

/// u' = ω cos(ωt)·u, u(0) = 1: u(t) = exp(sin ωt). Smooth, non-autonomous, scalar.
struct ExpSinRhs {
    double omega = 1.0;
    template<class State, class Params>
    void operator()(State& du, const State& u, const Params& /*p*/, double t) const {
        du[0] = u[0] * omega * std::cos(omega * t);
    }
    double exact(double t) const { return std::exp(std::sin(omega * t)); }
};

inline auto expSinProblem(double t0, double t1) {
    return ode::makeOdeProblem(ExpSinRhs{}, Vec1(ExpSinRhs{}.exact(t0)), {t0, t1},
                               Eigen::VectorXd());
}

/// u' = |u|²·(−u2, u1): a rotation whose speed depends on the radius (r = 1.2 is conserved):
/// u(t) = r (cos r²t, sin r²t). Nonlinear, two components, exact in long double.
struct NonlinearRotationRhs {
    using State = Eigen::Matrix<long double, 2, 1>;
    template<class S, class Params>
    void operator()(S& du, const S& u, const Params& /*p*/, double /*t*/) const {
        const auto r2 = u[0] * u[0] + u[1] * u[1];
        du[0] = -u[1] * r2;
        du[1] = u[0] * r2;
    }
    static State exact(double t) {
        const long double r = 1.2L;
        const long double angle = r * r * t;
        return State(r * std::cos(angle), r * std::sin(angle));
    }
};

/// u' = −k·u: u(t) = u0·exp(−k t); ∂u/∂k = −t·u(t), ∂u/∂u0 = exp(−k t).
struct DecayRhs {
    template<class State, class Params>
    void operator()(State& du, const State& u, const Params& p, double /*t*/) const {
        du[0] = -p[0] * u[0];
    }
};

/// Lotka–Volterra (the seed's) with its Jacobian and vector–Jacobian product, and a reference
/// solution computed with mpmath's Taylor integrator at 30 digits (tol 1e-25).
struct LotkaVolterraReference {
    static constexpr double t10[2] = {1.026344767575089319139, 0.9096910781360416175482};
    static constexpr double t5[2] = {6.098494675971742817959, 0.6281379021874609031678};
    static constexpr double t1[2] = {2.772850901841112119126, 0.2587108781425639539004};

    static Eigen::Matrix2d jacobian(const Eigen::Vector2d& u, const Eigen::Vector4d& p) {
        Eigen::Matrix2d j;
        j << p[0] - p[1] * u[1], -p[1] * u[0], p[3] * u[1], -p[2] + p[3] * u[0];
        return j;
    }
    static Eigen::Vector2d
    vjp(const Eigen::Vector2d& v, const Eigen::Vector2d& u, const Eigen::Vector4d& p) {
        return jacobian(u, p).transpose() * v;
    }
};

/// The Arenstorf orbit (Hairer–Nørsett–Wanner I, II.0): periodic with period T, so u(T) = u0.
struct ArenstorfRhs {
    static constexpr double mu = 0.012277471;
    static constexpr double period = 17.0652165601579625588917206249;
    template<class State, class Params>
    void operator()(State& du, const State& u, const Params& /*p*/, double /*t*/) const {
        using std::pow;
        const double mup = 1.0 - mu;
        const auto d1 = pow((u[0] + mu) * (u[0] + mu) + u[1] * u[1], 1.5);
        const auto d2 = pow((u[0] - mup) * (u[0] - mup) + u[1] * u[1], 1.5);
        du[0] = u[2];
        du[1] = u[3];
        du[2] = u[0] + 2.0 * u[3] - mup * (u[0] + mu) / d1 - mu * (u[0] - mup) / d2;
        du[3] = u[1] - 2.0 * u[2] - mup * u[1] / d1 - mu * u[1] / d2;
    }
    static Eigen::Vector4d initial() { return {0.994, 0.0, 0.0, -2.00158510637908252240537862224}; }
};

inline auto arenstorfProblem() {
    return ode::makeOdeProblem(ArenstorfRhs{}, ArenstorfRhs::initial(), {0.0, ArenstorfRhs::period},
                               Eigen::VectorXd());
}

/// u' = u², u(0) = 1: blows up at t = 1 (u = 1/(1 − t)).
struct BlowUpRhs {
    template<class State, class Params>
    void operator()(State& du, const State& u, const Params& /*p*/, double /*t*/) const {
        du[0] = u[0] * u[0];
    }
};

} // namespace dynfit::test
