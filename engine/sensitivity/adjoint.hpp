// SPDX-License-Identifier: MIT
// Continuous adjoints: λ' = −(∂f/∂u)ᵀλ backwards in time with jumps ∂L/∂u(t_k) at the data, and
// dL/dp = ∫ λᵀ ∂f/∂p dt, in the three classic formulations.
#pragma once

#include "core/status.hpp"
#include "objective/least_squares_loss.hpp"
#include "solvers/differentiable_system.hpp"
#include "solvers/methods.hpp"
#include "solvers/solve_options.hpp"

#include <string>
#include <vector>

namespace dynfit::sens {

/// The continuous formulations. They approximate the gradient of the exact solution (to the
/// solver tolerance), not of the discrete one as forward and reverse mode do.
enum class AdjointKind {
    Backsolve,     ///< re-solve u backwards with λ and μ; cheap in memory, unstable on
                   ///< chaotic or stiff problems (the seed's Lorenz example diverges)
    Interpolating, ///< take u from the forward solution's dense output; stable
    Quadrature     ///< λ alone backwards, then μ by Gauss–Legendre quadrature over its steps
};

/// Options of the backward solve.
struct AdjointOptions {
    double reltol = 0.0; ///< 0: the forward solve's
    double abstol = 0.0; ///< 0: the forward solve's
    /// Interpolating only. 0: keep the whole forward solution's dense output (memory grows with
    /// the number of steps). K > 0: keep the state at K + 1 evenly spaced checkpoints and re-solve
    /// forward between them during the backward pass (memory of one interval, one extra forward
    /// solve in total).
    int checkpoints = 0;
};

/// What an adjoint computed: ∂L/∂u(t0) and ∫ λᵀ ∂f/∂p dt, with the work done.
struct [[nodiscard]] AdjointOutcome {
    SolveStatus status = SolveStatus::Success;
    std::string message;
    double loss = 0.0;
    Eigen::VectorXd lambda0;            ///< dL/du(t0)
    Eigen::VectorXd mu0;                ///< dL/dp through f (not through u0(p) or t0(p))
    std::vector<Eigen::VectorXd> saved; ///< the states at the loss's save times
    long nfForward = 0;
    long nfBackward = 0;
    std::size_t peakStoredValues = 0; ///< largest dense output held at once (numbers)

    [[nodiscard]] bool ok() const { return status == SolveStatus::Success; }
};

/// What a continuous adjoint differentiates: the solution of `system` at p from u0 on `span`,
/// against `loss` (both referenced, not copied).
struct AdjointProblem {
    ode::DifferentiableSystem& system;
    Eigen::VectorXd p;
    Eigen::VectorXd u0;
    ode::TimeSpan span;
    const objective::LeastSquaresLoss& loss;
};

/// Solves forward on the span from u0, evaluates the loss, then runs the adjoint backwards with
/// the same method and tolerances.
AdjointOutcome continuousAdjoint(AdjointKind kind,
                                 const AdjointProblem& problem,
                                 const ode::Method& solver,
                                 const ode::SolveOptions& options,
                                 const AdjointOptions& adjoint = {});

} // namespace dynfit::sens
