// SPDX-License-Identifier: MIT
// Display simulations.
#include "fit/simulation.hpp"

#include "model/model_rhs.hpp"
#include "solvers/solve.hpp"

#include <cmath>

namespace dynfit::fit {

Simulation simulate(const model::CompiledModel& model, const SimulationRequest& r) {
    Simulation out;
    if (!r.span && !model.hasTimeSpan) {
        out.status = SolveStatus::InvalidInput;
        out.message = "no time span: give one or write 'tspan = T0 .. T1' in the model";
        return out;
    }
    std::shared_ptr<const model::CompiledModel> shared(&model, [](const model::CompiledModel*) {});
    const model::Vector<double> p = Eigen::Map<const Eigen::VectorXd>(
        r.params.data(), static_cast<Eigen::Index>(r.params.size()));
    auto problem = model::makeModelProblem<double>(shared, p, r.span.value_or(ode::TimeSpan{}));
    if (r.span) {
        problem.tspan = [span = *r.span](const model::Vector<double>&) { return span; };
    }
    const auto modelInitial = problem.u0;
    problem.u0 = [modelInitial, values = r.initialValues](const model::Vector<double>& q) {
        model::Vector<double> u0 = modelInitial(q);
        for (const auto& [state, value] : values) {
            u0[state] = value;
        }
        return u0;
    };
    const ode::TimeSpan span = problem.timeSpan();
    ode::SolveOptions options = r.options;
    options.saveEverystep = false;
    options.dense = false;
    options.saveat = r.times;
    const int points = r.times.empty() ? std::max(2, r.points) : 0;
    const bool logScale = r.logTime && span.t0 >= 0.0 && span.t1 > span.t0;
    // From t0 = 0 a log grid starts 16 decades below t1 (ROBER's [0, 1e11]: from 1e-5).
    const double first = span.t0 > 0.0 ? span.t0 : span.t1 * 1e-16;
    for (int k = 0; k < points; ++k) {
        const double s = static_cast<double>(k) / (points - 1);
        options.saveat.push_back(logScale
                                     ? (k == 0 ? span.t0 : first * std::pow(span.t1 / first, s))
                                     : span.t0 + s * (span.t1 - span.t0));
    }
    if (r.times.empty()) {
        options.saveat.back() = span.t1;
    }
    const auto sol = ode::solve(problem, r.solver, options);
    out.status = sol.status;
    out.message = sol.message;
    out.t = sol.t;
    out.columns.assign(static_cast<std::size_t>(model.stateCount()), {});
    for (const auto& u : sol.u) {
        for (int i = 0; i < model.stateCount(); ++i) {
            out.columns[static_cast<std::size_t>(i)].push_back(u[i]);
        }
    }
    return out;
}

} // namespace dynfit::fit
