// SPDX-License-Identifier: MIT
// `dynfit-cli fit`: fit a model's parameters to data and write the fitted model.
#include "cli_fit.hpp"

#include "core/number_text.hpp"
#include "fit/fitter.hpp"
#include "io/csv_data.hpp"
#include "model/rewrite.hpp"
#include "project/project_fit.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

namespace dynfit::cli {

CLI::App* addFitCommand(CLI::App& app, FitArguments& args) {
    CLI::App* cmd = app.add_subcommand("fit", "Fit a model's parameters to data");
    addSolverOptions(*cmd, args.common);
    cmd->add_option("--data", args.dataFiles,
                    "CSV data: a time column (t or time) and state columns; repeat for several "
                    "experiments sharing the parameters (default: a project's own data)");
    cmd->add_option("--init", args.inits,
                    "Initial values of the experiment of the same position, e.g. x=2,y=0.5 "
                    "(others from the model; - for all); repeat per --data");
    cmd->add_option("--doses", args.doseFiles,
                    "Dose table of the experiment of the same position: CSV with t, state and "
                    "amount columns (- for none); repeat per --data");
    cmd->add_option("--optimizer", args.optimizer,
                    "adam, lbfgs (L-BFGS-B) or lm (Levenberg-Marquardt)")
        ->check(CLI::IsMember(fit::optimizerNames()))
        ->capture_default_str();
    cmd->add_option("--lr", args.learningRate, "Adam's learning rate")->capture_default_str();
    cmd->add_option("--iterations", args.iterations, "Maximum iterations")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    cmd->add_option("--seed", args.common.seed,
                    "Seed of the initial network weights (and of an SDE's noise)");
    cmd->add_option("--trajectory", args.trajectory,
                    "SDE: the trajectory whose path the pathwise loss is taken on");
    addSdeLossOptions(*cmd, args.loss, args.trajectories);
    cmd->add_option("--method", args.method,
                    "Gradient method (forward, reverse, interpolating, ...)")
        ->capture_default_str();
    cmd->add_option("--out", args.out,
                    "Write the model with the fitted values to this file (a .dynfit path: the "
                    "project, with the loss history)");
    cmd->add_flag("--progress", args.progress, "Print one line per iteration");
    cmd->add_option("--progress-every", args.progressEvery,
                    "With --progress: print every k-th iteration (and the first)")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    cmd->add_option("--growing-window", args.growingWindow,
                    "Fit the data in K growing time windows (helps oscillating systems)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--fix", args.fixed, "Hold this param at its value (repeat for more)");
    cmd->add_option("--shooting", args.shooting,
                    "Multiple shooting with K segments per experiment (helps oscillating systems)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--continuity", args.continuity,
                    "Weight of the shooting continuity penalty, relative to a data point")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    cmd->add_option("--format", args.format, "Summary format")
        ->check(CLI::IsMember({"text", "json"}))
        ->capture_default_str();
    return cmd;
}

namespace {

// "x=2,y=0.5" into (state, value) pairs; false (with the reason printed) on a bad entry.
bool parseInitialValues(const std::string& text,
                        const model::CompiledModel& model,
                        std::vector<std::pair<int, double>>& values) {
    if (text == "-") {
        return true;
    }
    for (const std::string& item : split(text, ',')) {
        if (item.empty()) {
            continue;
        }
        const auto eq = item.find('=');
        const std::string name = item.substr(0, eq);
        double value = 0.0;
        if (eq == std::string::npos || !parseNumberInto(item.substr(eq + 1), value)) {
            return fail("--init '" + text + "': expected name=value, got '" + item + "'");
        }
        const int state = model.stateIndex(name);
        if (state < 0) {
            return fail("--init '" + text + "': '" + name + "' is not a state of the model");
        }
        values.emplace_back(state, value);
    }
    return true;
}

bool loadExperiments(const FitArguments& args,
                     const LoadedModel& loaded,
                     std::vector<fit::Experiment>& experiments) {
    const model::CompiledModel& model = *loaded.model;
    if (args.dataFiles.empty()) {
        std::string error;
        if (!loaded.project || loaded.project->data.empty()) {
            return fail("no data: give --data CSV (or a .dynfit project that holds data)");
        }
        if (!project::buildExperiments(*loaded.project, model, experiments, error)) {
            return fail(error);
        }
        return true;
    }
    if (args.inits.size() > args.dataFiles.size()) {
        return fail("more --init than --data options");
    }
    if (args.doseFiles.size() > args.dataFiles.size()) {
        return fail("more --doses than --data options");
    }
    for (std::size_t k = 0; k < args.dataFiles.size(); ++k) {
        fit::Experiment e;
        e.name = args.dataFiles[k];
        if (!loadData(args.dataFiles[k], model, e.loss)
            || (k < args.inits.size() && !parseInitialValues(args.inits[k], model, e.initialValues))
            || (k < args.doseFiles.size() && args.doseFiles[k] != "-"
                && !loadDoses(args.doseFiles[k], model, e.doses))) {
            return false;
        }
        experiments.push_back(std::move(e));
    }
    return true;
}

} // namespace

// The command line's settings; with a project, its own settings where the command line is silent.
fit::FitOptions
fitOptions(const FitArguments& args, const LoadedModel& loaded, sens::GradientMethod method) {
    const auto given = [&](const char* name) { return args.common.given(name); };
    fit::FitOptions options;
    std::string ignored; // a bad name in the project keeps the default (and the CLI's own)
    if (loaded.project) {
        project::fitOptionsOf(*loaded.project, options, ignored);
    }
    if (!loaded.project || given("--optimizer")) {
        options.optimizer = fit::optimizerByName(args.optimizer).value_or(fit::Optimizer::Lbfgs);
    }
    if (!loaded.project || given("--lr")) {
        options.adam.learningRate = args.learningRate;
    }
    if (!loaded.project || given("--iterations")) {
        options.maxIterations = args.iterations;
    }
    if (!loaded.project || given("--growing-window")) {
        options.growingWindowStages = args.growingWindow;
    }
    if (!loaded.project || given("--method")) {
        options.gradient = method;
    }
    if (!loaded.project || given("--shooting") || given("--continuity")) {
        options.shooting = {args.shooting, args.continuity};
    }
    if (!loaded.project || given("--fix")) {
        options.fixed = args.fixed;
    }
    options.solver = loaded.solver;
    options.solve = loaded.options;
    if (loaded.sdeSolver) {
        options.sde = sens::SdePath{*loaded.sdeSolver, {}, 1.0 / 6.0};
        options.sde->noise.seed = args.common.seed;
        if (!loaded.project || given("--trajectory")) {
            options.sde->noise.trajectory = args.trajectory;
        } else {
            options.sde->noise.trajectory = loaded.project->fit.trajectory;
        }
    }
    if (!loaded.project || given("--loss")) {
        options.sdeLoss.loss = fit::sdeLossByName(args.loss).value_or(fit::SdeLoss::Pathwise);
    }
    if (!loaded.project || given("--trajectories")) {
        options.sdeLoss.trajectories = args.trajectories;
    }
    options.span.reset();
    if (loaded.spanFromCommandLine) {
        options.span = loaded.span;
    }
    return options;
}

// The fitted model text, or (to a .dynfit path) the project with it and the loss history.
bool writeFitted(const std::string& path,
                 const LoadedModel& loaded,
                 const std::vector<double>& params,
                 const std::vector<project::HistoryEntry>& history) {
    const std::string text = model::withParameterValues(loaded.text, *loaded.model, params);
    if (project::isProjectPath(path)) {
        project::Project p = loaded.project.value_or(project::Project{});
        p.modelText = text;
        p.history = history;
        std::string error;
        return project::saveProjectFile(path, p, error) || fail(error);
    }
    std::ofstream file(path, std::ios::binary);
    file << text;
    return static_cast<bool>(file) || fail("cannot write '" + path + "'");
}

int runFit(const FitArguments& args) {
    const auto method = sens::gradientMethodByName(args.method);
    if (!method) {
        fail("unknown gradient method '" + args.method + "'");
        return 1;
    }
    LoadedModel loaded;
    if (!loadModel(args.common, loaded)) {
        return 1;
    }
    std::vector<fit::Experiment> experiments;
    if (!loadExperiments(args, loaded, experiments)) {
        return 1;
    }
    const fit::FitOptions options = fitOptions(args, loaded, *method);
    std::vector<project::HistoryEntry> history;
    // With JSON on stdout, progress goes to stderr so that stdout stays one document.
    FILE* progressStream = args.format == "json" ? stderr : stdout;
    const auto out = fit::fitParameters(
        *loaded.model, loaded.model->defaultParams(), experiments, options,
        [&](const fit::FitProgress& p) {
            history.push_back({p.iteration, p.loss, p.gradientNorm, p.seconds});
            if (args.progress && (p.iteration == 1 || p.iteration % args.progressEvery == 0)) {
                std::fprintf(progressStream, "iteration %4d  loss %.10g  |grad| %.3g  %.3f s\n",
                             p.iteration, p.loss, p.gradientNorm, p.seconds);
            }
            return true;
        });
    if (!args.out.empty() && !writeFitted(args.out, loaded, out.params, history)) {
        return 1;
    }
    if (args.format == "json") {
        nlohmann::ordered_json j;
        j["status"] = std::string(fit::fitStatusName(out.status));
        j["message"] = out.message;
        j["iterations"] = out.iterations;
        j["loss_initial"] = out.lossInitial;
        j["loss_final"] = out.lossFinal;
        nlohmann::ordered_json params = nlohmann::ordered_json::object();
        for (std::size_t k = 0; k < out.params.size(); ++k) {
            params[loaded.model->params[k].name] = out.params[k];
        }
        j["params"] = params;
        j["seconds"] = out.seconds;
        std::printf("%s\n",
                    j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    } else {
        std::printf("%s after %d iterations (%s): loss %.10g -> %.10g in %.3f s\n",
                    std::string(fit::fitStatusName(out.status)).c_str(), out.iterations,
                    out.message.c_str(), out.lossInitial, out.lossFinal, out.seconds);
        for (std::size_t k = 0; k < out.params.size(); ++k) {
            std::printf("  %s = %s\n", loaded.model->params[k].name.c_str(),
                        shortestText(out.params[k]).c_str());
        }
    }
    if (out.status == fit::FitStatus::Failed) {
        fail(out.message);
        return 1;
    }
    return 0;
}

} // namespace dynfit::cli
