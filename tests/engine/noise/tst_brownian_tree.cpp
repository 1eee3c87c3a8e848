// SPDX-License-Identifier: MIT
// The Brownian tree: a pure function of (key, t) — the same numbers in any query order and
// after any other queries — with the law of Brownian motion: W(t0) = 0, Var W(t) = t − t0,
// independent increments (also between points that are not dyadic, through the leaf bridge),
// quadratic variation t1 − t0; different trajectories and processes independent. Its time
// integral K(t) = ∫W is the integral of that path (against a fine trapezoid of W), and the
// space-time Lévy area of any interval has variance h/12, uncorrelated with ΔW.
#include "noise/brownian_tree.hpp"

#include <QTest>
#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

using namespace dynfit;

namespace {

noise::PathKey keyOf(std::uint32_t trajectory, std::uint16_t process = 0) {
    return {20261207u, trajectory, 3, process};
}

// Mean and variance of W(s) over `count` trajectories.
std::pair<double, double> momentsAt(double s, int count, double t0 = 0.0) {
    double sum = 0.0, sumSq = 0.0;
    for (int k = 0; k < count; ++k) {
        noise::BrownianTree w(keyOf(static_cast<std::uint32_t>(k)), t0);
        const double x = w(s);
        sum += x;
        sumSq += x * x;
    }
    const double mean = sum / count;
    return {mean, sumSq / count - mean * mean};
}

} // namespace

class TestBrownianTree : public QObject {
    Q_OBJECT

  private slots:
    void startsAtZero() {
        noise::BrownianTree w(keyOf(1), 0.5);
        QCOMPARE(w(0.5), 0.0);
        QVERIFY(w(3.0) != 0.0);
    }

    // Queried in shuffled order, after unrelated queries, or by a fresh tree: bit-identical.
    void pureFunctionOfTime() {
        std::vector<double> times;
        for (int k = 1; k <= 400; ++k) {
            times.push_back(0.0073 * k + 0.001 * std::sin(k)); // not dyadic
        }
        noise::BrownianTree inOrder(keyOf(7), 0.0);
        std::vector<double> reference;
        for (const double t : times) {
            reference.push_back(inOrder(t));
        }
        std::vector<std::size_t> order(times.size());
        std::iota(order.begin(), order.end(), 0);
        std::shuffle(order.begin(), order.end(), std::mt19937(5));
        noise::BrownianTree shuffled(keyOf(7), 0.0);
        for (const std::size_t i : order) {
            shuffled(1.2345); // something else in between
            QCOMPARE(shuffled(times[i]), reference[i]);
        }
    }

    void varianceIsElapsedTime_data() {
        QTest::addColumn<double>("s");
        QTest::newRow("dyadic 1") << 1.0;
        QTest::newRow("dyadic 0.25") << 0.25;
        QTest::newRow("not dyadic 0.3") << 0.3;
        QTest::newRow("not dyadic 1.7") << 1.7;
        QTest::newRow("the end 2") << 2.0;
    }

    // Over 20000 trajectories: mean within 5 standard errors of 0, variance within 5 of s.
    void varianceIsElapsedTime() {
        QFETCH(double, s);
        const int count = 20000;
        const auto [mean, variance] = momentsAt(s, count);
        QVERIFY2(std::abs(mean) < 5 * std::sqrt(s / count), qPrintable(QString::number(mean)));
        QVERIFY2(std::abs(variance - s) < 5 * s * std::sqrt(2.0 / count),
                 qPrintable(QString("Var W(%1) = %2").arg(s).arg(variance)));
    }

    // Increments over adjacent non-dyadic intervals: variances h and uncorrelated — also
    // closer together than the tree's leaves are wide at shallow depth.
    void incrementsAreIndependent_data() {
        QTest::addColumn<int>("levels");
        QTest::newRow("default depth") << noise::BrownianTree::kDefaultLevels;
        QTest::newRow("shallow (leaf bridges)") << 4;
    }

    void incrementsAreIndependent() {
        QFETCH(int, levels);
        const int count = 20000;
        const double a = 0.31, b = 0.47, c = 0.52;
        double s1 = 0, s2 = 0, s12 = 0;
        for (int k = 0; k < count; ++k) {
            noise::BrownianTree w(keyOf(static_cast<std::uint32_t>(k)), 0.0, 1.0, levels);
            const double d1 = w(b) - w(a), d2 = w(c) - w(b);
            s1 += d1 * d1;
            s2 += d2 * d2;
            s12 += d1 * d2;
        }
        const double v1 = s1 / count, v2 = s2 / count, cov = s12 / count;
        QVERIFY2(std::abs(v1 - (b - a)) < 5 * (b - a) * std::sqrt(2.0 / count),
                 qPrintable(QString::number(v1)));
        QVERIFY2(std::abs(v2 - (c - b)) < 5 * (c - b) * std::sqrt(2.0 / count),
                 qPrintable(QString::number(v2)));
        QVERIFY2(std::abs(cov) < 5 * std::sqrt((b - a) * (c - b) / count),
                 qPrintable(QString::number(cov)));
    }

    // Σ (ΔW)² over 2^14 steps of one path: t1 − t0 within a few percent.
    void quadraticVariation() {
        noise::BrownianTree w(keyOf(11), 0.0);
        const int steps = 1 << 14;
        double sum = 0.0, previous = 0.0;
        for (int k = 1; k <= steps; ++k) {
            const double now = w(2.0 * k / steps);
            sum += (now - previous) * (now - previous);
            previous = now;
        }
        QVERIFY2(std::abs(sum - 2.0) < 5 * 2.0 * std::sqrt(2.0 / steps),
                 qPrintable(QString::number(sum)));
    }

    // Other trajectories, processes and experiments are other paths.
    void keysSeparatePaths() {
        const int count = 4000;
        const noise::PathKey variants[] = {keyOf(0, 1), {20261207u, 0, 4, 0}, {20261208u, 0, 3, 0}};
        for (const auto& other : variants) {
            double s = 0.0;
            for (int k = 0; k < count; ++k) {
                noise::PathKey a = keyOf(static_cast<std::uint32_t>(k));
                noise::PathKey b = other;
                b.trajectory = static_cast<std::uint32_t>(k);
                s += noise::BrownianTree(a, 0)(1.0) * noise::BrownianTree(b, 0)(1.0);
            }
            QVERIFY2(std::abs(s / count) < 5 / std::sqrt(count), qPrintable(QString::number(s)));
        }
    }

    // K is the integral of the path's own W: a trapezoid over 2^16 points of [0.3, 1.1]
    // (dyadic and not) agrees with K(1.1) − K(0.3) to its own accuracy (~h^1.5).
    // (At the default depth: inside one leaf, points are drawn one by one from its bridge and
    // are not a path, so a trapezoid through them would not integrate to K.)
    void integralIsThePathsOwn() {
        for (std::uint32_t k = 0; k < 5; ++k) {
            noise::BrownianTree w(keyOf(k), 0.0);
            const double a = 0.3, b = 1.1;
            const int steps = 1 << 16;
            double trapezoid = 0.0;
            for (int j = 0; j <= steps; ++j) {
                const double weight = (j == 0 || j == steps) ? 0.5 : 1.0;
                trapezoid += weight * w(a + (b - a) * j / steps) * (b - a) / steps;
            }
            const double fromTree = w.at(b).k - w.at(a).k;
            QVERIFY2(std::abs(fromTree - trapezoid) < 2e-5,
                     qPrintable(QString("K: %1, trapezoid %2").arg(fromTree).arg(trapezoid)));
        }
    }

    // H = (1/h)∫_s^u (W − W_s) − ΔW/2 over a non-dyadic interval: mean 0, variance h/12,
    // uncorrelated with ΔW — at the default depth and in a leaf.
    void levyAreaLaw_data() {
        QTest::addColumn<int>("levels");
        QTest::newRow("default depth") << noise::BrownianTree::kDefaultLevels;
        QTest::newRow("shallow (leaf bridges)") << 6;
    }

    void levyAreaLaw() {
        QFETCH(int, levels);
        const int count = 20000;
        const double s = 0.37, u = 0.61, h = u - s;
        double sumH = 0, sumH2 = 0, sumHW = 0;
        for (int k = 0; k < count; ++k) {
            noise::BrownianTree w(keyOf(static_cast<std::uint32_t>(k)), 0.0, 1.0, levels);
            const auto p = w.at(s), q = w.at(u);
            const double dw = q.w - p.w;
            const double area = (q.k - p.k - h * p.w) / h - 0.5 * dw;
            sumH += area;
            sumH2 += area * area;
            sumHW += area * dw;
        }
        const double var = sumH2 / count;
        QVERIFY2(std::abs(sumH / count) < 5 * std::sqrt(h / 12 / count),
                 qPrintable(QString::number(sumH / count)));
        QVERIFY2(std::abs(var - h / 12) < 5 * (h / 12) * std::sqrt(2.0 / count),
                 qPrintable(QString("Var H = %1, not %2").arg(var).arg(h / 12)));
        QVERIFY2(std::abs(sumHW / count) < 5 * std::sqrt(h * h / 12 / count),
                 qPrintable(QString::number(sumHW / count)));
    }
};

QTEST_APPLESS_MAIN(TestBrownianTree)
#include "tst_brownian_tree.moc"
