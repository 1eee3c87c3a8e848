// SPDX-License-Identifier: MIT
// `dynfit-cli solve`: solve a model file and print the solution as CSV or JSON.
#pragma once

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace dynfit::cli {

struct SolveArguments {
    std::string modelFile;
    std::string tspan;
    std::string solver = "Tsit5";
    double reltol = 1e-6;
    double abstol = 1e-8;
    double dt = 0.0;
    std::string saveat;
    std::vector<std::string> sets;
    std::string format = "csv";
    int repeat = 1;
    bool bytecode = false; ///< skip native code even where a compiler exists
};

/// Adds the subcommand and its options to `app`, filling `args`.
CLI::App* addSolveCommand(CLI::App& app, SolveArguments& args);

/// Runs it: 0 on success, 1 on bad input or a failed solve (messages on stderr).
int runSolve(const SolveArguments& args);

} // namespace dynfit::cli
