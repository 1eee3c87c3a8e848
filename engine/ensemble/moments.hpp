// SPDX-License-Identifier: MIT
// Streaming mean and variance per (state, save time) over trajectories: Welford's update within
// a block, Chan's pairwise merge between blocks. Merged in a fixed order, the result depends on
// the trajectories alone, not on how many threads computed the blocks. Any scalar: with dual
// numbers the same arithmetic carries the exact derivatives of the mean and the variance.
#pragma once

#include "core/scalar_traits.hpp"

#include <Eigen/Core>
#include <vector>

namespace dynfit::ensemble {

template<class S>
class BasicMoments {
  public:
    BasicMoments() = default;
    BasicMoments(Eigen::Index states, Eigen::Index times)
        : m_states(states), m_times(times), m_count(cells(), 0.0), m_mean(cells(), S(0.0)),
          m_m2(cells(), S(0.0)) {}

    /// One trajectory's value of `state` at save time `time`.
    void add(Eigen::Index state, Eigen::Index time, const S& value) {
        const std::size_t k = cell(state, time);
        const double n = m_count[k] += 1.0;
        const S delta = value - m_mean[k];
        m_mean[k] += delta / n;
        m_m2[k] += delta * (value - m_mean[k]);
    }

    /// Everything `other` saw, merged in (Chan, Golub & LeVeque's pairwise formula).
    void merge(const BasicMoments& other) {
        if (m_count.empty()) {
            *this = other;
            return;
        }
        for (std::size_t k = 0; k < m_count.size(); ++k) {
            const double na = m_count[k], nb = other.m_count[k];
            if (nb == 0) {
                continue;
            }
            const double n = na + nb;
            const S delta = other.m_mean[k] - m_mean[k];
            m_mean[k] += delta * (nb / n);
            m_m2[k] += other.m_m2[k] + delta * delta * (na * nb / n);
            m_count[k] = n;
        }
    }

    double countAt(Eigen::Index state, Eigen::Index time) const {
        return m_count[cell(state, time)];
    }
    const S& meanAt(Eigen::Index state, Eigen::Index time) const {
        return m_mean[cell(state, time)];
    }
    /// The unbiased sample variance (n − 1); 0 below two values.
    S varianceAt(Eigen::Index state, Eigen::Index time) const {
        const std::size_t k = cell(state, time);
        return m_count[k] > 1 ? m_m2[k] / (m_count[k] - 1.0) : S(0.0);
    }

    /// The primal values as states × times arrays.
    Eigen::ArrayXXd count() const {
        return table([&](Eigen::Index i, Eigen::Index j) { return countAt(i, j); });
    }
    Eigen::ArrayXXd mean() const {
        return table([&](Eigen::Index i, Eigen::Index j) { return primal(meanAt(i, j)); });
    }
    Eigen::ArrayXXd variance() const {
        return table([&](Eigen::Index i, Eigen::Index j) { return primal(varianceAt(i, j)); });
    }

  private:
    std::size_t cells() const { return static_cast<std::size_t>(m_states * m_times); }
    std::size_t cell(Eigen::Index state, Eigen::Index time) const {
        return static_cast<std::size_t>(time * m_states + state);
    }
    template<class Of>
    Eigen::ArrayXXd table(Of of) const {
        Eigen::ArrayXXd out(m_states, m_times);
        for (Eigen::Index j = 0; j < m_times; ++j) {
            for (Eigen::Index i = 0; i < m_states; ++i) {
                out(i, j) = of(i, j);
            }
        }
        return out;
    }

    Eigen::Index m_states = 0, m_times = 0;
    std::vector<double> m_count;
    std::vector<S> m_mean, m_m2;
};

using Moments = BasicMoments<double>;

} // namespace dynfit::ensemble
