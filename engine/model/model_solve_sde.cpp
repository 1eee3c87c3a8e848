// SPDX-License-Identifier: MIT
// The SDE integrator for a model with double states, instantiated here only.
#include "model/model_sde.hpp"
#include "solvers/sde_solve.hpp"

namespace dynfit::model {

ode::Solution<Vector<double>> solveModelSde(std::shared_ptr<const CompiledModel> model,
                                            const SdeStart& start,
                                            const ode::SdeMethod& method,
                                            const ode::SolveOptions& options,
                                            const SdeRun& run) {
    if (!model->hasNoise()) {
        ode::Solution<Vector<double>> refused;
        refused.status = SolveStatus::InvalidInput;
        refused.message = "the model has no noise lines: solve it as an ODE";
        return refused;
    }
    auto problem = ode::makeSdeProblem(ModelRhs<double>(model), ModelNoise<double>(model), start.u0,
                                       start.span, start.p);
    problem.shape = model->noiseShape;
    problem.additive = model->noiseAdditive;
    problem.calculus = model->calculus;
    problem.processOf = model->noiseProcessOf;
    problem.processCount = static_cast<int>(model->noiseProcesses.size());
    return ode::solveSde(std::move(problem), method, options, {run.noise, run.delta});
}

} // namespace dynfit::model
