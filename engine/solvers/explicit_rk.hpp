// SPDX-License-Identifier: MIT
// The one generic explicit Runge–Kutta stepper, driven by a tableau type.
#pragma once

#include "core/scalar_traits.hpp"
#include "core/stats.hpp"
#include "solvers/hermite.hpp"
#include "solvers/stepper.hpp"
#include "solvers/tableau.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace dynfit::ode {

/// Takes one step of an explicit RK method with its embedded error estimate, and evaluates the
/// method's dense output over the last step. All storage is sized once by init(); step() and
/// interpolate() allocate nothing. Time is double; the state scalar may be double, float or Dual.
///
/// Protocol per attempted step: step() → (integrator decides) → on acceptance, optionally
/// prepareInterpolation() and interpolate(), then accept(); on rejection, nothing (k1 stays valid).
template<RkTableau T, class State>
class ExplicitRk {
  public:
    using Tableau = T;
    using Scalar = typename State::Scalar;
    using Real = RealOf<Scalar>;
    static constexpr const char* kName = T::name;
    static constexpr int kOrder = T::order;
    static constexpr int kErrorOrder = T::errorOrder;
    static constexpr int kStages = T::stages;
    static constexpr int kInterpStages = interpolationStages<T>();
    static constexpr bool kHasErrorEstimate = T::errorOrder > 0;

    /// Sizes the workspace like u0 (the only allocations) and forgets any cached derivative.
    void init(const State& u0) {
        for (auto& k : m_k) {
            k = u0;
            k.setZero();
        }
        m_stage = u0;
        m_err = u0;
        m_f1 = u0;
        m_k1Valid = false;
        m_f1Valid = false;
    }

    /// f(t, u) as the first stage of the next step (computed now if not cached).
    template<class Rhs, class Params>
    const State&
    derivativeAtStart(Rhs& f, const Params& p, double t, const State& u, SolveStats& stats) {
        if (!m_k1Valid) {
            f(m_k[0], u, p, t);
            ++stats.nRhs;
            m_k1Valid = true;
        }
        return m_k[0];
    }

    /// Computes u_new = u + h Σ b_i k_i from (t, u) and the error estimate. h may be negative.
    template<class Rhs, class Params>
    StepStatus step(Rhs& f,
                    const Params& p,
                    double t,
                    double h,
                    const State& u,
                    State& uNew,
                    SolveStats& stats) {
        derivativeAtStart(f, p, t, u, stats);
        m_extraStagesValid = false;
        m_f1Valid = false;
        computeStages<1>(f, p, t, h, u, stats);
        if constexpr (T::fsal) {
            uNew = m_stage; // the last stage's input is the new solution
        } else {
            solutionUpdate(uNew, u, h);
        }
        if constexpr (kHasErrorEstimate) {
            computeErrorEstimate(
                h, std::make_index_sequence<nonZeroColumns<Row::BErr, 0, kStages>().size()>{});
        }
        return StepStatus::Ok;
    }

    /// The local error estimate of the last step (h Σ (b_i − b̂_i) k_i); zero without an estimate.
    const State& errorEstimate() const { return m_err; }

    /// Computes what dense output over the last step needs beyond the stages: the lazy extra
    /// stages of a method's own interpolant, or f(t + h, u_new) for Hermite (reused as the next
    /// k1, so it costs nothing extra for a non-FSAL method that goes on stepping).
    template<class Rhs, class Params>
    void prepareInterpolation(Rhs& f,
                              const Params& p,
                              double t,
                              double h,
                              const State& u,
                              const State& uNew,
                              SolveStats& stats) {
        if constexpr (T::interpolant == InterpolantKind::Weights) {
            if constexpr (kInterpStages > kStages) {
                if (!m_extraStagesValid) {
                    computeExtraStages<kStages>(f, p, t, h, u, stats);
                    m_extraStagesValid = true;
                }
            }
        } else if (!m_f1Valid) {
            f(m_f1, uNew, p, t + h);
            ++stats.nRhs;
            m_f1Valid = true;
        }
    }

    /// The dense output at t + θh of the last step (after prepareInterpolation()).
    void interpolate(double theta, double h, const State& u, const State& uNew, State& out) const {
        interpolateFrom(theta, h, u, uNew, m_k.data(), m_f1, out);
    }

    /// Dense output from stored step data: k points at kInterpStages stage vectors and f1 is
    /// f(t + h, u_new) (used by Hermite only). Shared by the live stepper and stored solutions.
    static void interpolateFrom(double theta,
                                double h,
                                const State& u,
                                const State& uNew,
                                const State* k,
                                const State& f1,
                                State& out) {
        if constexpr (T::interpolant == InterpolantKind::Weights) {
            weightedStages(out, u, h, theta, k,
                           std::make_index_sequence<nonZeroInterpolationRows().size()>{});
        } else {
            // Cubic Hermite through (u, f(u)) and (u_new, f(u_new)).
            hermiteInterpolate(theta, h, u, uNew, k[0], f1, out);
        }
    }

    /// Moves to the accepted state: FSAL reuses the last stage (and Hermite its f1) as next k1.
    void accept() {
        if constexpr (T::fsal) {
            std::swap(m_k[0], m_k[kStages - 1]);
            m_k1Valid = true;
        } else if (m_f1Valid) {
            std::swap(m_k[0], m_f1);
            m_k1Valid = true;
        } else {
            m_k1Valid = false;
        }
        m_f1Valid = false;
        m_extraStagesValid = false;
    }

    /// Drops the cached f(t, u), e.g. after the state was changed from outside (events, restarts).
    void invalidate() { m_k1Valid = false; }

    /// Stage vectors (for dense storage): kInterpStages of them after prepareInterpolation().
    const std::array<State, kInterpStages>& stages() const { return m_k; }
    const State& endDerivative() const { return m_f1; }

  private:
    // Stages whose interpolation weight is not identically zero, found at compile time.
    static constexpr auto nonZeroInterpolationRows() {
        constexpr std::size_t count = [] {
            std::size_t c = 0;
            for (const auto& row : T::interpCoeffs) {
                c += std::any_of(row.begin(), row.end(), [](double x) { return x != 0.0; }) ? 1 : 0;
            }
            return c;
        }();
        std::array<std::size_t, count> rows{};
        std::size_t c = 0;
        for (std::size_t i = 0; i < T::interpCoeffs.size(); ++i) {
            const auto& row = T::interpCoeffs[i];
            if (std::any_of(row.begin(), row.end(), [](double x) { return x != 0.0; })) {
                rows[c++] = i;
            }
        }
        return rows;
    }

    // Horner's rule: the coefficients are large and alternate in sign (Vern7's reach 1e3), so
    // summing powers of θ instead would lose digits.
    static double interpolationWeight(std::size_t stage, double theta) {
        double p = 0.0;
        for (int m = T::interpDegree - 1; m >= 0; --m) {
            p = p * theta + T::interpCoeffs[stage][m];
        }
        return theta * p;
    }

    template<std::size_t... K>
    static void weightedStages(State& out,
                               const State& u,
                               double h,
                               double theta,
                               const State* k,
                               std::index_sequence<K...>) {
        constexpr auto rows = nonZeroInterpolationRows();
        out = u + (... + (k[rows[K]] * Real(h * interpolationWeight(rows[K], theta))));
    }

    // The coefficient rows a stage, the update and the error estimate combine the stages with.
    enum class Row { A, AFull, B, BErr };

    template<Row R, int I>
    static constexpr double coefficient(std::size_t j) {
        if constexpr (R == Row::A) {
            return T::a[I][j];
        } else if constexpr (R == Row::AFull) {
            return T::aFull[I][j];
        } else if constexpr (R == Row::B) {
            return T::b[j];
        } else {
            return T::bErr[j];
        }
    }

    // Indices j < N of the row's non-zero coefficients, computed at compile time.
    template<Row R, int I, int N>
    static constexpr auto nonZeroColumns() {
        constexpr std::size_t count = [] {
            std::size_t c = 0;
            for (std::size_t j = 0; j < N; ++j) {
                c += coefficient<R, I>(j) != 0.0 ? 1 : 0;
            }
            return c;
        }();
        std::array<std::size_t, count> columns{};
        std::size_t c = 0;
        for (std::size_t j = 0; j < N; ++j) {
            if (coefficient<R, I>(j) != 0.0) {
                columns[c++] = j;
            }
        }
        return columns;
    }

    // out = base + h Σ_j row_j k_j over the non-zero coefficients, as one fused Eigen expression
    // (one pass over memory, no temporaries).
    template<Row R, int I, int N, std::size_t... K>
    void weightedSum(State& out, const State& base, double h, std::index_sequence<K...>) const {
        constexpr auto cols = nonZeroColumns<R, I, N>();
        out = base + (... + (m_k[cols[K]] * Real(h * coefficient<R, I>(cols[K]))));
    }

    template<Row R, int I, int N>
    void weightedSum(State& out, const State& base, double h) const {
        weightedSum<R, I, N>(out, base, h,
                             std::make_index_sequence<nonZeroColumns<R, I, N>().size()>{});
    }

    template<int I>
    void stageInput(const State& u, double h) {
        weightedSum<Row::A, I, I>(m_stage, u, h);
    }

    template<int I>
    void extraStageInput(const State& u, double h) {
        weightedSum<Row::AFull, I, I>(m_stage, u, h);
    }

    void solutionUpdate(State& uNew, const State& u, double h) const {
        weightedSum<Row::B, 0, kStages>(uNew, u, h);
    }

    template<std::size_t... K>
    void computeErrorEstimate(double h, std::index_sequence<K...>) {
        constexpr auto cols = nonZeroColumns<Row::BErr, 0, kStages>();
        m_err = (... + (m_k[cols[K]] * Real(h * coefficient<Row::BErr, 0>(cols[K]))));
    }

    template<int I, class Rhs, class Params>
    void
    computeStages(Rhs& f, const Params& p, double t, double h, const State& u, SolveStats& stats) {
        if constexpr (I < kStages) {
            stageInput<I>(u, h);
            f(m_k[I], m_stage, p, t + T::c[I] * h);
            ++stats.nRhs;
            computeStages<I + 1>(f, p, t, h, u, stats);
        }
    }

    template<int I, class Rhs, class Params>
    void computeExtraStages(
        Rhs& f, const Params& p, double t, double h, const State& u, SolveStats& stats) {
        if constexpr (T::interpolant == InterpolantKind::Weights && I < kInterpStages) {
            extraStageInput<I>(u, h);
            f(m_k[I], m_stage, p, t + T::cFull[I] * h);
            ++stats.nRhs;
            computeExtraStages<I + 1>(f, p, t, h, u, stats);
        }
    }

    std::array<State, kInterpStages> m_k;
    State m_stage;
    State m_err;
    State m_f1;
    bool m_k1Valid = false;
    bool m_f1Valid = false;
    bool m_extraStagesValid = false;
};

} // namespace dynfit::ode
