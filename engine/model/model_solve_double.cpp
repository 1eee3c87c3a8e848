// SPDX-License-Identifier: MIT
// The integrators of every method for a model with double states, instantiated here only.
#include "model/model_solve.hpp"
#include "solvers/solve.hpp"

namespace dynfit::model {

ode::Solution<Vector<double>> solveModel(const ModelProblem<double>& problem,
                                         const ode::Method& method,
                                         const ode::SolveOptions& options,
                                         ode::StepObserver<Vector<double>> observer) {
    if (problem.f.model().hasNoise()) {
        return noiseRefusal<typename std::decay_t<decltype(problem)>::StateType>();
    }
    return ode::solve(problem, method, options, std::move(observer));
}

} // namespace dynfit::model
