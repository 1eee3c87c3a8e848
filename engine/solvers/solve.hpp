// SPDX-License-Identifier: MIT
// The one entry point: solve(problem, method, options).
#pragma once

#include "solvers/integrate.hpp"
#include "solvers/methods.hpp"

#include <variant>

namespace dynfit::ode {

/// Solves `problem` with the explicit method `T` (a tableau tag such as Tsit5{}). Never throws
/// for bad input or solver failure: check Solution::ok() and read Solution::message.
template<RkTableau T, class Problem>
Solution<typename Problem::StateType>
solve(const Problem& problem,
      T /*method*/,
      const SolveOptions& options = {},
      StepObserver<typename Problem::StateType> observer = {}) {
    RkIntegrator<T, Problem> integrator(problem, options, std::move(observer));
    if (integrator.init()) {
        integrator.run();
    }
    return std::move(integrator.solution());
}

/// The same with the method chosen at run time (by name: see methodByName()).
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
