// SPDX-License-Identifier: MIT
// Moments with derivatives: the parameters in chunks of eight dual directions, each chunk one
// parallel pass over the same trajectories.
#include "ensemble/moment_gradients.hpp"

#include "ensemble/blocks.hpp"
#include "model/model_rhs.hpp"

#include <chrono>

namespace dynfit::ensemble {

namespace {

constexpr int kChunk = 8;
using ChunkDual = Dual<double, kChunk>;
using DualVector = model::Vector<ChunkDual>;

struct DualBlock {
    BasicMoments<ChunkDual> moments;
    long firstFailedIndex = -1;
    SolveStatus failure = SolveStatus::Success;
    std::string firstFailure;
    SolveStats stats;
};

// p with directions first … first + 7 seeded, and u0(p) through the model's initial program.
void seedChunk(const model::CompiledModel& m,
               const MomentStart& start,
               int first,
               DualVector& p,
               DualVector& u0) {
    const int np = m.paramCount();
    p.resize(np);
    for (int k = 0; k < np; ++k) {
        p[k] = ChunkDual(start.params[static_cast<std::size_t>(k)]);
        if (k >= first && k < first + kChunk) {
            p[k].d[static_cast<std::size_t>(k - first)] = 1.0;
        }
    }
    u0.resize(m.stateCount());
    model::ProgramEvaluator<ChunkDual> init(m.initial);
    init(nullptr, p.data(), nullptr, 0.0, u0.data());
    for (const auto& [state, value] : start.initialValues) {
        u0[state] = ChunkDual(value);
    }
}

class ChunkRunner {
  public:
    ChunkRunner(std::shared_ptr<const model::CompiledModel> model,
                const MomentStart& start,
                int first,
                const ode::SdeMethod& method,
                const ode::SolveOptions& options,
                const EnsembleOptions& ensemble)
        : m_model(std::move(model)), m_span(start.span), m_method(method), m_options(options),
          m_ensemble(ensemble) {
        seedChunk(*m_model, start, first, m_p, m_u0);
    }

    void solveBlock(long block, DualBlock& out) const {
        out = DualBlock{};
        out.moments = BasicMoments<ChunkDual>(m_model->stateCount(),
                                              static_cast<Eigen::Index>(m_options.saveat.size()));
        const auto [first, last] = detail::blockRange(block, m_ensemble.trajectories);
        for (long k = first; k < last; ++k) {
            ode::SdeSettings run;
            run.noise.seed = m_ensemble.seed;
            run.noise.experiment = m_ensemble.experiment;
            run.noise.trajectory = static_cast<std::uint32_t>(k);
            run.delta = m_ensemble.delta;
            const auto sol =
                model::solveModelSde(m_model, m_u0, m_span, m_p, m_method, m_options, run);
            detail::addStats(out.stats, sol.stats);
            if (!sol.ok() || sol.u.size() != m_options.saveat.size()) {
                if (out.firstFailedIndex < 0) {
                    out.firstFailedIndex = k;
                    out.failure = sol.ok() ? SolveStatus::InvalidInput : sol.status;
                    out.firstFailure = sol.message;
                }
                continue;
            }
            for (std::size_t j = 0; j < sol.u.size(); ++j) {
                for (Eigen::Index i = 0; i < sol.u[j].size(); ++i) {
                    out.moments.add(i, static_cast<Eigen::Index>(j), sol.u[j][i]);
                }
            }
        }
    }

  private:
    std::shared_ptr<const model::CompiledModel> m_model;
    ode::TimeSpan m_span;
    ode::SdeMethod m_method;
    ode::SolveOptions m_options;
    EnsembleOptions m_ensemble;
    DualVector m_p, m_u0;
};

// Directions first … of the chunk's moments into the result's derivative arrays.
void takeDerivatives(const BasicMoments<ChunkDual>& moments, int first, MomentGradients& out) {
    const auto states = out.mean.rows(), times = out.mean.cols();
    for (int d = 0; d < kChunk && first + d < static_cast<int>(out.dMean.size()); ++d) {
        auto& dMean = out.dMean[static_cast<std::size_t>(first + d)];
        auto& dVariance = out.dVariance[static_cast<std::size_t>(first + d)];
        for (Eigen::Index j = 0; j < times; ++j) {
            for (Eigen::Index i = 0; i < states; ++i) {
                dMean(i, j) = moments.meanAt(i, j).d[static_cast<std::size_t>(d)];
                dVariance(i, j) = moments.varianceAt(i, j).d[static_cast<std::size_t>(d)];
            }
        }
    }
}

} // namespace

MomentGradients ensembleMomentGradients(std::shared_ptr<const model::CompiledModel> model,
                                        const MomentStart& start,
                                        const ode::SdeMethod& method,
                                        const ode::SolveOptions& options,
                                        const EnsembleOptions& ensemble) {
    const auto began = std::chrono::steady_clock::now();
    MomentGradients out;
    if (ensemble.trajectories < 2) {
        out.status = SolveStatus::InvalidInput;
        out.message = "a variance needs at least 2 trajectories";
        return out;
    }
    if (!detail::ensembleSaveTimes(options, start.span, out.t, out.message)) {
        out.status = SolveStatus::InvalidInput;
        return out;
    }
    const ode::SolveOptions solve = detail::trajectoryOptions(options, out.t, ensemble.cancel);
    const int np = model->paramCount();
    const auto states = static_cast<Eigen::Index>(model->stateCount());
    const auto times = static_cast<Eigen::Index>(out.t.size());
    out.dMean.assign(static_cast<std::size_t>(np), Eigen::ArrayXXd::Zero(states, times));
    out.dVariance = out.dMean;
    const int threads = detail::threadsFor(ensemble.threads);
    for (int first = 0; first < std::max(np, 1); first += kChunk) {
        const ChunkRunner runner(model, start, first, method, solve, ensemble);
        BasicMoments<ChunkDual> moments(states, times);
        long failedIndex = -1;
        const bool finished = detail::runInBlocks<DualBlock>(
            ensemble.trajectories, threads, ensemble.cancel,
            [&](long b, DualBlock& block) { runner.solveBlock(b, block); },
            [&](long, DualBlock& block) {
                moments.merge(block.moments);
                if (block.firstFailedIndex >= 0 && failedIndex < 0) {
                    failedIndex = block.firstFailedIndex;
                    out.status = block.failure;
                    out.message =
                        "trajectory " + std::to_string(failedIndex) + ": " + block.firstFailure;
                }
                if (first == 0) {
                    detail::addStats(out.stats, block.stats);
                }
            });
        if (!finished) {
            out.status = SolveStatus::Cancelled;
            out.message = "cancelled from outside";
        }
        if (!out.ok()) {
            return out;
        }
        if (first == 0) {
            out.mean = moments.mean();
            out.variance = moments.variance();
        }
        takeDerivatives(moments, first, out);
    }
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
    return out;
}

} // namespace dynfit::ensemble
