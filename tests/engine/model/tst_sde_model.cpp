// SPDX-License-Identifier: MIT
// The noise lines of the model language: the shapes they make (own processes: diagonal; one
// named process shared: scalar; anything else: general), additive noise detected, the
// calculus read; a model's SDE solve equals the same SDE written by hand on the same path; an
// ODE method refuses a model with noise instead of dropping it; a general noise matrix (named
// processes shared between states) is solved by EM exactly as the hand-written recursion on the
// same Wiener values, its ensemble variances match the exact ones, and the methods that need
// diagonal noise refuse it, naming what works.
#include "ensemble/sde_ensemble.hpp"
#include "model/model.hpp"
#include "model/model_sde.hpp"
#include "model/model_solve.hpp"
#include "problem/noise.hpp"
#include "solvers/sde_solve.hpp"
#include "support/compile_model.hpp"

#include <QTest>
#include <algorithm>
#include <cmath>

using namespace dynfit;

namespace {

const std::string kTwoStates = "param a = 0.5\ninit x = 1\ninit y = 2\nd(x)/dt = a*x\n"
                               "d(y)/dt = -y\n";

} // namespace

class TestSdeModel : public QObject {
    Q_OBJECT

  private slots:
    void shapes_data() {
        QTest::addColumn<QString>("noise");
        QTest::addColumn<int>("shape");
        QTest::addColumn<bool>("additive");
        QTest::addColumn<int>("processes");
        const int diagonal = static_cast<int>(ode::NoiseShape::Diagonal);
        const int scalar = static_cast<int>(ode::NoiseShape::Scalar);
        const int general = static_cast<int>(ode::NoiseShape::General);
        QTest::newRow("own processes") << "noise x = 0.1*x\nnoise y = 0.2*y\n"
                                       << diagonal << false << 2;
        QTest::newRow("one state") << "noise y = 0.2*y\n" << diagonal << false << 1;
        QTest::newRow("additive") << "noise x = 0.3\nnoise y = 0.1*a\n" << diagonal << true << 2;
        QTest::newRow("shared: scalar") << "noise x = 0.1*x by W\nnoise y = 0.2*y by W\n"
                                        << scalar << false << 1;
        QTest::newRow("several terms: general") << "noise x = 0.1 by A, 0.2*x by B\n"
                                                << general << false << 2;
        QTest::newRow("partly shared: general")
            << "noise x = 0.1*x by W\nnoise y = 0.2*y by W\nnoise z = 0.1 by V\nd(z)/dt = 0\n"
            << general << false << 2;
    }

    void shapes() {
        QFETCH(QString, noise);
        QFETCH(int, shape);
        QFETCH(bool, additive);
        QFETCH(int, processes);
        const auto m = test::compileModel(kTwoStates + noise.toStdString());
        QVERIFY(m->hasNoise());
        QCOMPARE(static_cast<int>(m->noiseShape), shape);
        QCOMPARE(m->noiseAdditive, additive);
        QCOMPARE(static_cast<int>(m->noiseProcesses.size()), processes);
    }

    void deterministicStatesHaveNoProcess() {
        const auto m = test::compileModel(kTwoStates + "noise y = 0.2*y\n");
        QCOMPARE(m->noiseProcessOf, (std::vector<int>{-1, 0}));
    }

    void calculus() {
        QCOMPARE(test::compileModel(kTwoStates + "noise x = x\n")->calculus, ode::Calculus::Ito);
        QCOMPARE(test::compileModel(kTwoStates + "noise x = x\ncalculus stratonovich\n")->calculus,
                 ode::Calculus::Stratonovich);
        QVERIFY(!test::compileModel(kTwoStates)->hasNoise());
    }

    // The model's f and g are the hand-written ones: the same numbers on the same path.
    void modelSolveIsTheHandWrittenSde() {
        const auto m =
            test::compileModel("param mu = 0.7\nparam s = 0.3\ninit x = 1.5\nd(x)/dt = mu*x\n"
                               "noise x = s*x\ntspan = 0 .. 2\n");
        ode::SolveOptions opts;
        opts.saveat = {0.5, 1.0, 2.0};
        ode::SdeSettings run;
        run.noise.seed = 9;
        run.noise.trajectory = 4;
        Eigen::VectorXd p(2);
        p << 0.7, 0.3;
        const auto fromModel = model::solveModelSde(
            m, {Eigen::VectorXd::Constant(1, 1.5), {0.0, 2.0}, p}, ode::SOSRI{}, opts, run);
        QVERIFY2(fromModel.ok(), fromModel.message.c_str());
        auto byHand = ode::makeSdeProblem([](Eigen::VectorXd& du, const Eigen::VectorXd& u,
                                             const Eigen::VectorXd& q, double) { du = q[0] * u; },
                                          [](Eigen::VectorXd& g, const Eigen::VectorXd& u,
                                             const Eigen::VectorXd& q, double) { g = q[1] * u; },
                                          Eigen::VectorXd(Eigen::VectorXd::Constant(1, 1.5)),
                                          ode::TimeSpan{0.0, 2.0}, p);
        const auto expected = ode::solveSde(byHand, ode::SOSRI{}, opts, run);
        QCOMPARE(fromModel.u.size(), expected.u.size());
        for (std::size_t k = 0; k < expected.u.size(); ++k) {
            QCOMPARE(fromModel.u[k][0], expected.u[k][0]);
        }
    }

    void generalNoiseIsTheHandWrittenRecursion() {
        const auto m = test::compileModel("param k = 1\ninit x = 1\ninit y = 0.5\nd(x)/dt = -k*x\n"
                                          "d(y)/dt = -2*y\nnoise x = 0.3*x by A, 0.2 by B\n"
                                          "noise y = 0.1*y by B, 0.4 by C\ntspan = 0 .. 1\n");
        QCOMPARE(m->noiseShape, ode::NoiseShape::General);
        const auto process = [&](const char* name) {
            const auto& names = m->noiseProcesses;
            return int(std::find(names.begin(), names.end(), name) - names.begin());
        };
        const int a = process("A"), b = process("B"), c = process("C");
        QVERIFY(a < 3 && b < 3 && c < 3);
        ode::SolveOptions opts;
        opts.dt = 1.0 / 64;
        opts.saveat = {1.0};
        ode::SdeSettings run;
        run.noise.seed = 5;
        const Eigen::Vector2d u0(1.0, 0.5);
        const auto sol = model::solveModelSde(
            m, {u0, {0.0, 1.0}, Eigen::VectorXd::Constant(1, 1.0)}, ode::EM{}, opts, run);
        QVERIFY2(sol.ok(), sol.message.c_str());
        ode::WienerPaths paths(run.noise, 3, {0.0, 1.0});
        double x = 1.0, y = 0.5;
        Eigen::VectorXd w0, w1;
        for (int k = 0; k < 64; ++k) {
            paths.values(k / 64.0, w0);
            paths.values((k + 1) / 64.0, w1);
            const Eigen::VectorXd dW = w1 - w0;
            const double xNew = x - x / 64.0 + 0.3 * x * dW[a] + 0.2 * dW[b];
            y = y - 2 * y / 64.0 + 0.1 * y * dW[b] + 0.4 * dW[c];
            x = xNew;
        }
        QVERIFY2(std::abs(sol.u.back()[0] - x) < 1e-13 && std::abs(sol.u.back()[1] - y) < 1e-13,
                 qPrintable(QString("(%1, %2) vs (%3, %4)")
                                .arg(sol.u.back()[0])
                                .arg(sol.u.back()[1])
                                .arg(x)
                                .arg(y)));
        const auto sosri = model::solveModelSde(
            m, {u0, {0.0, 1.0}, Eigen::VectorXd::Constant(1, 1.0)}, ode::SOSRI{}, {}, run);
        QCOMPARE(sosri.status, SolveStatus::InvalidInput);
        QVERIFY2(sosri.message.find("choose EM, ImplicitEM or EulerHeun") != std::string::npos,
                 sosri.message.c_str());
    }

    // Additive general noise: Var x(T) = (0.3² + 0.2²)(1 − e^{−2T})/2, Var y = (0.1² + 0.4²)(1 −
    // e^{−4T})/4, the shared process B counted in both.
    void generalNoiseVariances() {
        const auto m =
            test::compileModel("init x = 0\ninit y = 0\nd(x)/dt = -x\nd(y)/dt = -2*y\n"
                               "noise x = 0.3 by A, 0.2 by B\nnoise y = 0.1 by B, 0.4 by C\n"
                               "tspan = 0 .. 1\n");
        ode::SolveOptions opts;
        opts.dt = 1.0 / 256;
        opts.saveat = {1.0};
        ensemble::EnsembleOptions e;
        e.trajectories = 4000;
        for (const ode::SdeMethod& method :
             {ode::SdeMethod(ode::EM{}), ode::SdeMethod(ode::ImplicitEM{})}) {
            const auto r = ensemble::runEnsemble(
                m, {Eigen::Vector2d::Zero(), {0.0, 1.0}, Eigen::VectorXd(0)}, method, opts, e);
            QCOMPARE(r.failed, 0L);
            const auto variance = r.moments.variance();
            const double vx = 0.13 * (1 - std::exp(-2.0)) / 2, vy = 0.17 * (1 - std::exp(-4.0)) / 4;
            QVERIFY2(std::abs(variance(0, 0) / vx - 1) < 0.1
                         && std::abs(variance(1, 0) / vy - 1) < 0.1,
                     qPrintable(QString("%1: %2 vs %3, %4 vs %5")
                                    .arg(ode::sdeMethodName(method).c_str())
                                    .arg(variance(0, 0))
                                    .arg(vx)
                                    .arg(variance(1, 0))
                                    .arg(vy)));
        }
    }

    void odeMethodsRefuseNoise() {
        const auto m = test::compileModel(kTwoStates + "noise x = 0.1*x\ntspan = 0 .. 1\n");
        const auto sol = model::solveModel(
            model::makeModelProblem<double>(m, Eigen::VectorXd::Constant(1, 0.5), {}),
            ode::Tsit5{});
        QCOMPARE(sol.status, SolveStatus::InvalidInput);
        QVERIFY2(sol.message.find("SDE method") != std::string::npos, sol.message.c_str());
    }
};

QTEST_APPLESS_MAIN(TestSdeModel)
#include "tst_sde_model.moc"
