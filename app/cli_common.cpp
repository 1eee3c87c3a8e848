// SPDX-License-Identifier: MIT
// What the CLI's model commands share: reading and compiling a model, solver options.
#include "cli_common.hpp"

#include "core/number_text.hpp"
#include "io/csv_data.hpp"
#include "io/dose_table.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>

namespace dynfit::cli {

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

bool parseNumberInto(const std::string& s, double& value) {
    const auto parsed = parseNumber(s);
    value = parsed.value_or(0.0);
    return parsed.has_value();
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
    for (const auto& entry : overrides) {
        const std::string& name = entry.first;
        const bool isInit = name.rfind("init:", 0) == 0 && m.stateIndex(name.substr(5)) >= 0;
        const bool isConst = std::any_of(m.consts.begin(), m.consts.end(),
                                         [&](const auto& c) { return c.first == name; });
        if (!isInit && !isConst && m.paramIndex(name) < 0) {
            return fail("--set " + name + ": not a param, const or init:<state> of the model");
        }
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

bool SolverArguments::given(const char* name) const {
    const CLI::Option* option = command != nullptr ? command->get_option_no_throw(name) : nullptr;
    return option != nullptr && option->count() > 0;
}

void addSolverOptions(CLI::App& cmd, SolverArguments& args) {
    args.command = &cmd;
    cmd.add_option("MODEL_FILE", args.modelFile,
                   "The model, in the DynFit language, or a .dynfit project")
        ->required();
    cmd.add_option("--tspan", args.tspan, "Time span T0,T1 (default: the model's tspan)");
    cmd.add_option("--solver", args.solver,
                   "Method: Tsit5, DP5, Vern7, ... (explicit); Rodas5P, Rodas4, ROS3P, KenCarp4, "
                   "Kvaerno5, CVODE_BDF (stiff); CVODE_Adams; Auto")
        ->capture_default_str();
    cmd.add_option("--reltol", args.reltol, "Relative tolerance")->capture_default_str();
    cmd.add_option("--abstol", args.abstol, "Absolute tolerance")->capture_default_str();
    cmd.add_option("--dt", args.dt, "Fixed step size (no error control)");
    cmd.add_option("--set", args.sets, "Override NAME=VALUE (a param, a const, or init:<state>)");
    cmd.add_flag("--bytecode", args.bytecode,
                 "Evaluate the model with the bytecode interpreter, not native code");
}

void addSdeLossOptions(CLI::App& cmd, std::string& loss, long& trajectories) {
    cmd.add_option("--loss", loss,
                   "SDE: pathwise (least squares on one path) or moments (the replicates "
                   "against an ensemble's mean and variance)")
        ->check(CLI::IsMember({"pathwise", "moments"}))
        ->capture_default_str();
    cmd.add_option("--trajectories", trajectories, "SDE, moments: the ensemble's size")
        ->check(CLI::Range(2L, 100000000L))
        ->capture_default_str();
}

static std::string join(const std::vector<std::string>& parts, const char* separator) {
    std::string out;
    for (const std::string& part : parts) {
        out += (out.empty() ? "" : separator) + part;
    }
    return out;
}

// The method: an ODE method for a model without noise, an SDE method (SOSRI, or SOSRA for
// additive noise, unless one is named) for a model with noise lines.
static bool
chooseSolver(const SolverArguments& args, const model::CompiledModel& m, LoadedModel& loaded) {
    const auto sde = ode::sdeMethodByName(args.solver);
    if (m.hasNoise()) {
        const bool named = args.given("--solver") || loaded.project.has_value();
        if (named && sde) {
            loaded.sdeSolver = *sde;
            return true;
        }
        if (named && args.given("--solver")) {
            return fail("'" + args.solver
                        + "' solves ODEs; this model has noise lines: choose "
                          "an SDE method ("
                        + join(ode::sdeMethodNames(), ", ") + ")");
        }
        loaded.sdeSolver = m.noiseAdditive ? ode::SdeMethod(ode::SOSRA{}) : ode::SOSRI{};
        return true;
    }
    if (sde) {
        return fail("'" + args.solver
                    + "' solves SDEs; this model has no noise lines: choose "
                      "an ODE method ("
                    + ode::methodNames() + ")");
    }
    const auto method = ode::methodByName(args.solver);
    if (!method) {
        return fail("unknown solver '" + args.solver + "'; known: " + ode::methodNames()
                    + "; for "
                      "SDEs "
                    + join(ode::sdeMethodNames(), ", "));
    }
    loaded.solver = *method;
    return true;
}

bool loadModel(const SolverArguments& given, LoadedModel& loaded) {
    SolverArguments args = given;
    if (project::isProjectPath(args.modelFile)) {
        project::Project p;
        std::string error;
        if (!project::loadProjectFile(args.modelFile, p, error)) {
            return fail(error);
        }
        loaded.text = p.modelText;
        if (!args.given("--solver")) {
            args.solver = p.solver.method;
        }
        if (!args.given("--reltol")) {
            args.reltol = p.solver.reltol;
        }
        if (!args.given("--abstol")) {
            args.abstol = p.solver.abstol;
        }
        if (!args.given("--tspan") && p.solver.span) {
            args.tspan = shortestText(p.solver.span->t0) + "," + shortestText(p.solver.span->t1);
        }
        if (!args.given("--seed")) {
            args.seed = p.fit.seed;
        }
        loaded.project = std::move(p);
    } else if (!readFile(args.modelFile, loaded.text)) {
        return fail("cannot read the model file '" + args.modelFile + "'");
    }
    model::Overrides overrides;
    if (!parseOverrides(args.sets, overrides)) {
        return false;
    }
    model::Diagnostics diagnostics;
    loaded.model = model::compileModel(loaded.text, diagnostics, overrides,
                                       {.native = !args.bytecode, .seed = args.seed});
    std::fputs(model::formatDiagnostics(diagnostics, args.modelFile, loaded.text).c_str(), stderr);
    if (!loaded.model || !checkOverrides(overrides, *loaded.model)) {
        return false;
    }
    if (!chooseSolver(args, *loaded.model, loaded)) {
        return false;
    }
    loaded.options.reltol = args.reltol;
    loaded.options.abstol = args.abstol;
    if (loaded.sdeSolver) { // an SDE's tolerances default to 1e-2, as the peers' do
        const bool project = loaded.project.has_value(); // a project's own tolerances stand
        loaded.options.reltol = project || args.given("--reltol") ? args.reltol : 1e-2;
        loaded.options.abstol = project || args.given("--abstol") ? args.abstol : 1e-2;
    }
    loaded.options.dt = args.dt;
    loaded.span = {0.0, 1.0};
    if (!resolveSpan(args.tspan, *loaded.model, loaded.span)) {
        return false;
    }
    loaded.spanFromCommandLine = !args.tspan.empty();
    return true;
}

bool loadData(const std::string& file,
              const model::CompiledModel& model,
              objective::LeastSquaresLoss& loss) {
    std::string csv;
    if (!readFile(file, csv)) {
        return fail("cannot read the data file '" + file + "'");
    }
    io::DataSet data;
    std::vector<io::DataError> errors;
    if (!io::readCsv(csv, data, errors)) {
        std::fputs(io::formatDataErrors(errors, file).c_str(), stderr);
        return false;
    }
    std::string why;
    if (!objective::LeastSquaresLoss::build(model.states, data, {}, loss, why)) {
        return fail(file + ": " + why);
    }
    return true;
}

bool loadDoses(const std::string& file,
               const model::CompiledModel& model,
               std::vector<ode::Bolus>& doses) {
    std::string csv;
    if (!readFile(file, csv)) {
        return fail("cannot read the dose table '" + file + "'");
    }
    std::vector<io::DoseRow> rows;
    std::vector<io::DataError> errors;
    if (!io::readDoseTable(csv, rows, errors)
        || !io::resolveDoses(rows, model.states, doses, errors)) {
        std::fputs(io::formatDataErrors(errors, file).c_str(), stderr);
        return false;
    }
    return true;
}

} // namespace dynfit::cli
