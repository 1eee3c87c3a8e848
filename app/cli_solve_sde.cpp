// SPDX-License-Identifier: MIT
// `dynfit-cli solve` for a model with noise lines: N trajectories on the cores, their mean and
// variance (and quantiles) per state at the save times, the first K trajectories whole (with their
// Wiener values under --save-noise), as JSON or CSV.
#include "cli_solve.hpp"
#include "core/number_text.hpp"
#include "ensemble/sde_ensemble.hpp"
#include "model/model_rhs.hpp"

#include <cstdio>
#include <nlohmann/json.hpp>

namespace dynfit::cli {

namespace {

nlohmann::ordered_json byState(const model::CompiledModel& m, const Eigen::ArrayXXd& values) {
    nlohmann::ordered_json out = nlohmann::ordered_json::object();
    for (std::size_t i = 0; i < m.states.size(); ++i) {
        const auto row = values.row(static_cast<Eigen::Index>(i));
        out[m.states[i]] = std::vector<double>(row.begin(), row.end());
    }
    return out;
}

// A state's own process is '#x' inside the engine; outside it is named after the state.
std::string processName(const std::string& name) {
    return !name.empty() && name[0] == '#' ? name.substr(1) : name;
}

void printJson(const model::CompiledModel& m,
               const ensemble::EnsembleResult& r,
               const std::vector<double>& levels,
               const std::string& method) {
    nlohmann::ordered_json out;
    out["status"] = std::string(statusName(r.status));
    out["message"] = r.message;
    out["method"] = method;
    out["t"] = r.t;
    out["trajectories_run"] = r.moments.count().size() > 0
                                  ? r.failed + static_cast<long>(r.moments.count().maxCoeff())
                                  : r.failed;
    out["failed"] = r.failed;
    if (!r.firstFailure.empty()) {
        out["first_failure"] = r.firstFailure;
    }
    out["mean"] = byState(m, r.moments.mean());
    out["variance"] = byState(m, r.moments.variance());
    if (!levels.empty()) {
        nlohmann::ordered_json quantiles = nlohmann::ordered_json::object();
        for (std::size_t q = 0; q < levels.size(); ++q) {
            quantiles[shortestText(levels[q])] = byState(m, r.quantiles[q]);
        }
        out["quantiles"] = quantiles;
    }
    nlohmann::ordered_json kept = nlohmann::ordered_json::array();
    for (const auto& k : r.kept) {
        nlohmann::ordered_json one;
        one["index"] = k.index;
        one["status"] = std::string(statusName(k.status));
        one["t"] = k.t;
        nlohmann::ordered_json u = nlohmann::ordered_json::object();
        for (std::size_t i = 0; i < m.states.size(); ++i) {
            std::vector<double> column;
            for (const auto& state : k.u) {
                column.push_back(state[static_cast<Eigen::Index>(i)]);
            }
            u[m.states[i]] = column;
        }
        one["u"] = u;
        if (k.noise.size() > 0) {
            nlohmann::ordered_json w = nlohmann::ordered_json::object();
            for (Eigen::Index q = 0; q < k.noise.rows(); ++q) {
                const auto row = k.noise.row(q);
                w[processName(m.noiseProcesses[static_cast<std::size_t>(q)])] =
                    std::vector<double>(row.begin(), row.end());
            }
            one["W"] = w;
        }
        kept.push_back(one);
    }
    out["trajectories"] = kept;
    out["stats"] = {{"steps", r.stats.nAccepted}, {"rejected", r.stats.nRejected},
                    {"nf", r.stats.nRhs},         {"ng", r.stats.nNoise},
                    {"threads", r.threads},       {"seconds", r.seconds}};
    std::printf("%s\n", out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
}

void printCsv(const model::CompiledModel& m,
              const ensemble::EnsembleResult& r,
              const std::vector<double>& levels) {
    std::string line = "t";
    for (const auto& name : m.states) {
        line.append(",").append(name).append(",").append(name).append("_variance");
        for (const double level : levels) {
            line.append(",").append(name).append("_q").append(shortestText(level));
        }
    }
    std::printf("%s\n", line.c_str());
    const Eigen::ArrayXXd variance = r.moments.variance();
    for (std::size_t j = 0; j < r.t.size(); ++j) {
        line = shortestText(r.t[j]);
        for (Eigen::Index i = 0; i < r.moments.mean().rows(); ++i) {
            const auto col = static_cast<Eigen::Index>(j);
            line.append(",").append(shortestText(r.moments.mean()(i, col)));
            line.append(",").append(shortestText(variance(i, col)));
            for (const auto& q : r.quantiles) {
                line.append(",").append(shortestText(q(i, col)));
            }
        }
        std::printf("%s\n", line.c_str());
    }
}

} // namespace

int runSdeSolve(const SolveArguments& args, const LoadedModel& loaded) {
    const auto& compiled = loaded.model;
    const auto params = compiled->defaultParams();
    const Eigen::VectorXd p =
        Eigen::Map<const Eigen::VectorXd>(params.data(), static_cast<Eigen::Index>(params.size()));
    const auto problem = model::makeModelProblem<double>(compiled, p, loaded.span);
    const model::SdeStart start{problem.initialState(),
                                loaded.spanFromCommandLine ? loaded.span : problem.timeSpan(), p};
    ensemble::EnsembleOptions options;
    options.trajectories = args.trajectories;
    options.seed = args.common.seed;
    options.keep = args.keep;
    options.saveNoise = args.saveNoise;
    options.threads = args.threads;
    options.quantiles = args.quantiles;
    const auto result =
        ensemble::runEnsemble(compiled, start, *loaded.sdeSolver, loaded.options, options);
    if (result.status == SolveStatus::Success || result.status == SolveStatus::Cancelled) {
        if (args.format == "json") {
            printJson(*compiled, result, args.quantiles, ode::sdeMethodName(*loaded.sdeSolver));
        } else {
            printCsv(*compiled, result, args.quantiles);
        }
    }
    if (result.status != SolveStatus::Success) {
        fail(result.message);
        return 1;
    }
    if (result.failed > 0) {
        std::fprintf(stderr, "warning: %ld of %ld trajectories failed; the first: %s\n",
                     result.failed, args.trajectories, result.firstFailure.c_str());
    }
    return 0;
}

} // namespace dynfit::cli
