// SPDX-License-Identifier: MIT
// Dual numbers: derivatives of every function against analytic ones, and identities.
#include "core/dual.hpp"

#include <QTest>

using namespace dynfit;
using D = Dual<double, 2>;

namespace {

// f'(x) by a high-order central difference, for functions with no handy analytic form here.
template<class F>
double centralDifference(F f, double x) {
    const double h = 1e-4;
    return (-f(x + 2 * h) + 8 * f(x + h) - 8 * f(x - h) + f(x - 2 * h)) / (12 * h);
}

} // namespace

class TestDual : public QObject {
    Q_OBJECT
  private slots:
    void arithmetic() {
        const D x = D::variable(3.0, 0);
        const D y = D::variable(-2.0, 1);
        const D f = x * x * y - x / y + 2.0 * x - 1.0;
        QCOMPARE(f.val, 9.0 * -2.0 - 3.0 / -2.0 + 6.0 - 1.0);
        QCOMPARE(f.d[0], 2 * 3.0 * -2.0 - 1.0 / -2.0 + 2.0); // ∂f/∂x
        QCOMPARE(f.d[1], 9.0 + 3.0 / 4.0);                   // ∂f/∂y = x² + x/y²
    }

    // Identities that cannot pass by accident: e/e − 1 = 0 with zero derivative, etc.
    void identities() {
        const D x = D::variable(0.7, 0);
        const D zero = exp(log(x)) / x - 1.0;
        QVERIFY(std::abs(zero.val) < 1e-15 && std::abs(zero.d[0]) < 1e-15);
        const D one = sin(x) * sin(x) + cos(x) * cos(x);
        QVERIFY(std::abs(one.val - 1) < 1e-15 && std::abs(one.d[0]) < 1e-15);
        const D same = sqrt(x * x) - x;
        QVERIFY(std::abs(same.d[0]) < 1e-15);
    }

    void elementaryFunctions_data() {
        QTest::addColumn<int>("which");
        const char* names[] = {"exp",  "log",  "log10", "sqrt", "sin",  "cos", "tan", "tanh",
                               "sinh", "cosh", "asin",  "acos", "atan", "abs", "pow", "powDual"};
        for (int i = 0; i < 16; ++i) {
            QTest::newRow(names[i]) << i;
        }
    }
    void elementaryFunctions() {
        QFETCH(int, which);
        const auto apply = [which](auto v) {
            using std::abs, std::acos, std::asin, std::atan, std::cos, std::cosh, std::exp,
                std::log, std::log10, std::pow, std::sin, std::sinh, std::sqrt, std::tan, std::tanh;
            switch (which) {
            case 0:
                return exp(v);
            case 1:
                return log(v);
            case 2:
                return log10(v);
            case 3:
                return sqrt(v);
            case 4:
                return sin(v);
            case 5:
                return cos(v);
            case 6:
                return tan(v);
            case 7:
                return tanh(v);
            case 8:
                return sinh(v);
            case 9:
                return cosh(v);
            case 10:
                return asin(v);
            case 11:
                return acos(v);
            case 12:
                return atan(v);
            case 13:
                return abs(v * -1.0);
            case 14:
                return pow(v, 2.5);
            default:
                return pow(v, v);
            }
        };
        for (double x : {0.3, 0.55, 0.9}) {
            const D r = apply(D::variable(x, 0));
            QVERIFY(std::abs(r.val - apply(x)) < 1e-15);
            const double expected = centralDifference(apply, x);
            QVERIFY2(std::abs(r.d[0] - expected) < 1e-8 * std::max(1.0, std::abs(expected)),
                     qPrintable(QString("x=%1: %2 vs %3").arg(x).arg(r.d[0]).arg(expected)));
            QCOMPARE(r.d[1], 0.0);
        }
    }

    void atan2Derivatives() {
        const D y = D::variable(0.4, 0);
        const D x = D::variable(-1.3, 1);
        const D r = atan2(y, x);
        const double r2 = 0.4 * 0.4 + 1.3 * 1.3;
        QVERIFY(std::abs(r.d[0] - (-1.3 / r2)) < 1e-15);
        QVERIFY(std::abs(r.d[1] - (-0.4 / r2)) < 1e-15);
    }

    // Eigen accepts Dual as a scalar, including products with real coefficients.
    void eigenInterop() {
        Eigen::Matrix<D, 2, 1> v(D::variable(1.0, 0), D::variable(2.0, 1));
        const Eigen::Matrix<D, 2, 1> w = v * 3.0 + v;
        QCOMPARE(w[1].val, 8.0);
        QCOMPARE(w[1].d[1], 4.0);
        const D n = v.squaredNorm();
        QCOMPARE(n.d[0], 2.0);
        QCOMPARE(n.d[1], 4.0);
    }
};

QTEST_GUILESS_MAIN(TestDual)
#include "tst_dual.moc"
