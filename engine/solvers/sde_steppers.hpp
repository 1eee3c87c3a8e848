// SPDX-License-Identifier: MIT
// One step of each SDE method (solvers/tableaus/sde_tableaus.hpp for the formulas), element by
// element: the increments come per state (dW[i] = ΔW of the process driving state i, the same
// number for every state under scalar noise), which makes diagonal and scalar noise one code.
// Any scalar type (dual numbers for pathwise forward-mode gradients).
#pragma once

#include "problem/noise.hpp"
#include "solvers/rhs_jacobian.hpp"
#include "solvers/tableaus/sde_tableaus.hpp"

#include <Eigen/Core>
#include <Eigen/LU>
#include <array>
#include <cmath>

namespace dynfit::ode {

/// Scratch of the SDE steps, sized on first use.
template<class State>
struct SdeWork {
    std::array<State, 4> fk, gk;
    State h0, h1, utilde;
    Eigen::VectorXd chi1, chi2, chi3;
    // The drift-implicit methods' Newton iteration (sde_implicit.hpp).
    JacobianOf<State> jac;
    Eigen::MatrixXd iteration; ///< I − h ∂f/∂u at the primal values
    Eigen::PartialPivLU<Eigen::MatrixXd> lu;
    State residual, delta, work, fWork;
    bool converged = true; ///< false: the last implicit step's Newton iteration failed
};

/// The increments of one step per state: ΔW and I(1,0) = ∫_t^{t+h} (W_r − W_t) dr of the same
/// path (solvers/wiener_paths.hpp).
struct StepNoise {
    Eigen::VectorXd dW, i10;
};

// χ1 = I(1,1)/√h = (ΔW² − h)/(2√h), χ2 = I(1,0)/h, χ3 = I(1,1,1)/h = (ΔW³ − 3hΔW)/(6h).
template<class State>
void iteratedIntegrals(double h, const StepNoise& noise, SdeWork<State>& w) {
    const double sqh = std::sqrt(std::abs(h));
    const auto& dW = noise.dW.array();
    w.chi1 = (dW.square() - h) / (2 * sqh);
    w.chi2 = noise.i10.array() / h;
    w.chi3 = (dW.cube() - 3 * h * dW) / (6 * h);
}

/// Component i of g ΔW: g[i]·ΔW[i] for diagonal and scalar noise (the increments come per
/// state), Σ_k g(i, k)·ΔW[k] for a general matrix (column-major; the increments per process).
template<class Problem, class State>
typename State::Scalar noiseTimes(
    const Problem& pr, const State& g, const Eigen::VectorXd& dW, Eigen::Index i, Eigen::Index n) {
    if (pr.shape != NoiseShape::General) {
        return g[i] * dW[i];
    }
    typename State::Scalar sum(0.0);
    for (Eigen::Index k = 0; k < dW.size(); ++k) {
        sum += g[k * n + i] * dW[k];
    }
    return sum;
}

/// Euler–Maruyama: u⁺ = u + h f(u) + g(u) ΔW.
template<class Problem, class State>
void emStep(Problem& pr,
            double t,
            double h,
            const State& u,
            const StepNoise& noise,
            State& uNew,
            SdeWork<State>& w) {
    auto& f = w.fk[0];
    auto& g = w.gk[0];
    f.resize(u.size());
    pr.f(f, u, pr.p, t);
    pr.g(g, u, pr.p, t);
    uNew.resize(u.size());
    for (Eigen::Index i = 0; i < u.size(); ++i) {
        uNew[i] = u[i] + h * f[i] + noiseTimes(pr, g, noise.dW, i, u.size());
    }
}

/// Euler–Heun (Stratonovich): the predictor ũ = u + h f(u) + g(u) ΔW, then the trapezoid
/// u⁺ = u + h (f(u) + f(ũ))/2 + (g(u) + g(ũ)) ΔW/2.
template<class Problem, class State>
void eulerHeunStep(Problem& pr,
                   double t,
                   double h,
                   const State& u,
                   const StepNoise& noise,
                   State& uNew,
                   SdeWork<State>& w) {
    const Eigen::Index n = u.size();
    for (int k = 0; k < 2; ++k) {
        w.fk[k].resize(n);
    }
    pr.f(w.fk[0], u, pr.p, t);
    pr.g(w.gk[0], u, pr.p, t);
    w.utilde.resize(n);
    for (Eigen::Index i = 0; i < n; ++i) {
        w.utilde[i] = u[i] + h * w.fk[0][i] + noiseTimes(pr, w.gk[0], noise.dW, i, n);
    }
    pr.f(w.fk[1], w.utilde, pr.p, t + h);
    pr.g(w.gk[1], w.utilde, pr.p, t + h);
    uNew.resize(n);
    for (Eigen::Index i = 0; i < n; ++i) {
        uNew[i] = u[i] + 0.5 * h * (w.fk[0][i] + w.fk[1][i])
                  + 0.5
                        * (noiseTimes(pr, w.gk[0], noise.dW, i, n)
                           + noiseTimes(pr, w.gk[1], noise.dW, i, n));
    }
}

/// One SRI step; E1 and E2 receive the parts of the error estimate: the drift's and the noise's
/// differences to the embedded order 1.0 scheme (Euler's drift, no β3/β4 terms).
template<int S, class Problem, class State>
void sriStep(const SriTableau<S>& tab,
             Problem& pr,
             double t,
             double h,
             const State& u,
             const StepNoise& noise,
             State& uNew,
             State& e1,
             State& e2,
             SdeWork<State>& w) {
    const Eigen::Index n = u.size();
    const double sqh = std::sqrt(std::abs(h));
    iteratedIntegrals(h, noise, w);
    for (int i = 0; i < S; ++i) {
        w.h0 = u;
        w.h1 = u;
        for (int j = 0; j < i; ++j) {
            for (Eigen::Index k = 0; k < n; ++k) {
                w.h0[k] += h * tab.A0[i][j] * w.fk[j][k] + w.chi2[k] * tab.B0[i][j] * w.gk[j][k];
                w.h1[k] += h * tab.A1[i][j] * w.fk[j][k] + sqh * tab.B1[i][j] * w.gk[j][k];
            }
        }
        w.fk[i].resize(n);
        w.gk[i].resize(n);
        pr.f(w.fk[i], w.h0, pr.p, t + tab.c0[i] * h);
        pr.g(w.gk[i], w.h1, pr.p, t + tab.c1[i] * h);
    }
    uNew = u;
    e1.setZero(n);
    e2.setZero(n);
    for (int i = 0; i < S; ++i) {
        for (Eigen::Index k = 0; k < n; ++k) {
            uNew[k] += h * tab.alpha[i] * w.fk[i][k]
                       + (tab.beta1[i] * noise.dW[k] + tab.beta2[i] * w.chi1[k]) * w.gk[i][k];
            e2[k] += (tab.beta3[i] * w.chi2[k] + tab.beta4[i] * w.chi3[k]) * w.gk[i][k];
            e1[k] += h * (tab.alpha[i] - (i == 0 ? 1.0 : 0.0)) * w.fk[i][k];
        }
    }
    uNew += e2;
}

/// One SRA step (additive noise); E1 and E2 receive the parts of the error estimate.
template<int S, class Problem, class State>
void sraStep(const SraTableau<S>& tab,
             Problem& pr,
             double t,
             double h,
             const State& u,
             const StepNoise& noise,
             State& uNew,
             State& e1,
             State& e2,
             SdeWork<State>& w) {
    const Eigen::Index n = u.size();
    iteratedIntegrals(h, noise, w);
    for (int i = 0; i < S; ++i) {
        w.h0 = u;
        for (int j = 0; j < i; ++j) {
            for (Eigen::Index k = 0; k < n; ++k) {
                w.h0[k] += h * tab.A0[i][j] * w.fk[j][k] + w.chi2[k] * tab.B0[i][j] * w.gk[j][k];
            }
        }
        w.fk[i].resize(n);
        w.gk[i].resize(n);
        pr.f(w.fk[i], w.h0, pr.p, t + tab.c0[i] * h);
        pr.g(w.gk[i], w.h0, pr.p, t + tab.c1[i] * h);
    }
    uNew = u;
    e1.setZero(n);
    e2.setZero(n);
    for (int i = 0; i < S; ++i) {
        for (Eigen::Index k = 0; k < n; ++k) {
            uNew[k] += h * tab.alpha[i] * w.fk[i][k] + tab.beta1[i] * noise.dW[k] * w.gk[i][k];
            e2[k] += tab.beta2[i] * w.chi2[k] * w.gk[i][k];
            e1[k] += h * (tab.alpha[i] - (i == 0 ? 1.0 : 0.0)) * w.fk[i][k];
        }
    }
    uNew += e2;
}

} // namespace dynfit::ode
