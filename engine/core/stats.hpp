// SPDX-License-Identifier: MIT
// Work counters reported by every solve.
#pragma once

namespace dynfit {

/// Honest counts of the work a solve did (OrdinaryDiffEq's DEStats).
struct SolveStats {
    long nAccepted = 0;     ///< accepted steps
    long nRejected = 0;     ///< rejected steps (error too large, or a non-finite state)
    long nRhs = 0;          ///< right-hand-side evaluations, including those for dense output
    long nJac = 0;          ///< Jacobian evaluations (implicit methods)
    long nLinearSolves = 0; ///< linear solves (implicit methods)
};

} // namespace dynfit
