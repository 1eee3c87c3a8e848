// SPDX-License-Identifier: MIT
// Solver return codes, declared once with their names and advice.
#pragma once

#include <string>
#include <string_view>

namespace dynfit {

// X(enumerator, name, advice): the one table of statuses. The advice is appended to failure
// messages, which name t and dt themselves.
#define DYNFIT_SOLVE_STATUSES(X)                                                                   \
    X(Success, "Success", "")                                                                      \
    X(Terminated, "Terminated", "")                                                                \
    X(MaxIters, "MaxIters",                                                                        \
      "the problem may be stiff (try a stiff method) or need more steps (raise maxiters)")         \
    X(DtLessThanMin, "DtLessThanMin",                                                              \
      "the solution may blow up here (a singularity) or the problem is too stiff for this "        \
      "method; check the model near this time or loosen the tolerances")                           \
    X(ConvergenceFailure, "ConvergenceFailure",                                                    \
      "the implicit method's Newton iteration or linear solve failed even at the smallest step: "  \
      "check the equations for a singular or non-finite Jacobian here, or try another stiff "      \
      "method (CVODE_BDF) or looser tolerances")                                                   \
    X(Unstable, "Unstable",                                                                        \
      "the state became NaN or Inf: check the equations and parameters for a blow-up, or use a "   \
      "smaller (or adaptive) step")                                                                \
    X(Cancelled, "Cancelled",                                                                      \
      "the solve was stopped on request; the solution holds what was "                             \
      "computed up to this time")                                                                  \
    X(EventAccumulation, "EventAccumulation",                                                      \
      "events fire ever closer together (a bouncing ball coming to rest): end the span earlier, "  \
      "add a terminal event for the resting state, or raise maxEvents")                            \
    X(InvalidInput, "InvalidInput", "fix the input named in the message")

/// Outcome of a solve. Success and Terminated (a terminal event ended the solve early, as the
/// model asks) are the non-failure statuses.
enum class SolveStatus {
#define DYNFIT_ENUM_ENTRY(id, name, advice) id,
    DYNFIT_SOLVE_STATUSES(DYNFIT_ENUM_ENTRY)
#undef DYNFIT_ENUM_ENTRY
};

/// The status' name as used by the CLI and project files ("Success", "MaxIters", ...).
std::string_view statusName(SolveStatus status);

/// Advice for a failed status (empty for Success).
std::string_view describe(SolveStatus status);

/// A complete failure message: what happened, at which t and dt, and the advice.
std::string failureMessage(SolveStatus status, double t, double dt, std::string_view detail);

} // namespace dynfit
