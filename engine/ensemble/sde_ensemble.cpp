// SPDX-License-Identifier: MIT
// The ensemble runner: waves of blocks, each block's trajectories solved in index order by one
// task, the blocks' moments merged in block order.
#include "ensemble/sde_ensemble.hpp"

#include "ensemble/blocks.hpp"

#include <chrono>

namespace dynfit::ensemble {

namespace {

struct Block {
    Moments moments;
    std::vector<QuantileSketch> sketches; ///< per cell (state + states × time), when asked
    long failed = 0;
    long firstFailedIndex = -1;
    std::string firstFailure;
    SolveStats stats;
    std::vector<KeptTrajectory> kept;
};

class Runner {
  public:
    Runner(std::shared_ptr<const model::CompiledModel> model,
           const model::SdeStart& start,
           const ode::SdeMethod& method,
           const ode::SolveOptions& options,
           const EnsembleOptions& ensemble,
           std::vector<double> times)
        : m_model(std::move(model)), m_start(start), m_method(method),
          m_options(detail::trajectoryOptions(options, times, ensemble.cancel)),
          m_ensemble(ensemble), m_times(std::move(times)) {}

    void solveBlock(long block, Block& out) const {
        out = Block{};
        const auto states = static_cast<Eigen::Index>(m_model->stateCount());
        out.moments = Moments(states, static_cast<Eigen::Index>(m_times.size()));
        if (!m_ensemble.quantiles.empty()) {
            out.sketches.assign(static_cast<std::size_t>(states) * m_times.size(),
                                QuantileSketch());
        }
        const auto [first, last] = detail::blockRange(block, m_ensemble.trajectories);
        for (long k = first; k < last; ++k) {
            ode::SdeSettings run;
            run.noise.seed = m_ensemble.seed;
            run.noise.experiment = m_ensemble.experiment;
            run.noise.trajectory = static_cast<std::uint32_t>(k);
            run.delta = m_ensemble.delta;
            const auto sol = model::solveModelSde(m_model, m_start, m_method, m_options, run);
            detail::addStats(out.stats, sol.stats);
            if (k < m_ensemble.keep) {
                out.kept.push_back(keep(k, sol, run));
            }
            if (!sol.ok()) {
                if (out.failed++ == 0) {
                    out.firstFailedIndex = k;
                    out.firstFailure = sol.message;
                }
                continue;
            }
            for (std::size_t j = 0; j < sol.u.size(); ++j) {
                for (Eigen::Index i = 0; i < sol.u[j].size(); ++i) {
                    out.moments.add(i, static_cast<Eigen::Index>(j), sol.u[j][i]);
                    if (!out.sketches.empty()) {
                        out.sketches[j * static_cast<std::size_t>(states)
                                     + static_cast<std::size_t>(i)]
                            .add(sol.u[j][i]);
                    }
                }
            }
        }
    }

  private:
    KeptTrajectory keep(long k,
                        const ode::Solution<model::Vector<double>>& sol,
                        const ode::SdeSettings& run) const {
        KeptTrajectory kept;
        kept.index = k;
        kept.status = sol.status;
        kept.t = sol.t;
        kept.u = sol.u;
        if (m_ensemble.saveNoise) {
            ode::WienerPaths paths(run.noise, static_cast<int>(m_model->noiseProcesses.size()),
                                   m_start.span);
            kept.noise.resize(paths.processes(), static_cast<Eigen::Index>(sol.t.size()));
            for (std::size_t j = 0; j < sol.t.size(); ++j) {
                for (int m = 0; m < paths.processes(); ++m) {
                    kept.noise(m, static_cast<Eigen::Index>(j)) = paths.value(m, sol.t[j]);
                }
            }
        }
        return kept;
    }

    std::shared_ptr<const model::CompiledModel> m_model;
    model::SdeStart m_start;
    ode::SdeMethod m_method;
    ode::SolveOptions m_options;
    EnsembleOptions m_ensemble;
    std::vector<double> m_times;
};

} // namespace

EnsembleResult runEnsemble(std::shared_ptr<const model::CompiledModel> model,
                           const model::SdeStart& start,
                           const ode::SdeMethod& method,
                           const ode::SolveOptions& options,
                           const EnsembleOptions& ensemble) {
    const auto began = std::chrono::steady_clock::now();
    EnsembleResult result;
    if (ensemble.trajectories < 1) {
        result.status = SolveStatus::InvalidInput;
        result.message = "the number of trajectories must be at least 1";
        return result;
    }
    for (const double level : ensemble.quantiles) {
        if (!(level >= 0.0 && level <= 1.0)) {
            result.status = SolveStatus::InvalidInput;
            result.message = "a quantile level must lie in [0, 1]";
            return result;
        }
    }
    std::string error;
    if (!detail::ensembleSaveTimes(options, start.span, result.t, error)) {
        result.status = SolveStatus::InvalidInput;
        result.message = error;
        return result;
    }
    const Runner runner(model, start, method, options, ensemble, result.t);
    result.moments = Moments(model->stateCount(), static_cast<Eigen::Index>(result.t.size()));
    result.threads = detail::threadsFor(ensemble.threads);
    const auto states = static_cast<Eigen::Index>(model->stateCount());
    const auto times = static_cast<Eigen::Index>(result.t.size());
    std::vector<QuantileSketch> sketches(
        ensemble.quantiles.empty() ? 0 : static_cast<std::size_t>(states * times));
    long firstFailedIndex = -1;
    const bool finished = detail::runInBlocks<Block>(
        ensemble.trajectories, result.threads, ensemble.cancel,
        [&](long b, Block& out) { runner.solveBlock(b, out); },
        [&](long, Block& block) {
            result.moments.merge(block.moments);
            for (std::size_t c = 0; c < block.sketches.size(); ++c) {
                sketches[c].merge(block.sketches[c]);
            }
            result.failed += block.failed;
            if (block.failed > 0 && firstFailedIndex < 0) {
                firstFailedIndex = block.firstFailedIndex;
                result.firstFailure = "trajectory " + std::to_string(block.firstFailedIndex) + ": "
                                      + block.firstFailure;
            }
            detail::addStats(result.stats, block.stats);
            for (auto& kept : block.kept) {
                result.kept.push_back(std::move(kept));
            }
        });
    if (!finished) {
        result.status = SolveStatus::Cancelled;
        result.message = "cancelled from outside";
    }
    for (const double level : ensemble.quantiles) {
        Eigen::ArrayXXd& q = result.quantiles.emplace_back(states, times);
        for (Eigen::Index j = 0; j < times; ++j) {
            for (Eigen::Index i = 0; i < states; ++i) {
                q(i, j) = sketches[static_cast<std::size_t>(j * states + i)].quantile(level);
            }
        }
    }
    if (result.failed == ensemble.trajectories && result.status == SolveStatus::Success) {
        result.status = SolveStatus::InvalidInput;
        result.message = "every trajectory failed; the first: " + result.firstFailure;
    }
    result.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
    return result;
}

} // namespace dynfit::ensemble
