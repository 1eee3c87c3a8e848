// SPDX-License-Identifier: MIT
// Reverse mode through the stiff methods: the discrete adjoints of one Rosenbrock step and of one
// ESDIRK step, recomputed from the recorded state (the tape holds t, h and u per step).
#pragma once

#include "sensitivity/reverse_tape.hpp"
#include "solvers/esdirk.hpp"
#include "solvers/rosenbrock.hpp"

#include <Eigen/LU>
#include <array>
#include <vector>

namespace dynfit::sens {

/// Scratch of the stiff backward sweeps, sized on first use.
struct StiffReverseWorkspace {
    std::vector<model::Vector<double>> y, k, kBar;
    model::Vector<double> rBar, yBar, uNew, uNewBar, dT, dTBar, weighted, extraF0Bar;
    Eigen::MatrixXd jac, w;
    Eigen::PartialPivLU<Eigen::MatrixXd> lu;

    void prepare(int stages, Eigen::Index n) {
        y.resize(static_cast<std::size_t>(stages));
        k.resize(static_cast<std::size_t>(stages));
        kBar.resize(static_cast<std::size_t>(stages));
        for (auto& v : kBar) {
            v.setZero(n);
        }
        dTBar.setZero(n);
        extraF0Bar.setZero(n);
    }
};

/// Back-propagates through one Rosenbrock step of tableau T (see solvers/rosenbrock.hpp): the
/// stage solves U_i = W⁻¹ r_i give r̄_i = W⁻ᵀ Ū_i, and W = I/(hγ) − J(u) adds ∂/∂(u, p) of
/// Σ_i r̄_iᵀ J U_i, a Hessian-vector product per stage. Exact for the discrete solution.
template<ode::RosenbrockTableau T>
void reverseRosenbrockStep(const TapeStep& step,
                           const std::vector<TapeSave>& saves,
                           const model::Vector<double>& p,
                           CountedDerivatives& f,
                           StiffReverseWorkspace& w,
                           model::Vector<double>& uBar,
                           model::Vector<double>& pBar) {
    constexpr int S = T::stages;
    const double h = step.h, t = step.t;
    const model::Vector<double>& u = step.u;
    const Eigen::Index n = u.size();
    w.prepare(S, n);
    auto& U = w.k;
    auto& UBar = w.kBar;
    // The forward step again.
    model::Vector<double> f0;
    f.rhs(u, p, t, f0);
    f.jacobian(u, p, t, w.jac);
    const bool nonAutonomous = f.timeDerivative(u, p, t, w.dT);
    w.w = -w.jac;
    w.w.diagonal().array() += 1.0 / (h * T::gamma);
    w.lu.compute(w.w);
    for (int i = 0; i < S; ++i) {
        w.y[i] = u;
        for (int j = 0; j < i; ++j) {
            w.y[i] += T::a[i][j] * U[j];
        }
        model::Vector<double> r;
        if (i == 0) {
            r = f0;
        } else {
            f.rhs(w.y[i], p, t + T::c[i] * h, r);
        }
        for (int j = 0; j < i; ++j) {
            r += (T::C[i][j] / h) * U[j];
        }
        if (nonAutonomous) {
            r += (T::d[i] * h) * w.dT;
        }
        U[i] = w.lu.solve(r);
    }
    // Saves inside the step, then the step's end.
    w.uNewBar = uBar;
    model::Vector<double> uBarOut = model::Vector<double>::Zero(n);
    for (const TapeSave& s : saves) {
        const double th = s.theta;
        if constexpr (T::denseVectors > 0) {
            uBarOut += (1 - th) * s.adjoint;
            w.uNewBar += th * s.adjoint;
            double coef = th * (1 - th);
            for (int r = 0; r < T::denseVectors; ++r, coef *= th) {
                for (int j = 0; j < S; ++j) {
                    if (T::H[r][j] != 0.0) {
                        UBar[j] += (coef * T::H[r][j]) * s.adjoint;
                    }
                }
            }
        } else {
            const auto c = ode::hermiteWeights(th);
            uBarOut += c[0] * s.adjoint;
            w.uNewBar += c[1] * s.adjoint;
            w.extraF0Bar += (h * c[2]) * s.adjoint;
            w.uNew = u;
            for (int j = 0; j < S; ++j) {
                w.uNew += T::m[j] * U[j];
            }
            w.weighted = (h * c[3]) * s.adjoint;
            f.vjp(w.uNew, p, t + h, w.weighted, w.uNewBar, pBar);
        }
    }
    uBarOut += w.uNewBar;
    for (int j = 0; j < S; ++j) {
        UBar[j] += T::m[j] * w.uNewBar;
    }
    for (int i = S - 1; i >= 0; --i) {
        w.rBar = w.lu.transpose().solve(UBar[i]);
        f.hessianVectorProduct(u, p, t, w.rBar, U[i], uBarOut, pBar); // J̄ = Σ r̄_i U_iᵀ
        for (int j = 0; j < i; ++j) {
            if (T::C[i][j] != 0.0) {
                UBar[j] += (T::C[i][j] / h) * w.rBar;
            }
        }
        if (nonAutonomous) {
            w.dTBar += (T::d[i] * h) * w.rBar;
        }
        if (i == 0) {
            w.rBar += w.extraF0Bar;
            f.vjp(u, p, t, w.rBar, uBarOut, pBar);
        } else {
            w.yBar.setZero(n);
            f.vjp(w.y[i], p, t + T::c[i] * h, w.rBar, w.yBar, pBar);
            uBarOut += w.yBar;
            for (int j = 0; j < i; ++j) {
                if (T::a[i][j] != 0.0) {
                    UBar[j] += T::a[i][j] * w.yBar;
                }
            }
        }
    }
    if (nonAutonomous) {
        f.timeDerivativeVjp(u, p, t, w.dTBar, uBarOut, pBar);
    }
    uBar = uBarOut;
}

/// Back-propagates through one ESDIRK step of tableau T. The stage slopes are recomputed by the
/// stepper itself (`stepper`, with the forward solve's tolerances); each implicit stage is taken
/// as solved exactly, F_i = f(Z_i) with Z_i = S_i + hγF_i, so that
/// F̄_i gives q = (I − hγJ(Z_i))⁻ᵀ F̄_i, S̄_i = J(Z_i)ᵀ q and p̄ += f_pᵀ q.
template<ode::EsdirkTableau T, class Rhs>
bool reverseEsdirkStep(const TapeStep& step,
                       const std::vector<TapeSave>& saves,
                       const model::Vector<double>& p,
                       CountedDerivatives& f,
                       Rhs& rhs,
                       ode::Esdirk<T, model::Vector<double>>& stepper,
                       StiffReverseWorkspace& w,
                       model::Vector<double>& uBar,
                       model::Vector<double>& pBar,
                       SolveStats& stats) {
    constexpr int S = T::stages;
    const double h = step.h, t = step.t;
    const model::Vector<double>& u = step.u;
    const Eigen::Index n = u.size();
    w.prepare(S, n);
    auto& F = w.k;
    auto& FBar = w.kBar;
    stepper.invalidate();
    if (stepper.step(rhs, p, t, h, u, w.uNew, stats) != ode::StepStatus::Ok) {
        return false;
    }
    for (int i = 0; i < S; ++i) {
        F[i] = stepper.stages()[static_cast<std::size_t>(i)];
    }
    w.uNewBar = uBar;
    model::Vector<double> uBarOut = model::Vector<double>::Zero(n);
    for (const TapeSave& s : saves) {
        const double th = s.theta;
        if constexpr (T::interpDegree > 0) {
            uBarOut += s.adjoint;
            for (int i = 0; i < S; ++i) {
                double wi = 0.0;
                for (int m = T::interpDegree - 1; m >= 0; --m) {
                    wi = wi * th + T::interpCoeffs[i][m];
                }
                FBar[i] += (h * wi * th) * s.adjoint;
            }
        } else {
            const auto c = ode::hermiteWeights(th);
            uBarOut += c[0] * s.adjoint;
            w.uNewBar += c[1] * s.adjoint;
            FBar[0] += (h * c[2]) * s.adjoint;
            if constexpr (T::stifflyAccurate) {
                FBar[S - 1] += (h * c[3]) * s.adjoint;
            } else {
                w.weighted = (h * c[3]) * s.adjoint;
                f.vjp(w.uNew, p, t + h, w.weighted, w.uNewBar, pBar);
            }
        }
    }
    uBarOut += w.uNewBar;
    for (int j = 0; j < S; ++j) {
        FBar[j] += (h * T::b[j]) * w.uNewBar;
    }
    for (int i = S - 1; i >= 1; --i) {
        // Z_i = u + h Σ_{j<i} a_ij F_j + hγ F_i.
        w.y[i] = u;
        for (int j = 0; j <= i; ++j) {
            w.y[i] += (h * T::a[i][j]) * F[j];
        }
        const double ti = t + T::c[i] * h;
        f.jacobian(w.y[i], p, ti, w.jac);
        w.w = -(h * T::gamma) * w.jac;
        w.w.diagonal().array() += 1.0;
        w.lu.compute(w.w);
        w.rBar = w.lu.transpose().solve(FBar[i]);
        w.yBar.setZero(n);
        f.vjp(w.y[i], p, ti, w.rBar, w.yBar, pBar);
        uBarOut += w.yBar;
        for (int j = 0; j < i; ++j) {
            if (T::a[i][j] != 0.0) {
                FBar[j] += (h * T::a[i][j]) * w.yBar;
            }
        }
    }
    f.vjp(u, p, t, FBar[0], uBarOut, pBar);
    uBar = uBarOut;
    return true;
}

} // namespace dynfit::sens
