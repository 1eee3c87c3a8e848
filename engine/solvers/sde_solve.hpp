// SPDX-License-Identifier: MIT
// Solving an SDE on one Brownian path: fixed steps (EM, Euler–Heun, or any method with dt) or
// adaptive steps on the embedded estimate of the order 1.5 methods. The path is a pure function
// of its key and t, so a rejected step retries on the same path and the result does not depend
// on the step sequence's history. Never throws: check ok().
#pragma once

#include "control/error_norm.hpp"
#include "control/pi_controller.hpp"
#include "core/status.hpp"
#include "output/save_at.hpp"
#include "output/solution.hpp"
#include "problem/noise.hpp"
#include "solvers/sde_methods.hpp"
#include "solvers/solve_options.hpp"
#include "solvers/wiener_paths.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace dynfit::ode {

namespace detail {

template<class State>
bool finiteState(const State& u) {
    for (Eigen::Index i = 0; i < u.size(); ++i) {
        if (!std::isfinite(primal(u[i]))) {
            return false;
        }
    }
    return true;
}

// Why `method` cannot solve `problem` (empty when it can).
template<class Problem>
std::string sdeRefusal(const SdeMethod& method, const Problem& problem, const SolveOptions& o) {
    const std::string name = sdeMethodName(method);
    if (problem.span.t1 <= problem.span.t0) {
        return "an SDE is solved forward in time: tspan must have t1 > t0";
    }
    if (!sdeMethodAdaptive(method) && o.dt <= 0.0) {
        return name
               + " takes a fixed step: give dt (or choose SOSRI, SRIW1, SOSRA or SRA1, "
                 "which adapt it)";
    }
    if (sdeMethodAdditiveOnly(method) && !problem.additive) {
        return name
               + " is for additive noise (g independent of the state): choose SOSRI or "
                 "SRIW1";
    }
    const bool stratonovich = problem.calculus == Calculus::Stratonovich && !problem.additive;
    if (stratonovich && !std::holds_alternative<EulerHeun>(method)) {
        return name + " solves Itô equations and this one is Stratonovich: choose EulerHeun";
    }
    if (!stratonovich && !problem.additive && std::holds_alternative<EulerHeun>(method)) {
        return "EulerHeun solves Stratonovich equations and this one is Itô: choose EM, SOSRI "
               "or SRIW1";
    }
    if (problem.shape == NoiseShape::General && sdeMethodAdaptive(method)) {
        return name
               + " needs diagonal or scalar noise (a general matrix's iterated integrals are "
                 "not sampled): choose EM, ImplicitEM or EulerHeun with dt";
    }
    return {};
}

} // namespace detail

/// One trajectory of `problem` by `method` on the path `settings.noise`.
template<class Problem>
auto solveSde(Problem problem,
              const SdeMethod& method,
              const SolveOptions& options,
              const SdeSettings& settings) {
    using State = decltype(problem.u0);
    Solution<State> sol;
    const auto fail = [&](SolveStatus status, double t, double h, const std::string& why) {
        sol.status = status;
        sol.message = failureMessage(status, t, h, why);
        return sol;
    };
    const TimeSpan span = problem.span;
    if (const std::string why = detail::sdeRefusal(method, problem, options); !why.empty()) {
        return fail(SolveStatus::InvalidInput, span.t0, 0.0, why);
    }
    std::vector<double> saveTimes;
    std::string error;
    if (!resolveSaveTimes(options.saveat, options.saveatStep, span.t0, span.t1, saveTimes, error)) {
        return fail(SolveStatus::InvalidInput, span.t0, 0.0, error);
    }
    const bool everyStep = options.saveEverystep.value_or(saveTimes.empty());
    const Eigen::Index n = problem.u0.size();
    const std::vector<int> processOf = problem.processMap();
    if (problem.shape != NoiseShape::General && static_cast<Eigen::Index>(processOf.size()) != n) {
        return fail(SolveStatus::InvalidInput, span.t0, 0.0,
                    "the noise names a process for " + std::to_string(processOf.size())
                        + " states of " + std::to_string(n));
    }
    WienerPaths paths(settings.noise, problem.processes(), span);

    const bool adaptive = options.dt <= 0.0;
    const double length = span.t1 - span.t0;
    double h = adaptive ? (options.dtInitial > 0 ? options.dtInitial : 1e-2 * length) : options.dt;
    if (options.dtmax > 0) {
        h = std::min(h, options.dtmax);
    }
    const double hMin =
        options.dtmin > 0 ? options.dtmin : 1e-14 * std::max(1.0, std::abs(span.t1));
    const Tolerances tol{options.reltol, options.abstol, &options.abstolPerComponent};
    PiController controller(2);

    double t = span.t0;
    State u = problem.u0, uNew, e1, e2, err;
    SdeWork<State> work;
    StepNoise noise;
    std::size_t nextSave = 0;
    const auto save = [&](double at, const State& value) {
        sol.t.push_back(at);
        sol.u.push_back(value);
    };
    if (everyStep || (!saveTimes.empty() && saveTimes.front() == span.t0)) {
        save(span.t0, u);
        nextSave += !saveTimes.empty() && saveTimes.front() == span.t0 ? 1 : 0;
    }
    long attempts = 0;
    while (t < span.t1) {
        if (options.cancel != nullptr && options.cancel->load(std::memory_order_relaxed)) {
            return fail(SolveStatus::Cancelled, t, h, "cancelled from outside");
        }
        if (++attempts > options.maxiters) {
            return fail(SolveStatus::MaxIters, t, h,
                        "maxiters = " + std::to_string(options.maxiters) + " reached");
        }
        const double target = nextSave < saveTimes.size() ? saveTimes[nextSave] : span.t1;
        const bool lands = h >= (target - t) * (1 - 1e-12);
        const double step = lands ? target - t : h;
        paths.increments(t, step, processOf, noise);
        sdeStep(method, problem, t, step, u, noise, uNew, e1, e2, work, sol.stats);
        if (!work.converged) {
            return fail(SolveStatus::ConvergenceFailure, t, step,
                        "the drift-implicit step's Newton iteration did not converge: take a "
                        "smaller dt");
        }
        const bool finite = detail::finiteState(uNew);
        if (adaptive) {
            err = settings.delta * e1 + e2;
            const double norm =
                finite ? errorNorm(err, u, uNew, tol) : std::numeric_limits<double>::quiet_NaN();
            const double factor = std::min(controller.nextFactor(norm), 2.0);
            if (!PiController::accepts(norm) || !finite) {
                ++sol.stats.nRejected;
                h = step * factor;
                if (h < hMin) {
                    return finite ? fail(SolveStatus::DtLessThanMin, t, h,
                                         "the step size fell below dtmin")
                                  : fail(SolveStatus::Unstable, t, h,
                                         "the state became NaN or Inf even at the smallest step");
                }
                continue;
            }
            h = lands && step < h ? h : step * factor; // a step cut to land keeps its size
        } else if (!finite) {
            return fail(SolveStatus::Unstable, t, step, "the state became NaN or Inf");
        }
        if (options.dtmax > 0) {
            h = std::min(h, options.dtmax);
        }
        paths.accept();
        ++sol.stats.nAccepted;
        t = lands ? target : t + step;
        std::swap(u, uNew);
        if (lands && nextSave < saveTimes.size()) {
            save(t, u);
            ++nextSave;
        } else if (everyStep) {
            save(t, u);
        }
    }
    if (saveTimes.empty() && !everyStep) {
        save(t, u); // neither saveat nor every step: the end
    }
    return sol;
}

} // namespace dynfit::ode
