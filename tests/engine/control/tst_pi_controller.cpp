// SPDX-License-Identifier: MIT
// The PI controller: acceptance, growth limits, no growth right after a rejection.
#include "control/error_norm.hpp"
#include "control/pi_controller.hpp"

#include <QTest>

using namespace dynfit::ode;

class TestPiController : public QObject {
    Q_OBJECT
  private slots:
    void acceptsAtOrBelowOne() {
        QVERIFY(PiController::accepts(1.0));
        QVERIFY(PiController::accepts(0.0));
        QVERIFY(!PiController::accepts(1.0001));
        QVERIFY(!PiController::accepts(std::nan("")));
    }

    void factorsAreClamped() {
        PiController c(5);
        QCOMPARE(c.nextFactor(0.0), PiController::kQmax);
        PiController d(5);
        QCOMPARE(d.nextFactor(1e12), PiController::kQmin);
        PiController e(5);
        QCOMPARE(e.nextFactor(std::nan("")), PiController::kQmin);
    }

    void smallerErrorGivesLargerStep() {
        PiController a(5), b(5);
        QVERIFY(a.nextFactor(0.01) > b.nextFactor(0.5));
    }

    void noGrowthRightAfterRejection() {
        PiController c(5);
        QVERIFY(c.nextFactor(4.0) < 1.0);   // rejected
        QVERIFY(c.nextFactor(1e-6) <= 1.0); // accepted, but may not grow yet
        QVERIFY(c.nextFactor(1e-6) > 1.0);  // now it may
    }

    void errorNormIsScaledRms() {
        const Eigen::Vector2d err(1e-6, 3e-6);
        const Eigen::Vector2d u(1.0, 0.0), v(2.0, 0.0);
        const Tolerances tol{1e-3, 1e-6, nullptr};
        // scales: 1e-6 + 1e-3·2 and 1e-6.
        const double expected = std::sqrt(0.5 * (std::pow(1e-6 / (1e-6 + 2e-3), 2) + 9.0));
        QVERIFY(std::abs(errorNorm(err, u, v, tol) - expected) < 1e-12);
        const std::vector<double> perComponent{1.0, 1.0};
        const Tolerances loose{0.0, 0.0, &perComponent};
        QVERIFY(std::abs(errorNorm(err, u, v, loose) - std::sqrt(0.5 * (1e-12 + 9e-12))) < 1e-18);
    }
};

QTEST_GUILESS_MAIN(TestPiController)
#include "tst_pi_controller.moc"
