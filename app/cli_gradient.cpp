// SPDX-License-Identifier: MIT
// `dynfit-cli gradient`: the loss against data and its gradient by a chosen method.
#include "cli_gradient.hpp"

#include "fit/fit_problem.hpp"
#include "io/csv_data.hpp"
#include "project/project_fit.hpp"
#include "sensitivity/gradient.hpp"

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace dynfit::cli {

CLI::App* addGradientCommand(CLI::App& app, GradientArguments& args) {
    CLI::App* cmd = app.add_subcommand("gradient", "Loss of a model against data and its gradient");
    addSolverOptions(*cmd, args.common);
    cmd->add_option("--data", args.dataFile,
                    "CSV data: a time column (t or time) and state columns (default: a "
                    "project's first data set)");
    cmd->add_option("--method", args.method,
                    "forward, reverse, backsolve, interpolating, quadrature or finite-diff")
        ->capture_default_str();
    cmd->add_option("--checkpoints", args.checkpoints,
                    "Interpolating adjoint: keep K checkpoints and re-solve between them")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--adjoint-reltol", args.adjointReltol,
                    "Relative tolerance of the backward solves (default: --reltol)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--adjoint-abstol", args.adjointAbstol,
                    "Absolute tolerance of the backward solves (default: --abstol)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--seed", args.common.seed, "SDE: the seed of the noise");
    cmd->add_option("--trajectory", args.trajectory,
                    "SDE: the trajectory whose path the pathwise loss is taken on");
    addSdeLossOptions(*cmd, args.loss, args.trajectories);
    cmd->add_option("--format", args.format, "Output format")
        ->check(CLI::IsMember({"json"}))
        ->capture_default_str();
    return cmd;
}

namespace {

// The moments loss's gradient: the fit's own evaluation over the one experiment (forward mode
// per trajectory on trajectories 0 … N − 1 of the seed's noise).
sens::GradientResult momentsGradient(const LoadedModel& loaded,
                                     const sens::GradientProblem& problem,
                                     long trajectories) {
    const auto began = std::chrono::steady_clock::now();
    sens::GradientResult result;
    const fit::Experiment experiment{"data", *problem.loss, problem.initialValues, problem.span};
    const fit::SolverSetup setup{loaded.solver,
                                 loaded.options,
                                 sens::GradientMethod::Forward,
                                 problem.span,
                                 sens::Precision::Double,
                                 problem.sde,
                                 {fit::SdeLoss::Moments, trajectories, 0}};
    fit::FitProblem fitProblem;
    if (!fit::FitProblem::build(*loaded.model, {experiment}, {}, setup, problem.params, fitProblem,
                                result.message)) {
        result.status = SolveStatus::InvalidInput;
        return result;
    }
    const auto e = fitProblem.evaluate(problem.params, fitProblem.initialStarts());
    result.status = e.status;
    result.message = e.message;
    result.loss = e.loss;
    result.dParams = e.dParams;
    result.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
    return result;
}

} // namespace

int runGradient(const GradientArguments& args) {
    const auto method = sens::gradientMethodByName(args.method);
    if (!method) {
        fail("unknown gradient method '" + args.method
             + "'; known: forward, reverse, backsolve, interpolating, quadrature, finite-diff");
        return 1;
    }
    LoadedModel loaded;
    if (!loadModel(args.common, loaded)) {
        return 1;
    }
    objective::LeastSquaresLoss loss;
    std::vector<std::pair<int, double>> initialValues;
    if (!args.dataFile.empty()) {
        if (!loadData(args.dataFile, *loaded.model, loss)) {
            return 1;
        }
    } else if (loaded.project && !loaded.project->data.empty()) {
        fit::Experiment first;
        std::string error;
        if (!project::buildExperiment(loaded.project->data.front(), *loaded.model, first, error)) {
            fail(error);
            return 1;
        }
        loss = first.loss;
        initialValues = first.initialValues;
    } else {
        fail("no data: give --data CSV (or a .dynfit project that holds data)");
        return 1;
    }
    sens::GradientProblem problem{loaded.model.get(), loaded.model->defaultParams(), std::nullopt,
                                  &loss, initialValues};
    if (loaded.spanFromCommandLine) {
        problem.span = loaded.span;
    }
    if (loaded.sdeSolver) { // the pathwise loss on trajectory --trajectory of --seed's noise
        problem.sde = sens::SdePath{*loaded.sdeSolver, {}, 1.0 / 6.0};
        problem.sde->noise.seed = args.common.seed;
        problem.sde->noise.trajectory = args.trajectory;
    }
    const bool moments = loaded.sdeSolver && args.loss == "moments";
    if (moments && *method != sens::GradientMethod::Forward) {
        fail("the moments loss is differentiated by forward mode (per trajectory): drop --method");
        return 1;
    }
    const sens::AdjointOptions adjoint{args.adjointReltol, args.adjointAbstol, args.checkpoints};
    const auto result =
        moments ? momentsGradient(loaded, problem, args.trajectories)
                : sens::gradient(problem, loaded.solver, loaded.options, *method, adjoint);
    nlohmann::ordered_json out;
    out["loss"] = result.loss;
    nlohmann::ordered_json g = nlohmann::ordered_json::object();
    for (std::size_t k = 0; k < result.dParams.size(); ++k) {
        g[loaded.model->params[k].name] = result.dParams[k];
    }
    for (std::size_t i = 0; i < result.dInit.size(); ++i) {
        g["init:" + loaded.model->states[i]] = result.dInit[i];
    }
    out["gradient"] = g;
    out["status"] = std::string(statusName(result.status));
    out["message"] = result.message;
    out["stats"] = {{"nf_forward", result.nfForward},
                    {"nf_backward", result.nfBackward},
                    {"seconds", result.seconds}};
    std::printf("%s\n", out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    if (!result.ok()) {
        fail(result.message);
        return 1;
    }
    return 0;
}

} // namespace dynfit::cli
