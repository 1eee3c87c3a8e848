// SPDX-License-Identifier: MIT
// The Wiener processes of one trajectory as the SDE steps read them: a Brownian tree per process
// keyed by (seed, experiment, trajectory, process), giving each step's ΔW and the iterated
// integral I(1,0) = ∫_t^{t+h} (W_r − W_t) dr of the same path, with the values at the last
// accepted step's end kept so that each step costs one new query per process.
#pragma once

#include "noise/brownian_tree.hpp"
#include "problem/time_span.hpp"
#include "solvers/sde_steppers.hpp"

#include <vector>

namespace dynfit::ode {

/// Which trajectory's noise: the project's seed, the experiment and the trajectory number.
struct NoiseKey {
    std::uint64_t seed = 0;
    std::uint16_t experiment = 0;
    std::uint32_t trajectory = 0;
    double unit = 1.0; ///< the trees' unit of time (leaves are 2^−levels of it)
    int levels = noise::BrownianTree::kDefaultLevels;
};

/// What an SDE solve needs beyond SolveOptions: the path's key, and δ, the weight of the drift's
/// part of the error estimate (δ·E1 + E2).
struct SdeSettings {
    NoiseKey noise;
    double delta = 1.0 / 6.0;
};

class WienerPaths {
  public:
    WienerPaths(const NoiseKey& key, int processes, TimeSpan span) {
        for (int m = 0; m < processes; ++m) {
            const noise::PathKey path{key.seed, key.trajectory, key.experiment,
                                      static_cast<std::uint16_t>(m)};
            m_trees.emplace_back(path, span.t0, key.unit, key.levels);
        }
        m_atStart.assign(m_trees.size(), {});
        m_at = span.t0;
    }

    int processes() const { return static_cast<int>(m_trees.size()); }

    /// W_m(t).
    double value(int m, double t) { return m_trees[static_cast<std::size_t>(m)](t); }

    /// W_m(t) for every process.
    void values(double t, Eigen::VectorXd& out) {
        out.resize(processes());
        for (int m = 0; m < processes(); ++m) {
            out[m] = m_trees[static_cast<std::size_t>(m)](t);
        }
    }

    /// ΔW and I(1,0) over [t, t + h] per state: processOf[i] drives state i (−1: none).
    void increments(double t, double h, const std::vector<int>& processOf, StepNoise& out) {
        if (t != m_at) { // not where the last accepted step ended: query the start too
            fill(t, m_start);
        } else {
            m_start = m_atStart;
        }
        fill(t + h, m_end);
        const auto n = static_cast<Eigen::Index>(processOf.size());
        out.dW.resize(n);
        out.i10.resize(n);
        for (Eigen::Index i = 0; i < n; ++i) {
            const int process = processOf[static_cast<std::size_t>(i)];
            if (process < 0) { // a deterministic state
                out.dW[i] = out.i10[i] = 0.0;
                continue;
            }
            const auto& a = m_start[static_cast<std::size_t>(process)];
            const auto& b = m_end[static_cast<std::size_t>(process)];
            out.dW[i] = b.w - a.w;
            out.i10[i] = b.k - a.k - h * a.w;
        }
        m_tEnd = t + h;
    }

    /// The step just taken was accepted: its end is the next step's start.
    void accept() {
        m_at = m_tEnd;
        m_atStart = m_end;
    }

  private:
    void fill(double t, std::vector<noise::PathPoint>& points) {
        points.resize(m_trees.size());
        for (std::size_t m = 0; m < m_trees.size(); ++m) {
            points[m] = m_trees[m].at(t);
        }
    }

    std::vector<noise::BrownianTree> m_trees;
    double m_at = 0.0, m_tEnd = 0.0;
    std::vector<noise::PathPoint> m_atStart, m_start, m_end;
};

} // namespace dynfit::ode
