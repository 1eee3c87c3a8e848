// SPDX-License-Identifier: MIT
// Butcher's order conditions over all rooted trees, for checking tableaus and interpolants.
#pragma once

#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

namespace dynfit::test {

/// A rooted tree as the (sorted) indices of its root's subtrees in a RootedTrees list.
struct RootedTree {
    std::vector<int> children;
    int order = 1;
    double density = 1; ///< γ(t)
};

/// All rooted trees up to `maxOrder` (1, 1, 2, 4, 9, 20, 48, 115 of orders 1…8), smallest first.
inline std::vector<RootedTree> rootedTrees(int maxOrder) {
    std::vector<RootedTree> trees{RootedTree{}};
    for (int n = 2; n <= maxOrder; ++n) {
        const std::size_t existing = trees.size();
        // Children: non-increasing sequences of tree indices whose orders sum to n − 1.
        std::vector<int> current;
        std::function<void(int, int)> extend = [&](int remaining, int maxIndex) {
            if (remaining == 0) {
                RootedTree t;
                t.children = current;
                t.order = n;
                t.density = n;
                for (int c : current) {
                    t.density *= trees[static_cast<std::size_t>(c)].density;
                }
                trees.push_back(t);
                return;
            }
            for (int i = maxIndex; i >= 0; --i) {
                if (trees[static_cast<std::size_t>(i)].order <= remaining) {
                    current.push_back(i);
                    extend(remaining - trees[static_cast<std::size_t>(i)].order, i);
                    current.pop_back();
                }
            }
        };
        extend(n - 1, static_cast<int>(existing) - 1);
    }
    return trees;
}

/// Φ_i(t) for every tree: the stage-wise elementary weights of an s-stage matrix A (row-major).
inline std::vector<std::vector<double>>
elementaryWeights(const std::vector<RootedTree>& trees, const std::vector<std::vector<double>>& a) {
    const std::size_t s = a.size();
    std::vector<std::vector<double>> phi;
    for (const RootedTree& t : trees) {
        std::vector<double> g(s, 1.0);
        for (int c : t.children) {
            const auto& sub = phi[static_cast<std::size_t>(c)];
            for (std::size_t i = 0; i < s; ++i) {
                double ag = 0;
                for (std::size_t j = 0; j < s; ++j) {
                    ag += a[i][j] * sub[j];
                }
                g[i] *= ag;
            }
        }
        phi.push_back(g);
    }
    return phi;
}

/// The largest |Σ_i w_i Φ_i(t) − θ^|t|/γ(t)| over trees of order ≤ maxOrder (θ = 1 for b).
inline double maxOrderResidual(const std::vector<RootedTree>& trees,
                               const std::vector<std::vector<double>>& phi,
                               const std::vector<double>& w,
                               int maxOrder,
                               double theta = 1.0) {
    double worst = 0;
    for (std::size_t k = 0; k < trees.size(); ++k) {
        if (trees[k].order > maxOrder) {
            continue;
        }
        double sum = 0;
        for (std::size_t i = 0; i < w.size(); ++i) {
            sum += w[i] * phi[k][i];
        }
        worst = std::max(worst, std::abs(sum - std::pow(theta, trees[k].order) / trees[k].density));
    }
    return worst;
}

} // namespace dynfit::test
