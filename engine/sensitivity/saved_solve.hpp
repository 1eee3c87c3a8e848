// SPDX-License-Identifier: MIT
// A model solved for a gradient: the states at the loss's save times (any scalar), the loss of
// them, and the saved states kept for the caller.
#pragma once

#include "model/model_sde.hpp"
#include "model/model_solve.hpp"
#include "sensitivity/start_chain.hpp"

#include <cmath>
#include <memory>
#include <type_traits>
#include <vector>

namespace dynfit::sens::detail {

template<class State>
void keepSaved(const std::vector<State>& saved, GradientResult& result) {
    result.saved.clear();
    for (const auto& u : saved) {
        auto& row = result.saved.emplace_back(static_cast<std::size_t>(u.size()));
        for (Eigen::Index i = 0; i < u.size(); ++i) {
            row[static_cast<std::size_t>(i)] = primal(u[i]);
        }
    }
}

// Whether a solve saved every state the loss needs: a terminal event may end it before the last
// data time (then `status` and `message` say so).
template<class Solution>
bool allSavesReached(const Solution& sol,
                     std::size_t needed,
                     SolveStatus& status,
                     std::string& message) {
    if (sol.u.size() >= needed) {
        return true;
    }
    const double end =
        sol.events.empty() ? (sol.t.empty() ? 0.0 : sol.t.back()) : sol.events.back().t;
    status = SolveStatus::InvalidInput;
    message = "the solve ended at t = " + std::to_string(end)
              + " (an event stopped it), before the last data time: the loss needs the state "
                "at every data time; drop the later data or the stop";
    return false;
}

// One solve of the model from (u0, p) on [t0, t1], returning the states at the loss's save
// times; fills status on failure.
template<class S>
std::vector<Vec<S>> solveSaved(const GradientProblem& gp,
                               const Vec<S>& p,
                               const Vec<S>& u0,
                               double t0,
                               double t1,
                               const ode::Method& solver,
                               ode::SolveOptions options,
                               GradientResult& result) {
    options.saveat = gp.loss->saveTimes();
    options.saveEverystep = false;
    options.dense = false;
    std::shared_ptr<const model::CompiledModel> shared(gp.model,
                                                       [](const model::CompiledModel*) {});
    auto sol = [&] {
        if constexpr (std::is_same_v<S, double> || std::is_same_v<S, Dual<double, 8>>) {
            if (gp.model->hasNoise() && gp.sde) { // the pathwise loss on the one path
                const ode::SdeSettings run{gp.sde->noise, gp.sde->delta};
                if constexpr (std::is_same_v<S, double>) {
                    return model::solveModelSde(shared, {u0, {t0, t1}, p}, gp.sde->method, options,
                                                run);
                } else {
                    return model::solveModelSde(shared, u0, {t0, t1}, p, gp.sde->method, options,
                                                run);
                }
            }
        }
        return model::solveModel(model::fixedStartProblem<S>(shared, u0, {t0, t1}, p, gp.doses),
                                 solver, options);
    }();
    result.nfForward += sol.stats.nRhs;
    if (!sol.ok()) {
        result.status = sol.status;
        result.message = sol.message;
        return {};
    }
    if (!allSavesReached(sol, options.saveat.size(), result.status, result.message)) {
        return {};
    }
    return std::move(sol.u);
}

// One solve of the model from (u0, p) on [t0, t1], returning the loss; fills status on failure.
template<class S>
S solveLoss(const GradientProblem& gp,
            const Vec<S>& p,
            const Vec<S>& u0,
            double t0,
            double t1,
            const ode::Method& solver,
            const ode::SolveOptions& options,
            GradientResult& result,
            bool keepStates = true) {
    const auto saved = solveSaved(gp, p, u0, t0, t1, solver, options, result);
    if (!result.ok()) {
        return S(std::nan(""));
    }
    if (keepStates) {
        keepSaved(saved, result);
    }
    return gp.loss->evaluate(saved);
}

inline bool checkProblem(const GradientProblem& gp, GradientResult& result) {
    if (!gp.span && !gp.model->hasTimeSpan) {
        result.status = SolveStatus::InvalidInput;
        result.message = "no time span: give one or write 'tspan = T0 .. T1' in the model";
        return false;
    }
    return true;
}

} // namespace dynfit::sens::detail
