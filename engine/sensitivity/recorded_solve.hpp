// SPDX-License-Identifier: MIT
// Reverse mode's forward solve: the accepted steps recorded on a tape, the solve and its saves
// checked, the loss and the saved states set.
#pragma once

#include "sensitivity/reverse_tape.hpp"
#include "sensitivity/saved_solve.hpp"

#include <optional>
#include <vector>

namespace dynfit::sens::detail {

/// Solves `system` from (t0, u0) with `method`, saving at the loss's times (options.dense as
/// the caller set it) and recording each accepted step (where an event cut it short, too).
/// False, with result's status and message, when the solve failed or missed a save.
inline bool recordedSolve(const GradientProblem& gp,
                          ode::DifferentiableSystem& system,
                          const Vec<double>& u0,
                          double t0,
                          double t1,
                          const Vec<double>& p,
                          const ode::Method& method,
                          ode::SolveOptions options,
                          std::vector<TapeStep>& tape,
                          ode::Solution<Vec<double>>& sol,
                          GradientResult& result) {
    options.saveat = gp.loss->saveTimes();
    options.saveEverystep = false;
    sol = system.solve(
        u0, {t0, t1}, p, method, options, [&tape](const ode::StepView<Vec<double>>& s) {
            tape.push_back({s.t0, s.t1 - s.t0, s.u0, s.method,
                            s.until != s.t1 ? std::optional<double>(s.until) : std::nullopt});
            return true;
        });
    result.nfForward += sol.stats.nRhs;
    if (!sol.ok()) {
        result.status = sol.status;
        result.message = sol.message;
        return false;
    }
    if (!allSavesReached(sol, gp.loss->saveTimes().size(), result.status, result.message)) {
        return false;
    }
    result.loss = gp.loss->evaluate(sol.u);
    keepSaved(sol.u, result);
    return true;
}

} // namespace dynfit::sens::detail
