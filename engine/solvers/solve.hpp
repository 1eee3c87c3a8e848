// SPDX-License-Identifier: MIT
// The one entry point: solve(problem, method, options).
#pragma once

#include "solvers/auto_switch.hpp"
#include "solvers/cvode_problem.hpp"
#include "solvers/esdirk.hpp"
#include "solvers/integrate.hpp"
#include "solvers/methods.hpp"
#include "solvers/rosenbrock.hpp"
#include "solvers/time_events.hpp"

#include <variant>

namespace dynfit::ode {

/// The stepper type of a method tag for a state type (void for CVODE, which steps itself).
template<class Tag, class State>
struct StepperOf {
    using type = void;
};
template<RkTableau T, class State>
struct StepperOf<T, State> {
    using type = ExplicitRk<T, State>;
};
template<RosenbrockTableau T, class State>
struct StepperOf<T, State> {
    using type = Rosenbrock<T, State>;
};
template<EsdirkTableau T, class State>
struct StepperOf<T, State> {
    using type = Esdirk<T, State>;
};
template<class State>
struct StepperOf<AutoSwitch, State> {
    using type = AutoSwitchStepper<State>;
};

/// A solve refused before it starts (status InvalidInput).
template<class State>
Solution<State> refused(const std::string& why) {
    Solution<State> out;
    out.status = SolveStatus::InvalidInput;
    out.message = why;
    return out;
}

/// Solves `problem` with the method `Tag` (Tsit5{}, Rodas5P{}, CvodeBdf{}, ...). Never throws
/// for bad input or solver failure: check Solution::ok() and read Solution::message.
template<class Tag, class Problem>
Solution<typename Problem::StateType>
solve(const Problem& problem,
      Tag /*method*/,
      const SolveOptions& options = {},
      StepObserver<typename Problem::StateType> observer = {}) {
    using State = typename Problem::StateType;
    const auto& events = problem.events;
    if (!events.error.empty()) {
        return refused<State>(events.error);
    }
    if constexpr (std::is_same_v<Tag, CvodeBdf> || std::is_same_v<Tag, CvodeAdams>) {
        if constexpr (requires { problem.f.hasMemory(); }) {
            if (problem.f.hasMemory()) {
                return refused<State>("CVODE does not solve delay equations: choose Tsit5, "
                                      "Vern7, DP5 or BS3, or Rodas5P / Rodas4 for a stiff one");
            }
        }
        return solveWithCvode(problem, std::is_same_v<Tag, CvodeBdf>, options, observer);
    } else {
        SolveOptions withStops = options;
        const std::vector<double> stops = timeEventStops(events.timed);
        withStops.tstops.insert(withStops.tstops.end(), stops.begin(), stops.end());
        Integrator<typename StepperOf<Tag, State>::type, Problem> integrator(problem, withStops,
                                                                             std::move(observer));
        if (!events.continuous.empty()) {
            integrator.setEvents(&events.continuous);
        }
        if (!events.timed.empty()) {
            integrator.setTimeEvents(&events.timed);
        }
        if (integrator.init()) {
            integrator.run();
        }
        return std::move(integrator.solution());
    }
}

/// The same with the method chosen at run time (by name: see methodByName()).
template<class Problem>
Solution<typename Problem::StateType>
solve(const Problem& problem,
      const Method& method,
      const SolveOptions& options = {},
      StepObserver<typename Problem::StateType> observer = {}) {
    return std::visit([&](auto tag) { return solve(problem, tag, options, std::move(observer)); },
                      method);
}

/// An explicit method chosen at run time.
template<class Problem>
Solution<typename Problem::StateType>
solve(const Problem& problem,
      const ExplicitMethod& method,
      const SolveOptions& options = {},
      StepObserver<typename Problem::StateType> observer = {}) {
    return std::visit([&](auto tag) { return solve(problem, tag, options, std::move(observer)); },
                      method);
}

} // namespace dynfit::ode
