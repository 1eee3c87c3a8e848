// SPDX-License-Identifier: MIT
// CVODES (SUNDIALS) behind our types: BDF/Adams solves, forward sensitivities, adjoints.
#pragma once

#include "output/solution.hpp"
#include "problem/ode_problem.hpp"
#include "solvers/solve_options.hpp"

#include <Eigen/Core>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace dynfit::ode {

/// The CVODE method family.
enum class CvodeKind {
    /// Variable-order BDF (orders 1–5) with Newton iteration and a dense direct linear solver
    /// (SUNDenseMatrix + SUNLinSol_Dense) on our Jacobian. The choice for stiff problems.
    /// Not for large systems (dense O(n³) factorisations) or for oscillatory non-stiff ones,
    /// where BDF's damping and order limit cost accuracy.
    Bdf,
    /// Variable-order Adams–Moulton (orders 1–12) with fixed-point (functional) iteration, no
    /// Jacobian: Sundials.jl's CVODE_Adams default. For smooth non-stiff problems at tight
    /// tolerances. On stiff problems it crawls until maxiters (MaxIters) — use Bdf there.
    Adams,
};

/// u' = f(t, u) in raw-pointer form, as CVODE sees it. Callbacks must not keep the pointers.
/// A callback writing NaN/Inf makes CVODE retry with a smaller step; one that throws stops
/// the solve (Unstable, with the exception's text in the message).
struct CvodeSystem {
    int n = 0;
    std::function<void(double t, const double* u, double* du)> rhs;
    /// ∂f/∂u, dense column-major n×n; empty: CVODE's difference quotients.
    std::function<void(double t, const double* u, double* jac)> jacobian;
};

/// Forward sensitivities s_k' = J s_k + ∂f/∂p_k for k < ns (CVODES CVodeSensInit1, simultaneous
/// corrector, sensitivities in the error test, tolerances estimated from the state's).
/// Use for few parameters; for many parameters and a scalar loss the adjoint is cheaper.
struct CvodeSensitivity {
    int ns = 0;              ///< 0: no sensitivities are integrated, each saved matrix is n × 0
    Eigen::MatrixXd initial; ///< n × ns: s_k(t0)
    /// out = J(t,u) s + ∂f/∂p_k (t,u), for direction k
    std::function<void(double t, const double* u, int k, const double* s, double* out)> rhs;
};

/// Events for solveCvode: continuous ones located by CVODE's own root finding (CVodeRootInit,
/// directions by CVodeSetRootDirection), time events at must-hit stop times (CVodeSetStopTime);
/// after a reset CVODE restarts from the new state (CVodeReInit). Each is logged in
/// Solution::events; a save at an event's time holds the state after it.
struct CvodeEvents {
    int count = 0; ///< continuous conditions
    std::function<void(double t, const double* u, double* g)> conditions;
    std::vector<int> directions;    ///< per condition: +1 upward, −1 downward, 0 either
    std::vector<int> ids;           ///< per condition: what the event log calls it
    std::vector<char> terminal;     ///< per condition: the solve ends there (Terminated)
    std::vector<std::string> names; ///< per condition, for messages (ContinuousEvent::name)
    /// Condition k's reset of u in place; false when it has none (the time is only recorded).
    std::function<bool(int k, double t, double* u)> reset;
    struct Timed {
        double t = 0.0;
        int id = 0;    ///< what the event log calls it
        int index = 0; ///< passed to timedReset
    };
    std::vector<Timed> timed; ///< in time order (several at one time: in this order)
    std::function<void(int index, double t, double* u)> timedReset;
};

/// What solveCvode returns. `solution.stats`: nAccepted = CVODE steps, nRejected = error-test
/// failures + nonlinear-solver convergence failures (nNewtonFailures: the latter, BDF only),
/// nRhs = f evaluations (including those of CVODE's difference-quotient Jacobian), nJac =
/// Jacobian evaluations, nFactorizations = LU factorisations (linear solver setups),
/// nLinearSolves = linear *solves* (back-substitutions with the LU factors: one per Newton
/// iteration and block, the state and each sensitivity being one block). Adams uses no Jacobian
/// and no linear solver: those counts are 0.
struct CvodeResult {
    Solution<Eigen::VectorXd> solution; ///< `dense` stays empty: CVODE keeps no interpolant here
    std::vector<Eigen::MatrixXd> sensitivities; ///< per saved time, n × ns (when asked)
};

/// Solves u' = f(t, u), u(t0) = u0 over `span` (t1 < t0 integrates backwards) with CVODE(S).
/// Honours reltol, abstol / abstolPerComponent, dtInitial, dtmin, dtmax, maxiters (step attempts,
/// accepted + rejected, counted by our loop between CVODE steps, as for our own methods),
/// saveat / saveatStep / saveEverystep and cancel (polled between steps). Saved states between
/// steps come from CVODE's Nordsieck interpolant. With dtmin = 0 the solve stops when the step
/// falls to a few ulps of t (DtLessThanMin, or Unstable when f gave NaN/Inf on the way).
/// Not supported (InvalidInput): a fixed step `dt`, `dense` output, events with sensitivities.
/// Statuses: MaxIters, DtLessThanMin (error-test, convergence or linear-solver failures),
/// Unstable (f failed or produced NaN/Inf), Cancelled, InvalidInput. Never throws or prints.
/// Reference: Hindmarsh et al., ACM TOMS 31 (2005) 363, and the CVODES 6.4 user guide.
CvodeResult solveCvode(const CvodeSystem& system,
                       CvodeKind kind,
                       const Eigen::VectorXd& u0,
                       TimeSpan span,
                       const SolveOptions& options,
                       const CvodeSensitivity* sens = nullptr,
                       const CvodeEvents* events = nullptr);

/// The pieces of a continuous adjoint for L = Σ_k ℓ_k(u(t_k)) over the save times t_k.
struct CvodeAdjointSystem {
    int np = 0;
    /// gu = wᵀ ∂f/∂u, gp = wᵀ ∂f/∂p at (t, u) (overwritten)
    std::function<void(double t, const double* u, const double* w, double* gu, double* gp)> vjp;
    /// jumps given the forward states at the save times: jumps(k, u(t_k)) → ∂L/∂u(t_k)
    std::function<Eigen::VectorXd(std::size_t k, const Eigen::VectorXd& u)> jump;
};

/// What cvodeAdjoint returns. `forward.status`/`message` also report a failure of the
/// backward pass (its message says "backward"); lambda0 and mu0 are valid only when ok().
/// `forward.stats` count the forward pass only, not CVODES's re-integrations between
/// checkpoints during the backward pass.
struct CvodeAdjointResult {
    Solution<Eigen::VectorXd> forward; ///< the states at the save times, status, message, stats
    Eigen::VectorXd lambda0, mu0;      ///< dL/du(t0), ∫ λᵀ f_p dt
    long nRhsBackward = 0; ///< backward RHS (VJP) evaluations, quadrature and Jacobian included
};

/// Continuous adjoint with CVODES's checkpointing (CVodeAdjInit, CVodeF, CVodeCreateB/InitB,
/// quadrature for μ): λ' = −Jᵀλ, μ' = −f_pᵀλ backwards from the last save time to t0, with jumps:
/// at each save time t_k, λ += jumps(k) (the backward problem is reinitialised there with
/// CVodeReInitB/CVodeQuadReInitB). A save at t0 just adds its jump to λ0. `options.saveat` (or
/// saveatStep) gives the save times; saveEverystep is ignored. The tolerances serve the
/// backward problem and the quadrature too (μ is in the error test). `checkpointSteps` is the
/// number of steps between checkpoints (memory ∝ steps / checkpointSteps + checkpointSteps).
/// Use it for gradients with respect to many parameters; with few, forward sensitivities are
/// simpler and as cheap. The backward Jacobian −Jᵀ comes from `system.jacobian` when given,
/// else from n VJPs with unit vectors. Statuses as solveCvode.
CvodeAdjointResult cvodeAdjoint(const CvodeSystem& system,
                                const CvodeAdjointSystem& adjoint,
                                CvodeKind kind,
                                const Eigen::VectorXd& u0,
                                TimeSpan span,
                                const SolveOptions& options,
                                int checkpointSteps = 100);

} // namespace dynfit::ode
