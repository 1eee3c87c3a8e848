// SPDX-License-Identifier: MIT
// `dynfit-cli solve`: solve a model file and print the solution as CSV or JSON.
#pragma once

#include "cli_common.hpp"

#include <string>
#include <vector>

namespace dynfit::cli {

struct SolveArguments {
    SolverArguments common;
    std::string saveat;
    std::string format = "csv";
    int repeat = 1;
    // A model with noise lines (an SDE): an ensemble of trajectories.
    long trajectories = 1;
    long keep = 1;
    bool saveNoise = false;
    int threads = 0;
    std::vector<double> quantiles; ///< SDE: levels in [0, 1] summarised per state and time
};

/// The SDE branch of runSolve (cli_solve_sde.cpp).
int runSdeSolve(const SolveArguments& args, const LoadedModel& loaded);

/// Adds the subcommand and its options to `app`, filling `args`.
CLI::App* addSolveCommand(CLI::App& app, SolveArguments& args);

/// Runs it: 0 on success, 1 on bad input or a failed solve (messages on stderr).
int runSolve(const SolveArguments& args);

} // namespace dynfit::cli
