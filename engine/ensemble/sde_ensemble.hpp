// SPDX-License-Identifier: MIT
// Many trajectories of a model with noise, in parallel over the cores (oneTBB): trajectory k's
// path is keyed by (seed, experiment, k), so each result is a function of k alone; the moments
// are merged block by block in trajectory order, so the summary is bit-identical for any number
// of threads. Memory stays bounded for large N: blocks are computed in waves of fixed size, and
// only the first `keep` trajectories are kept whole; quantiles come from mergeable sketches.
#pragma once

#include "ensemble/moments.hpp"
#include "ensemble/quantile_sketch.hpp"
#include "model/model_sde.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace dynfit::ensemble {

struct EnsembleOptions {
    long trajectories = 100;
    std::uint64_t seed = 0;
    std::uint16_t experiment = 0;
    long keep = 0;          ///< the first K trajectories returned whole
    bool saveNoise = false; ///< with them, W at the save times
    int threads = 0;        ///< 0: every core
    double delta = 1.0 / 6.0;
    const std::atomic<bool>* cancel = nullptr;
    /// Levels in [0, 1] whose quantiles are wanted at every (state, save time), from a
    /// mergeable sketch of every successful trajectory (bounded memory, thread-independent).
    std::vector<double> quantiles;
};

/// One kept trajectory: its states (and Wiener values, processes × save times) at the saves.
struct KeptTrajectory {
    long index = 0;
    SolveStatus status = SolveStatus::Success;
    std::vector<double> t;
    std::vector<model::Vector<double>> u;
    Eigen::MatrixXd noise; ///< empty unless EnsembleOptions::saveNoise
};

struct EnsembleResult {
    SolveStatus status = SolveStatus::Success; ///< InvalidInput or Cancelled for the whole run
    std::string message;
    std::vector<double> t; ///< the save times
    Moments moments;       ///< per (state, save time), over the trajectories that succeeded
    /// One states × times array per level of EnsembleOptions::quantiles, in that order.
    std::vector<Eigen::ArrayXXd> quantiles;
    long failed = 0;          ///< trajectories that ended in a failure status
    std::string firstFailure; ///< the first failed trajectory's message (by index)
    std::vector<KeptTrajectory> kept;
    SolveStats stats; ///< summed over the trajectories
    double seconds = 0.0;
    int threads = 1; ///< used
};

/// N trajectories of `model` from `start` by `method`; `options.saveat` (or saveatStep) gives
/// the save times, t1 alone when neither is set.
EnsembleResult runEnsemble(std::shared_ptr<const model::CompiledModel> model,
                           const model::SdeStart& start,
                           const ode::SdeMethod& method,
                           const ode::SolveOptions& options,
                           const EnsembleOptions& ensemble);

} // namespace dynfit::ensemble
