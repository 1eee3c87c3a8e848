// SPDX-License-Identifier: MIT
// Gradient methods against each other and against finite differences, on the seed's
// Lotka–Volterra loss and on a model whose init and tspan depend on its parameters.
#include "model/model_system.hpp"
#include "sensitivity/gradient.hpp"
#include "support/method_rows.hpp"
#include "support/require_loss.hpp"

#include <QTest>

using namespace dynfit;

namespace {

const char* kLotkaVolterra = "param α = 1.5\nparam β = 1\nparam γ = 3\nparam δ = 1\ninit x = 1\n"
                             "init y = 1\nd(x)/dt = α*x - β*x*y\nd(y)/dt = -γ*y + δ*x*y\n"
                             "tspan = 0 .. 10\n";

// u0 and the start time depend on the parameters (the seed's "everything is determined by p").
const char* kParametrised =
    "param k = 0.8\nparam a = 1.5\nparam s = 0.3\nparam unused = 2\n"
    "init x = a^2\ninit y = a*k\nd(x)/dt = -k*x + y\nd(y)/dt = -x*y/(1 + x)\n"
    "tspan = s .. 4\n";

struct Fixture {
    std::shared_ptr<const model::CompiledModel> model;
    objective::LeastSquaresLoss loss;
};

// The seed's loss: the prey should stay at 1, observed at 0:0.1:10.
Fixture makeFixture(const char* text, double firstTime, double lastTime, const char* column) {
    Fixture f;
    model::Diagnostics d;
    f.model = model::compileModel(text, d);
    io::DataSet data;
    data.timeColumn.assign(1, 't'); // (a string literal here trips a GCC 12 -Wrestrict false alarm)
    data.columns.emplace_back(column);
    data.values.assign(1, {});
    for (int k = 0; firstTime + 0.1 * k <= lastTime + 1e-9; ++k) {
        data.times.push_back(firstTime + 0.1 * k);
        data.values[0].push_back(1.0);
    }
    f.loss = test::requireLoss(f.model->states, data);
    return f;
}

sens::GradientResult
run(const Fixture& f, const ode::Method& solver, double tol, sens::GradientMethod method) {
    ode::SolveOptions opts;
    opts.reltol = opts.abstol = tol;
    return sens::gradient({f.model.get(), f.model->defaultParams(), std::nullopt, &f.loss}, solver,
                          opts, method);
}

void compare(const sens::GradientResult& a, const sens::GradientResult& b, double relTol) {
    QVERIFY2(a.ok() && b.ok(), (a.message + b.message).c_str());
    QVERIFY(std::abs(a.loss - b.loss) <= 1e-12 * std::abs(a.loss));
    double scale = 0.0;
    for (double g : a.dParams) {
        scale = std::max(scale, std::abs(g));
    }
    for (std::size_t k = 0; k < a.dParams.size(); ++k) {
        QVERIFY2(
            std::abs(a.dParams[k] - b.dParams[k]) <= relTol * scale,
            qPrintable(QString("param %1: %2 vs %3").arg(k).arg(a.dParams[k]).arg(b.dParams[k])));
    }
    for (std::size_t i = 0; i < a.dInit.size(); ++i) {
        QVERIFY2(std::abs(a.dInit[i] - b.dInit[i]) <= relTol * scale,
                 qPrintable(QString("init %1: %2 vs %3").arg(i).arg(a.dInit[i]).arg(b.dInit[i])));
    }
}

} // namespace

class TestGradient : public QObject {
    Q_OBJECT
  private slots:
    void lotkaVolterraForwardAgreesWithFiniteDifferences() {
        const Fixture f = makeFixture(kLotkaVolterra, 0.0, 10.0, "x");
        const auto forward = run(f, ode::Vern7{}, 1e-12, sens::GradientMethod::Forward);
        const auto fd = run(f, ode::Vern7{}, 1e-12, sens::GradientMethod::FiniteDiff);
        compare(forward, fd, 1e-5);
        compare(forward, run(f, ode::Vern7{}, 1e-12, sens::GradientMethod::Reverse), 1e-8);
        // The prey depends on β and y0 only through β·y0 (scale y): equal derivatives at 1, 1.
        QVERIFY(std::abs(forward.dParams[1] - forward.dInit[1])
                <= 1e-9 * std::abs(forward.dInit[1]));
    }

    // Init a², a·k and a start time s that depend on the parameters are chained through.
    void parametrisedInitAndSpan() {
        const Fixture f = makeFixture(kParametrised, 0.5, 4.0, "y");
        const auto forward = run(f, ode::Vern7{}, 1e-12, sens::GradientMethod::Forward);
        const auto fd = run(f, ode::Vern7{}, 1e-12, sens::GradientMethod::FiniteDiff);
        compare(forward, fd, 1e-5);
        compare(forward, run(f, ode::Vern7{}, 1e-12, sens::GradientMethod::Reverse), 1e-8);
        QVERIFY(std::abs(forward.dParams[2]) > 1e-3); // the start time matters
    }

    // The continuous adjoints approximate the same gradient to the solver tolerance.
    void adjointsAgreeWithForward_data() {
        QTest::addColumn<int>("which");
        QTest::newRow("interpolating") << static_cast<int>(sens::GradientMethod::Interpolating);
        QTest::newRow("quadrature") << static_cast<int>(sens::GradientMethod::Quadrature);
        QTest::newRow("backsolve") << static_cast<int>(sens::GradientMethod::Backsolve);
    }
    void adjointsAgreeWithForward() {
        QFETCH(int, which);
        const auto method = static_cast<sens::GradientMethod>(which);
        const double tol = 1e-10;
        const Fixture lv = makeFixture(kLotkaVolterra, 0.0, 10.0, "x");
        const auto forward = run(lv, ode::Vern7{}, tol, sens::GradientMethod::Forward);
        compare(forward, run(lv, ode::Vern7{}, tol, method), 10 * tol);
        if (method != sens::GradientMethod::Backsolve) {
            const Fixture param = makeFixture(kParametrised, 0.5, 4.0, "y");
            compare(run(param, ode::Vern7{}, tol, sens::GradientMethod::Forward),
                    run(param, ode::Vern7{}, tol, method), 10 * tol);
        }
    }

    // Checkpoints bound the memory of the interpolating adjoint and keep its accuracy.
    void interpolatingWithCheckpoints() {
        const Fixture f = makeFixture(kLotkaVolterra, 0.0, 10.0, "x");
        const double tol = 1e-10;
        ode::SolveOptions opts;
        opts.reltol = opts.abstol = tol;
        const auto p = f.model->defaultParams();
        const model::Vector<double> pv = Eigen::Map<const Eigen::VectorXd>(p.data(), 4);
        const model::Vector<double> u0 = Eigen::Vector2d(1.0, 1.0);
        model::ModelSystem system(*f.model);
        const sens::AdjointProblem problem{system, pv, u0, {0.0, 10.0}, f.loss};
        const auto whole =
            sens::continuousAdjoint(sens::AdjointKind::Interpolating, problem, ode::Vern7{}, opts);
        const auto checkpointed = sens::continuousAdjoint(sens::AdjointKind::Interpolating, problem,
                                                          ode::Vern7{}, opts, {.checkpoints = 8});
        QVERIFY(whole.ok() && checkpointed.ok());
        QVERIFY(checkpointed.peakStoredValues * 4 < whole.peakStoredValues);
        QVERIFY(checkpointed.nfForward > whole.nfForward); // the price: re-solves
        const double scale = whole.mu0.cwiseAbs().maxCoeff();
        QVERIFY((checkpointed.mu0 - whole.mu0).cwiseAbs().maxCoeff() < 10 * tol * scale);
        QVERIFY((checkpointed.lambda0 - whole.lambda0).cwiseAbs().maxCoeff() < 10 * tol * scale);
        const auto forward = run(f, ode::Vern7{}, tol, sens::GradientMethod::Forward);
        const auto viaGradient =
            sens::gradient({f.model.get(), p, std::nullopt, &f.loss}, ode::Vern7{}, opts,
                           sens::GradientMethod::Interpolating, {.checkpoints = 5});
        compare(forward, viaGradient, 10 * tol);
    }

    // The adjoint's own tolerance is used: looser backward solves give a rougher gradient.
    void adjointTolerances() {
        const Fixture f = makeFixture(kLotkaVolterra, 0.0, 10.0, "x");
        ode::SolveOptions opts;
        opts.reltol = opts.abstol = 1e-10;
        const sens::GradientProblem problem{f.model.get(), f.model->defaultParams(), std::nullopt,
                                            &f.loss};
        const auto forward =
            sens::gradient(problem, ode::Tsit5{}, opts, sens::GradientMethod::Forward);
        const auto tight =
            sens::gradient(problem, ode::Tsit5{}, opts, sens::GradientMethod::Interpolating);
        const auto loose =
            sens::gradient(problem, ode::Tsit5{}, opts, sens::GradientMethod::Interpolating,
                           {.reltol = 1e-4, .abstol = 1e-4});
        QVERIFY(tight.ok() && loose.ok());
        QVERIFY(loose.nfBackward < tight.nfBackward);
        const double tightError = std::abs(tight.dParams[3] - forward.dParams[3]);
        const double looseError = std::abs(loose.dParams[3] - forward.dParams[3]);
        QVERIFY(looseError > 10 * tightError);
    }

    // Every gradient method with every explicit solver of the core: a data-driven matrix.
    void methodSolverMatrix_data() {
        QTest::addColumn<QString>("method");
        QTest::addColumn<QString>("solver");
        for (const char* method :
             {"reverse", "interpolating", "quadrature", "backsolve", "finite-diff"}) {
            for (const auto& info : ode::explicitMethods()) {
                const QString solver =
                    QString::fromLatin1(info.name.data(), static_cast<qsizetype>(info.name.size()));
                const QByteArray row = (QString(method) + "/" + solver).toLatin1();
                QTest::newRow(row.constData()) << QString(method) << solver;
            }
        }
    }
    void methodSolverMatrix() {
        QFETCH(QString, method);
        QFETCH(QString, solver);
        const auto info = ode::methodInfo(*ode::explicitMethodByName(solver.toStdString()));
        const auto gm = *sens::gradientMethodByName(method.toStdString());
        const Fixture f = makeFixture(kLotkaVolterra, 0.0, 2.0, "x");
        ode::SolveOptions opts;
        // Fixed-step and low-order methods take a fixed step; the others a tight tolerance.
        const bool fixed = info.errorOrder == 0 || info.order <= 2;
        const double h = 1e-3;
        if (fixed) {
            opts.dt = h;
        } else {
            opts.reltol = opts.abstol = 1e-10;
        }
        const sens::GradientProblem problem{f.model.get(), f.model->defaultParams(), std::nullopt,
                                            &f.loss};
        const auto forward = sens::gradient(problem, ode::toMethod(info.method), opts,
                                            sens::GradientMethod::Forward);
        const auto other = sens::gradient(problem, ode::toMethod(info.method), opts, gm);
        // Reverse differentiates the same discrete solution as forward: round-off only. The
        // continuous adjoints and finite differences differ by the discretisation error:
        // O(h^order) with fixed steps, about the tolerance otherwise.
        double tol = 1e-8;
        if (gm == sens::GradientMethod::Reverse) {
            tol = 1e-10;
        } else if (fixed && gm != sens::GradientMethod::FiniteDiff) {
            tol = std::max(100 * std::pow(h, info.order), 1e-8);
        }
        compare(forward, other, tol);
    }

    // The seed's Lorenz point: re-solving u backwards diverges as the span grows, so
    // backsolve's error grows without bound, while interpolating stays with forward mode.
    void lorenzBacksolveDiverges() {
        const char* lorenz = "param σ = 10\nparam ρ = 28\nparam β = 2.6666666666666665\n"
                             "init x = 1\ninit y = 0\ninit z = 0\nd(x)/dt = σ*(y - x)\n"
                             "d(y)/dt = x*(ρ - z) - y\nd(z)/dt = x*y - β*z\n";
        const double tol = 1e-10;
        std::vector<double> backsolveErrors;
        for (double span : {1.0, 2.0, 3.0, 5.0, 10.0, 20.0}) {
            Fixture f;
            model::Diagnostics d;
            f.model = model::compileModel(lorenz, d);
            io::DataSet data;
            data.timeColumn.assign(1, 't');
            data.columns.emplace_back(1, 'x');
            data.values.assign(1, {});
            for (double t = 0.5; t <= span + 1e-9; t += 0.5) {
                data.times.push_back(t);
                data.values[0].push_back(1.0);
            }
            std::string error;
            QVERIFY(objective::LeastSquaresLoss::build(f.model->states, data, {}, f.loss, error));
            ode::SolveOptions opts;
            opts.reltol = opts.abstol = tol;
            const sens::GradientProblem problem{f.model.get(), f.model->defaultParams(),
                                                ode::TimeSpan{0.0, span}, &f.loss};
            const auto forward =
                sens::gradient(problem, ode::Vern7{}, opts, sens::GradientMethod::Forward);
            const auto interpolating =
                sens::gradient(problem, ode::Vern7{}, opts, sens::GradientMethod::Interpolating);
            compare(forward, interpolating, 100 * tol); // chaos amplifies the tolerance a little
            const auto backsolve =
                sens::gradient(problem, ode::Vern7{}, opts, sens::GradientMethod::Backsolve);
            double worst = std::numeric_limits<double>::infinity(); // a failed re-solve
            if (backsolve.ok()) {
                worst = 0.0;
                double scale = 0.0;
                for (std::size_t k = 0; k < forward.dParams.size(); ++k) {
                    worst = std::max(worst, std::abs(backsolve.dParams[k] - forward.dParams[k]));
                    scale = std::max(scale, std::abs(forward.dParams[k]));
                }
                worst /= scale;
            }
            backsolveErrors.push_back(worst);
        }
        qInfo("backsolve relative errors for spans 1, 2, 3, 5, 10, 20: %g %g %g %g %g %g",
              backsolveErrors[0], backsolveErrors[1], backsolveErrors[2], backsolveErrors[3],
              backsolveErrors[4], backsolveErrors[5]);
        QVERIFY(backsolveErrors[0] < 1e-5); // fine on a short span
        QVERIFY(backsolveErrors[1] > 100 * backsolveErrors[0]);
        QVERIFY(backsolveErrors[2] > 0.5); // useless from span 3 on …
        for (std::size_t i = 3; i < backsolveErrors.size(); ++i) {
            QVERIFY(backsolveErrors[i] > 0.5); // … and worse or failing after
        }
    }

    // Forward mode through natively compiled dual numbers computes what the bytecode computes.
    void nativeDualsMatchBytecode() {
        const Fixture bytecode = makeFixture(kParametrised, 0.5, 4.0, "y");
        Fixture native = bytecode;
        model::Diagnostics d;
        native.model = model::compileModel(kParametrised, d, {}, {.native = true});
        if (!native.model->native) {
            QSKIP("no C++ compiler for native code here");
        }
        const auto a = run(bytecode, ode::Tsit5{}, 1e-9, sens::GradientMethod::Forward);
        const auto b = run(native, ode::Tsit5{}, 1e-9, sens::GradientMethod::Forward);
        compare(a, b, 1e-12);
    }

    // A parameter the loss does not depend on has a gradient of exactly zero, by every method.
    void constantInParameterIsExactlyZero() {
        const Fixture f = makeFixture(kParametrised, 0.5, 4.0, "y");
        for (auto method : {sens::GradientMethod::Forward, sens::GradientMethod::Reverse,
                            sens::GradientMethod::Interpolating, sens::GradientMethod::Quadrature,
                            sens::GradientMethod::Backsolve, sens::GradientMethod::FiniteDiff}) {
            const auto g = run(f, ode::Tsit5{}, 1e-8, method);
            QVERIFY(g.ok());
            QCOMPARE(g.dParams[3], 0.0);
            QVERIFY(g.dParams[0] != 0.0);
        }
    }

    // Every adaptive explicit solver of the core works with forward mode.
    void everySolver_data() {
        test::addMethodRows(
            [](const ode::MethodInfo& m) { return m.errorOrder > 0 && m.order >= 3; });
    }
    void everySolver() {
        QFETCH(QString, method);
        const auto solver = ode::methodByName(method.toStdString());
        const Fixture f = makeFixture(kLotkaVolterra, 0.0, 10.0, "x");
        const auto forward = run(f, *solver, 1e-10, sens::GradientMethod::Forward);
        const auto fd = run(f, *solver, 1e-10, sens::GradientMethod::FiniteDiff);
        compare(forward, fd, 1e-4);
        // Reverse differentiates the same discrete solution: agreement to round-off.
        compare(forward, run(f, *solver, 1e-10, sens::GradientMethod::Reverse), 1e-8);
    }

    // Fixed steps, including the methods whose save points use the Hermite interpolant.
    void fixedStepSolvers_data() { test::addMethodRows(); }
    void fixedStepSolvers() {
        QFETCH(QString, method);
        const auto solver = ode::methodByName(method.toStdString());
        const Fixture f = makeFixture(kLotkaVolterra, 0.0, 10.0, "x");
        ode::SolveOptions opts;
        opts.dt = 0.0137; // save points fall inside steps
        const sens::GradientProblem problem{f.model.get(), f.model->defaultParams(), std::nullopt,
                                            &f.loss};
        const auto forward = sens::gradient(problem, *solver, opts, sens::GradientMethod::Forward);
        const auto reverse = sens::gradient(problem, *solver, opts, sens::GradientMethod::Reverse);
        compare(forward, reverse, 1e-8);
    }

    void methodNames() {
        for (const char* name :
             {"forward", "reverse", "backsolve", "interpolating", "quadrature", "finite-diff"}) {
            const auto method = sens::gradientMethodByName(name);
            QVERIFY(method.has_value());
            QCOMPARE(sens::gradientMethodName(*method), std::string_view(name));
            QVERIFY(sens::isAvailable(*method));
        }
        QVERIFY(!sens::gradientMethodByName("adjoint"));
    }

    void solverFailureIsReported() {
        const Fixture f = makeFixture(kLotkaVolterra, 0.0, 10.0, "x");
        ode::SolveOptions opts;
        opts.maxiters = 5;
        const auto g =
            sens::gradient({f.model.get(), f.model->defaultParams(), std::nullopt, &f.loss},
                           ode::Tsit5{}, opts, sens::GradientMethod::Forward);
        QCOMPARE(g.status, SolveStatus::MaxIters);
    }
};

QTEST_GUILESS_MAIN(TestGradient)
#include "tst_gradient.moc"
