// SPDX-License-Identifier: MIT
// The stochastic Runge–Kutta tableaus against the strong order 1.5 conditions of their classes
// (Rößler 2010, SIAM J. Numer. Anal. 48(3), Theorems 6.2 and 6.3: 25 for SRI with diagonal or
// scalar Itô noise, 8 for SRA with additive noise), and c0 = A0·1, c1 = A1·1 where the class
// asks it. A wrong digit in a coefficient fails a condition.
#include "solvers/tableaus/sde_tableaus.hpp"

#include <Eigen/Dense>
#include <QTest>
#include <cmath>

using namespace dynfit;
using Mat = Eigen::MatrixXd;
using Vec = Eigen::VectorXd;

namespace {

template<int S>
Mat matrixOf(const double (&a)[S][S]) {
    Mat m(S, S);
    for (int i = 0; i < S; ++i) {
        for (int j = 0; j < S; ++j) {
            m(i, j) = a[i][j];
        }
    }
    return m;
}

template<int S>
Vec vectorOf(const double (&v)[S]) {
    return Eigen::Map<const Vec>(v, S);
}

struct Condition {
    const char* what;
    double value;
    double expected;
};

void requireAll(const std::vector<Condition>& conditions, double tolerance) {
    for (const auto& c : conditions) {
        QVERIFY2(
            std::abs(c.value - c.expected) < tolerance,
            qPrintable(
                QString("%1 = %2, not %3").arg(c.what).arg(c.value, 0, 'g', 17).arg(c.expected)));
    }
}

template<int S>
std::vector<Condition> sriConditions(const ode::SriTableau<S>& t) {
    const Mat A0 = matrixOf(t.A0), A1 = matrixOf(t.A1), B0 = matrixOf(t.B0), B1 = matrixOf(t.B1);
    const Vec a = vectorOf(t.alpha), b1 = vectorOf(t.beta1), b2 = vectorOf(t.beta2),
              b3 = vectorOf(t.beta3), b4 = vectorOf(t.beta4);
    const Vec e = Vec::Ones(S);
    const Vec B0e = B0 * e, B1e = B1 * e, A1B0e = A1 * B0e, B1B1e = B1 * B1e;
    const Vec B1e2 = B1e.array().square();
    return {
        {"αᵀe", a.sum(), 1},
        {"β1ᵀe", b1.sum(), 1},
        {"β2ᵀe", b2.sum(), 0},
        {"β3ᵀe", b3.sum(), 0},
        {"β4ᵀe", b4.sum(), 0},
        {"β1ᵀB1e", b1.dot(B1e), 0},
        {"β2ᵀB1e", b2.dot(B1e), 1},
        {"β3ᵀB1e", b3.dot(B1e), 0},
        {"β4ᵀB1e", b4.dot(B1e), 0},
        {"αᵀA0e", a.dot(A0 * e), 0.5},
        {"αᵀB0e", a.dot(B0e), 1},
        {"αᵀ(B0e)²", a.dot(B0e.array().square().matrix()), 1.5},
        {"β1ᵀA1e", b1.dot(A1 * e), 1},
        {"β2ᵀA1e", b2.dot(A1 * e), 0},
        {"β3ᵀA1e", b3.dot(A1 * e), -1},
        {"β4ᵀA1e", b4.dot(A1 * e), 0},
        {"β1ᵀ(B1e)²", b1.dot(B1e2), 1},
        {"β2ᵀ(B1e)²", b2.dot(B1e2), 0},
        {"β3ᵀ(B1e)²", b3.dot(B1e2), -1},
        {"β4ᵀ(B1e)²", b4.dot(B1e2), 2},
        {"β1ᵀB1B1e", b1.dot(B1B1e), 0},
        {"β2ᵀB1B1e", b2.dot(B1B1e), 0},
        {"β3ᵀB1B1e", b3.dot(B1B1e), 0},
        {"β4ᵀB1B1e", b4.dot(B1B1e), 1},
        {"β1ᵀA1B0e/2 + β3ᵀA1B0e/3", 0.5 * b1.dot(A1B0e) + b3.dot(A1B0e) / 3, 0},
    };
}

template<int S>
std::vector<Condition> sraConditions(const ode::SraTableau<S>& t) {
    const Mat A0 = matrixOf(t.A0), B0 = matrixOf(t.B0);
    const Vec a = vectorOf(t.alpha), b1 = vectorOf(t.beta1), b2 = vectorOf(t.beta2),
              c1 = vectorOf(t.c1);
    const Vec e = Vec::Ones(S);
    const Vec B0e = B0 * e;
    return {
        {"αᵀe", a.sum(), 1},           {"β1ᵀe", b1.sum(), 1},
        {"β2ᵀe", b2.sum(), 0},         {"αᵀB0e", a.dot(B0e), 1},
        {"αᵀA0e", a.dot(A0 * e), 0.5}, {"αᵀ(B0e)²", a.dot(B0e.array().square().matrix()), 1.5},
        {"β1ᵀc1", b1.dot(c1), 1},      {"β2ᵀc1", b2.dot(c1), -1},
    };
}

template<int S>
void requireNodesAreRowSums(const ode::SriTableau<S>& t, double tolerance) {
    const Vec c0 = matrixOf(t.A0) * Vec::Ones(S), c1 = matrixOf(t.A1) * Vec::Ones(S);
    for (int i = 0; i < S; ++i) {
        QVERIFY2(std::abs(c0[i] - t.c0[i]) < tolerance, qPrintable(QString("c0[%1]").arg(i)));
        QVERIFY2(std::abs(c1[i] - t.c1[i]) < tolerance, qPrintable(QString("c1[%1]").arg(i)));
    }
}

} // namespace

class TestSdeTableaus : public QObject {
    Q_OBJECT

  private slots:
    // Rational coefficients: exact to rounding.
    void sriw1() {
        requireAll(sriConditions(ode::SRIW1::tableau), 1e-14);
        requireNodesAreRowSums(ode::SRIW1::tableau, 1e-15);
    }
    // Optimised coefficients printed to 16 digits: the conditions to 1e-12.
    void sosri() {
        requireAll(sriConditions(ode::SOSRI::tableau), 1e-12);
        requireNodesAreRowSums(ode::SOSRI::tableau, 1e-14);
    }
    void sra1() { requireAll(sraConditions(ode::SRA1::tableau), 1e-14); }
    void sosra() { requireAll(sraConditions(ode::SOSRA::tableau), 1e-12); }

    // The check itself fails on a coefficient off in its last printed digits.
    void aPerturbedTableauFails() {
        ode::SriTableau<4> t = ode::SOSRI::tableau;
        t.beta4[3] += 1e-9;
        const auto conditions = sriConditions(t);
        const bool someFail = std::any_of(conditions.begin(), conditions.end(), [](auto& c) {
            return std::abs(c.value - c.expected) >= 1e-12;
        });
        QVERIFY(someFail);
    }
};

QTEST_APPLESS_MAIN(TestSdeTableaus)
#include "tst_sde_tableaus.moc"
