// SPDX-License-Identifier: MIT
// The seed's Lotka–Volterra example as a one-call run.
#include "examples/lotka_volterra.hpp"

#include "model/model_solve.hpp"

#include <chrono>

namespace dynfit::examples {

namespace {

constexpr const char* kLotkaVolterraText = R"(param α = 1.5
param β = 1.0
param γ = 3.0
param δ = 1.0
init x = 1
init y = 1
d(x)/dt = α*x - β*x*y
d(y)/dt = -γ*y + δ*x*y
tspan = 0 .. 10
)";

} // namespace

ExampleRun
runLotkaVolterra(std::string_view method, double reltol, double abstol, double saveStep) {
    ExampleRun run;
    run.stateNames = {"rabbits", "wolves"};
    const auto chosen = ode::methodByName(method);
    if (!chosen) {
        run.status = SolveStatus::InvalidInput;
        run.message = "unknown method '" + std::string(method) + "'; known: " + ode::methodNames();
        return run;
    }
    ode::SolveOptions options;
    options.reltol = reltol;
    options.abstol = abstol;
    options.saveatStep = saveStep;
    if (!ode::solverInfo(*chosen).adaptive) {
        options.dt = saveStep > 0 ? saveStep / 10 : 0.01;
    }
    // The same problem as lotkaVolterraProblem(), in the model language: solved through the
    // model's compiled solvers rather than instantiating every method again for this file.
    model::Diagnostics diagnostics;
    const auto compiled = model::compileModel(kLotkaVolterraText, diagnostics);
    const auto p = compiled->defaultParams();
    const auto problem = model::makeModelProblem<double>(
        compiled, Eigen::Map<const Eigen::VectorXd>(p.data(), static_cast<Eigen::Index>(p.size())),
        {});
    const auto start = std::chrono::steady_clock::now();
    const auto sol = model::solveModel(problem, *chosen, options);
    run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    run.status = sol.status;
    run.message = sol.message;
    run.stats = sol.stats;
    run.t = sol.t;
    run.columns.assign(2, {});
    for (const auto& u : sol.u) {
        run.columns[0].push_back(u[0]);
        run.columns[1].push_back(u[1]);
    }
    return run;
}

} // namespace dynfit::examples
