// SPDX-License-Identifier: MIT
// Reverse-mode through the solver: record the accepted steps, then sweep back through each
// Runge–Kutta step (and each interpolated save point) with vector–Jacobian products.
#pragma once

#include "core/dual.hpp"
#include "model/model_rhs.hpp"
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
        : m_compiled(m), m_model(m), m_rhs(std::shared_ptr<const model::CompiledModel>(
                                         &m, [](const model::CompiledModel*) {})),
          m_n(m.stateCount()), m_np(m.paramCount()) {}

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

    /// ∂f/∂u at (u, p, t), dense.
    void jacobian(const model::Vector<double>& u,
                  const model::Vector<double>& p,
                  double t,
                  Eigen::MatrixXd& jac) {
        m_rhs.jacobian(jac, u, p, t);
        ++evaluations;
    }

    /// ∂f/∂t at (u, p, t); false when f does not depend on t.
    bool timeDerivative(const model::Vector<double>& u,
                        const model::Vector<double>& p,
                        double t,
                        model::Vector<double>& out) {
        return m_rhs.timeDerivative(out, u, p, t);
    }

    /// uBar += ∂/∂u (wᵀ J v) and pBar += ∂/∂p (wᵀ J v) at (u, p, t): the VJP programs evaluated
    /// with dual numbers seeded along v (forward over reverse; the Hessian is symmetric).
    void hessianVectorProduct(const model::Vector<double>& u,
                              const model::Vector<double>& p,
                              double t,
                              const model::Vector<double>& w,
                              const model::Vector<double>& v,
                              model::Vector<double>& uBar,
                              model::Vector<double>& pBar);

    /// uBar += wᵀ ∂(∂f/∂t)/∂u and pBar += wᵀ ∂(∂f/∂t)/∂p (models that read t).
    void timeDerivativeVjp(const model::Vector<double>& u,
                           const model::Vector<double>& p,
                           double t,
                           const model::Vector<double>& w,
                           model::Vector<double>& uBar,
                           model::Vector<double>& pBar);

    long evaluations = 0;

  private:
    using D1 = Dual<double, 1>;
    const model::CompiledModel& m_compiled;
    model::DoubleModel m_model;
    model::ModelRhs<double> m_rhs;
    int m_n, m_np;
    model::Vector<double> m_scratchU, m_scratchP;
    std::optional<model::ProgramEvaluator<D1>> m_hvpU, m_hvpP;
    std::optional<model::ProgramEvaluator<double>> m_dtVjpU, m_dtVjpP;
    model::Vector<D1> m_uDual, m_pDual, m_wDual, m_outU, m_outP;
};

inline void ModelDerivatives::hessianVectorProduct(const model::Vector<double>& u,
                                                   const model::Vector<double>& p,
                                                   double t,
                                                   const model::Vector<double>& w,
                                                   const model::Vector<double>& v,
                                                   model::Vector<double>& uBar,
                                                   model::Vector<double>& pBar) {
    if (!m_hvpU) {
        m_hvpU.emplace(m_compiled.vjpU);
        m_hvpP.emplace(m_compiled.vjpP);
    }
    m_uDual.resize(m_n);
    m_wDual.resize(m_n);
    m_pDual.resize(m_np);
    m_outU.resize(m_n);
    m_outP.resize(m_np);
    for (int i = 0; i < m_n; ++i) {
        m_uDual[i] = D1(u[i], {v[i]});
        m_wDual[i] = D1(w[i]);
    }
    for (int k = 0; k < m_np; ++k) {
        m_pDual[k] = D1(p[k]);
    }
    (*m_hvpU)(m_uDual.data(), m_pDual.data(), m_wDual.data(), t, m_outU.data());
    (*m_hvpP)(m_uDual.data(), m_pDual.data(), m_wDual.data(), t, m_outP.data());
    for (int i = 0; i < m_n; ++i) {
        uBar[i] += m_outU[i].d[0];
    }
    for (int k = 0; k < m_np; ++k) {
        pBar[k] += m_outP[k].d[0];
    }
    evaluations += 2;
}

inline void ModelDerivatives::timeDerivativeVjp(const model::Vector<double>& u,
                                                const model::Vector<double>& p,
                                                double t,
                                                const model::Vector<double>& w,
                                                model::Vector<double>& uBar,
                                                model::Vector<double>& pBar) {
    if (!m_dtVjpU) {
        m_dtVjpU.emplace(m_compiled.timeDerivativeVjpU);
        m_dtVjpP.emplace(m_compiled.timeDerivativeVjpP);
    }
    m_scratchU.resize(m_n);
    m_scratchP.resize(m_np);
    (*m_dtVjpU)(u.data(), p.data(), w.data(), t, m_scratchU.data());
    (*m_dtVjpP)(u.data(), p.data(), w.data(), t, m_scratchP.data());
    uBar += m_scratchU;
    pBar += m_scratchP;
    evaluations += 2;
}

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
            const auto hw = ode::hermiteWeights(s.theta);
            uBarDirect += hw[0] * s.adjoint;
            uBar += hw[1] * s.adjoint;
            kBar[0] += (h * hw[2]) * s.adjoint;
            work.uNew = step.u;
            for (int i = 0; i < T::stages; ++i) {
                work.uNew += (h * T::b[i]) * k[i];
            }
            work.weighted = (h * hw[3]) * s.adjoint;
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
