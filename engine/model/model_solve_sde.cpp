// SPDX-License-Identifier: MIT
// The SDE integrator for a model with double states and with forward-mode dual states (pathwise
// gradients on a fixed path), instantiated here only.
#include "model/model_sde.hpp"
#include "solvers/sde_solve.hpp"

namespace dynfit::model {

namespace {

template<class S>
ode::Solution<Vector<S>> solveWith(std::shared_ptr<const CompiledModel> model,
                                   const Vector<S>& u0,
                                   ode::TimeSpan span,
                                   const Vector<S>& p,
                                   const ode::SdeMethod& method,
                                   const ode::SolveOptions& options,
                                   const ode::SdeSettings& run) {
    if (!model->hasNoise()) {
        ode::Solution<Vector<S>> refused;
        refused.status = SolveStatus::InvalidInput;
        refused.message = "the model has no noise lines: solve it as an ODE";
        return refused;
    }
    auto problem =
        ode::makeSdeProblem(ModelRhs<S>(model), ModelNoise<S>(model), Vector<S>(u0), span, p);
    problem.shape = model->noiseShape;
    problem.additive = model->noiseAdditive;
    problem.calculus = model->calculus;
    problem.processOf = model->noiseProcessOf;
    problem.processCount = static_cast<int>(model->noiseProcesses.size());
    return ode::solveSde(std::move(problem), method, options, run);
}

} // namespace

ode::Solution<Vector<double>> solveModelSde(std::shared_ptr<const CompiledModel> model,
                                            const SdeStart& start,
                                            const ode::SdeMethod& method,
                                            const ode::SolveOptions& options,
                                            const ode::SdeSettings& run) {
    return solveWith<double>(std::move(model), start.u0, start.span, start.p, method, options, run);
}

ode::Solution<Vector<Dual<double, 8>>> solveModelSde(std::shared_ptr<const CompiledModel> model,
                                                     const Vector<Dual<double, 8>>& u0,
                                                     ode::TimeSpan span,
                                                     const Vector<Dual<double, 8>>& p,
                                                     const ode::SdeMethod& method,
                                                     const ode::SolveOptions& options,
                                                     const ode::SdeSettings& run) {
    return solveWith<Dual<double, 8>>(std::move(model), u0, span, p, method, options, run);
}

} // namespace dynfit::model
