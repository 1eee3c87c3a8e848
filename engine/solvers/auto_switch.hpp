// SPDX-License-Identifier: MIT
// Automatic stiffness switching: Tsit5 while the problem is non-stiff, Rodas5P while it is stiff.
#pragma once

#include "solvers/explicit_rk.hpp"
#include "solvers/rosenbrock.hpp"
#include "solvers/tableaus/rodas5p.hpp"
#include "solvers/tableaus/tsit5.hpp"

#include <algorithm>
#include <cmath>

namespace dynfit::ode {

/// Stiffness test settings (Hairer & Wanner, DOPRI5's stiffness detection).
struct StiffnessSettings {
    /// |hλ| beyond which an explicit step is limited by stability: Tsit5's stability region
    /// reaches about −3.5 on the negative real axis; DOPRI5 uses 3.25 for its 3.3.
    double explicitLimit = 3.25;
    int stiffSteps = 15;    ///< stability-limited steps (not interrupted by 6 free ones) to switch
    int freeSteps = 6;      ///< consecutive unlimited steps that clear the stiff count
    int nonStiffSteps = 15; ///< consecutive steps with h‖J‖∞ below half the limit to switch back
    int jacobianEvery = 5; ///< explicit steps between power iterations on ∂f/∂u (when given)
};

/// A stepper with the ExplicitRk protocol that holds Tsit5 and Rodas5P and steps with one of
/// them. After each accepted Tsit5 step it estimates the dominant eigenvalue from the last two
/// stages, ρ ≈ ‖k7 − k6‖ / ‖y7 − y6‖ (both at c = 1); after each Rodas5P step it bounds it by
/// ‖J‖∞. Dense output stores which method made each step in the last stage slot.
template<class State>
class AutoSwitchStepper {
  public:
    using Scalar = typename State::Scalar;
    using Real = RealOf<Scalar>;
    using Explicit = ExplicitRk<Tsit5, State>;
    using Stiff = Rosenbrock<Rodas5P, State>;
    static constexpr const char* kName = "Auto";
    static constexpr int kOrder = 5;
    static constexpr int kErrorOrder = 4; // both methods: the controller is shared
    static constexpr int kInterpStages =
        std::max(Explicit::kInterpStages, Stiff::kInterpStages) + 1;

    void init(const State& u0) {
        m_explicit.init(u0);
        m_stiff.init(u0);
        for (auto& v : m_dense) {
            v = u0;
            v.setZero();
        }
        m_y6 = m_f1 = u0;
        m_useStiff = false;
        m_count = 0;
    }

    bool usingStiff() const { return m_useStiff; }
    /// The method of the step just made, until accept(): 0 Tsit5, 1 Rodas5P.
    int stepMethod() const { return m_useStiff ? 1 : 0; }

    template<class Rhs, class Params>
    const State&
    derivativeAtStart(Rhs& f, const Params& p, double t, const State& u, SolveStats& stats) {
        return m_useStiff ? m_stiff.derivativeAtStart(f, p, t, u, stats)
                          : m_explicit.derivativeAtStart(f, p, t, u, stats);
    }

    template<class Rhs, class Params>
    StepStatus step(Rhs& f,
                    const Params& p,
                    double t,
                    double h,
                    const State& u,
                    State& uNew,
                    SolveStats& stats) {
        m_stats = &stats;
        m_h = h;
        if (m_useStiff) {
            const StepStatus status = m_stiff.step(f, p, t, h, u, uNew, stats);
            m_rho = m_stiff.jacobianNormBound();
            return status;
        } else {
            m_explicit.step(f, p, t, h, u, uNew, stats);
            m_rho = dominantEigenvalueEstimate(h, u, uNew);
            if constexpr (ProvidesJacobian<Rhs, State, Params>) {
                // The stage estimate sees the stiff mode only through the last step's increment
                // and can miss it by an order of magnitude (ROBER); every few steps the
                // Jacobian's spectral radius settles it.
                if (jacobianProvided<Rhs, State, Params>(f)
                    && ++m_sinceJacobian >= m_settings.jacobianEvery) {
                    m_sinceJacobian = 0;
                    f.jacobian(m_jacobian, u, p, t);
                    ++stats.nJac;
                    m_rho = std::max(m_rho, spectralRadiusEstimate());
                }
            }
        }
        return StepStatus::Ok;
    }

    const State& errorEstimate() const {
        return m_useStiff ? m_stiff.errorEstimate() : m_explicit.errorEstimate();
    }

    template<class Rhs, class Params>
    void prepareInterpolation(Rhs& f,
                              const Params& p,
                              double t,
                              double h,
                              const State& u,
                              const State& uNew,
                              SolveStats& stats) {
        if (m_useStiff) {
            m_stiff.prepareInterpolation(f, p, t, h, u, uNew, stats);
            copyStages(m_stiff.stages(), m_stiff.endDerivative(), 1.0);
        } else {
            m_explicit.prepareInterpolation(f, p, t, h, u, uNew, stats);
            copyStages(m_explicit.stages(), m_explicit.endDerivative(), 0.0);
        }
    }

    void interpolate(double theta, double h, const State& u, const State& uNew, State& out) const {
        if (m_useStiff) {
            m_stiff.interpolate(theta, h, u, uNew, out);
        } else {
            m_explicit.interpolate(theta, h, u, uNew, out);
        }
    }

    static void interpolateFrom(double theta,
                                double h,
                                const State& u,
                                const State& uNew,
                                const State* k,
                                const State& f1,
                                State& out) {
        if (primal(k[kInterpStages - 1][0]) != 0.0) {
            Stiff::interpolateFrom(theta, h, u, uNew, k, f1, out);
        } else {
            Explicit::interpolateFrom(theta, h, u, uNew, k, f1, out);
        }
    }

    void accept() {
        if (m_useStiff) {
            m_stiff.accept();
        } else {
            m_explicit.accept();
        }
        const double stiffness = std::abs(m_h) * m_rho;
        if (!m_useStiff) {
            // DOPRI5's rule: a stability-limited step counts; six free ones in a row clear it.
            if (stiffness > m_settings.explicitLimit) {
                ++m_count;
                m_free = 0;
            } else if (++m_free >= m_settings.freeSteps) {
                m_count = 0;
            }
            if (m_count >= m_settings.stiffSteps) {
                switchTo(true);
            }
        } else {
            m_count = stiffness < 0.5 * m_settings.explicitLimit ? m_count + 1 : 0;
            if (m_count >= m_settings.nonStiffSteps) {
                switchTo(false);
            }
        }
    }

    void invalidate() {
        m_explicit.invalidate();
        m_stiff.invalidate();
    }

    const std::array<State, kInterpStages>& stages() const { return m_dense; }
    const State& endDerivative() const { return m_f1; }

  private:
    void switchTo(bool stiff) {
        m_useStiff = stiff;
        m_count = 0;
        m_free = 0;
        m_explicit.invalidate();
        m_stiff.invalidate();
        if (m_stats != nullptr) {
            ++m_stats->nStiffSwitches;
        }
    }

    // ρ ≈ ‖k7 − k6‖ / ‖y7 − y6‖ with y6 = u + h Σ a_6j k_j and y7 = u_new (FSAL).
    double dominantEigenvalueEstimate(double h, const State& u, const State& uNew) {
        const auto& k = m_explicit.stages();
        m_y6 = u;
        for (int j = 0; j < 5; ++j) {
            m_y6 += k[static_cast<std::size_t>(j)] * Real(h * Tsit5::a[5][j]);
        }
        double num = 0.0, den = 0.0;
        for (Eigen::Index i = 0; i < u.size(); ++i) {
            const double dk = primal(k[6][i]) - primal(k[5][i]);
            const double dy = primal(uNew[i]) - primal(m_y6[i]);
            num += dk * dk;
            den += dy * dy;
        }
        return den > 0.0 ? std::sqrt(num / den) : 0.0;
    }

    // |λ_max| of ∂f/∂u by a few power iterations (on primal values).
    double spectralRadiusEstimate() {
        const Eigen::Index n = m_jacobian.rows();
        m_primalJ.resize(n, n);
        for (Eigen::Index r = 0; r < n; ++r) {
            for (Eigen::Index c = 0; c < n; ++c) {
                m_primalJ(r, c) = primal(m_jacobian(r, c));
            }
        }
        Eigen::VectorXd v = Eigen::VectorXd::Ones(n) / std::sqrt(static_cast<double>(n));
        double rho = 0.0;
        for (int it = 0; it < 12; ++it) {
            const Eigen::VectorXd w = m_primalJ * v;
            rho = w.norm();
            if (!(rho > 0.0) || !std::isfinite(rho)) {
                return 0.0;
            }
            v = w / rho;
        }
        return rho;
    }

    template<class Stages>
    void copyStages(const Stages& from, const State& f1, double marker) {
        for (std::size_t i = 0; i < from.size(); ++i) {
            m_dense[i] = from[i];
        }
        m_f1 = f1;
        m_dense[kInterpStages - 1].setZero();
        m_dense[kInterpStages - 1][0] = Scalar(Real(marker));
    }

    Explicit m_explicit;
    Stiff m_stiff;
    StiffnessSettings m_settings;
    std::array<State, kInterpStages> m_dense;
    State m_y6, m_f1;
    SolveStats* m_stats = nullptr;
    double m_h = 0.0, m_rho = 0.0;
    JacobianOf<State> m_jacobian;
    Eigen::MatrixXd m_primalJ;
    int m_count = 0, m_free = 0, m_sinceJacobian = 0;
    bool m_useStiff = false;
};

} // namespace dynfit::ode
