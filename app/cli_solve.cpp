// SPDX-License-Identifier: MIT
// `dynfit-cli solve`: solve a model file and print the solution as CSV or JSON.
#include "cli_solve.hpp"

#include "model/model_rhs.hpp"
#include "solvers/solve.hpp"

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

bool readFile(const std::string& path, std::string& text) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return false;
    }
    std::ostringstream buffer;
    buffer << in.rdbuf();
    text = buffer.str();
    return true;
}

std::optional<double> parseNumber(const std::string& s) {
    try {
        std::size_t used = 0;
        const double v = std::stod(s, &used);
        return used == s.size() ? std::optional<double>(v) : std::nullopt;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> parts;
    std::stringstream in(s);
    std::string part;
    while (std::getline(in, part, sep)) {
        parts.push_back(part);
    }
    return parts;
}

bool fail(const std::string& message) {
    std::fprintf(stderr, "error: %s\n", message.c_str());
    return false;
}

bool parseOverrides(const std::vector<std::string>& sets, model::Overrides& overrides) {
    for (const std::string& set : sets) {
        const std::size_t eq = set.find('=');
        const auto value = eq == std::string::npos ? std::nullopt : parseNumber(set.substr(eq + 1));
        if (!value) {
            return fail("--set expects NAME=NUMBER, got '" + set + "'");
        }
        overrides[set.substr(0, eq)] = *value;
    }
    return true;
}

bool checkOverrides(const model::Overrides& overrides, const model::CompiledModel& m) {
    for (const auto& [name, value] : overrides) {
        const bool isInit = name.rfind("init:", 0) == 0 && m.stateIndex(name.substr(5)) >= 0;
        const bool isConst = std::any_of(m.consts.begin(), m.consts.end(),
                                         [&](const auto& c) { return c.first == name; });
        if (!isInit && !isConst && m.paramIndex(name) < 0) {
            return fail("--set " + name + ": not a param, const or init:<state> of the model");
        }
    }
    return true;
}

bool parseSaveat(const std::string& spec, ode::SolveOptions& options) {
    if (spec.empty()) {
        return true;
    }
    if (spec.find(':') != std::string::npos) {
        const auto parts = split(spec, ':');
        const auto t0 = parts.size() == 3 ? parseNumber(parts[0]) : std::nullopt;
        const auto step = parts.size() == 3 ? parseNumber(parts[1]) : std::nullopt;
        const auto t1 = parts.size() == 3 ? parseNumber(parts[2]) : std::nullopt;
        if (!t0 || !step || !t1 || !(*step > 0) || *t1 < *t0) {
            return fail("--saveat expects T0:STEP:T1 with STEP > 0 and T0 <= T1, got '" + spec
                        + "'");
        }
        const auto n = static_cast<long>(std::floor((*t1 - *t0) / *step + 1e-9));
        for (long k = 0; k <= n; ++k) {
            options.saveat.push_back(*t0 + static_cast<double>(k) * *step);
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

bool resolveSpan(const std::string& spec, const model::CompiledModel& m, ode::TimeSpan& span) {
    if (!spec.empty()) {
        const auto parts = split(spec, ',');
        const auto t0 = parts.size() == 2 ? parseNumber(parts[0]) : std::nullopt;
        const auto t1 = parts.size() == 2 ? parseNumber(parts[1]) : std::nullopt;
        if (!t0 || !t1) {
            return fail("--tspan expects T0,T1, got '" + spec + "'");
        }
        span = {*t0, *t1};
        return true;
    }
    if (!m.hasTimeSpan) {
        return fail("no time span: give --tspan T0,T1 or write 'tspan = T0 .. T1' in the model");
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
        std::printf("%.17g", sol.t[k]);
        for (Eigen::Index i = 0; i < sol.u[k].size(); ++i) {
            std::printf(",%.17g", sol.u[k][i]);
        }
        std::printf("\n");
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
    cmd->add_option("MODEL_FILE", args.modelFile, "The model, in the DynFit language")->required();
    cmd->add_option("--tspan", args.tspan, "Time span T0,T1 (default: the model's tspan)");
    cmd->add_option("--solver", args.solver, "Method: Tsit5, DP5, BS3, Vern7, RK4, Euler, ...")
        ->capture_default_str();
    cmd->add_option("--reltol", args.reltol, "Relative tolerance")->capture_default_str();
    cmd->add_option("--abstol", args.abstol, "Absolute tolerance")->capture_default_str();
    cmd->add_option("--dt", args.dt, "Fixed step size (no error control)");
    cmd->add_option("--saveat", args.saveat,
                    "Save times: T0:STEP:T1 or t1,t2,... (default: every step)");
    cmd->add_option("--set", args.sets, "Override NAME=VALUE (a param, a const, or init:<state>)");
    cmd->add_option("--format", args.format, "Output format")
        ->check(CLI::IsMember({"csv", "json"}))
        ->capture_default_str();
    cmd->add_flag("--bytecode", args.bytecode,
                  "Evaluate the model with the bytecode interpreter, not native code");
    cmd->add_option("--repeat", args.repeat,
                    "Solve N times; report the median seconds of one solve")
        ->check(CLI::PositiveNumber);
    return cmd;
}

int runSolve(const SolveArguments& args) {
    std::string text;
    if (!readFile(args.modelFile, text)) {
        fail("cannot read the model file '" + args.modelFile + "'");
        return 1;
    }
    model::Overrides overrides;
    if (!parseOverrides(args.sets, overrides)) {
        return 1;
    }
    model::Diagnostics diagnostics;
    const auto compiled =
        model::compileModel(text, diagnostics, overrides, {.native = !args.bytecode});
    std::fputs(model::formatDiagnostics(diagnostics, args.modelFile, text).c_str(), stderr);
    if (!compiled || !checkOverrides(overrides, *compiled)) {
        return 1;
    }
    const auto method = ode::methodByName(args.solver);
    if (!method) {
        fail("unknown solver '" + args.solver + "'");
        return 1;
    }
    ode::SolveOptions options;
    options.reltol = args.reltol;
    options.abstol = args.abstol;
    options.dt = args.dt;
    ode::TimeSpan span{0.0, 1.0};
    if (!parseSaveat(args.saveat, options) || !resolveSpan(args.tspan, *compiled, span)) {
        return 1;
    }
    const auto params = compiled->defaultParams();
    auto problem = model::makeModelProblem<double>(
        compiled,
        Eigen::Map<const Eigen::VectorXd>(params.data(), static_cast<Eigen::Index>(params.size())),
        span);
    if (!args.tspan.empty()) {
        problem.tspan = [span](const model::Vector<double>&) { return span; };
    }
    std::vector<double> seconds;
    ode::Solution<model::Vector<double>> sol;
    for (int r = 0; r < args.repeat; ++r) {
        const auto start = std::chrono::steady_clock::now();
        sol = ode::solve(problem, *method, options);
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
    if (!sol.ok()) {
        fail(sol.message);
        return 1;
    }
    return 0;
}

} // namespace dynfit::cli
