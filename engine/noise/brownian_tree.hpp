// SPDX-License-Identifier: MIT
// Wiener paths as pure functions of (key, t): a Brownian bridge refined on a dyadic tree whose
// node values come from the counter-based generator Philox4x32-10 (Random123) with the node's
// index as the counter. Whatever the order or the number of queries — a rejected step, another
// step sequence, another thread, the backward pass — W(t) is the same number. The tree carries
// the path's time integral K(t) = ∫ W dr too (equivalently each interval's space-time Lévy
// area H), bridged jointly with W, so that the strong order 1.5 methods read the iterated
// integral I(1,0) = ∫_s^t (W_r − W_s) dr of the very path they are driven by.
#pragma once

#include <Random123/philox.h>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

namespace dynfit::noise {

/// Which path: the project's seed, then one Wiener process of one trajectory of one experiment
/// (experiments below 2^14: the counter's last word also carries a flag).
struct PathKey {
    std::uint64_t seed = 0;
    std::uint32_t trajectory = 0;
    std::uint16_t experiment = 0;
    std::uint16_t process = 0;
};

/// Two independent standard normals from Philox4x32-10 at counter (word, stream, tag):
/// Box–Muller on two 53-bit uniforms in (0, 1).
inline std::array<double, 2>
philoxNormals(const PathKey& key, std::uint64_t word, std::uint32_t tag) {
    using Philox = r123::Philox4x32;
    const Philox::key_type k = {
        {static_cast<std::uint32_t>(key.seed), static_cast<std::uint32_t>(key.seed >> 32)}};
    const Philox::ctr_type c = {
        {static_cast<std::uint32_t>(word), static_cast<std::uint32_t>(word >> 32), key.trajectory,
         tag ^ ((std::uint32_t{key.experiment} & 0x3fffu) << 16) ^ key.process}};
    const Philox::ctr_type r = Philox()(c, k);
    const auto uniform = [](std::uint32_t hi, std::uint32_t lo) {
        const std::uint64_t bits = ((std::uint64_t{hi} << 32) | lo) >> 11; // 53 bits
        return (static_cast<double>(bits) + 0.5) * 0x1p-53;
    };
    const double radius = std::sqrt(-2.0 * std::log(uniform(r.v[0], r.v[1])));
    const double angle = 6.283185307179586 * uniform(r.v[2], r.v[3]);
    return {radius * std::cos(angle), radius * std::sin(angle)};
}

/// W and its time integral K(t) = ∫_{t0}^t W_r dr at one time.
struct PathPoint {
    double w = 0.0;
    double k = 0.0;
};

/// W on [t0, ∞) with W(t0) = 0, independent of where a solve ends: time is cut into units
/// [t0 + jL, t0 + (j+1)L] (L = `unit`); (W, K) at the units' ends is a random walk whose steps
/// draw each unit's increment and space-time Lévy area H = (1/L)∫(W_r − W_a) dr − ΔW/2
/// (independent, variances L and L/12); inside a unit, each interval's midpoint comes from the
/// pair's conditional law given the parent's (W, H), `levels` deep; below that, (W, K) at t itself
/// is drawn from the leaf's bridge conditioned the same way, with normals keyed by t's bits.
/// Points in different leaves are jointly exact; only two points closer than a leaf (2^−levels
/// units) are not. The path down to the last query is cached.
class BrownianTree {
  public:
    static constexpr int kDefaultLevels = 24; // leaves of 6e-8 units: far below any step taken
    static constexpr int kMaxLevels =
        40; // node indices (< 2^42) share a counter word with the unit

    BrownianTree() = default;
    BrownianTree(PathKey key, double t0, double unit = 1.0, int levels = kDefaultLevels)
        : m_key(key), m_t0(t0), m_unit(unit > 0 ? unit : 1.0),
          m_levels(levels < 1 ? 1 : (levels > kMaxLevels ? kMaxLevels : levels)) {
        m_ends.push_back({0.0, 0.0});
        enterUnit(0);
    }

    double start() const { return m_t0; }

    /// W(t); t before t0 reads W(t0) = 0.
    double operator()(double t) { return at(t).w; }

    /// W(t) and K(t) = ∫_{t0}^t W_r dr.
    PathPoint at(double t) {
        if (t <= m_t0) {
            return {0.0, 0.0};
        }
        const double units = (t - m_t0) / m_unit;
        auto j = static_cast<std::uint64_t>(units);
        if (static_cast<double>(j) == units && j > 0) {
            --j; // a unit's end is read from the unit it ends
        }
        if (j != m_unitIndex) {
            enterUnit(j);
        }
        const Node& root = m_path[0];
        if (t >= root.b) {
            return {root.wb, root.kb};
        }
        int level = m_cached;
        while (level > 0 && !(m_path[level].a <= t && t <= m_path[level].b)) {
            --level;
        }
        for (; level < m_levels; ++level) {
            const Node& n = m_path[level];
            if (t == n.a) {
                m_cached = level;
                return {n.wa, n.ka};
            }
            if (t == n.b) {
                m_cached = level;
                return {n.wb, n.kb};
            }
            const Node left = leftHalf(n);
            const double mid = left.b;
            m_path[level + 1] =
                t < mid ? left : Node{mid, n.b, left.wb, n.wb, left.kb, n.kb, 2 * n.node + 1};
        }
        m_cached = m_levels;
        return leafPoint(m_path[m_levels], t);
    }

  private:
    struct Node {
        double a = 0.0, b = 0.0;   // the interval
        double wa = 0.0, wb = 0.0; // W at its ends
        double ka = 0.0, kb = 0.0; // K at its ends
        std::uint64_t node = 1;    // its index: root 1, children 2k and 2k + 1
    };

    // The interval's increment and space-time Lévy area.
    static void increments(const Node& n, double& w, double& area) {
        const double h = n.b - n.a;
        w = n.wb - n.wa;
        area = (n.kb - n.ka) / h - n.wa - 0.5 * w;
    }

    // The left half of n. With a = (W1 − W2)/2 and c = H1 + H2 the constraints leave
    // a + c = 2H; so a | H ~ N(1.5 H, h/16), c = 2H − a, and b = H1 − H2 ~ N(0, h/12) apart.
    Node leftHalf(const Node& n) const {
        const double h = n.b - n.a;
        double w = 0.0, area = 0.0;
        increments(n, w, area);
        const auto z = philoxNormals(m_key, (m_unitIndex << 42) | n.node, 0);
        const double a = 1.5 * area + 0.25 * std::sqrt(h) * z[0];
        const double c = 2.0 * area - a;
        const double b = std::sqrt(h / 12.0) * z[1];
        const double w1 = 0.5 * w + a, h1 = 0.5 * (c + b);
        const double mid = n.a + 0.5 * h;
        const double wm = n.wa + w1;
        const double km = n.ka + 0.5 * h * (n.wa + 0.5 * w1 + h1);
        return {n.a, mid, n.wa, wm, n.ka, km, 2 * n.node};
    }

    // (W, K) at t inside a leaf: x = (W1, W2, H1, H2) on [a, t] and [t, b], independent
    // N(0, D) a priori, conditioned on W1 + W2 = W and h1(H1 + W1/2) + h2(W1 + H2 + W2/2) =
    // h(H + W/2) by the Gaussian correction x = x0 + D Aᵀ (A D Aᵀ)⁻¹ (y − A x0).
    PathPoint leafPoint(const Node& n, double t) const {
        if (t == n.a) {
            return {n.wa, n.ka};
        }
        if (t == n.b) {
            return {n.wb, n.kb};
        }
        const double h = n.b - n.a, h1 = t - n.a, h2 = n.b - t;
        double w = 0.0, area = 0.0;
        increments(n, w, area);
        std::uint64_t bits = 0;
        std::memcpy(&bits, &t, sizeof bits);
        const auto z1 = philoxNormals(m_key, bits, 0x40000000u);
        const auto z2 = philoxNormals(m_key, bits, 0x80000000u);
        const double d[4] = {h1, h2, h1 / 12.0, h2 / 12.0};
        const double x0[4] = {std::sqrt(d[0]) * z1[0], std::sqrt(d[1]) * z1[1],
                              std::sqrt(d[2]) * z2[0], std::sqrt(d[3]) * z2[1]};
        const double rows[2][4] = {{1.0, 1.0, 0.0, 0.0}, {0.5 * h1 + h2, 0.5 * h2, h1, h2}};
        const double y[2] = {w, h * (area + 0.5 * w)};
        double m[2][2] = {{0, 0}, {0, 0}}, r[2] = {y[0], y[1]};
        for (int i = 0; i < 2; ++i) {
            for (int k = 0; k < 4; ++k) {
                r[i] -= rows[i][k] * x0[k];
                for (int j = 0; j < 2; ++j) {
                    m[i][j] += rows[i][k] * d[k] * rows[j][k];
                }
            }
        }
        const double det = m[0][0] * m[1][1] - m[0][1] * m[1][0];
        const double s[2] = {(m[1][1] * r[0] - m[0][1] * r[1]) / det,
                             (m[0][0] * r[1] - m[1][0] * r[0]) / det};
        double x[4];
        for (int k = 0; k < 4; ++k) {
            x[k] = x0[k] + d[k] * (rows[0][k] * s[0] + rows[1][k] * s[1]);
        }
        return {n.wa + x[0], n.ka + h1 * (n.wa + 0.5 * x[0] + x[2])};
    }

    // Makes unit j's tree the cached one: its ends from the random walk (extended as needed).
    void enterUnit(std::uint64_t j) {
        while (m_ends.size() <= j + 1) {
            const std::uint64_t k = m_ends.size() - 1; // the unit whose end is next
            const auto z = philoxNormals(m_key, k, 0x20000000u);
            const double dw = std::sqrt(m_unit) * z[0];
            const double area = std::sqrt(m_unit / 12.0) * z[1];
            const PathPoint& a = m_ends.back();
            m_ends.push_back({a.w + dw, a.k + m_unit * (a.w + 0.5 * dw + area)});
        }
        const double a = m_t0 + static_cast<double>(j) * m_unit;
        const PathPoint& start = m_ends[j];
        const PathPoint& end = m_ends[j + 1];
        m_path[0] = {a, a + m_unit, start.w, end.w, start.k, end.k, 1};
        m_unitIndex = j;
        m_cached = 0;
    }

    PathKey m_key;
    double m_t0 = 0.0, m_unit = 1.0;
    int m_levels = kDefaultLevels;
    std::vector<PathPoint> m_ends; // (W, K) at t0 + jL
    std::uint64_t m_unitIndex = 0; // the unit m_path lies in
    std::array<Node, kMaxLevels + 1> m_path{};
    int m_cached = 0; // m_path[0..m_cached] hold the last query's path
};

} // namespace dynfit::noise
