// SPDX-License-Identifier: MIT
// The stiff tableaus: Rosenbrock methods back-transformed to classical form (order conditions,
// dense output, stability, observed orders of a reference step) and ESDIRK methods.
#include "solvers/tableaus/kencarp4.hpp"
#include "solvers/tableaus/kvaerno5.hpp"
#include "solvers/tableaus/rodas4.hpp"
#include "solvers/tableaus/rodas5p.hpp"
#include "solvers/tableaus/ros3p.hpp"
#include "support/method_rows.hpp"
#include "support/order_conditions.hpp"

#include <Eigen/Dense>
#include <QTest>
#include <complex>
#include <functional>
#include <type_traits>
#include <utility>
#include <variant>

using namespace dynfit;
using Mat = Eigen::MatrixXd;
using Vec = Eigen::VectorXd;

namespace {

using RosenbrockMethods = std::variant<ode::Rodas4, ode::Rodas5P, ode::ROS3P>;
using EsdirkMethods = std::variant<ode::KenCarp4, ode::Kvaerno5>;

template<class... T>
void addRows(std::variant<T...>* /*tag*/) {
    QTest::addColumn<int>("index");
    int i = 0;
    ((QTest::newRow(T::name) << i++), ...);
}

/// Calls body(tableau) with the tableau type of the current row.
template<class Variant, class Body>
void withRow(Body&& body) {
    QFETCH(int, index);
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        ((index == static_cast<int>(I) ? (body(std::variant_alternative_t<I, Variant>{}), 0) : 0),
         ...);
    }
    (std::make_index_sequence<std::variant_size_v<Variant>>{});
}

template<class Matrix>
Mat toMat(const Matrix& a) {
    Mat m(a.size(), a[0].size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        for (std::size_t j = 0; j < a[0].size(); ++j) {
            m(Eigen::Index(i), Eigen::Index(j)) = a[i][j];
        }
    }
    return m;
}

template<class Array>
Vec toVec(const Array& v) {
    return Eigen::Map<const Vec>(v.data(), Eigen::Index(v.size()));
}

std::vector<double> stdVec(const Vec& v) {
    return {v.data(), v.data() + v.size()};
}

/// A Rosenbrock method in classical form: α (strictly lower), Γ (lower, γ on the diagonal), b, b̂.
struct Classical {
    Mat alpha, gammaMatrix;
    Vec b, bhat;
};

template<class T>
Classical classical() {
    const auto s = T::stages;
    Classical k;
    const Mat gammaInverse = Mat::Identity(s, s) / T::gamma - toMat(T::C); // diag(1/γ) − C
    k.gammaMatrix = gammaInverse.triangularView<Eigen::Lower>().solve(Mat::Identity(s, s));
    k.alpha = toMat(T::a) * k.gammaMatrix;
    k.b = k.gammaMatrix.transpose() * toVec(T::m);
    k.bhat = k.gammaMatrix.transpose() * (toVec(T::m) - toVec(T::mErr));
    return k;
}

/// Rosenbrock elementary weights (Hairer–Wanner IV, Sect. 7): a vertex with exactly one child
/// couples through B = α + Γ (γ_ii included), one with several children through α. The order
/// conditions are then Σ b_j Φ_j(t) = 1/γ(t), as for Runge–Kutta methods.
std::vector<std::vector<double>> rosenbrockWeights(const std::vector<test::RootedTree>& trees,
                                                   const Classical& k) {
    const Mat beta = k.alpha + k.gammaMatrix;
    std::vector<Vec> phi;
    std::vector<std::vector<double>> out;
    for (const auto& t : trees) {
        Vec g = Vec::Ones(k.alpha.rows());
        if (t.children.size() == 1) {
            g = beta * phi[std::size_t(t.children[0])];
        } else {
            for (int c : t.children) {
                g = g.cwiseProduct(k.alpha * phi[std::size_t(c)]);
            }
        }
        phi.push_back(g);
        out.push_back(stdVec(g));
    }
    return out;
}

/// The conditions of Hairer–Wanner IV Table 7.1 up to order 4, written out with β'_ij = α_ij +
/// γ_ij (j < i): an independent check of rosenbrockWeights.
double table71Residual(const Classical& k, const Vec& b, double g, int order) {
    const Mat bp = (k.alpha + k.gammaMatrix).triangularView<Eigen::StrictlyLower>();
    const Vec a1 = k.alpha.rowwise().sum(), b1 = bp.rowwise().sum(), a2 = a1.cwiseAbs2();
    const std::pair<int, double> conditions[] = {
        {1, b.sum() - 1.0},
        {2, b.dot(b1) - (0.5 - g)},
        {3, b.dot(a2) - 1.0 / 3.0},
        {3, b.dot(bp * b1) - (1.0 / 6.0 - g + g * g)},
        {4, b.dot(a2.cwiseProduct(a1)) - 0.25},
        {4, b.dot(a1.cwiseProduct(k.alpha * b1)) - (1.0 / 8.0 - g / 3.0)},
        {4, b.dot(bp * a2) - (1.0 / 12.0 - g / 3.0)},
        {4, b.dot(bp * bp * b1) - (1.0 / 24.0 - g / 2.0 + 1.5 * g * g - g * g * g)},
    };
    double worst = 0;
    for (const auto& [p, residual] : conditions) {
        worst = p <= order ? std::max(worst, std::abs(residual)) : worst;
    }
    return worst;
}

/// R(z) = 1 + z bᵀ(I − zA)⁻¹1 (for a Rosenbrock method A = α + Γ).
std::complex<double> stabilityFunction(const Mat& A, const Vec& b, std::complex<double> z) {
    using CMat = Eigen::MatrixXcd;
    const CMat M = CMat::Identity(A.rows(), A.cols()) - z * A.cast<std::complex<double>>();
    const Eigen::VectorXcd x = M.partialPivLu().solve(Eigen::VectorXcd::Ones(A.rows()));
    return 1.0 + z * (b.cast<std::complex<double>>().transpose() * x)(0);
}

/// |R(iy)| ≤ 1 on the imaginary axis (sampled), the A-stability boundary.
bool boundedOnImaginaryAxis(const Mat& A, const Vec& b) {
    for (double e = -2; e <= 6; e += 0.125) {
        if (std::abs(stabilityFunction(A, b, {0.0, std::pow(10.0, e)})) > 1 + 1e-12) {
            return false;
        }
    }
    return true;
}

/// Published R(∞): 0 for the L-stable methods; 1 − √3 ≈ −0.73 for ROS3P (Lang & Verwer; for a
/// 3-stage order-3 method R is fixed by γ alone).
template<class T>
double expectedRInfinity() {
    return std::is_same_v<T, ode::ROS3P> ? 1.0 - std::sqrt(3.0) : 0.0;
}

/// Round-off level of residuals formed from a method's coefficients: 1e-15 × the largest one.
template<class... Tables>
double roundoffTolerance(const Tables&... tables) {
    double largest = 1;
    const auto scan = [&](const auto& table) {
        for (const auto& row : table) {
            for (double x : row) {
                largest = std::max(largest, std::abs(x));
            }
        }
    };
    (scan(tables), ...);
    return 1e-15 * largest;
}

/// A test problem with its Jacobian, ∂f/∂t and exact solution.
struct Problem {
    const char* name;
    std::function<Vec(double, const Vec&)> f;
    std::function<Mat(double, const Vec&)> jacobian;
    std::function<Vec(double, const Vec&)> dfdt;
    std::function<Vec(double)> exact;
    double t0;
    bool generic = true; ///< no special structure that could raise the observed order
};

Problem decay(double lambda) {
    return {"decay",
            [=](double, const Vec& y) -> Vec { return lambda * y; },
            [=](double, const Vec&) -> Mat { return Mat::Constant(1, 1, lambda); },
            [](double, const Vec& y) -> Vec { return Vec::Zero(y.size()); },
            [=](double t) -> Vec { return Vec::Constant(1, std::exp(lambda * t)); },
            0.0,
            false};
}

std::vector<Problem> problems() {
    // Limit cycle: r' = r(1 − r²), φ' = 1, so r(t) = (1 + (1/r0² − 1)e^{−2t})^{−1/2}.
    const Problem cycle{"limit cycle",
                        [](double, const Vec& y) -> Vec {
                            const double s = 1 - y.squaredNorm();
                            Vec dy(2);
                            dy << -y(1) + y(0) * s, y(0) + y(1) * s;
                            return dy;
                        },
                        [](double, const Vec& y) -> Mat {
                            Mat J(2, 2);
                            J << 1 - 3 * y(0) * y(0) - y(1) * y(1), -1 - 2 * y(0) * y(1),
                                1 - 2 * y(0) * y(1), 1 - y(0) * y(0) - 3 * y(1) * y(1);
                            return J;
                        },
                        [](double, const Vec& y) -> Vec { return Vec::Zero(y.size()); },
                        [](double t) -> Vec {
                            const double r = 1 / std::sqrt(1 + 3 * std::exp(-2 * t)); // r0 = 1/2
                            Vec y(2);
                            y << r * std::cos(t + 0.3), r * std::sin(t + 0.3);
                            return y;
                        },
                        0.0};
    // Non-autonomous (exercises c and d): y' = −2ty, y = exp(−t²).
    const Problem gauss{"non-autonomous",
                        [](double t, const Vec& y) -> Vec { return -2 * t * y; },
                        [](double t, const Vec&) -> Mat { return Mat::Constant(1, 1, -2 * t); },
                        [](double, const Vec& y) -> Vec { return -2 * y; },
                        [](double t) -> Vec { return Vec::Constant(1, std::exp(-t * t)); },
                        0.5};
    return {decay(-1.0), cycle, gauss};
}

struct RosenbrockStep {
    Vec y1, err;
    std::vector<Vec> K;
};

/// One step of the transformed scheme exactly as documented in rodas4.hpp (exact J and ∂f/∂t).
template<class T>
RosenbrockStep rosenbrockStep(const Problem& p, const Vec& y0, double h) {
    const auto n = y0.size();
    const Eigen::PartialPivLU<Mat> W(Mat::Identity(n, n) / (h * T::gamma) - p.jacobian(p.t0, y0));
    const Vec ft = p.dfdt(p.t0, y0);
    RosenbrockStep out{y0, Vec::Zero(n), std::vector<Vec>(T::denseVectors, Vec::Zero(n))};
    std::vector<Vec> U;
    for (int i = 0; i < T::stages; ++i) {
        Vec arg = y0;
        Vec rhs = T::d[i] * h * ft;
        for (int j = 0; j < i; ++j) {
            arg += T::a[i][j] * U[std::size_t(j)];
            rhs += T::C[i][j] / h * U[std::size_t(j)];
        }
        U.push_back(W.solve(rhs + p.f(p.t0 + T::c[i] * h, arg)));
        out.y1 += T::m[i] * U.back();
        out.err += T::mErr[i] * U.back();
        for (int r = 0; r < T::denseVectors; ++r) {
            out.K[std::size_t(r)] += T::H[r][i] * U.back();
        }
    }
    return out;
}

/// u(θ) = (1−θ) y0 + θ (y1 + (1−θ)(K_0 + θ (K_1 + θ K_2))).
template<class T>
Vec denseOutput(const Vec& y0, const RosenbrockStep& s, double theta) {
    Vec p = Vec::Zero(y0.size());
    for (int r = T::denseVectors - 1; r >= 0; --r) {
        p = s.K[std::size_t(r)] + theta * p;
    }
    return (1 - theta) * y0 + theta * (s.y1 + (1 - theta) * p);
}

template<class T>
std::vector<double> esdirkWeights(double theta) {
    std::vector<double> w(T::stages);
    for (int i = 0; i < T::stages; ++i) {
        double p = 0;
        for (int m = T::interpDegree - 1; m >= 0; --m) {
            p = p * theta + T::interpCoeffs[i][m];
        }
        w[std::size_t(i)] = theta * p;
    }
    return w;
}

} // namespace

class TestStiffTableaus : public QObject {
    Q_OBJECT
  private slots:
    void rosenbrockOrderConditions_data() { addRows(static_cast<RosenbrockMethods*>(nullptr)); }
    void rosenbrockOrderConditions() {
        withRow<RosenbrockMethods>([](auto tag) {
            using T = decltype(tag);
            const Mat a = toMat(T::a), C = toMat(T::C);
            QVERIFY(a.triangularView<Eigen::Upper>().toDenseMatrix().isZero(0));
            QVERIFY(C.triangularView<Eigen::Upper>().toDenseMatrix().isZero(0));
            if constexpr (!std::is_same_v<T, ode::ROS3P>) {
                // RODAS type: m̂ is the last stage's argument, so the estimate is U_s (which
                // order conditions cannot see: any multiple of U_s = O(h^p) keeps b̂'s order).
                const Vec last = a.row(T::stages - 1).transpose();
                QVERIFY(toVec(T::m) - toVec(T::mErr) == last);
                QVERIFY(toVec(T::mErr) == Vec::Unit(T::stages, T::stages - 1));
            }
            const Classical k = classical<T>();
            const double tol = roundoffTolerance(T::a, T::C, T::H);
            QVERIFY((k.gammaMatrix.diagonal().array() - T::gamma).abs().maxCoeff() < 1e-15);
            QVERIFY((k.alpha.rowwise().sum() - toVec(T::c)).cwiseAbs().maxCoeff() < tol);
            QVERIFY((k.gammaMatrix.rowwise().sum() - toVec(T::d)).cwiseAbs().maxCoeff() < tol);
            const auto trees = test::rootedTrees(T::order + 1);
            const auto phi = rosenbrockWeights(trees, k);
            const auto residual = [&](const Vec& w, int p) {
                return test::maxOrderResidual(trees, phi, stdVec(w), p);
            };
            qInfo("%s: b residual %.1e (next order %.1e), b^ residual %.1e (next order %.1e)",
                  T::name, residual(k.b, T::order), residual(k.b, T::order + 1),
                  residual(k.bhat, T::errorOrder), residual(k.bhat, T::errorOrder + 1));
            QVERIFY(residual(k.b, T::order) < tol && residual(k.b, T::order + 1) > 1e-8);
            QVERIFY(residual(k.bhat, T::errorOrder) < tol);
            QVERIFY(residual(k.bhat, T::errorOrder + 1) > 1e-8);
            // The written-out Table 7.1 agrees with the tree form.
            QVERIFY(table71Residual(k, k.b, T::gamma, std::min(T::order, 4)) < tol);
            QVERIFY(table71Residual(k, k.bhat, T::gamma, std::min(T::errorOrder, 4)) < tol);
            if (T::errorOrder < 4) {
                QVERIFY(table71Residual(k, k.bhat, T::gamma, T::errorOrder + 1) > 1e-8);
            }
        });
    }

    // The dense output's weights (in U, then classical) satisfy the order conditions at θ.
    void rosenbrockDenseOutput_data() { addRows(static_cast<RosenbrockMethods*>(nullptr)); }
    void rosenbrockDenseOutput() {
        withRow<RosenbrockMethods>([](auto tag) {
            using T = decltype(tag);
            if constexpr (T::denseVectors == 0) {
                QVERIFY(toMat(T::H).isZero(0));
                QCOMPARE(T::denseOrder, 3); // cubic Hermite
            } else {
                const Classical k = classical<T>();
                const double tol = roundoffTolerance(T::a, T::C, T::H);
                const auto trees = test::rootedTrees(T::denseOrder + 1);
                const auto phi = rosenbrockWeights(trees, k);
                for (double theta : {0.2, 0.5, 0.77}) {
                    Vec w = theta * toVec(T::m);
                    for (int r = 0; r < T::denseVectors; ++r) {
                        w += theta * (1 - theta) * std::pow(theta, r) * toVec(T::H[r]);
                    }
                    const auto wb = stdVec(k.gammaMatrix.transpose() * w);
                    QVERIFY(test::maxOrderResidual(trees, phi, wb, T::denseOrder, theta) < tol);
                    QVERIFY(test::maxOrderResidual(trees, phi, wb, T::denseOrder + 1, theta)
                            > 1e-8);
                }
            }
        });
    }

    void rosenbrockStability_data() { addRows(static_cast<RosenbrockMethods*>(nullptr)); }
    void rosenbrockStability() {
        withRow<RosenbrockMethods>([](auto tag) {
            using T = decltype(tag);
            const Classical k = classical<T>();
            const double tol = roundoffTolerance(T::a, T::C, T::H);
            const Mat B = k.alpha + k.gammaMatrix;
            const Vec ones = Vec::Ones(T::stages);
            const double rInf = 1 - k.b.dot(B.lu().solve(ones));
            const double rInfHat = 1 - k.bhat.dot(B.lu().solve(ones));
            qInfo("%s: R(inf) = %.3e, embedded %.3e", T::name, rInf, rInfHat);
            QVERIFY(std::abs(rInf - expectedRInfinity<T>()) < tol);
            QVERIFY(std::abs(rInfHat - expectedRInfinity<T>()) < tol);
            const double r = stabilityFunction(B, k.b, -1e8).real();
            QVERIFY(std::abs(r - expectedRInfinity<T>()) < 1e-6);
            QVERIFY(boundedOnImaginaryAxis(B, k.b));
            // ROS3P's b̂ has the same stability function as b: its error estimate vanishes on
            // y' = Ay (documented in ros3p.hpp); the others' estimates see linear problems.
            const double linearEstimate = std::abs(stabilityFunction(B, k.b, -0.5).real()
                                                   - stabilityFunction(B, k.bhat, -0.5).real());
            QCOMPARE(linearEstimate > 1e-8, (!std::is_same_v<T, ode::ROS3P>));
            // The transformed step reproduces R(z) on y' = λy, stiff or not.
            for (double z : {-0.5, -30.0, -1e8}) {
                const auto s = rosenbrockStep<T>(decay(z), Vec::Ones(1), 1.0);
                QVERIFY(std::abs(s.y1(0) - stabilityFunction(B, k.b, z).real()) < 1e-12);
            }
        });
    }

    // Local errors of one step against exact solutions: step, embedded and dense (θ = 1/2), as
    // the slope over the three finest steps whose error is above round-off (1e-13).
    void rosenbrockObservedOrders_data() { addRows(static_cast<RosenbrockMethods*>(nullptr)); }
    void rosenbrockObservedOrders() {
        withRow<RosenbrockMethods>([](auto tag) {
            using T = decltype(tag);
            for (const Problem& p : problems()) {
                const Vec y0 = p.exact(p.t0);
                std::vector<double> hs, eStep, eHat, eDense;
                for (double h = 0.8; h > 2e-3; h /= 2) {
                    const auto s = rosenbrockStep<T>(p, y0, h);
                    QVERIFY((denseOutput<T>(y0, s, 1.0) - s.y1).norm() < 1e-15);
                    QVERIFY((denseOutput<T>(y0, s, 0.0) - y0).norm() < 1e-15);
                    hs.push_back(h);
                    eStep.push_back((s.y1 - p.exact(p.t0 + h)).norm());
                    eHat.push_back((s.y1 - s.err - p.exact(p.t0 + h)).norm());
                    eDense.push_back((denseOutput<T>(y0, s, 0.5) - p.exact(p.t0 + h / 2)).norm());
                }
                const double step = test::asymptoticSlope(hs, eStep, 1e-13);
                const double hat = test::asymptoticSlope(hs, eHat, 1e-13);
                const double dense = test::asymptoticSlope(hs, eDense, 1e-13);
                qInfo("%s, %s: slopes step %.2f, embedded %.2f, dense %.2f", T::name, p.name, step,
                      hat, dense);
                // On y' = λy a method may do better than its order (R(z) can match e^z one
                // order further; ROS3P's b̂ gives the same R as b), so only a lower bound there.
                const double above = p.generic ? 0.5 : 10.0;
                QVERIFY(step > T::order + 1 - 0.3 && step < T::order + 1 + above);
                QVERIFY(hat > T::errorOrder + 1 - 0.3 && hat < T::errorOrder + 1 + above);
                if constexpr (T::denseVectors > 0) {
                    QVERIFY(dense > T::denseOrder + 1 - 0.3 && dense < T::denseOrder + 1 + above);
                }
            }
        });
    }

    void esdirkOrderConditions_data() { addRows(static_cast<EsdirkMethods*>(nullptr)); }
    void esdirkOrderConditions() {
        withRow<EsdirkMethods>([](auto tag) {
            using T = decltype(tag);
            const Mat A = toMat(T::a);
            const double tol = roundoffTolerance(T::a, T::interpCoeffs);
            QVERIFY(A(0, 0) == 0.0 && T::c[0] == 0.0);
            QVERIFY((A.diagonal().tail(T::stages - 1).array() == T::gamma).all());
            QVERIFY(A.triangularView<Eigen::StrictlyUpper>().toDenseMatrix().isZero(0));
            QCOMPARE(T::stifflyAccurate, A.row(T::stages - 1).transpose() == toVec(T::b));
            QVERIFY((A.rowwise().sum() - toVec(T::c)).cwiseAbs().maxCoeff() < 1e-15);
            QVERIFY(std::abs(toVec(T::b).sum() - 1) < 1e-15);
            QVERIFY(std::abs(toVec(T::bErr).sum()) < 1e-15);
            std::vector<std::vector<double>> a;
            for (const auto& row : T::a) {
                a.emplace_back(row.begin(), row.end());
            }
            const auto trees = test::rootedTrees(T::order + 1);
            const auto phi = test::elementaryWeights(trees, a);
            const auto b = stdVec(toVec(T::b));
            const auto bhat = stdVec(toVec(T::b) - toVec(T::bErr));
            qInfo("%s: b residual %.1e, b^ residual %.1e", T::name,
                  test::maxOrderResidual(trees, phi, b, T::order),
                  test::maxOrderResidual(trees, phi, bhat, T::errorOrder));
            QVERIFY(test::maxOrderResidual(trees, phi, b, T::order) < tol);
            QVERIFY(test::maxOrderResidual(trees, phi, b, T::order + 1) > 1e-8);
            QVERIFY(test::maxOrderResidual(trees, phi, bhat, T::errorOrder) < tol);
            QVERIFY(test::maxOrderResidual(trees, phi, bhat, T::errorOrder + 1) > 1e-8);
            if constexpr (T::interpDegree > 0) {
                const auto w0 = esdirkWeights<T>(0.0), w1 = esdirkWeights<T>(1.0);
                for (int i = 0; i < T::stages; ++i) {
                    QCOMPARE(w0[std::size_t(i)], 0.0);
                    QVERIFY(std::abs(w1[std::size_t(i)] - T::b[i]) < tol);
                }
                const auto dtrees = test::rootedTrees(T::denseOrder + 1);
                const auto dphi = test::elementaryWeights(dtrees, a);
                for (double theta : {0.2, 0.5, 0.77}) {
                    const auto w = esdirkWeights<T>(theta);
                    QVERIFY(test::maxOrderResidual(dtrees, dphi, w, T::denseOrder, theta) < tol);
                    QVERIFY(test::maxOrderResidual(dtrees, dphi, w, T::denseOrder + 1, theta)
                            > 1e-8);
                }
            } else {
                QCOMPARE(T::denseOrder, 3); // cubic Hermite
            }
        });
    }

    void esdirkStability_data() { addRows(static_cast<EsdirkMethods*>(nullptr)); }
    void esdirkStability() {
        withRow<EsdirkMethods>([](auto tag) {
            using T = decltype(tag);
            const Mat A = toMat(T::a);
            const std::complex<double> r = stabilityFunction(A, toVec(T::b), -1e8);
            qInfo("%s: |R(-1e8)| = %.1e", T::name, std::abs(r));
            QVERIFY(std::abs(r) < 1e-6);
            QVERIFY(boundedOnImaginaryAxis(A, toVec(T::b)));
        });
    }
};

QTEST_GUILESS_MAIN(TestStiffTableaus)
#include "tst_stiff_tableaus.moc"
