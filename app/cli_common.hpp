// SPDX-License-Identifier: MIT
// What the CLI's model commands share: reading and compiling a model, solver options.
#pragma once

#include "model/model.hpp"
#include "objective/least_squares_loss.hpp"
#include "problem/ode_problem.hpp"
#include "project/project.hpp"
#include "solvers/methods.hpp"
#include "solvers/sde_methods.hpp"
#include "solvers/solve_options.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace dynfit::cli {

/// The model file and the solver options of `solve` and `gradient`.
struct SolverArguments {
    std::string modelFile;
    std::string tspan;
    std::string solver = "Tsit5";
    double reltol = 1e-6;
    double abstol = 1e-8;
    double dt = 0.0;
    std::vector<std::string> sets;
    bool bytecode = false;       ///< skip native code even where a compiler exists
    unsigned long long seed = 0; ///< initial network weights (where no `weights` line gives them)
    const CLI::App* command = nullptr; ///< to tell options given from defaults (count())

    /// True when `--name` was given on the command line.
    bool given(const char* name) const;
};

/// A model read, compiled (with its warnings printed) and ready to solve.
struct LoadedModel {
    std::string text;
    std::shared_ptr<const model::CompiledModel> model;
    ode::Method solver = ode::Tsit5{};
    std::optional<ode::SdeMethod> sdeSolver; ///< set for a model with noise lines
    ode::SolveOptions options;
    ode::TimeSpan span;               ///< from --tspan, else unused (the model has one)
    bool spanFromCommandLine = false; ///< span overrides the model's (--tspan or the project)
    std::optional<project::Project> project; ///< when MODEL_FILE is a .dynfit project
};

void addSolverOptions(CLI::App& cmd, SolverArguments& args);

/// --loss pathwise|moments and --trajectories N: the loss of a fit or gradient of an SDE.
void addSdeLossOptions(CLI::App& cmd, std::string& loss, long& trajectories);

/// Reads, compiles and checks everything; prints located errors and returns false on bad input.
/// A .dynfit project gives the model text and the solver settings the command line leaves out.
bool loadModel(const SolverArguments& args, LoadedModel& loaded);

/// Reads CSV data and matches it to the model's states; prints located errors and returns false
/// on bad input.
/// An experiment's dose table (CSV: t, state, amount), errors printed with row and column.
bool loadDoses(const std::string& file,
               const model::CompiledModel& model,
               std::vector<ode::Bolus>& doses);
bool loadData(const std::string& file,
              const model::CompiledModel& model,
              objective::LeastSquaresLoss& loss);

bool readFile(const std::string& path, std::string& text);
std::optional<double> parseNumber(const std::string& s);
bool parseNumberInto(const std::string& s, double& value); ///< false if not a whole number
std::vector<std::string> split(const std::string& s, char sep);
bool fail(const std::string& message); ///< prints "error: message"; returns false

} // namespace dynfit::cli
