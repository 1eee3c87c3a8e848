// SPDX-License-Identifier: MIT
// A project's data sets and settings as engine inputs.
#include "project/project_fit.hpp"

#include "io/csv_data.hpp"
#include "io/dose_table.hpp"

#include <algorithm>

namespace dynfit::project {

bool buildExperiment(const DataSetEntry& entry,
                     const model::CompiledModel& model,
                     fit::Experiment& experiment,
                     std::string& error) {
    io::DataSet data;
    std::vector<io::DataError> errors;
    if (!io::readCsv(entry.csv, data, errors)) {
        error = io::formatDataErrors(errors, entry.name);
        return false;
    }
    // The mapping renames columns to states or drops them ("").
    io::DataSet mapped = data;
    mapped.columns.clear();
    mapped.values.clear();
    for (std::size_t c = 0; c < data.columns.size(); ++c) {
        std::string state = data.columns[c];
        for (const auto& [column, target] : entry.mapping) {
            if (column == data.columns[c]) {
                state = target;
            }
        }
        if (!state.empty()) {
            mapped.columns.push_back(state);
            mapped.values.push_back(data.values[c]);
        }
    }
    experiment = fit::Experiment{};
    experiment.name = entry.name;
    if (!objective::LeastSquaresLoss::build(model.states, mapped, {}, experiment.loss, error)) {
        error = entry.name + ": " + error;
        return false;
    }
    for (const auto& [state, value] : entry.initialValues) {
        const int index = model.stateIndex(state);
        if (index < 0) {
            error = entry.name + ": initial value for '" + state + "', which is not a state";
            return false;
        }
        experiment.initialValues.emplace_back(index, value);
    }
    if (!entry.dosesCsv.empty()) {
        std::vector<io::DoseRow> rows;
        if (!io::readDoseTable(entry.dosesCsv, rows, errors)
            || !io::resolveDoses(rows, model.states, experiment.doses, errors)) {
            error = io::formatDataErrors(errors, entry.name + " (doses)");
            return false;
        }
    }
    return true;
}

bool buildExperiments(const Project& project,
                      const model::CompiledModel& model,
                      std::vector<fit::Experiment>& experiments,
                      std::string& error) {
    experiments.clear();
    for (const DataSetEntry& entry : project.data) {
        fit::Experiment e;
        if (!buildExperiment(entry, model, e, error)) {
            return false;
        }
        experiments.push_back(std::move(e));
    }
    return true;
}

bool fitOptionsOf(const Project& project, fit::FitOptions& options, std::string& error) {
    options = fit::FitOptions{};
    const auto solver = ode::methodByName(project.solver.method);
    const auto sdeSolver = ode::sdeMethodByName(project.solver.method);
    if (!solver && !sdeSolver) {
        std::string sdeNames;
        for (const auto& name : ode::sdeMethodNames()) {
            sdeNames.append(sdeNames.empty() ? "" : ", ").append(name);
        }
        error = "unknown solver '" + project.solver.method + "'; known: " + ode::methodNames()
                + "; for SDEs " + sdeNames;
        return false;
    }
    const auto sdeLoss = fit::sdeLossByName(project.fit.sdeLoss);
    if (!sdeLoss) {
        error = "unknown SDE loss '" + project.fit.sdeLoss + "' (pathwise or moments)";
        return false;
    }
    const auto gradient = sens::gradientMethodByName(project.fit.gradient);
    if (!gradient) {
        error = "unknown gradient method '" + project.fit.gradient + "'";
        return false;
    }
    const auto optimizer = fit::optimizerByName(project.fit.optimizer);
    if (!optimizer) {
        error = "unknown optimizer '" + project.fit.optimizer + "' (adam, lbfgs or lm)";
        return false;
    }
    options.optimizer = *optimizer;
    if (solver) {
        options.solver = *solver;
    } else { // a model with noise: its method, and the path (or paths) of its loss
        options.sde = sens::SdePath{*sdeSolver, {}, 1.0 / 6.0};
        options.sde->noise.seed = project.fit.seed;
        options.sde->noise.trajectory = project.fit.trajectory;
    }
    options.sdeLoss.loss = *sdeLoss;
    options.sdeLoss.trajectories = project.fit.trajectories;
    options.gradient = *gradient;
    options.solve.reltol = project.solver.reltol;
    options.solve.abstol = project.solver.abstol;
    options.span = project.solver.span;
    options.adam.learningRate = project.fit.learningRate;
    options.maxIterations = project.fit.iterations;
    options.growingWindowStages = project.fit.growingWindow;
    options.shooting = {project.fit.shooting, project.fit.continuity};
    options.fixed = project.fit.fixed;
    return true;
}

bool fitOptionsFor(const Project& project,
                   const model::CompiledModel& model,
                   fit::FitOptions& options,
                   std::string& error) {
    if (!fitOptionsOf(project, options, error)) {
        return false;
    }
    if (model.hasNoise() && !options.sde) {
        const fit::SdeDisplay fallback = fit::defaultSdeDisplay(model);
        options.sde = sens::SdePath{fallback.method, {}, fallback.delta};
        options.sde->noise.seed = project.fit.seed;
        options.sde->noise.trajectory = project.fit.trajectory;
    }
    if (!model.hasNoise() && options.sde) {
        error = "'" + project.solver.method
                + "' solves SDEs; this model has no noise lines: choose an ODE method";
        return false;
    }
    return true;
}

std::optional<fit::SdeDisplay> sdeDisplayOf(const Project& project,
                                            const model::CompiledModel& model,
                                            const fit::FitOptions& options,
                                            long maxTrajectories) {
    if (!model.hasNoise()) {
        return std::nullopt;
    }
    fit::SdeDisplay d = fit::defaultSdeDisplay(model);
    if (options.sde) {
        d.method = options.sde->method;
        d.delta = options.sde->delta;
    }
    d.seed = project.fit.seed;
    d.trajectories = std::clamp(project.fit.trajectories, 2L, maxTrajectories);
    return d;
}

} // namespace dynfit::project
