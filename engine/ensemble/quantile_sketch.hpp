// SPDX-License-Identifier: MIT
// Quantiles of a stream in bounded memory: a KLL-style compactor sketch (Karnin, Lang & Liberty
// 2016). Level L holds values of weight 2^L; a level that outgrows its capacity is sorted and
// every other value (alternating offsets) moves up a level. Memory stays near capacity × log2(N /
// capacity) values; a quantile's rank error is a fraction of a percent at the default capacity.
// Every step is deterministic, and sketches merged in a fixed order give the same answer
// whatever computed them, which is what makes an ensemble's quantiles thread-count independent.
#pragma once

#include <algorithm>
#include <cstddef>
#include <limits>
#include <utility>
#include <vector>

namespace dynfit::ensemble {

class QuantileSketch {
  public:
    static constexpr int kDefaultCapacity = 256;

    explicit QuantileSketch(int capacity = kDefaultCapacity) : m_capacity(capacity) {}

    void add(double value) {
        level(0).push_back(value);
        ++m_count;
        compact();
    }

    /// Everything `other` saw, level by level.
    void merge(const QuantileSketch& other) {
        for (std::size_t l = 0; l < other.m_levels.size(); ++l) {
            auto& mine = level(l);
            mine.insert(mine.end(), other.m_levels[l].begin(), other.m_levels[l].end());
        }
        m_count += other.m_count;
        compact();
    }

    long count() const { return m_count; }

    /// The q-quantile (0 ≤ q ≤ 1) of what was added: the smallest retained value whose
    /// cumulative weight reaches q of the total; NaN when empty.
    double quantile(double q) const {
        std::vector<std::pair<double, double>> weighted; // (value, weight)
        double total = 0.0;
        for (std::size_t l = 0; l < m_levels.size(); ++l) {
            const double weight = static_cast<double>(1ULL << l);
            for (const double v : m_levels[l]) {
                weighted.emplace_back(v, weight);
                total += weight;
            }
        }
        if (weighted.empty()) {
            return std::numeric_limits<double>::quiet_NaN();
        }
        std::sort(weighted.begin(), weighted.end());
        const double target = std::clamp(q, 0.0, 1.0) * total;
        double cumulative = 0.0;
        for (const auto& [value, weight] : weighted) {
            cumulative += weight;
            if (cumulative >= target) {
                return value;
            }
        }
        return weighted.back().first;
    }

    /// Values held (memory), for tests.
    std::size_t retained() const {
        std::size_t n = 0;
        for (const auto& l : m_levels) {
            n += l.size();
        }
        return n;
    }

  private:
    std::vector<double>& level(std::size_t l) {
        if (m_levels.size() <= l) {
            m_levels.resize(l + 1);
            m_offsets.resize(l + 1, 0);
        }
        return m_levels[l];
    }

    // Halves every level above its capacity into the next, lowest first.
    void compact() {
        for (std::size_t l = 0; l < m_levels.size(); ++l) {
            auto& values = m_levels[l];
            if (values.size() <= static_cast<std::size_t>(m_capacity)) {
                continue;
            }
            std::sort(values.begin(), values.end());
            const std::size_t pairs = values.size() / 2;
            auto& up = level(l + 1); // may reallocate m_levels: index again below
            auto& here = m_levels[l];
            const unsigned offset = m_offsets[l];
            m_offsets[l] ^= 1U;
            for (std::size_t i = 0; i < pairs; ++i) {
                up.push_back(here[2 * i + offset]);
            }
            // An odd one out (the largest) stays at this level.
            if (here.size() % 2 == 1) {
                here = {here.back()};
            } else {
                here.clear();
            }
        }
    }

    int m_capacity;
    long m_count = 0;
    std::vector<std::vector<double>> m_levels;
    std::vector<unsigned> m_offsets;
};

} // namespace dynfit::ensemble
