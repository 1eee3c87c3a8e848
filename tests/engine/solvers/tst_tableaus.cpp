// SPDX-License-Identifier: MIT
// Every registered tableau: consistency, Butcher order conditions, and its interpolant's order.
#include "support/method_rows.hpp"
#include "support/order_conditions.hpp"

#include <QTest>

using namespace dynfit;

namespace {

template<class Array>
std::vector<double> toVector(const Array& a) {
    return std::vector<double>(a.begin(), a.end());
}

template<class Matrix>
std::vector<std::vector<double>> toMatrix(const Matrix& a) {
    std::vector<std::vector<double>> m;
    for (const auto& row : a) {
        m.push_back(toVector(row));
    }
    return m;
}

template<class T>
std::vector<double> embeddedWeights() {
    std::vector<double> bhat;
    for (int i = 0; i < T::stages; ++i) {
        bhat.push_back(T::b[i] - T::bErr[i]);
    }
    return bhat;
}

} // namespace

class TestTableaus : public QObject {
    Q_OBJECT
  private slots:
    void treeCounts() {
        // OEIS A000081: 1, 1, 2, 4, 9, 20, 48, 115 rooted trees of orders 1…8.
        const auto trees = test::rootedTrees(8);
        std::vector<int> counts(9, 0);
        for (const auto& t : trees) {
            ++counts[static_cast<std::size_t>(t.order)];
        }
        QCOMPARE(counts, (std::vector<int>{0, 1, 1, 2, 4, 9, 20, 48, 115}));
    }

    void orderConditions_data() { test::addMethodRows(); }
    void orderConditions() {
        test::withRowMethod([](auto tag) {
            using T = decltype(tag);
            QVERIFY(ode::isConsistent<T>(1e-13));
            const auto trees = test::rootedTrees(T::order + 1);
            const auto phi = test::elementaryWeights(trees, toMatrix(T::a));
            const auto b = toVector(T::b);
            QVERIFY2(test::maxOrderResidual(trees, phi, b, T::order) < 1e-12,
                     "b violates an order condition up to the claimed order");
            // The order is not higher than claimed (a wrong claim would hide a weaker test).
            QVERIFY(test::maxOrderResidual(trees, phi, b, T::order + 1) > 1e-8);
            if constexpr (T::errorOrder > 0) {
                const auto bhat = embeddedWeights<T>();
                QVERIFY(test::maxOrderResidual(trees, phi, bhat, T::errorOrder) < 1e-12);
                QVERIFY(test::maxOrderResidual(trees, phi, bhat, T::errorOrder + 1) > 1e-8);
            }
        });
    }

    void interpolantEndpoints_data() {
        test::addMethodRows([](const ode::MethodInfo& m) { return m.ownInterpolant; });
    }
    void interpolantEndpoints() {
        test::withRowMethod([](auto tag) {
            using T = decltype(tag);
            if constexpr (T::interpolant == ode::InterpolantKind::Weights) {
                std::array<double, T::interpStages> w{};
                ode::interpolationWeights<T>(0.0, w);
                for (double x : w) {
                    QCOMPARE(x + 1.0, 1.0);
                }
                ode::interpolationWeights<T>(1.0, w);
                for (int i = 0; i < T::interpStages; ++i) {
                    const double expected = i < T::stages ? T::b[i] : 0.0;
                    // Vern7's weights are polynomials with coefficients up to ~1e3: 1e-13
                    // round-off.
                    QVERIFY(std::abs(w[i] - expected) < 1e-12);
                }
            }
        });
    }

    // Σ w_i(θ) Φ_i(t) = θ^|t| / γ(t) for all trees up to the interpolant's order.
    void interpolantOrderConditions_data() {
        test::addMethodRows([](const ode::MethodInfo& m) { return m.ownInterpolant; });
    }
    void interpolantOrderConditions() {
        test::withRowMethod([](auto tag) {
            using T = decltype(tag);
            if constexpr (T::interpolant == ode::InterpolantKind::Weights) {
                QVERIFY(std::abs(detail_rowSumError<T>()) < 1e-13);
                const auto trees = test::rootedTrees(T::denseOrder + 1);
                const auto phi = test::elementaryWeights(trees, toMatrix(T::aFull));
                for (double theta : {0.2, 0.5, 0.77}) {
                    std::array<double, T::interpStages> w{};
                    ode::interpolationWeights<T>(theta, w);
                    const auto wv = toVector(w);
                    QVERIFY(test::maxOrderResidual(trees, phi, wv, T::denseOrder, theta) < 1e-12);
                    QVERIFY(test::maxOrderResidual(trees, phi, wv, T::denseOrder + 1, theta)
                            > 1e-8);
                }
            }
        });
    }

  private:
    template<class T>
    static double detail_rowSumError() {
        double worst = 0;
        for (int i = 0; i < T::interpStages; ++i) {
            double row = 0;
            for (int j = 0; j < i; ++j) {
                row += T::aFull[i][j];
            }
            worst = std::max(worst, std::abs(row - T::cFull[i]));
            if (i < T::stages) {
                worst = std::max(worst, std::abs(T::cFull[i] - T::c[i]));
            }
        }
        return worst;
    }
};

QTEST_GUILESS_MAIN(TestTableaus)
#include "tst_tableaus.moc"
