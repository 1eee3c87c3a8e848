// SPDX-License-Identifier: MIT
// The parallel shape every ensemble shares: trajectories in blocks of kBlock, each block solved
// in index order by one oneTBB task, blocks in flight in waves of kWave (memory bounded whatever
// N), and each wave's blocks handed back in block order, so that what is merged from them is the
// same for any number of threads.
#pragma once

#include "core/stats.hpp"
#include "output/save_at.hpp"
#include "problem/time_span.hpp"
#include "solvers/solve_options.hpp"

#include <algorithm>
#include <atomic>
#include <string>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>
#include <vector>

namespace dynfit::ensemble::detail {

constexpr long kBlock = 32; // trajectories per block: the unit of work and of merging
constexpr long kWave = 64;  // blocks in flight at once

/// The threads a run uses: `requested`, or every core for 0.
inline int threadsFor(int requested) {
    return requested > 0 ? requested : tbb::this_task_arena::max_concurrency();
}

/// solve(block, out) for every block of `trajectories` on `threads`, then merge(out) in block
/// order. False when `cancel` was set (checked between waves; what was merged stays).
template<class Block, class Solve, class Merge>
bool runInBlocks(long trajectories,
                 int threads,
                 const std::atomic<bool>* cancel,
                 const Solve& solve,
                 const Merge& merge) {
    tbb::task_arena arena(threads);
    const long blocks = (trajectories + kBlock - 1) / kBlock;
    std::vector<Block> wave(static_cast<std::size_t>(std::min(blocks, kWave)));
    for (long begin = 0; begin < blocks; begin += kWave) {
        const long end = std::min(begin + kWave, blocks);
        arena.execute([&] {
            tbb::parallel_for(tbb::blocked_range<long>(begin, end, 1),
                              [&](const tbb::blocked_range<long>& range) {
                                  for (long b = range.begin(); b != range.end(); ++b) {
                                      solve(b, wave[static_cast<std::size_t>(b - begin)]);
                                  }
                              });
        });
        for (long b = begin; b < end; ++b) {
            merge(b, wave[static_cast<std::size_t>(b - begin)]);
        }
        if (cancel != nullptr && cancel->load()) {
            return false;
        }
    }
    return true;
}

/// Work counts summed over trajectories.
inline void addStats(SolveStats& into, const SolveStats& s) {
    into.nAccepted += s.nAccepted;
    into.nRejected += s.nRejected;
    into.nRhs += s.nRhs;
    into.nNoise += s.nNoise;
}

/// The save times every trajectory of an ensemble shares: options' saveat (or saveatStep), or
/// t1 alone. False with the reason when they are not valid.
inline bool ensembleSaveTimes(const ode::SolveOptions& options,
                              const ode::TimeSpan& span,
                              std::vector<double>& times,
                              std::string& error) {
    if (!ode::resolveSaveTimes(options.saveat, options.saveatStep, span.t0, span.t1, times,
                               error)) {
        return false;
    }
    if (times.empty()) {
        times = {span.t1};
    }
    return true;
}

/// Each trajectory's options: saved exactly at `times`, cancelled with the ensemble.
inline ode::SolveOptions trajectoryOptions(ode::SolveOptions options,
                                           const std::vector<double>& times,
                                           const std::atomic<bool>* cancel) {
    options.saveat = times;
    options.saveatStep = 0.0;
    options.saveEverystep = false;
    options.cancel = cancel;
    return options;
}

/// The trajectories of block b: [first, last).
inline std::pair<long, long> blockRange(long b, long trajectories) {
    return {b * kBlock, std::min((b + 1) * kBlock, trajectories)};
}

} // namespace dynfit::ensemble::detail
