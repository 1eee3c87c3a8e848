// SPDX-License-Identifier: MIT
// Reverse-mode through the solver: record the accepted steps, then sweep back through each
// Runge–Kutta step (and each interpolated save point) with vector–Jacobian products.
#pragma once

#include "model/model_rhs.hpp"
#include "solvers/differentiable_system.hpp"
#include "solvers/hermite.hpp"
#include "solvers/tableau.hpp"

#include <optional>
#include <vector>

namespace dynfit::sens {

/// One accepted step as the forward solve took it.
struct TapeStep {
    double t = 0.0;
    double h = 0.0; ///< signed
    model::Vector<double> u;
    int method = 0; ///< ode::StepView::method: which method of Auto made the step
    /// Where the solution left the step: an event's time inside it, if one cut it short.
    std::optional<double> cutAt;
};

/// A save point inside a step: its adjoint ∂L/∂u(t_s), and where it sits (θ ∈ (0, 1]).
struct TapeSave {
    double theta = 1.0;
    model::Vector<double> adjoint;
};

/// A problem's f and derivatives as the backward sweeps use them (accumulating VJPs, Eigen
/// vectors), counting the evaluations.
class CountedDerivatives {
  public:
    using Vec = Eigen::VectorXd;

    explicit CountedDerivatives(ode::DifferentiableSystem& system)
        : m_system(system), m_n(system.stateCount()), m_np(system.paramCount()) {}

    void rhs(const Vec& u, const Vec& p, double t, Vec& out) {
        out.resize(m_n);
        m_system.rhs(u.data(), p.data(), t, out.data());
        ++evaluations;
    }

    /// uBar += wᵀ ∂f/∂u and pBar += wᵀ ∂f/∂p at (u, p, t).
    void vjp(const Vec& u, const Vec& p, double t, const Vec& w, Vec& uBar, Vec& pBar) {
        m_scratchU.resize(m_n);
        m_scratchP.resize(m_np);
        m_system.vjp(u.data(), p.data(), w.data(), t, m_scratchU.data(), m_scratchP.data());
        uBar += m_scratchU;
        pBar += m_scratchP;
        ++evaluations;
    }

    /// ∂f/∂u at (u, p, t), dense.
    void jacobian(const Vec& u, const Vec& p, double t, Eigen::MatrixXd& jac) {
        m_system.jacobianU(u, p, t, jac);
        ++evaluations;
    }

    /// ∂f/∂t at (u, p, t); false when f does not depend on t.
    bool timeDerivative(const Vec& u, const Vec& p, double t, Vec& out) {
        return m_system.timeDerivative(u, p, t, out);
    }

    /// uBar += ∂/∂u (wᵀ J v) and pBar += ∂/∂p (wᵀ J v) at (u, p, t).
    void hessianVectorProduct(
        const Vec& u, const Vec& p, double t, const Vec& w, const Vec& v, Vec& uBar, Vec& pBar) {
        m_system.hessianVectorProduct(u, p, t, w, v, uBar, pBar);
        evaluations += 2;
    }

    /// uBar += wᵀ ∂(∂f/∂t)/∂u and pBar += wᵀ ∂(∂f/∂t)/∂p (problems whose f reads t).
    void
    timeDerivativeVjp(const Vec& u, const Vec& p, double t, const Vec& w, Vec& uBar, Vec& pBar) {
        m_system.timeDerivativeVjp(u, p, t, w, uBar, pBar);
        evaluations += 2;
    }

    long evaluations = 0;

  private:
    ode::DifferentiableSystem& m_system;
    int m_n, m_np;
    Vec m_scratchU, m_scratchP;
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

/// Tells f which evaluation of the step comes next, where f cares (a delay model reads its past
/// as the forward solve did: stage 0 may be the previous step's last): stage i, or `stages`
/// for f(u_new) at the step's end.
template<class F>
void atStage(F& f, int i) {
    if constexpr (requires { f.atStage(i); }) {
        f.atStage(i);
    }
}

/// Back-propagates through one explicit RK step u_new = u + h Σ b_i k_i of tableau T. On entry
/// uBar = ∂L/∂u_new (saves exactly at the step's end already added); `saves` are the interior
/// save points of this step. On exit uBar = ∂L/∂u, and pBar has this step's ∂L/∂p added. Step
/// sizes are taken as constants: this is the exact gradient of the discrete solution computed.
/// F: CountedDerivatives, or anything with its rhs and vjp.
template<ode::RkTableau T, class F>
void reverseStep(const TapeStep& step,
                 const std::vector<TapeSave>& saves,
                 const model::Vector<double>& p,
                 F& f,
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
        atStage(f, i);
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
            const auto hw = ode::hermiteWeights(s.theta);
            uBarDirect += hw[0] * s.adjoint;
            uBar += hw[1] * s.adjoint;
            kBar[0] += (h * hw[2]) * s.adjoint;
            work.uNew = step.u;
            for (int i = 0; i < T::stages; ++i) {
                work.uNew += (h * T::b[i]) * k[i];
            }
            work.weighted = (h * hw[3]) * s.adjoint;
            atStage(f, T::stages);
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
        atStage(f, i);
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
