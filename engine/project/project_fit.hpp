// SPDX-License-Identifier: MIT
// From a project to the engine's inputs: the experiments and the fit's options. The app and
// dynfit-cli both go through here, so that the same project gives the same numbers in both.
#pragma once

#include "fit/fitter.hpp"
#include "project/project.hpp"

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

} // namespace dynfit::project
