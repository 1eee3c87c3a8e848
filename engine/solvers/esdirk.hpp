// SPDX-License-Identifier: MIT
// The one generic ESDIRK stepper (explicit first stage, singly diagonally implicit), driven by a
// tableau type, with a simplified Newton iteration per stage.
#pragma once

#include "control/error_norm.hpp"
#include "core/scalar_traits.hpp"
#include "core/stats.hpp"
#include "solvers/hermite.hpp"
#include "solvers/linear_solver.hpp"
#include "solvers/rhs_jacobian.hpp"
#include "solvers/rosenbrock.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <concepts>
#include <utility>

namespace dynfit::ode {

/// An ESDIRK tableau (see tableaus/kvaerno5.hpp): a lower triangular with a[0][0] = 0 and
/// a[i][i] = γ otherwise; b, bErr = b − b̂, c; stifflyAccurate when b is a's last row; dense
/// output u(t + θh) = y + h Σ_i w_i(θ) F_i with w_i(θ) = Σ_m interpCoeffs[i][m] θ^(m+1)
/// (interpDegree 0: cubic Hermite).
template<class T>
concept EsdirkTableau = requires {
    { T::name } -> std::convertible_to<const char*>;
    { T::stages } -> std::convertible_to<int>;
    { T::order } -> std::convertible_to<int>;
    { T::errorOrder } -> std::convertible_to<int>;
    { T::gamma } -> std::convertible_to<double>;
    { T::stifflyAccurate } -> std::convertible_to<bool>;
    { T::interpDegree } -> std::convertible_to<int>;
    { T::denseOrder } -> std::convertible_to<int>;
    T::a;
    T::b;
    T::bErr;
    T::c;
    T::interpCoeffs;
};

/// Newton settings of the stage equations (Hairer–Wanner IV, §IV.8).
struct NewtonSettings {
    int maxIterations = 10;
    double kappa = 0.01;     ///< converged when η‖ΔZ‖ ≤ κ in the tolerance-scaled norm
    double reuseRate = 0.03; ///< keep the Jacobian for the next step while rates stay below this
};

/// One ESDIRK step. The Jacobian is evaluated at the start of a step and kept for the next ones
/// while Newton converges fast with it (rate below NewtonSettings::reuseRate); W = I − hγJ is
/// factorised once per attempted step; each implicit stage runs a simplified Newton iteration on
/// Z = S + hγ f(Z) and takes F = (Z − S)/(hγ) as its slope, so that a stiffly accurate method's
/// y_new is exactly its last stage. A stage that does not converge rejects the step.
template<EsdirkTableau T, class State>
class Esdirk {
  public:
    using Tableau = T;
    using Scalar = typename State::Scalar;
    using Real = RealOf<Scalar>;
    using Matrix = JacobianOf<State>;
    static constexpr const char* kName = T::name;
    static constexpr int kOrder = T::order;
    static constexpr int kErrorOrder = T::errorOrder;
    static constexpr int kStages = T::stages;
    static constexpr bool kOwnInterpolant = T::interpDegree > 0;
    static constexpr int kInterpStages = kStages;

    void setTolerances(const Tolerances& tol) { m_tol = tol; }

    void init(const State& u0) {
        for (auto& v : m_F) {
            v = u0;
            v.setZero();
        }
        m_S = m_Z = m_fz = m_delta = m_err = m_f1 = m_work = m_work2 = u0;
        m_J.setZero(u0.size(), u0.size());
        m_W = m_J;
        m_f0Valid = m_f1Valid = m_jacValid = m_patternSet = false;
    }

    template<class Rhs, class Params>
    const State&
    derivativeAtStart(Rhs& f, const Params& p, double t, const State& u, SolveStats& stats) {
        if (!m_f0Valid) {
            f(m_F[0], u, p, t);
            ++stats.nRhs;
            m_f0Valid = true;
        }
        return m_F[0];
    }

    template<class Rhs, class Params>
    StepStatus step(Rhs& f,
                    const Params& p,
                    double t,
                    double h,
                    const State& u,
                    State& uNew,
                    SolveStats& stats) {
        derivativeAtStart(f, p, t, u, stats);
        m_f1Valid = false;
        if (!m_patternSet) {
            m_patternSet = true;
            if constexpr (requires { f.jacobianPattern().entries; }) {
                m_linear.setPattern(f.jacobianPattern().entries, static_cast<int>(u.size()));
            }
        }
        if (!m_jacValid) {
            evaluateJacobian(f, m_J, u, m_F[0], p, t, m_work, m_work2, stats);
            m_jacValid = true;
        }
        m_maxRate = 0.0;
        const Real hg(h * T::gamma);
        m_W = m_J * (-hg);
        m_W.diagonal().array() += Scalar(Real(1));
        ++stats.nFactorizations;
        StepStatus status = m_linear.factor(m_W) ? StepStatus::Ok : StepStatus::LinearSolveFailed;
        for (int i = 1; i < kStages && status == StepStatus::Ok; ++i) {
            if (!solveStage(f, p, t, h, u, i, stats)) {
                status = StepStatus::NewtonFailed;
            }
        }
        if (status != StepStatus::Ok) {
            ++stats.nNewtonFailures;
            m_jacValid = false; // retry with a fresh Jacobian
            uNew = u;
            return status;
        }
        if constexpr (T::stifflyAccurate) {
            uNew = m_Z; // the last stage
        } else {
            uNew = u;
            for (int j = 0; j < kStages; ++j) {
                uNew += m_F[j] * Real(h * T::b[j]);
            }
        }
        m_err.setZero();
        for (int j = 0; j < kStages; ++j) {
            if (T::bErr[j] != 0.0) {
                m_err += m_F[j] * Real(h * T::bErr[j]);
            }
        }
        return StepStatus::Ok;
    }

    const State& errorEstimate() const { return m_err; }

    template<class Rhs, class Params>
    void prepareInterpolation(Rhs& f,
                              const Params& p,
                              double t,
                              double h,
                              const State& /*u*/,
                              const State& uNew,
                              SolveStats& stats) {
        if constexpr (!kOwnInterpolant) {
            if (!m_f1Valid) {
                if constexpr (T::stifflyAccurate) {
                    m_f1 = m_F[kStages - 1];
                } else {
                    f(m_f1, uNew, p, t + h);
                    ++stats.nRhs;
                }
                m_f1Valid = true;
            }
        }
    }

    void interpolate(double theta, double h, const State& u, const State& uNew, State& out) const {
        interpolateFrom(theta, h, u, uNew, m_F.data(), m_f1, out);
    }

    static void interpolateFrom(double theta,
                                double h,
                                const State& u,
                                const State& uNew,
                                const State* k,
                                const State& f1,
                                State& out) {
        if constexpr (kOwnInterpolant) {
            out = u;
            for (int i = 0; i < kStages; ++i) {
                double w = 0.0;
                for (int m = T::interpDegree - 1; m >= 0; --m) {
                    w = w * theta + T::interpCoeffs[i][m];
                }
                w *= theta;
                if (w != 0.0) {
                    out += k[i] * Real(h * w);
                }
            }
        } else {
            hermiteInterpolate(theta, h, u, uNew, k[0], f1, out);
        }
    }

    /// A stiffly accurate method's last slope is f(y_new) up to the Newton tolerance: the next
    /// step starts from it without a new evaluation.
    void accept() {
        if constexpr (T::stifflyAccurate) {
            std::swap(m_F[0], m_F[kStages - 1]);
            m_f0Valid = true;
        } else if (m_f1Valid) {
            std::swap(m_F[0], m_f1);
            m_f0Valid = true;
        } else {
            m_f0Valid = false;
        }
        m_f1Valid = false;
        m_jacValid = m_maxRate < m_newton.reuseRate;
    }

    void invalidate() {
        m_f0Valid = false;
        m_jacValid = false;
    }

    const std::array<State, kInterpStages>& stages() const { return m_F; }
    const State& endDerivative() const { return m_f1; }

  private:
    // Stage i: Z = S + hγ f(t + c_i h, Z) with S = u + h Σ_{j<i} a_ij F_j, by simplified Newton
    // from the predictor Z = S + hγ F_{i−1}. Returns false when the iteration fails.
    template<class Rhs, class Params>
    bool solveStage(
        Rhs& f, const Params& p, double t, double h, const State& u, int i, SolveStats& stats) {
        const Real hg(h * T::gamma);
        m_S = u;
        for (int j = 0; j < i; ++j) {
            if (T::a[i][j] != 0.0) {
                m_S += m_F[j] * Real(h * T::a[i][j]);
            }
        }
        m_Z = m_S + m_F[i - 1] * hg;
        const double ti = t + T::c[i] * h;
        double previous = 0.0;
        for (int it = 0; it < m_newton.maxIterations; ++it) {
            f(m_fz, m_Z, p, ti);
            ++stats.nRhs;
            m_work = m_S + m_fz * hg - m_Z;
            m_linear.solve(m_work, m_delta);
            ++stats.nLinearSolves;
            m_Z += m_delta;
            const double norm = errorNorm(m_delta, u, m_Z, m_tol);
            if (!std::isfinite(norm)) {
                return false;
            }
            if (norm == 0.0) {
                break;
            }
            if (it > 0) {
                const double rate = norm / previous;
                m_maxRate = std::max(m_maxRate, rate);
                if (rate >= 1.0) {
                    return false;
                }
                m_eta = rate / (1.0 - rate);
            } else {
                m_eta = std::pow(std::max(m_eta, 1e-16), 0.8);
            }
            if (m_eta * norm <= m_newton.kappa) {
                break;
            }
            if (it + 1 == m_newton.maxIterations) {
                return false;
            }
            previous = norm;
        }
        m_F[i] = (m_Z - m_S) / hg;
        return true;
    }

    std::array<State, kStages> m_F;
    State m_S, m_Z, m_fz, m_delta, m_err, m_f1, m_work, m_work2;
    Matrix m_J, m_W;
    LinearSolver<Scalar, State::RowsAtCompileTime> m_linear;
    Tolerances m_tol;
    NewtonSettings m_newton;
    double m_eta = 1.0;
    double m_maxRate = 0.0; // the slowest Newton contraction of the last step
    bool m_f0Valid = false, m_f1Valid = false, m_jacValid = false, m_patternSet = false;
};

} // namespace dynfit::ode
