// SPDX-License-Identifier: MIT
// The compile firewall around the solvers: a model's problem solved by any method, through one
// non-template function per scalar type. The integrators for those scalars are instantiated once,
// in model_solve_*.cpp, not in every file that solves a model (solvers/solve.hpp stays out of
// this header).
#pragma once

#include "core/dual.hpp"
#include "model/model_rhs.hpp"
#include "output/solution.hpp"
#include "solvers/methods.hpp"
#include "solvers/solve_options.hpp"
#include "solvers/step_view.hpp"

namespace dynfit::model {

/// The problem type of a compiled model with states and parameters of scalar S.
template<class S>
using ModelProblem = ode::OdeProblem<Vector<S>, ModelRhs<S>, Vector<S>>;

/// The problem of a compiled model from a given initial state on a given span, with its events
/// and the data's doses.
template<class S>
ModelProblem<S> fixedStartProblem(std::shared_ptr<const CompiledModel> model,
                                  const Vector<S>& u0,
                                  ode::TimeSpan span,
                                  const Vector<S>& p,
                                  const std::vector<ode::Bolus>& doses = {}) {
    auto problem = ode::makeOdeProblem(ModelRhs<S>(model), u0, span, p);
    problem.events = modelEvents<S>(std::move(model), p, doses);
    return problem;
}

/// What an ODE solve of a model with noise lines returns: refused, not the drift alone.
template<class State>
ode::Solution<State> noiseRefusal() {
    ode::Solution<State> sol;
    sol.status = SolveStatus::InvalidInput;
    sol.message = "this model has noise lines (an SDE): an ODE method would drop them; solve it "
                  "with an SDE method (SOSRI, SRIW1, SOSRA, SRA1, EM, EulerHeun, ImplicitEM)";
    return sol;
}

/// Solves a model's problem with `method` (as ode::solve does: never throws; check ok()).
ode::Solution<Vector<double>> solveModel(const ModelProblem<double>& problem,
                                         const ode::Method& method,
                                         const ode::SolveOptions& options = {},
                                         ode::StepObserver<Vector<double>> observer = {});
/// … with forward-mode dual numbers (8 directions), at double precision.
ode::Solution<Vector<Dual<double, 8>>>
solveModel(const ModelProblem<Dual<double, 8>>& problem,
           const ode::Method& method,
           const ode::SolveOptions& options = {},
           ode::StepObserver<Vector<Dual<double, 8>>> observer = {});
/// … with forward-mode dual numbers (8 directions), at single precision.
ode::Solution<Vector<Dual<float, 8>>>
solveModel(const ModelProblem<Dual<float, 8>>& problem,
           const ode::Method& method,
           const ode::SolveOptions& options = {},
           ode::StepObserver<Vector<Dual<float, 8>>> observer = {});

} // namespace dynfit::model
