// SPDX-License-Identifier: MIT
// dynfit-cli: the headless front end over the engine.
#include "cli_fit.hpp"
#include "cli_gradient.hpp"
#include "cli_solve.hpp"
#include "core/version.hpp"
#include "cuda/device_query.hpp"
#include "examples/lotka_volterra.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>

namespace {

int runDemo(const std::string& method, double reltol, double abstol) {
    const auto run = dynfit::examples::runLotkaVolterra(method, reltol, abstol, 1.0);
    std::printf("Lotka-Volterra (p = 1.5, 1, 3, 1; u0 = 1, 1; t in [0, 10]) with %s, "
                "reltol %g, abstol %g\n",
                method.c_str(), reltol, abstol);
    std::printf("%6s  %12s  %12s\n", "t", run.stateNames.at(0).c_str(),
                run.stateNames.at(1).c_str());
    for (std::size_t k = 0; k < run.t.size(); ++k) {
        std::printf("%6.2f  %12.6f  %12.6f\n", run.t[k], run.columns[0][k], run.columns[1][k]);
    }
    std::printf("status %s: %ld steps (%ld rejected), %ld f evaluations, %.3f ms\n",
                std::string(dynfit::statusName(run.status)).c_str(), run.stats.nAccepted,
                run.stats.nRejected, run.stats.nRhs, run.seconds * 1e3);
    if (run.status != dynfit::SolveStatus::Success) {
        std::fprintf(stderr, "error: %s\n", run.message.c_str());
        return 1;
    }
    return 0;
}

int printDevices() {
    const auto report = dynfit::device::queryDevices();
    if (!report.hasGpu()) {
        std::printf("%s\n", report.reason.c_str());
        return 0;
    }
    for (const auto& gpu : report.gpus) {
        std::printf("GPU %d: %s, %.1f GiB, compute %d.%d\n", gpu.index, gpu.name.c_str(),
                    static_cast<double>(gpu.memoryBytes) / (1024.0 * 1024.0 * 1024.0),
                    gpu.computeMajor, gpu.computeMinor);
    }
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"dynfit-cli: fit dynamical models to time-series data, headless"};
    app.set_version_flag("--version", std::string("dynfit-cli ") + dynfit::versionString());
    app.require_subcommand(0, 1);

    std::string method = "Tsit5";
    double reltol = 1e-6;
    double abstol = 1e-6;
    auto* demo =
        app.add_subcommand("demo", "Solve the bundled Lotka-Volterra example and print it");
    demo->add_option("--solver", method,
                     "Method name (Tsit5, DP5, Vern7, Rodas5P, KenCarp4, CVODE_BDF, Auto, ...)")
        ->capture_default_str();
    demo->add_option("--reltol", reltol, "Relative tolerance")->capture_default_str();
    demo->add_option("--abstol", abstol, "Absolute tolerance")->capture_default_str();
    auto* devices = app.add_subcommand("devices", "List the GPUs this build can use");
    dynfit::cli::SolveArguments solveArgs;
    auto* solve = dynfit::cli::addSolveCommand(app, solveArgs);
    dynfit::cli::GradientArguments gradientArgs;
    auto* gradient = dynfit::cli::addGradientCommand(app, gradientArgs);
    dynfit::cli::FitArguments fitArgs;
    auto* fitCommand = dynfit::cli::addFitCommand(app, fitArgs);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // --help and --version end parsing "successfully"; any real usage error exits 2.
        const int printed = app.exit(e);
        return printed == 0 ? 0 : 2;
    }
    if (*demo) {
        return runDemo(method, reltol, abstol);
    }
    if (*solve) {
        return dynfit::cli::runSolve(solveArgs);
    }
    if (*gradient) {
        return dynfit::cli::runGradient(gradientArgs);
    }
    if (*fitCommand) {
        return dynfit::cli::runFit(fitArgs);
    }
    if (*devices) {
        return printDevices();
    }
    std::printf("%s", app.help().c_str());
    return 0;
}
