// SPDX-License-Identifier: MIT
// The model solved on an even (or logarithmic) grid for display: what a plot of the prediction
// draws between and beyond the data.
#pragma once

#include "core/status.hpp"
#include "model/model.hpp"
#include "problem/ode_problem.hpp"
#include "solvers/methods.hpp"
#include "solvers/sde_methods.hpp"
#include "solvers/solve_options.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace dynfit::fit {

/// An event that fired during a simulation, for a plot's marker.
struct EventMark {
    double t = 0.0;
    int line = 0;     ///< of the event's statement in the model text
    std::string kind; ///< when, at, every
};

struct [[nodiscard]] Simulation {
    std::vector<double> t;
    std::vector<std::vector<double>> columns; ///< columns[i][k]: state i at t[k]
    /// The states at the request's observationTimes, as columns: NaN at a time outside the span
    /// or not reached (a failed solve).
    std::vector<std::vector<double>> atObservations;
    /// The events that fired, in time order. On the display grid (not at requested `times`)
    /// each event with a reset also adds the states just before and just after it at its time,
    /// so that a plot shows the jump where it happens.
    std::vector<EventMark> events;
    std::vector<std::string> warnings; ///< the solve's (a grazing event; failed trajectories)
    /// A model with noise: `columns` is the ensemble's mean, `lower` and `upper` its quantile
    /// band (same layout), `paths` the first few trajectories ([path][state][k], on t).
    std::vector<std::vector<double>> lower, upper;
    std::vector<std::vector<std::vector<double>>> paths;
    long trajectories = 0; ///< run for the ensemble (0: not an SDE)
    SolveStatus status = SolveStatus::Success;
    std::string message;
    /// Success, or ended by a terminal event.
    [[nodiscard]] bool ok() const {
        return status == SolveStatus::Success || status == SolveStatus::Terminated;
    }
};

/// How a model with noise is drawn: the ensemble's mean, a quantile band and sample paths.
struct SdeDisplay {
    ode::SdeMethod method = ode::SOSRI{};
    std::uint64_t seed = 0;
    long trajectories = 256;
    long paths = 3;
    double lower = 0.05, upper = 0.95; ///< the band's quantile levels
    double delta = 1.0 / 6.0;
};

/// The display of a model with noise by default: SOSRA for additive noise, else SOSRI.
SdeDisplay defaultSdeDisplay(const model::CompiledModel& model);

struct SimulationRequest {
    std::vector<double> params;
    std::vector<std::pair<int, double>> initialValues; ///< states that start elsewhere than u0(p)
    std::vector<ode::Bolus> doses;                     ///< the experiment's own doses
    std::optional<ode::TimeSpan> span;                 ///< default: the model's
    ode::Method solver = ode::Tsit5{};
    ode::SolveOptions options;
    int points = 400;
    /// Points spaced evenly in log t (needs t0 ≥ 0; t0 = 0 starts at t1·1e-16).
    bool logTime = false;
    /// When given: save exactly at these times (points and logTime are then unused).
    std::vector<double> times;
    /// Times at which the states are wanted too, from the same solve (the data times, for
    /// residuals): returned in atObservations, not in t and columns.
    std::vector<double> observationTimes;
    /// A model with noise (defaultSdeDisplay when not given); the observations get the mean.
    std::optional<SdeDisplay> sde;
};

/// Never throws; a failed solve returns what was computed with its status and message.
Simulation simulate(const model::CompiledModel& model, const SimulationRequest& request);

} // namespace dynfit::fit
