// SPDX-License-Identifier: MIT
// Display simulations.
#include "fit/simulation.hpp"

#include "ensemble/sde_ensemble.hpp"
#include "model/model_solve.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace dynfit::fit {

namespace {

// r.points times over the span, even or (r.logTime, from t0 ≥ 0) logarithmic, ending on t1.
std::vector<double> displayGrid(const ode::TimeSpan& span, const SimulationRequest& r) {
    const int points = std::max(2, r.points);
    const bool logScale = r.logTime && span.t0 >= 0.0 && span.t1 > span.t0;
    // From t0 = 0 a log grid starts 16 decades below t1 (ROBER's [0, 1e11]: from 1e-5).
    const double first = span.t0 > 0.0 ? span.t0 : span.t1 * 1e-16;
    std::vector<double> grid;
    for (int k = 0; k < points; ++k) {
        const double s = static_cast<double>(k) / (points - 1);
        grid.push_back(logScale ? (k == 0 ? span.t0 : first * std::pow(span.t1 / first, s))
                                : span.t0 + s * (span.t1 - span.t0));
    }
    grid.back() = span.t1;
    return grid;
}

struct SaveTime {
    double t;
    bool grid;       ///< a point of the drawn grid
    int observation; ///< index into the observation times, or −1
};

// The grid and the observation times inside the span as one list in the direction of
// integration, a time in both listed once: one solve serves both. Without observations, the
// grid as given.
std::vector<SaveTime> mergedSaveTimes(const std::vector<double>& grid,
                                      const std::vector<double>& observations,
                                      const ode::TimeSpan& span) {
    const double lo = std::min(span.t0, span.t1), hi = std::max(span.t0, span.t1);
    std::vector<SaveTime> all;
    for (const double t : grid) {
        all.push_back({t, true, -1});
    }
    if (observations.empty()) {
        return all; // the grid as given
    }
    for (std::size_t j = 0; j < observations.size(); ++j) {
        if (observations[j] >= lo && observations[j] <= hi) {
            all.push_back({observations[j], false, static_cast<int>(j)});
        }
    }
    const double dir = span.t1 >= span.t0 ? 1.0 : -1.0;
    std::stable_sort(all.begin(), all.end(),
                     [dir](const SaveTime& a, const SaveTime& b) { return dir * a.t < dir * b.t; });
    std::vector<SaveTime> merged;
    for (const SaveTime& s : all) {
        if (!merged.empty() && merged.back().t == s.t) {
            merged.back().grid = merged.back().grid || s.grid;
            merged.back().observation = std::max(merged.back().observation, s.observation);
        } else {
            merged.push_back(s);
        }
    }
    return merged;
}

// The states on both sides of each event with a reset, inserted at its time (after any saved
// state there, which is the state after the event).
void insertJumps(const model::CompiledModel& model,
                 const std::vector<ode::EventRecord<model::Vector<double>>>& events,
                 Simulation& out) {
    for (const auto& e : events) {
        const auto id = static_cast<std::size_t>(e.event);
        if (id < model.events.size() && !model.events[id].hasReset) {
            continue;
        }
        const auto at = std::lower_bound(out.t.begin(), out.t.end(), e.t) - out.t.begin();
        out.t.insert(out.t.begin() + at, {e.t, e.t});
        for (std::size_t i = 0; i < out.columns.size(); ++i) {
            const auto k = static_cast<Eigen::Index>(i);
            out.columns[i].insert(out.columns[i].begin() + at, {e.before[k], e.after[k]});
        }
    }
}

// The ensemble on the merged save times: mean, band and paths on the grid, the mean at the
// observations.
Simulation simulateSde(const model::CompiledModel& model,
                       const SimulationRequest& r,
                       const ode::TimeSpan& span,
                       const model::Vector<double>& u0,
                       const model::Vector<double>& p,
                       const std::vector<SaveTime>& saves) {
    Simulation out;
    if (!r.doses.empty()) {
        out.status = SolveStatus::InvalidInput;
        out.message = "doses do not combine with noise lines yet";
        return out;
    }
    const SdeDisplay d = r.sde.value_or(defaultSdeDisplay(model));
    ensemble::EnsembleOptions e;
    e.trajectories = d.trajectories;
    e.seed = d.seed;
    e.keep = d.paths;
    e.quantiles = {d.lower, d.upper};
    e.delta = d.delta;
    e.cancel = r.options.cancel;
    ode::SolveOptions options = r.options;
    options.saveat.clear();
    options.saveatStep = 0.0;
    for (const SaveTime& s : saves) {
        options.saveat.push_back(s.t);
    }
    const std::shared_ptr<const model::CompiledModel> shared(&model,
                                                             [](const model::CompiledModel*) {});
    const auto result = ensemble::runEnsemble(shared, {u0, span, p}, d.method, options, e);
    out.status = result.status;
    out.message = result.message;
    out.trajectories = d.trajectories;
    if (result.failed > 0 && result.status == SolveStatus::Success) {
        out.warnings.push_back(std::to_string(result.failed) + " of "
                               + std::to_string(d.trajectories)
                               + " trajectories failed; the first: " + result.firstFailure);
    }
    if (result.status != SolveStatus::Success) {
        return out;
    }
    const auto n = static_cast<std::size_t>(model.stateCount());
    const Eigen::ArrayXXd mean = result.moments.mean();
    out.columns.assign(n, {});
    out.lower.assign(n, {});
    out.upper.assign(n, {});
    out.paths.assign(result.kept.size(), std::vector<std::vector<double>>(n));
    out.atObservations.assign(n, std::vector<double>(r.observationTimes.size(),
                                                     std::numeric_limits<double>::quiet_NaN()));
    for (std::size_t k = 0; k < saves.size(); ++k) {
        const auto col = static_cast<Eigen::Index>(k);
        for (std::size_t i = 0; i < n; ++i) {
            const auto row = static_cast<Eigen::Index>(i);
            if (saves[k].grid) {
                out.columns[i].push_back(mean(row, col));
                out.lower[i].push_back(result.quantiles[0](row, col));
                out.upper[i].push_back(result.quantiles[1](row, col));
                for (std::size_t j = 0; j < result.kept.size(); ++j) {
                    const auto& kept = result.kept[j].u;
                    out.paths[j][i].push_back(
                        k < kept.size() ? kept[k][row] : std::numeric_limits<double>::quiet_NaN());
                }
            }
            if (saves[k].observation >= 0) {
                out.atObservations[i][static_cast<std::size_t>(saves[k].observation)] =
                    mean(row, col);
            }
        }
        if (saves[k].grid) {
            out.t.push_back(saves[k].t);
        }
    }
    return out;
}

} // namespace

SdeDisplay defaultSdeDisplay(const model::CompiledModel& model) {
    SdeDisplay d;
    d.method = model.noiseAdditive ? ode::SdeMethod(ode::SOSRA{}) : ode::SOSRI{};
    return d;
}

Simulation simulate(const model::CompiledModel& model, const SimulationRequest& r) {
    Simulation out;
    if (!r.span && !model.hasTimeSpan) {
        out.status = SolveStatus::InvalidInput;
        out.message = "no time span: give one or write 'tspan = T0 .. T1' in the model";
        return out;
    }
    std::shared_ptr<const model::CompiledModel> shared(&model, [](const model::CompiledModel*) {});
    const model::Vector<double> p = Eigen::Map<const Eigen::VectorXd>(
        r.params.data(), static_cast<Eigen::Index>(r.params.size()));
    auto problem = model::makeModelProblem<double>(shared, p, r.span.value_or(ode::TimeSpan{}));
    model::addDoses(problem.events, static_cast<int>(model.events.size()), r.doses);
    if (r.span) {
        problem.tspan = [span = *r.span](const model::Vector<double>&) { return span; };
    }
    const auto modelInitial = problem.u0;
    problem.u0 = [modelInitial, values = r.initialValues](const model::Vector<double>& q) {
        model::Vector<double> u0 = modelInitial(q);
        for (const auto& [state, value] : values) {
            u0[state] = value;
        }
        return u0;
    };
    const ode::TimeSpan span = problem.timeSpan();
    const std::vector<double> grid = r.times.empty() ? displayGrid(span, r) : r.times;
    const auto saves = mergedSaveTimes(grid, r.observationTimes, span);
    if (model.hasNoise()) {
        return simulateSde(model, r, span, problem.initialState(), p, saves);
    }
    ode::SolveOptions options = r.options;
    options.saveEverystep = false;
    options.dense = false;
    for (const SaveTime& s : saves) {
        options.saveat.push_back(s.t);
    }
    const auto sol = model::solveModel(problem, r.solver, options);
    out.status = sol.status;
    out.message = sol.message;
    const auto n = static_cast<std::size_t>(model.stateCount());
    out.columns.assign(n, {});
    out.atObservations.assign(n, std::vector<double>(r.observationTimes.size(),
                                                     std::numeric_limits<double>::quiet_NaN()));
    for (std::size_t k = 0; k < sol.u.size() && k < saves.size(); ++k) {
        const auto& u = sol.u[k];
        if (saves[k].grid) {
            out.t.push_back(sol.t[k]);
            for (std::size_t i = 0; i < n; ++i) {
                out.columns[i].push_back(u[static_cast<Eigen::Index>(i)]);
            }
        }
        if (saves[k].observation >= 0) {
            for (std::size_t i = 0; i < n; ++i) {
                out.atObservations[i][static_cast<std::size_t>(saves[k].observation)] =
                    u[static_cast<Eigen::Index>(i)];
            }
        }
    }
    out.warnings = sol.warnings;
    for (const auto& e : sol.events) {
        const auto id = static_cast<std::size_t>(e.event);
        if (id < model.events.size()) {
            out.events.push_back({e.t, model.events[id].where.line, model.events[id].keyword()});
        } else {
            out.events.push_back({e.t, 0, "dose"});
        }
    }
    if (r.times.empty() && span.t1 > span.t0) {
        insertJumps(model, sol.events, out);
    }
    return out;
}

} // namespace dynfit::fit
