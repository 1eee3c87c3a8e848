// SPDX-License-Identifier: MIT
// The one generic Rosenbrock (linearly implicit) stepper, driven by a tableau type.
#pragma once

#include "core/scalar_traits.hpp"
#include "core/stats.hpp"
#include "solvers/hermite.hpp"
#include "solvers/linear_solver.hpp"
#include "solvers/rhs_jacobian.hpp"
#include "solvers/stepper.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <concepts>
#include <utility>

namespace dynfit::ode {

/// A Rosenbrock tableau in the transformed form of Hairer–Wanner IV (7.25) (see
/// tableaus/rodas4.hpp): stage i solves
///   (I/(hγ) − J) U_i = f(t + c_i h, y + Σ_j a_ij U_j) + Σ_j (C_ij / h) U_j + d_i h ∂f/∂t,
/// then y_new = y + Σ m_j U_j, error = Σ mErr_j U_j, and with denseVectors K_r = Σ_j H_rj U_j
///   u(θ) = (1 − θ) y + θ (y_new + (1 − θ)(K_0 + θ (K_1 + θ K_2)))   (cubic Hermite without).
template<class T>
concept RosenbrockTableau = requires {
    { T::name } -> std::convertible_to<const char*>;
    { T::stages } -> std::convertible_to<int>;
    { T::order } -> std::convertible_to<int>;
    { T::errorOrder } -> std::convertible_to<int>;
    { T::gamma } -> std::convertible_to<double>;
    { T::denseVectors } -> std::convertible_to<int>;
    { T::denseOrder } -> std::convertible_to<int>;
    T::a;
    T::C;
    T::c;
    T::d;
    T::m;
    T::mErr;
    T::H;
};

/// One Rosenbrock step: one Jacobian and one factorisation of W per step (the Jacobian is kept
/// across rejected attempts from the same point), one linear solve per stage, no Newton
/// iteration. Generic over the state scalar (dual numbers get the exact derivative of each solve).
template<RosenbrockTableau T, class State>
class Rosenbrock {
  public:
    using Tableau = T;
    using Scalar = typename State::Scalar;
    using Real = RealOf<Scalar>;
    using Matrix = JacobianOf<State>;
    static constexpr const char* kName = T::name;
    static constexpr int kOrder = T::order;
    static constexpr int kErrorOrder = T::errorOrder;
    static constexpr int kStages = T::stages;
    static constexpr bool kOwnInterpolant = T::denseVectors > 0;
    static constexpr int kInterpStages = kOwnInterpolant ? T::denseVectors : 1;

    void init(const State& u0) {
        for (auto& v : m_U) {
            v = u0;
        }
        for (auto& v : m_K) {
            v = u0;
            v.setZero();
        }
        m_stageInput = m_fStage = m_rhs = m_dT = m_f0 = m_f1 = m_err = m_work = m_work2 = u0;
        m_J.setZero(u0.size(), u0.size());
        m_W = m_J;
        m_f0Valid = m_f1Valid = m_jacValid = m_patternSet = false;
    }

    template<class Rhs, class Params>
    const State&
    derivativeAtStart(Rhs& f, const Params& p, double t, const State& u, SolveStats& stats) {
        if (!m_f0Valid) {
            f(m_f0, u, p, t);
            ++stats.nRhs;
            m_f0Valid = true;
        }
        return m_f0;
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
        prepareLinearSolver(f, static_cast<int>(u.size()));
        if (!m_jacValid) {
            evaluateJacobian(f, m_J, u, m_f0, p, t, m_work, m_work2, stats);
            m_nonAutonomous = evaluateTimeDerivative(f, m_dT, u, m_f0, p, t, stats);
            m_jacValid = true;
            m_jacobianNorm = 0.0;
            for (Eigen::Index r = 0; r < m_J.rows(); ++r) {
                double row = 0.0;
                for (Eigen::Index c = 0; c < m_J.cols(); ++c) {
                    row += std::abs(primal(m_J(r, c)));
                }
                m_jacobianNorm = std::max(m_jacobianNorm, row);
            }
        }
        m_W = -m_J;
        m_W.diagonal().array() += Scalar(Real(1.0 / (h * T::gamma)));
        ++stats.nFactorizations;
        if (!m_linear.factor(m_W)) {
            uNew = u;
            return StepStatus::LinearSolveFailed;
        }
        for (int i = 0; i < kStages; ++i) {
            stage(f, p, t, h, u, i, stats);
        }
        uNew = u;
        m_err.setZero();
        for (int j = 0; j < kStages; ++j) {
            if (T::m[j] != 0.0) {
                uNew += m_U[j] * Real(T::m[j]);
            }
            if (T::mErr[j] != 0.0) {
                m_err += m_U[j] * Real(T::mErr[j]);
            }
        }
        return StepStatus::Ok;
    }

    const State& errorEstimate() const { return m_err; }

    /// ‖J‖∞ at the start of the last step: a bound on the dominant eigenvalue (stiffness tests).
    double jacobianNormBound() const { return m_jacobianNorm; }

    template<class Rhs, class Params>
    void prepareInterpolation(Rhs& f,
                              const Params& p,
                              double t,
                              double h,
                              const State& /*u*/,
                              const State& uNew,
                              SolveStats& stats) {
        if constexpr (kOwnInterpolant) {
            for (int r = 0; r < T::denseVectors; ++r) {
                m_K[r].setZero();
                for (int j = 0; j < kStages; ++j) {
                    if (T::H[r][j] != 0.0) {
                        m_K[r] += m_U[j] * Real(T::H[r][j]);
                    }
                }
            }
        } else {
            m_K[0] = m_f0;
            if (!m_f1Valid) {
                f(m_f1, uNew, p, t + h);
                ++stats.nRhs;
                m_f1Valid = true;
            }
        }
    }

    void interpolate(double theta, double h, const State& u, const State& uNew, State& out) const {
        interpolateFrom(theta, h, u, uNew, m_K.data(), m_f1, out);
    }

    static void interpolateFrom(double theta,
                                double h,
                                const State& u,
                                const State& uNew,
                                const State* k,
                                const State& f1,
                                State& out) {
        const Real th(theta);
        if constexpr (kOwnInterpolant) {
            out = k[T::denseVectors - 1];
            for (int r = T::denseVectors - 2; r >= 0; --r) {
                out = k[r] + out * th;
            }
            out = u * Real(1 - theta) + (uNew + out * Real(1 - theta)) * th;
        } else {
            hermiteInterpolate(theta, h, u, uNew, k[0], f1, out);
        }
    }

    void accept() {
        if (m_f1Valid) {
            std::swap(m_f0, m_f1);
        }
        m_f0Valid = m_f1Valid;
        m_f1Valid = false;
        m_jacValid = false;
    }

    void invalidate() {
        m_f0Valid = false;
        m_jacValid = false;
    }

    const std::array<State, kInterpStages>& stages() const { return m_K; }
    const State& endDerivative() const { return m_f1; }
    /// The stage increments U_i of the last step (the discrete adjoint recomputes them).
    const std::array<State, kStages>& increments() const { return m_U; }

  private:
    template<class Rhs>
    void prepareLinearSolver(Rhs& f, int n) {
        if (m_patternSet) {
            return;
        }
        m_patternSet = true;
        if constexpr (requires { f.jacobianPattern().entries; }) {
            m_linear.setPattern(f.jacobianPattern().entries, n);
        }
    }

    template<class Rhs, class Params>
    void
    stage(Rhs& f, const Params& p, double t, double h, const State& u, int i, SolveStats& stats) {
        if (i == 0) {
            m_rhs = m_f0;
        } else {
            m_stageInput = u;
            for (int j = 0; j < i; ++j) {
                if (T::a[i][j] != 0.0) {
                    m_stageInput += m_U[j] * Real(T::a[i][j]);
                }
            }
            f(m_fStage, m_stageInput, p, t + T::c[i] * h);
            ++stats.nRhs;
            m_rhs = m_fStage;
            for (int j = 0; j < i; ++j) {
                if (T::C[i][j] != 0.0) {
                    m_rhs += m_U[j] * Real(T::C[i][j] / h);
                }
            }
        }
        if (m_nonAutonomous && T::d[i] != 0.0) {
            m_rhs += m_dT * Real(T::d[i] * h);
        }
        m_linear.solve(m_rhs, m_U[i]);
        ++stats.nLinearSolves;
    }

    std::array<State, kStages> m_U;
    std::array<State, kInterpStages> m_K;
    State m_stageInput, m_fStage, m_rhs, m_dT, m_f0, m_f1, m_err, m_work, m_work2;
    Matrix m_J, m_W;
    LinearSolver<Scalar, State::RowsAtCompileTime> m_linear;
    bool m_f0Valid = false, m_f1Valid = false, m_jacValid = false, m_patternSet = false;
    bool m_nonAutonomous = false;
    double m_jacobianNorm = 0.0;
};

} // namespace dynfit::ode
