// SPDX-License-Identifier: MIT
// `dynfit-cli fit`: fit a model's parameters to data and write the fitted model.
#pragma once

#include "cli_common.hpp"

#include <cstdint>
#include <string>

namespace dynfit::cli {

struct FitArguments {
    SolverArguments common;
    std::vector<std::string> dataFiles; ///< one experiment each
    std::vector<std::string> inits;     ///< per data file, in order: "x=2,y=0.5" or ""
    std::vector<std::string> doseFiles; ///< per data file, in order: a dose table CSV or "-"
    std::string optimizer = "lbfgs";
    double learningRate = 0.05;
    int iterations = 200;
    std::string method = "reverse";
    std::string out;
    bool progress = false;
    int progressEvery = 1;          ///< print every k-th iteration (and the first)
    int growingWindow = 0;          ///< stages of a growing time window; 0 = off
    int shooting = 0;               ///< multiple-shooting segments; 0 = off
    std::vector<std::string> fixed; ///< params held at their values
    double continuity = 1.0;
    std::string format = "text";
    std::uint32_t trajectory = 0;  ///< SDE: the path of the pathwise loss
    std::string loss = "pathwise"; ///< SDE: pathwise or moments
    long trajectories = 256;       ///< SDE, moments: the ensemble's size
};

CLI::App* addFitCommand(CLI::App& app, FitArguments& args);

/// 0 when the fit ended normally (converged or reached its limits); 1 on bad input or failure.
int runFit(const FitArguments& args);

} // namespace dynfit::cli
