// SPDX-License-Identifier: MIT
// The seed's Lotka–Volterra example as a one-call run.
#include "examples/lotka_volterra.hpp"

#include "solvers/solve.hpp"

#include <chrono>

namespace dynfit::examples {

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
    const auto start = std::chrono::steady_clock::now();
    const auto sol = ode::solve(lotkaVolterraProblem(), *chosen, options);
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
