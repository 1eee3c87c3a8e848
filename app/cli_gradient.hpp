// SPDX-License-Identifier: MIT
// `dynfit-cli gradient`: the loss against data and its gradient by a chosen method.
#pragma once

#include "cli_common.hpp"

#include <cstdint>
#include <string>

namespace dynfit::cli {

struct GradientArguments {
    SolverArguments common;
    std::string dataFile;
    std::string method = "forward";
    std::string format = "json";
    int checkpoints = 0;        ///< interpolating: 0 = keep the dense forward solution
    double adjointReltol = 0.0; ///< 0 = the forward tolerance
    double adjointAbstol = 0.0;
    std::uint32_t trajectory = 0;  ///< SDE: the path of the pathwise loss
    std::string loss = "pathwise"; ///< SDE: pathwise or moments
    long trajectories = 256;       ///< SDE, moments: the ensemble's size
};

CLI::App* addGradientCommand(CLI::App& app, GradientArguments& args);

/// 0 on success; 1 on bad input or a failed solve; the JSON is printed either way once the
/// inputs are valid.
int runGradient(const GradientArguments& args);

} // namespace dynfit::cli
