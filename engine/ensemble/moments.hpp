// SPDX-License-Identifier: MIT
// Streaming mean and variance per (state, save time) over trajectories: Welford's update within
// a block, Chan's pairwise merge between blocks. Merged in a fixed order, the result depends on
// the trajectories alone, not on how many threads computed the blocks.
#pragma once

#include <Eigen/Core>

namespace dynfit::ensemble {

class Moments {
  public:
    Moments() = default;
    Moments(Eigen::Index states, Eigen::Index times)
        : m_count(Eigen::ArrayXXd::Zero(states, times)), m_mean(m_count), m_m2(m_count) {}

    /// One trajectory's value of `state` at save time `time`.
    void add(Eigen::Index state, Eigen::Index time, double value) {
        double& n = m_count(state, time);
        double& mean = m_mean(state, time);
        n += 1;
        const double delta = value - mean;
        mean += delta / n;
        m_m2(state, time) += delta * (value - mean);
    }

    /// Everything `other` saw, merged in (Chan, Golub & LeVeque's pairwise formula).
    void merge(const Moments& other) {
        if (m_count.size() == 0) {
            *this = other;
            return;
        }
        for (Eigen::Index k = 0; k < m_count.size(); ++k) {
            const double na = m_count(k), nb = other.m_count(k);
            if (nb == 0) {
                continue;
            }
            const double n = na + nb;
            const double delta = other.m_mean(k) - m_mean(k);
            m_mean(k) += delta * nb / n;
            m_m2(k) += other.m_m2(k) + delta * delta * na * nb / n;
            m_count(k) = n;
        }
    }

    const Eigen::ArrayXXd& count() const { return m_count; }
    const Eigen::ArrayXXd& mean() const { return m_mean; }
    /// The unbiased sample variance (n − 1); 0 below two values.
    Eigen::ArrayXXd variance() const {
        return (m_count > 1).select(m_m2 / (m_count - 1).max(1.0), 0.0);
    }

  private:
    Eigen::ArrayXXd m_count, m_mean, m_m2;
};

} // namespace dynfit::ensemble
