// SPDX-License-Identifier: MIT
// `dynfit-cli solve`: solve a model file and print the solution as CSV or JSON.
#include "cli_solve.hpp"

#include "cli_common.hpp"
#include "core/number_text.hpp"
#include "model/model_solve.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

namespace dynfit::cli {

namespace {

bool parseSaveat(const std::string& spec, ode::SolveOptions& options) {
    if (spec.empty()) {
        return true;
    }
    if (spec.find(':') != std::string::npos) {
        const auto parts = split(spec, ':');
        double t0 = 0.0, step = 0.0, t1 = 0.0;
        const bool parsed = parts.size() == 3 && parseNumberInto(parts[0], t0)
                            && parseNumberInto(parts[1], step) && parseNumberInto(parts[2], t1);
        if (!parsed || !(step > 0) || t1 < t0) {
            return fail("--saveat expects T0:STEP:T1 with STEP > 0 and T0 <= T1, got '" + spec
                        + "'");
        }
        const auto n = static_cast<long>(std::floor((t1 - t0) / step + 1e-9));
        for (long k = 0; k <= n; ++k) {
            options.saveat.push_back(t0 + static_cast<double>(k) * step);
        }
        return true;
    }
    for (const std::string& part : split(spec, ',')) {
        const auto t = parseNumber(part);
        if (!t) {
            return fail("--saveat: '" + part + "' is not a number");
        }
        options.saveat.push_back(*t);
    }
    return true;
}

void printCsv(const model::CompiledModel& m, const ode::Solution<model::Vector<double>>& sol) {
    std::string line = "t";
    for (const auto& name : m.states) {
        line += "," + name;
    }
    std::printf("%s\n", line.c_str());
    for (std::size_t k = 0; k < sol.t.size(); ++k) {
        line = shortestText(sol.t[k]);
        for (Eigen::Index i = 0; i < sol.u[k].size(); ++i) {
            line += "," + shortestText(sol.u[k][i]);
        }
        std::printf("%s\n", line.c_str());
    }
}

void printJson(const model::CompiledModel& m,
               const ode::Solution<model::Vector<double>>& sol,
               double seconds) {
    nlohmann::ordered_json out;
    out["status"] = std::string(statusName(sol.status));
    out["message"] = sol.message;
    out["t"] = sol.t;
    nlohmann::ordered_json u = nlohmann::ordered_json::object();
    for (std::size_t i = 0; i < m.states.size(); ++i) {
        std::vector<double> column;
        for (const auto& state : sol.u) {
            column.push_back(state[static_cast<Eigen::Index>(i)]);
        }
        u[m.states[i]] = column;
    }
    out["u"] = u;
    nlohmann::ordered_json events = nlohmann::ordered_json::array();
    for (const auto& record : sol.events) {
        const auto id = static_cast<std::size_t>(record.event);
        const bool fromModel = id < m.events.size();
        events.push_back({{"t", record.t},
                          {"line", fromModel ? m.events[id].where.line : 0},
                          {"kind", fromModel ? m.events[id].keyword() : "dose"}});
    }
    out["events"] = events;
    out["warnings"] = sol.warnings;
    out["stats"] = {{"steps", sol.stats.nAccepted},
                    {"rejected", sol.stats.nRejected},
                    {"nf", sol.stats.nRhs},
                    {"nJ", sol.stats.nJac},
                    {"seconds", seconds}};
    std::printf("%s\n", out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
}

} // namespace

CLI::App* addSolveCommand(CLI::App& app, SolveArguments& args) {
    CLI::App* cmd = app.add_subcommand("solve", "Solve a model file (.dyn) and print the solution");
    addSolverOptions(*cmd, args.common);
    cmd->add_option("--saveat", args.saveat,
                    "Save times: T0:STEP:T1 or t1,t2,... (default: every step)");
    cmd->add_option("--format", args.format, "Output format")
        ->check(CLI::IsMember({"csv", "json"}))
        ->capture_default_str();
    cmd->add_option("--repeat", args.repeat,
                    "Solve N times; report the median seconds of one solve")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--trajectories", args.trajectories,
                    "SDE: trajectories to run (their mean and variance are printed)")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--seed", args.common.seed,
                    "Seed of the noise (trajectory k's path is keyed by seed and k)");
    cmd->add_option("--keep", args.keep, "SDE: the first K trajectories printed whole (JSON)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_flag("--save-noise", args.saveNoise,
                  "SDE: with the kept trajectories, the Wiener values W at the save times");
    cmd->add_option("--quantiles", args.quantiles,
                    "SDE: quantile levels per state and save time, e.g. 0.05,0.5,0.95 (a "
                    "mergeable sketch: bounded memory, rank error below 1 %)")
        ->delimiter(',')
        ->check(CLI::Range(0.0, 1.0));
    cmd->add_option("--threads", args.threads, "SDE: threads (default: every core)")
        ->check(CLI::NonNegativeNumber);
    return cmd;
}

int runSolve(const SolveArguments& args) {
    LoadedModel loaded;
    if (!loadModel(args.common, loaded) || !parseSaveat(args.saveat, loaded.options)) {
        return 1;
    }
    if (loaded.sdeSolver) {
        return runSdeSolve(args, loaded);
    }
    const auto& compiled = loaded.model;
    const auto params = compiled->defaultParams();
    auto problem = model::makeModelProblem<double>(
        compiled,
        Eigen::Map<const Eigen::VectorXd>(params.data(), static_cast<Eigen::Index>(params.size())),
        loaded.span);
    if (loaded.spanFromCommandLine) {
        problem.tspan = [span = loaded.span](const model::Vector<double>&) { return span; };
    }
    std::vector<double> seconds;
    ode::Solution<model::Vector<double>> sol;
    for (int r = 0; r < args.repeat; ++r) {
        const auto start = std::chrono::steady_clock::now();
        sol = model::solveModel(problem, loaded.solver, loaded.options);
        seconds.push_back(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    std::nth_element(seconds.begin(), seconds.begin() + static_cast<long>(seconds.size() / 2),
                     seconds.end());
    const double median = seconds[seconds.size() / 2];
    if (args.format == "json") {
        printJson(*compiled, sol, median);
    } else {
        printCsv(*compiled, sol);
    }
    for (const std::string& warning : sol.warnings) {
        std::fprintf(stderr, "warning: %s\n", warning.c_str());
    }
    if (!sol.ok()) {
        fail(sol.message);
        return 1;
    }
    return 0;
}

} // namespace dynfit::cli
