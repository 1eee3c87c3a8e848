// SPDX-License-Identifier: MIT
// Networks in the equations: declaration, weights, gradients by every method, and training —
// the seed's spiral neural ODE and a Lotka–Volterra universal differential equation.
#include "fit/fitter.hpp"
#include "model/model_rhs.hpp"
#include "model/model_solve.hpp"
#include "model/rewrite.hpp"
#include "support/require_loss.hpp"

#include <QTest>

using namespace dynfit;

namespace {

const char* kSpiral = "nn U = dense(2, 50, tanh) >> dense(50, 2)\n"
                      "init x = 2\ninit y = 0\n"
                      "d(x)/dt = U(x^3, y^3)[1]\nd(y)/dt = U(x^3, y^3)[2]\ntspan = 0 .. 1.5\n";

std::shared_ptr<const model::CompiledModel>
compile(const std::string& text, unsigned long long seed = 0, bool native = true) {
    model::Diagnostics d;
    auto m = model::compileModel(text, d, {}, {.native = native, .seed = seed});
    if (!m) {
        qWarning("%s", model::formatDiagnostics(d, "test", text).c_str());
    }
    return m;
}

// Data of a system written in the language, observed at `count` even times on [0, t1].
objective::LeastSquaresLoss
dataFrom(const char* truth, const model::CompiledModel& target, double t1, int count) {
    const auto m = compile(truth);
    const auto p = m->defaultParams();
    ode::SolveOptions opts;
    opts.reltol = opts.abstol = 1e-12;
    for (int k = 0; k < count; ++k) {
        opts.saveat.push_back(t1 * k / (count - 1));
    }
    const auto sol = model::solveModel(
        model::makeModelProblem<double>(
            m, Eigen::Map<const Eigen::VectorXd>(p.data(), static_cast<Eigen::Index>(p.size())),
            {0.0, t1}),
        ode::Vern7{}, opts);
    io::DataSet data;
    data.timeColumn.assign(1, 't');
    data.columns = target.states;
    data.times = sol.t;
    data.values.assign(data.columns.size(), {});
    for (const auto& u : sol.u) {
        for (std::size_t c = 0; c < data.columns.size(); ++c) {
            data.values[c].push_back(u[m->stateIndex(data.columns[c])]);
        }
    }
    return test::requireLoss(target.states, data);
}

} // namespace

class TestNeural : public QObject {
    Q_OBJECT
  private slots:
    void weightsAreParamsFromTheSeed() {
        const auto a = compile(kSpiral, 1, false);
        const auto b = compile(kSpiral, 1, false);
        const auto c = compile(kSpiral, 2, false);
        QVERIFY(a && b && c);
        QCOMPARE(a->paramCount(), 2 * 50 + 50 + 50 * 2 + 2);
        QCOMPARE(a->networks.size(), std::size_t(1));
        QCOMPARE(a->networks[0].weightCount, 252);
        QCOMPARE(a->defaultParams(), b->defaultParams()); // deterministic
        QVERIFY(a->defaultParams() != c->defaultParams());
        const double limit1 = std::sqrt(6.0 / 52.0);
        for (int k = 0; k < 100; ++k) { // W1: Glorot uniform
            QVERIFY(std::abs(a->params[k].value) <= limit1);
            QCOMPARE(a->params[k].network, std::string("U"));
        }
        for (int k = 100; k < 150; ++k) { // b1: zero
            QCOMPARE(a->params[k].value, 0.0);
        }
    }

    // U(x^3, y^3) appears twice with the same inputs: the network is evaluated once.
    void sameCallEvaluatedOnce() {
        const auto m = compile(kSpiral, 0, false);
        int tanhCount = 0;
        const std::string cpp = m->rhs.toCpp("f");
        for (std::size_t at = cpp.find("dyn_tanh("); at != std::string::npos;
             at = cpp.find("dyn_tanh(", at + 1)) {
            ++tanhCount;
        }
        QCOMPARE(tanhCount, 50);
        // The staged form calls the network once too.
        QVERIFY(m->stage.has_value());
        QCOMPARE(m->stage->calls.size(), std::size_t(1));
    }

    // With the networks as dense kernels (the stage), f and its VJP equal the written-out
    // programs': a UDE with a param inside a network's input, two networks, a repeated call.
    void stagedMatchesWrittenOut() {
        const char* text = "param a = 1.3\nparam k = 0.7\n"
                           "nn U = dense(2, 8, swish) >> dense(8, 2)\n"
                           "nn V = dense(1, 4, softplus) >> dense(4, 1, tanh)\n"
                           "init x = 0.4\ninit y = 1.1\n"
                           "d(x)/dt = a*x - U(k*x, y)[1] + V(t)\n"
                           "d(y)/dt = U(k*x, y)[2] * y - sin(V(t))\n";
        const auto m = compile(text, 3, false);
        QVERIFY(m && m->stage);
        QCOMPARE(m->stage->calls.size(), std::size_t(2));
        auto p = m->defaultParams();
        for (std::size_t k = 0; k < p.size(); ++k) {
            p[k] += 0.01 * std::sin(double(k)); // nonzero biases
        }
        const double u[2] = {0.4, -0.9}, w[2] = {0.3, -1.7};
        const double t = 0.35;
        model::StagedEvaluator<double> staged(*m);
        model::ProgramEvaluator<double> rhs(m->rhs), vjpU(m->vjpU), vjpP(m->vjpP);
        double f1[2], f2[2], gu1[2], gu2[2];
        std::vector<double> gp1(p.size()), gp2(p.size());
        staged.rhs(u, p.data(), t, f1);
        rhs(u, p.data(), nullptr, t, f2);
        staged.vjp(u, p.data(), w, t, gu1, gp1.data());
        vjpU(u, p.data(), w, t, gu2);
        vjpP(u, p.data(), w, t, gp2.data());
        for (int i = 0; i < 2; ++i) {
            QVERIFY(std::abs(f1[i] - f2[i]) < 1e-14);
            QVERIFY(std::abs(gu1[i] - gu2[i]) < 1e-13);
        }
        for (std::size_t k = 0; k < p.size(); ++k) {
            QVERIFY2(std::abs(gp1[k] - gp2[k]) < 1e-13,
                     qPrintable(QString("%1: %2 vs %3")
                                    .arg(m->params[k].name.c_str())
                                    .arg(gp1[k])
                                    .arg(gp2[k])));
        }
    }

    // Forward mode in single precision: the spiral's gradient agrees with double at loose
    // tolerances; other methods refuse it with a message.
    void singlePrecisionForwardMode() {
        const auto m = compile(kSpiral, 20190121, false);
        const auto loss = dataFrom("init x = 2\ninit y = 0\nd(x)/dt = -0.1*x^3 - 2*y^3\n"
                                   "d(y)/dt = 2*x^3 - 0.1*y^3\n",
                                   *m, 1.5, 30);
        sens::GradientProblem problem{m.get(), m->defaultParams(), std::nullopt, &loss};
        ode::SolveOptions o;
        o.reltol = 1e-3;
        o.abstol = 1e-6;
        const auto d = sens::gradient(problem, ode::Tsit5{}, o, sens::GradientMethod::Forward);
        problem.precision = sens::Precision::Single;
        const auto f = sens::gradient(problem, ode::Tsit5{}, o, sens::GradientMethod::Forward);
        QVERIFY2(d.ok() && f.ok(), f.message.c_str());
        double err = 0.0, scale = 0.0;
        for (std::size_t k = 0; k < d.dParams.size(); ++k) {
            err = std::max(err, std::abs(d.dParams[k] - f.dParams[k]));
            scale = std::max(scale, std::abs(d.dParams[k]));
        }
        qInfo("single vs double: loss %.7g vs %.7g, gradient max error %.2e of %.3g", f.loss,
              d.loss, err, scale);
        QVERIFY(std::abs(f.loss - d.loss) < 1e-4 * d.loss);
        // At reltol 1e-3 float and double may accept different steps: the gradients then differ
        // by the discretisation (~1e-3 relative), not by float's round-off.
        QVERIFY(err < 1e-2 * scale);
        QVERIFY(err > 0.0); // it really ran in float
        const auto r = sens::gradient(problem, ode::Tsit5{}, o, sens::GradientMethod::Reverse);
        QCOMPARE(r.status, SolveStatus::InvalidInput);
    }

    // A network whose input is another network's output stays written out (no stage), and its
    // gradients still agree.
    void nestedNetworksAreWrittenOut() {
        const char* text = "nn U = dense(2, 4, tanh) >> dense(4, 1)\n"
                           "nn V = dense(1, 3, tanh) >> dense(3, 1)\n"
                           "init x = 0.5\ninit y = 1\n"
                           "d(x)/dt = U(V(x), y)\nd(y)/dt = -x\ntspan = 0 .. 1\n";
        const auto m = compile(text, 4, false);
        QVERIFY(m);
        QVERIFY(!m->stage);
        objective::LeastSquaresLoss loss = dataFrom("init x = 1\ninit y = 0\nd(x)/dt = -y\n"
                                                    "d(y)/dt = x\n",
                                                    *m, 1.0, 5);
        const sens::GradientProblem problem{m.get(), m->defaultParams(), std::nullopt, &loss};
        ode::SolveOptions o;
        o.reltol = o.abstol = 1e-10;
        const auto f = sens::gradient(problem, ode::Tsit5{}, o, sens::GradientMethod::Forward);
        const auto r = sens::gradient(problem, ode::Tsit5{}, o, sens::GradientMethod::Reverse);
        QVERIFY(f.ok() && r.ok());
        for (std::size_t k = 0; k < f.dParams.size(); ++k) {
            QVERIFY(std::abs(f.dParams[k] - r.dParams[k]) < 1e-9 * (1 + std::abs(f.dParams[k])));
        }
    }

    void weightsRoundTripThroughTheText() {
        const auto m = compile(kSpiral, 5, false);
        auto values = m->defaultParams();
        values[7] = 0.125;
        const std::string saved = model::withParameterValues(kSpiral, *m, values);
        QVERIFY(saved.find("weights U = [") != std::string::npos);
        const auto back = compile(saved, 99, false); // the seed no longer matters
        QCOMPARE(back->defaultParams(), values);
    }

    // Gradients of a network model by every method against finite differences.
    void gradientsOfANetworkModel_data() {
        QTest::addColumn<QString>("method");
        for (const char* m : {"forward", "reverse", "interpolating", "quadrature", "backsolve"}) {
            QTest::newRow(m) << QString(m);
        }
    }
    void gradientsOfANetworkModel() {
        QFETCH(QString, method);
        const char* text =
            "param a = 0.7\nnn U = dense(2, 4, tanh) >> dense(4, 2, swish)\ninit x = 1\ninit y = "
            "0.5\n"
            "d(x)/dt = a*x - U(x, y)[1]\nd(y)/dt = -y + U(x, y)[2]\ntspan = 0 .. 2\n";
        const auto m = compile(text, 3);
        const auto loss = dataFrom(
            "init x = 1\ninit y = 0.5\nd(x)/dt = 0.5*x - x*y\nd(y)/dt = -y + x*y\n", *m, 2.0, 11);
        ode::SolveOptions opts;
        opts.reltol = opts.abstol = 1e-11;
        const sens::GradientProblem problem{m.get(), m->defaultParams(), std::nullopt, &loss};
        const auto fd =
            sens::gradient(problem, ode::Vern7{}, opts, sens::GradientMethod::FiniteDiff);
        const auto g = sens::gradient(problem, ode::Vern7{}, opts,
                                      *sens::gradientMethodByName(method.toStdString()));
        QVERIFY2(g.ok() && fd.ok(), g.message.c_str());
        double scale = 0.0;
        for (double v : fd.dParams) {
            scale = std::max(scale, std::abs(v));
        }
        for (std::size_t k = 0; k < fd.dParams.size(); ++k) {
            QVERIFY2(
                std::abs(g.dParams[k] - fd.dParams[k]) <= 1e-5 * scale,
                qPrintable(QString("%1: %2 vs %3").arg(k).arg(g.dParams[k]).arg(fd.dParams[k])));
        }
    }

    // The seed's spiral: du/dt = ((u.^3)ᵀ A)ᵀ, A = [-0.1 2; -2 -0.1], u0 = (2, 0), 30 points on
    // [0, 1.5]; model x^3, y^3 → dense(2, 50, tanh) → dense(50, 2), Adam from a fixed seed.
    void spiralTrainsBelowFivePercent() {
        const auto m = compile(kSpiral, 20190121);
        const auto loss = dataFrom("init x = 2\ninit y = 0\nd(x)/dt = -0.1*x^3 - 2*y^3\n"
                                   "d(y)/dt = 2*x^3 - 0.1*y^3\n",
                                   *m, 1.5, 30);
        fit::FitOptions o;
        o.optimizer = fit::Optimizer::Adam;
        o.adam.learningRate = 0.05;
        o.maxIterations = 300;
        o.gradient = sens::GradientMethod::Reverse;
        o.solve.reltol = 1e-7;
        o.solve.abstol = 1e-9;
        const auto out = fit::fitParameters(*m, m->defaultParams(), loss, o);
        qInfo("spiral: loss %g -> %g (%.1f%%) in %d iterations, %.2f s, %d rejected steps",
              out.lossInitial, out.lossFinal, 100 * out.lossFinal / out.lossInitial, out.iterations,
              out.seconds, out.rejectedSteps);
        QVERIFY(out.lossFinal < 0.05 * out.lossInitial);
    }

    // Lotka–Volterra with the interaction terms replaced by a network (a universal differential
    // equation) fits data of the true system.
    void lotkaVolterraUdeFits() {
        const char* ude =
            "param α = 1.3\nparam γ = 1.8\nnn U = dense(2, 8, tanh) >> dense(8, 2)\n"
            "init x = 0.44249296\ninit y = 4.6280594\n"
            "d(x)/dt = α*x + U(x, y)[1]\nd(y)/dt = -γ*y + U(x, y)[2]\ntspan = 0 .. 3\n";
        const auto m = compile(ude, 7);
        const auto loss =
            dataFrom("init x = 0.44249296\ninit y = 4.6280594\nd(x)/dt = 1.3*x - 0.9*x*y\n"
                     "d(y)/dt = -1.8*y + 0.8*x*y\n",
                     *m, 3.0, 31);
        fit::FitOptions o;
        o.optimizer = fit::Optimizer::Lbfgs;
        o.maxIterations = 300;
        o.gradient = sens::GradientMethod::Reverse;
        o.solve.reltol = o.solve.abstol = 1e-8;
        const auto out = fit::fitParameters(*m, m->defaultParams(), loss, o);
        qInfo("UDE: loss %g -> %g in %d iterations, %.2f s", out.lossInitial, out.lossFinal,
              out.iterations, out.seconds);
        QVERIFY(out.lossFinal < 1e-2 * out.lossInitial);
    }
};

QTEST_GUILESS_MAIN(TestNeural)
#include "tst_neural.moc"
