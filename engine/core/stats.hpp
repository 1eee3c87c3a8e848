// SPDX-License-Identifier: MIT
// Work counters reported by every solve.
#pragma once

namespace dynfit {

/// Honest counts of the work a solve did (OrdinaryDiffEq's DEStats).
struct SolveStats {
    long nAccepted = 0;       ///< accepted steps
    long nRejected = 0;       ///< rejected steps (error too large, or a non-finite state)
    long nRhs = 0;            ///< right-hand-side evaluations, including those for dense output
    long nJac = 0;            ///< Jacobian evaluations (stiff methods)
    long nFactorizations = 0; ///< LU factorisations of the iteration matrix (stiff methods)
    long nLinearSolves = 0;   ///< linear solves (stiff methods)
    long nNewtonFailures = 0; ///< steps rejected because Newton's iteration did not converge
    long nStiffSwitches = 0;  ///< switches between the explicit and the stiff method (Auto)
    long nNoise = 0;          ///< diffusion (g) evaluations (SDEs)
};

} // namespace dynfit
