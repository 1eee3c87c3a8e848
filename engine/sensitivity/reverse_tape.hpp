// SPDX-License-Identifier: MIT
// Reverse-mode through the solver: record the accepted steps, then sweep back through each
// Runge–Kutta step (and each interpolated save point) with vector–Jacobian products.
#pragma once

#include "model/model_rhs.hpp"
#include "solvers/tableau.hpp"

#include <vector>

namespace dynfit::sens {

/// One accepted step as the forward solve took it.
struct TapeStep {
    double t = 0.0;
    double h = 0.0; ///< signed
    model::Vector<double> u;
};

/// A save point inside a step: its adjoint ∂L/∂u(t_s), and where it sits (θ ∈ (0, 1]).
struct TapeSave {
    double theta = 1.0;
    model::Vector<double> adjoint;
};

/// VJPs and right-hand sides of a compiled model at double precision, with counters.
class ModelDerivatives {
  public:
    explicit ModelDerivatives(const model::CompiledModel& m)
        : m_model(m), m_n(m.stateCount()), m_np(m.paramCount()) {}

    void rhs(const model::Vector<double>& u,
             const model::Vector<double>& p,
             double t,
             model::Vector<double>& out) {
        out.resize(m_n);
        m_model.rhs(u.data(), p.data(), t, out.data());
        ++evaluations;
    }

    /// uBar += wᵀ ∂f/∂u and pBar += wᵀ ∂f/∂p at (u, p, t).
    void vjp(const model::Vector<double>& u,
             const model::Vector<double>& p,
             double t,
             const model::Vector<double>& w,
             model::Vector<double>& uBar,
             model::Vector<double>& pBar) {
        m_scratchU.resize(m_n);
        m_scratchP.resize(m_np);
        m_model.vjp(u.data(), p.data(), w.data(), t, m_scratchU.data(), m_scratchP.data());
        uBar += m_scratchU;
        pBar += m_scratchP;
        ++evaluations;
    }

    long evaluations = 0;

  private:
    model::DoubleModel m_model;
    int m_n, m_np;
    model::Vector<double> m_scratchU, m_scratchP;
};

/// Scratch vectors of the backward sweep, sized once and reused by every step.
struct ReverseWorkspace {
    std::vector<model::Vector<double>> y, k, kBar;
    model::Vector<double> uBarDirect, yBarSum, yBar, uNew, weighted;

    void prepare(int stages, Eigen::Index n) {
        if (static_cast<int>(y.size()) < stages) {
            y.resize(static_cast<std::size_t>(stages));
            k.resize(static_cast<std::size_t>(stages));
            kBar.resize(static_cast<std::size_t>(stages));
        }
        for (int i = 0; i < stages; ++i) {
            kBar[static_cast<std::size_t>(i)].setZero(n);
        }
        uBarDirect.setZero(n);
        yBarSum.setZero(n);
    }
};

/// Back-propagates through one explicit RK step u_new = u + h Σ b_i k_i of tableau T. On entry
/// uBar = ∂L/∂u_new (saves exactly at the step's end already added); `saves` are the interior
/// save points of this step. On exit uBar = ∂L/∂u, and pBar has this step's ∂L/∂p added. Step
/// sizes are taken as constants: this is the exact gradient of the discrete solution computed.
template<ode::RkTableau T>
void reverseStep(const TapeStep& step,
                 const std::vector<TapeSave>& saves,
                 const model::Vector<double>& p,
                 ModelDerivatives& f,
                 ReverseWorkspace& work,
                 model::Vector<double>& uBar,
                 model::Vector<double>& pBar) {
    constexpr bool ownInterpolant = T::interpolant == ode::InterpolantKind::Weights;
    const int stageCount = [&] {
        if constexpr (ownInterpolant) {
            return saves.empty() ? T::stages : T::interpStages;
        } else {
            return T::stages;
        }
    }();
    const auto a = [](int i, int j) {
        if constexpr (ownInterpolant) {
            return T::aFull[i][j];
        } else {
            return T::a[i][j];
        }
    };
    const auto c = [](int i) {
        if constexpr (ownInterpolant) {
            return T::cFull[i];
        } else {
            return T::c[i];
        }
    };
    const double h = step.h;
    const Eigen::Index n = step.u.size();
    work.prepare(stageCount, n);
    auto& y = work.y;
    auto& k = work.k;
    auto& kBar = work.kBar;
    // Recompute the stages from the recorded state.
    for (int i = 0; i < stageCount; ++i) {
        y[i] = step.u;
        for (int j = 0; j < i; ++j) {
            if (a(i, j) != 0.0) {
                y[i] += (h * a(i, j)) * k[j];
            }
        }
        f.rhs(y[i], p, step.t + c(i) * h, k[i]);
    }
    auto& uBarDirect = work.uBarDirect;
    for (const TapeSave& s : saves) {
        if constexpr (ownInterpolant) {
            std::array<double, T::interpStages> w{};
            ode::interpolationWeights<T>(s.theta, w);
            uBarDirect += s.adjoint;
            for (int i = 0; i < stageCount; ++i) {
                kBar[i] += (h * w[i]) * s.adjoint;
            }
        } else {
            // Cubic Hermite: c00 u + c01 u_new + c10 h f(u) + c11 h f(u_new).
            const double t1 = s.theta, t2 = t1 * t1, t3 = t2 * t1;
            uBarDirect += (2 * t3 - 3 * t2 + 1) * s.adjoint;
            uBar += (-2 * t3 + 3 * t2) * s.adjoint;
            kBar[0] += (h * (t3 - 2 * t2 + t1)) * s.adjoint;
            work.uNew = step.u;
            for (int i = 0; i < T::stages; ++i) {
                work.uNew += (h * T::b[i]) * k[i];
            }
            work.weighted = (h * (t3 - t2)) * s.adjoint;
            f.vjp(work.uNew, p, step.t + h, work.weighted, uBar, pBar);
        }
    }
    for (int i = 0; i < T::stages; ++i) {
        kBar[i] += (h * T::b[i]) * uBar;
    }
    auto& yBarSum = work.yBarSum;
    auto& yBar = work.yBar;
    for (int i = stageCount - 1; i >= 0; --i) {
        yBar.setZero(n);
        f.vjp(y[i], p, step.t + c(i) * h, kBar[i], yBar, pBar);
        yBarSum += yBar;
        for (int j = 0; j < i; ++j) {
            if (a(i, j) != 0.0) {
                kBar[j] += (h * a(i, j)) * yBar;
            }
        }
    }
    uBar += yBarSum + uBarDirect;
}

} // namespace dynfit::sens
