// SPDX-License-Identifier: MIT
// From a project to the engine's inputs: the experiments and the fit's options. The app and
// dynfit-cli both go through here, so that the same project gives the same numbers in both.
#pragma once

#include "fit/fitter.hpp"
#include "fit/simulation.hpp"
#include "project/project.hpp"

#include <optional>
#include <string>
#include <vector>

namespace dynfit::project {

/// One data set matched to the model: mapping applied, initial values by state index. False with
/// the reason on bad input (CSV errors with their row and column, unknown states).
bool buildExperiment(const DataSetEntry& entry,
                     const model::CompiledModel& model,
                     fit::Experiment& experiment,
                     std::string& error);

/// Every data set of the project, in order.
bool buildExperiments(const Project& project,
                      const model::CompiledModel& model,
                      std::vector<fit::Experiment>& experiments,
                      std::string& error);

/// The solver, gradient method and optimiser settings as engine options (names checked).
bool fitOptionsOf(const Project& project, fit::FitOptions& options, std::string& error);

/// fitOptionsOf for `model`: a model with noise and an ODE method named gets SOSRI (SOSRA for
/// additive noise), as dynfit-cli does; an SDE method for a model without noise is refused.
bool fitOptionsFor(const Project& project,
                   const model::CompiledModel& model,
                   fit::FitOptions& options,
                   std::string& error);

/// How the app draws a model with noise from the project's settings (the method of `options`,
/// the seed, up to `maxTrajectories` of the fit's trajectories); nullopt without noise.
std::optional<fit::SdeDisplay> sdeDisplayOf(const Project& project,
                                            const model::CompiledModel& model,
                                            const fit::FitOptions& options,
                                            long maxTrajectories = 500);

} // namespace dynfit::project
