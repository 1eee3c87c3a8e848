// SPDX-License-Identifier: MIT
// The drift-implicit SDE step: u⁺ = u + h f(u⁺, t + h) + g(u, t) ΔW, solved by Newton's method
// with the Jacobian's primal values. With dual-number states every component (value and partial
// derivatives) is iterated to convergence, so forward mode gets the implicit function's exact
// derivatives, as the reverse sweep's transposed solve does (sensitivity/reverse_sde.cpp).
#pragma once

#include "solvers/sde_steppers.hpp"

#include <algorithm>
#include <type_traits>

namespace dynfit::ode {

namespace detail {

// x = W⁻¹ b component by component (the value and every partial of a dual number).
template<class State>
void solvePrimal(const Eigen::PartialPivLU<Eigen::MatrixXd>& lu, const State& b, State& x) {
    using Scalar = typename State::Scalar;
    x.resize(b.size());
    if constexpr (std::is_floating_point_v<Scalar>) {
        x = lu.solve(b);
    } else {
        const Eigen::Index n = b.size();
        Eigen::VectorXd column(n);
        for (Eigen::Index i = 0; i < n; ++i) {
            column[i] = b[i].val;
        }
        column = lu.solve(column);
        for (Eigen::Index i = 0; i < n; ++i) {
            x[i] = Scalar(column[i]);
        }
        for (std::size_t k = 0; k < b[0].d.size(); ++k) {
            for (Eigen::Index i = 0; i < n; ++i) {
                column[i] = b[i].d[k];
            }
            column = lu.solve(column);
            for (Eigen::Index i = 0; i < n; ++i) {
                x[i].d[k] = column[i];
            }
        }
    }
}

// Whether the Newton update `delta` is negligible against `u` in every component.
template<class State>
bool negligible(const State& delta, const State& u) {
    constexpr double tol = 1e-12;
    for (Eigen::Index i = 0; i < u.size(); ++i) {
        if constexpr (std::is_floating_point_v<typename State::Scalar>) {
            if (!(std::abs(delta[i]) <= tol * (1.0 + std::abs(u[i])))) {
                return false;
            }
        } else {
            if (!(std::abs(delta[i].val) <= tol * (1.0 + std::abs(u[i].val)))) {
                return false;
            }
            for (std::size_t k = 0; k < u[i].d.size(); ++k) {
                if (!(std::abs(delta[i].d[k]) <= tol * (1.0 + std::abs(u[i].d[k])))) {
                    return false;
                }
            }
        }
    }
    return true;
}

} // namespace detail

/// The drift-implicit Euler–Maruyama step (θ = 1); w.converged says whether Newton converged
/// (at most kIterations, the Jacobian refreshed at every iterate).
template<class Problem, class State>
void implicitEmStep(Problem& pr,
                    double t,
                    double h,
                    const State& u,
                    const StepNoise& noise,
                    State& uNew,
                    SdeWork<State>& w,
                    SolveStats& stats) {
    constexpr int kIterations = 10;
    const Eigen::Index n = u.size();
    auto& f = w.fk[0];
    auto& g = w.gk[0];
    f.resize(n);
    pr.f(f, u, pr.p, t);
    pr.g(g, u, pr.p, t);
    w.h0.resize(n); // the explicit part u + g ΔW
    for (Eigen::Index i = 0; i < n; ++i) {
        w.h0[i] = u[i] + noiseTimes(pr, g, noise.dW, i, n);
    }
    uNew.resize(n);
    for (Eigen::Index i = 0; i < n; ++i) {
        uNew[i] = w.h0[i] + h * f[i]; // the Euler–Maruyama predictor
    }
    stats.nRhs += 1;
    stats.nNoise += 1;
    w.converged = false;
    for (int k = 0; k < kIterations; ++k) {
        pr.f(f, uNew, pr.p, t + h);
        ++stats.nRhs;
        w.residual.resize(n);
        for (Eigen::Index i = 0; i < n; ++i) {
            w.residual[i] = uNew[i] - w.h0[i] - h * f[i];
        }
        evaluateJacobian(pr.f, w.jac, uNew, f, pr.p, t + h, w.work, w.fWork, stats);
        w.iteration.resize(n, n);
        for (Eigen::Index r = 0; r < n; ++r) {
            for (Eigen::Index c = 0; c < n; ++c) {
                w.iteration(r, c) = (r == c ? 1.0 : 0.0) - h * primal(w.jac(r, c));
            }
        }
        w.lu.compute(w.iteration);
        detail::solvePrimal(w.lu, w.residual, w.delta);
        for (Eigen::Index i = 0; i < n; ++i) {
            uNew[i] -= w.delta[i];
        }
        if (!allFinite(uNew)) {
            return;
        }
        if (detail::negligible(w.delta, uNew)) {
            w.converged = true;
            return;
        }
    }
}

} // namespace dynfit::ode
