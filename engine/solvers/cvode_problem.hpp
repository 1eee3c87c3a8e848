// SPDX-License-Identifier: MIT
// An OdeProblem handed to SUNDIALS CVODE: our right-hand side and Jacobian as its callbacks.
#pragma once

#include "output/solution.hpp"
#include "solvers/cvode.hpp"
#include "solvers/rhs_jacobian.hpp"
#include "solvers/solve_options.hpp"
#include "solvers/step_view.hpp"

#include <Eigen/Core>
#include <algorithm>
#include <memory>
#include <optional>
#include <type_traits>

namespace dynfit::ode {

/// The CVODE view of a problem with double states: f (and ∂f/∂u when the right-hand side has
/// it) read and write through scratch states. The returned system refers to `f` and `p`.
template<class Rhs, class State, class Params>
CvodeSystem cvodeSystemOf(Rhs& f, const Params& p, Eigen::Index n) {
    CvodeSystem system;
    system.n = static_cast<int>(n);
    auto scratch = std::make_shared<std::pair<State, State>>(State::Zero(n), State::Zero(n));
    system.rhs = [&f, &p, scratch, n](double t, const double* u, double* du) {
        scratch->first = Eigen::Map<const State>(u, n);
        f(scratch->second, scratch->first, p, t);
        Eigen::Map<State>(du, n) = scratch->second;
    };
    if constexpr (ProvidesJacobian<Rhs, State, Params>) {
        if (!jacobianProvided<Rhs, State, Params>(f)) {
            return system;
        }
        auto jac = std::make_shared<JacobianOf<State>>(n, n);
        system.jacobian = [&f, &p, scratch, jac, n](double t, const double* u, double* out) {
            scratch->first = Eigen::Map<const State>(u, n);
            f.jacobian(*jac, scratch->first, p, t);
            Eigen::Map<Eigen::MatrixXd>(out, n, n) = *jac;
        };
    }
    return system;
}

/// A problem's events in CVODE's form (they refer to `events`, `p` and the scratch states).
template<class State, class Params>
CvodeEvents cvodeEventsOf(const EventSet<State, Params>& events, const Params& p, Eigen::Index n) {
    CvodeEvents out;
    const auto& continuous = events.continuous;
    out.count = static_cast<int>(continuous.size());
    auto scratch = std::make_shared<State>(State::Zero(n));
    out.conditions = [&continuous, &p, scratch, n](double t, const double* u, double* g) {
        *scratch = Eigen::Map<const State>(u, n);
        for (std::size_t k = 0; k < continuous.size(); ++k) {
            g[k] = continuous[k].condition(*scratch, p, t);
        }
    };
    for (std::size_t k = 0; k < continuous.size(); ++k) {
        const Crossing d = continuous[k].direction;
        out.directions.push_back(d == Crossing::Upward ? 1 : d == Crossing::Downward ? -1 : 0);
        out.ids.push_back(continuous[k].id >= 0 ? continuous[k].id : static_cast<int>(k));
        out.terminal.push_back(continuous[k].terminal ? 1 : 0);
        out.names.push_back(continuous[k].name.empty() ? "event " + std::to_string(k + 1)
                                                       : continuous[k].name);
    }
    out.reset = [&continuous, &p, scratch, n](int k, double t, double* u) {
        const auto& event = continuous[static_cast<std::size_t>(k)];
        if (!event.reset) {
            return false;
        }
        *scratch = Eigen::Map<const State>(u, n);
        event.reset(*scratch, p, t);
        Eigen::Map<State>(u, n) = *scratch;
        return true;
    };
    for (std::size_t j = 0; j < events.timed.size(); ++j) {
        const auto& e = events.timed[j];
        const int id = e.id >= 0 ? e.id : static_cast<int>(continuous.size() + j);
        for (const double t : e.times) {
            out.timed.push_back({t, id, static_cast<int>(j)});
        }
    }
    std::stable_sort(
        out.timed.begin(), out.timed.end(),
        [](const CvodeEvents::Timed& a, const CvodeEvents::Timed& b) { return a.t < b.t; });
    out.timedReset = [&events, &p, scratch, n](int j, double t, double* u) {
        *scratch = Eigen::Map<const State>(u, n);
        events.timed[static_cast<std::size_t>(j)].reset(*scratch, p, t);
        Eigen::Map<State>(u, n) = *scratch;
    };
    return out;
}

/// Solves with CVODE's BDF (`bdf`) or Adams method. Double states only; no step observer (CVODE
/// steps internally) and no dense output.
template<class Problem>
Solution<typename Problem::StateType>
solveWithCvode(const Problem& problem,
               bool bdf,
               const SolveOptions& options,
               const StepObserver<typename Problem::StateType>& observer) {
    using State = typename Problem::StateType;
    Solution<State> out;
    const auto refuse = [&out](const std::string& why) {
        out.status = SolveStatus::InvalidInput;
        out.message = failureMessage(SolveStatus::InvalidInput, 0.0, 0.0, why);
        return out;
    };
    if constexpr (!std::is_same_v<typename State::Scalar, double>) {
        return refuse("CVODE solves in double precision only: its gradients come from CVODES "
                      "itself (the forward and interpolating gradient methods)");
    } else {
        if (observer) {
            return refuse("CVODE steps internally and reports no steps: use a native method "
                          "(Rodas5P, KenCarp4, ...) for step-by-step output");
        }
        if (options.dense) {
            return refuse("CVODE keeps no dense output here: use a native method (Rodas5P, "
                          "KenCarp4, ...) or save at the times needed");
        }
        auto f = problem.f;
        const State u0 = problem.initialState();
        const CvodeSystem system = cvodeSystemOf<decltype(f), State>(f, problem.p, u0.size());
        std::optional<CvodeEvents> events;
        if (!problem.events.empty()) {
            events = cvodeEventsOf(problem.events, problem.p, u0.size());
        }
        CvodeResult result =
            solveCvode(system, bdf ? CvodeKind::Bdf : CvodeKind::Adams, Eigen::VectorXd(u0),
                       problem.timeSpan(), options, nullptr, events ? &*events : nullptr);
        out.t = std::move(result.solution.t);
        out.u.reserve(result.solution.u.size());
        for (auto& u : result.solution.u) {
            out.u.emplace_back(std::move(u));
        }
        for (auto& e : result.solution.events) {
            out.events.push_back(
                {e.t, e.event, State(std::move(e.before)), State(std::move(e.after))});
        }
        out.status = result.solution.status;
        out.message = std::move(result.solution.message);
        out.stats = result.solution.stats;
        return out;
    }
}

} // namespace dynfit::ode
