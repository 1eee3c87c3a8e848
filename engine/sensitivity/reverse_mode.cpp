// SPDX-License-Identifier: MIT
// Reverse mode: the accepted steps of a native solve are recorded, then swept backwards exactly
// (explicit RK, Rosenbrock and ESDIRK steps each have their own discrete adjoint; Auto's steps
// are Tsit5's or Rodas5P's, as the tape records).
#include "model/model_system.hpp"
#include "sensitivity/gradient_methods.hpp"
#include "sensitivity/recorded_solve.hpp"
#include "sensitivity/reverse_stiff.hpp"

#include <concepts>

namespace dynfit::sens::detail {

namespace {

// Reverse mode: a forward solve that records its accepted steps, then one backward sweep.
template<class T>
void reverseMode(const GradientProblem& gp,
                 ode::DifferentiableSystem& system,
                 const ode::SolveOptions& baseOptions,
                 GradientResult& result) {
    const int n = system.stateCount();
    const int np = system.paramCount();
    const Vec<double> p = Eigen::Map<const Eigen::VectorXd>(gp.params.data(), np);
    Vec<double> u0;
    double t0 = 0.0, t1 = 0.0;
    initialConditions(gp, p, u0, t0, t1);

    ode::SolveOptions options = baseOptions;
    options.dense = false;
    std::vector<TapeStep> tape;
    ode::Solution<Vec<double>> sol;
    if (!recordedSolve(gp, system, u0, t0, t1, p, ode::Method(T{}), options, tape, sol, result)) {
        return;
    }

    // Where each step's solution is left: the next step's start (an event inside a step ends
    // it there), or the end of the solve (a terminal event's time).
    const double tEnd = sol.status == SolveStatus::Terminated ? sol.events.back().t : t1;
    std::vector<double> until(tape.size(), tEnd);
    for (std::size_t j = 0; j + 1 < tape.size(); ++j) {
        until[j] = tape[j + 1].t;
    }
    // ∂L/∂u(t_s) at each save time, then each save assigned to the step that holds it.
    const auto& times = gp.loss->saveTimes();
    const std::vector<Vec<double>> saveAdjoint = gp.loss->stateGradients(sol.u);
    std::vector<std::vector<TapeSave>> interior(tape.size());
    std::vector<Vec<double>> atEnd(tape.size(), Vec<double>::Zero(n));
    Vec<double> uBar = Vec<double>::Zero(n);
    std::size_t step = 0;
    for (std::size_t s = 0; s < times.size(); ++s) {
        if (times[s] == t0 || tape.empty()) {
            uBar += saveAdjoint[s]; // data at the start time: straight onto u0
            continue;
        }
        while (step + 1 < tape.size() && (times[s] - until[step]) * tape[step].h > 0) {
            ++step;
        }
        if (times[s] == until[step]) {
            atEnd[step] += saveAdjoint[s]; // the state after any event there
        } else {
            interior[step].push_back({(times[s] - tape[step].t) / tape[step].h, saveAdjoint[s]});
        }
    }
    Vec<double> pBar = Vec<double>::Zero(np);
    std::size_t nextEvent = sol.events.size();
    // Backwards over the events at time b: λ⁻ = Mᵀλ⁺, p̄ += mᵀλ⁺ (model/event_jump.hpp).
    const auto crossEventsAt = [&](double b, Vec<double>& lambda) {
        Vec<double> after;
        Eigen::MatrixXd M, m;
        while (nextEvent > 0 && (sol.events[nextEvent - 1].t - b) * (t1 - t0) >= 0) {
            const auto& e = sol.events[--nextEvent];
            system.eventJump(e.event, e.t, e.before, p, after, M, m);
            pBar += m.transpose() * lambda;
            lambda = M.transpose() * lambda;
        }
    };
    // The adjoint arriving at the end of step j: the data there, the events there, and, where an
    // event cut the step short, the state it left from (the step's interpolant at the event).
    Vec<double> uBarStep = Vec<double>::Zero(n);
    const auto enterStep = [&](std::size_t j) {
        uBarStep += atEnd[j];
        crossEventsAt(until[j], uBarStep);
        if (tape[j].cutAt) {
            interior[j].push_back({(until[j] - tape[j].t) / tape[j].h, uBarStep});
            uBarStep.setZero();
        }
    };

    CountedDerivatives f(system);
    if constexpr (std::same_as<T, ode::AutoSwitch>) {
        // Each step by the method that made it (Auto's dense output is that method's too).
        ReverseWorkspace explicitWork;
        StiffReverseWorkspace stiffWork;
        for (std::size_t j = tape.size(); j-- > 0;) {
            enterStep(j);
            if (tape[j].method == 0) {
                reverseStep<ode::Tsit5>(tape[j], interior[j], p, f, explicitWork, uBarStep, pBar);
            } else {
                reverseRosenbrockStep<ode::Rodas5P>(tape[j], interior[j], p, f, stiffWork, uBarStep,
                                                    pBar);
            }
        }
    } else if constexpr (ode::RkTableau<T>) {
        ReverseWorkspace work;
        for (std::size_t j = tape.size(); j-- > 0;) {
            enterStep(j);
            reverseStep<T>(tape[j], interior[j], p, f, work, uBarStep, pBar);
        }
    } else if constexpr (ode::RosenbrockTableau<T>) {
        StiffReverseWorkspace work;
        for (std::size_t j = tape.size(); j-- > 0;) {
            enterStep(j);
            reverseRosenbrockStep<T>(tape[j], interior[j], p, f, work, uBarStep, pBar);
        }
    } else {
        StiffReverseWorkspace work;
        ode::SystemRhs rhs(system);
        ode::Esdirk<T, Vec<double>> stepper;
        stepper.init(u0);
        stepper.setTolerances({options.reltol, options.abstol, &options.abstolPerComponent});
        SolveStats stats;
        for (std::size_t j = tape.size(); j-- > 0;) {
            enterStep(j);
            if (!reverseEsdirkStep<T>(tape[j], interior[j], p, f, rhs, stepper, work, uBarStep,
                                      pBar, stats)) {
                result.status = SolveStatus::DtLessThanMin;
                result.message = std::string("reverse mode: a recomputed ") + T::name
                                 + " step failed to converge at t = " + std::to_string(tape[j].t);
                return;
            }
        }
        result.nfBackward += stats.nRhs;
    }
    uBar += uBarStep;
    crossEventsAt(t0, uBar); // doses at the start
    result.nfBackward += f.evaluations;
    assembleGradient(gp, system, p, u0, t0, uBar, pBar, result);
}

} // namespace

void reverseModeGradient(const GradientProblem& problem,
                         const ode::Method& solver,
                         const ode::SolveOptions& options,
                         GradientResult& result) {
    if (problem.model->hasDelays()) {
        reverseDelayGradient(problem, solver, options, result);
        return;
    }
    std::visit(
        [&](auto tag) {
            using Tag = decltype(tag);
            if constexpr (
                ode::RkTableau<
                    Tag> || ode::RosenbrockTableau<Tag> || ode::EsdirkTableau<Tag> || std::same_as<Tag, ode::AutoSwitch>) {
                model::ModelSystem system(*problem.model);
                system.setDoses(problem.doses);
                reverseMode<Tag>(problem, system, options, result);
            } else {
                result.status = SolveStatus::InvalidInput;
                result.message = std::string("reverse mode replays the steps of a "
                                             "native method; with ")
                                 + Tag::name
                                 + " use the forward or interpolating gradient, or a "
                                   "native method (Tsit5, Rodas5P, KenCarp4, ...)";
            }
        },
        solver);
}

} // namespace dynfit::sens::detail
