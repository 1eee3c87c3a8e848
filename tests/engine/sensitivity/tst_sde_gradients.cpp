// SPDX-License-Identifier: MIT
// Pathwise gradients of an SDE's loss on one fixed path (the seed's way: forward mode through
// the solver on common random numbers): for geometric Brownian motion, X_T = X0 exp((μ − σ²/2)T
// + σW_T), so ∂X_T/∂μ = T·X_T, ∂X_T/∂σ = (W_T − σT)·X_T and ∂X_T/∂X0 = X_T/X0 on the path —
// forward and reverse mode against them (to the method's discretisation error), against each
// other for every SDE method of the registry, fixed and adaptive steps, state-dependent and
// additive noise (to rounding: both differentiate the same discrete solve), and against finite
// differences of the same discrete solve; methods that do not carry noise yet refuse, naming
// what works.
#include "core/dual.hpp"
#include "model/model.hpp"
#include "objective/least_squares_loss.hpp"
#include "sensitivity/gradient.hpp"
#include "support/require_loss.hpp"

#include <QTest>
#include <cmath>

using namespace dynfit;

namespace {

const char* const kGbm = "param mu = 0.7\nparam s = 0.4\nparam x0 = 1.5\ninit x = x0\n"
                         "d(x)/dt = mu*x\nnoise x = s*x\ntspan = 0 .. 1\n";

struct Case {
    std::shared_ptr<const model::CompiledModel> model;
    objective::LeastSquaresLoss loss;
    sens::SdePath path;
};

Case makeCase(const ode::SdeMethod& method) {
    Case c;
    model::Diagnostics d;
    c.model = model::compileModel(kGbm, d);
    if (!c.model) {
        qFatal("%s", model::formatDiagnostics(d, "test", kGbm).c_str());
    }
    io::DataSet data;
    data.timeColumn = "t";
    data.columns = {"x"};
    data.times = {0.5, 1.0};
    data.values = {{1.7, 2.0}};
    c.loss = test::requireLoss(c.model->states, data);
    c.path.method = method;
    c.path.noise.seed = 77;
    c.path.noise.trajectory = 3;
    return c;
}

// dL/d(μ, s, x0) of the exact pathwise solution.
std::vector<double> exactGradient(const Case& c) {
    using D3 = Dual<double, 3>;
    ode::WienerPaths paths(c.path.noise, 1, {0.0, 1.0});
    const D3 mu = D3::variable(0.7, 0), s = D3::variable(0.4, 1), x0 = D3::variable(1.5, 2);
    std::vector<Eigen::Matrix<D3, 1, 1>> states;
    for (const double t : {0.5, 1.0}) {
        const double w = paths.value(0, t);
        states.push_back(Eigen::Matrix<D3, 1, 1>(x0 * exp((mu - 0.5 * s * s) * t + s * w)));
    }
    const D3 loss = c.loss.evaluate(states);
    return {loss.d[0], loss.d[1], loss.d[2]};
}

sens::GradientResult
gradientOf(const Case& c, sens::GradientMethod method, const ode::SolveOptions& opts) {
    sens::GradientProblem gp{c.model.get(), c.model->defaultParams(), std::nullopt, &c.loss};
    gp.sde = c.path;
    return sens::gradient(gp, ode::Tsit5{}, opts, method);
}

double relativeDifference(const std::vector<double>& a, const std::vector<double>& b) {
    double worst = 0.0;
    for (std::size_t k = 0; k < a.size(); ++k) {
        worst = std::max(worst, std::abs(a[k] - b[k]) / std::abs(b[k]));
    }
    return worst;
}

} // namespace

class TestSdeGradients : public QObject {
    Q_OBJECT

  private slots:
    void matchesTheExactPathwiseDerivatives_data() {
        QTest::addColumn<QString>("method");
        QTest::addColumn<double>("dt");
        QTest::addColumn<double>("tolerance");
        QTest::addColumn<bool>("reverse");
        for (const bool reverse : {false, true}) {
            const char* mode = reverse ? "reverse, " : "forward, ";
            QTest::newRow(qPrintable(QString(mode) + "SRIW1, dt 2^-10"))
                << "SRIW1" << std::ldexp(1.0, -10) << 1e-3 << reverse;
            QTest::newRow(qPrintable(QString(mode) + "SOSRI, adaptive 1e-6"))
                << "SOSRI" << 0.0 << 1e-3 << reverse;
            QTest::newRow(qPrintable(QString(mode) + "EM, dt 2^-14"))
                << "EM" << std::ldexp(1.0, -14) << 2e-2 << reverse;
        }
    }

    void matchesTheExactPathwiseDerivatives() {
        QFETCH(QString, method);
        QFETCH(double, dt);
        QFETCH(double, tolerance);
        QFETCH(bool, reverse);
        const Case c = makeCase(*ode::sdeMethodByName(method.toStdString()));
        ode::SolveOptions opts;
        opts.dt = dt;
        opts.reltol = opts.abstol = 1e-6;
        const auto r = gradientOf(
            c, reverse ? sens::GradientMethod::Reverse : sens::GradientMethod::Forward, opts);
        QVERIFY2(r.ok(), r.message.c_str());
        const auto exact = exactGradient(c);
        const double diff = relativeDifference(r.dParams, exact);
        QVERIFY2(diff < tolerance,
                 qPrintable(QString("dL/d(mu, s, x0) = (%1, %2, %3), exact (%4, %5, %6)")
                                .arg(r.dParams[0])
                                .arg(r.dParams[1])
                                .arg(r.dParams[2])
                                .arg(exact[0])
                                .arg(exact[1])
                                .arg(exact[2])));
    }

    // The same discrete solve (fixed steps, the same path) differentiated by forward and by
    // reverse mode, each against central differences.
    void matchesFiniteDifferencesOnThePath() {
        const Case c = makeCase(ode::SOSRI{});
        ode::SolveOptions opts;
        opts.dt = std::ldexp(1.0, -8);
        const auto fd = gradientOf(c, sens::GradientMethod::FiniteDiff, opts);
        QVERIFY2(fd.ok(), fd.message.c_str());
        for (const auto method : {sens::GradientMethod::Forward, sens::GradientMethod::Reverse}) {
            const auto g = gradientOf(c, method, opts);
            QVERIFY2(g.ok(), g.message.c_str());
            QCOMPARE(g.loss, fd.loss);
            QVERIFY2(relativeDifference(g.dParams, fd.dParams) < 1e-7,
                     qPrintable(QString("%1: %2 vs %3")
                                    .arg(sens::gradientMethodName(method).data())
                                    .arg(g.dParams[1])
                                    .arg(fd.dParams[1])));
        }
    }

    // Reverse mode sweeps back through exactly the steps forward mode differentiates: the two
    // agree to rounding for every SDE method (the registry's), on GBM (multiplicative noise,
    // u0(p)) and on an additive, time-dependent two-state model with a deterministic state.
    void reverseMatchesForwardForEveryMethod_data() {
        QTest::addColumn<QString>("method");
        QTest::addColumn<bool>("additive");
        QTest::addColumn<double>("dt");
        ode::forEachSdeMethod([](auto tag) {
            using Tag = decltype(tag);
            const ode::SdeMethod m = tag;
            const bool fixed = !ode::sdeMethodAdaptive(m);
            const bool stratonovich = std::is_same_v<Tag, ode::EulerHeun>;
            for (const bool additive : {false, true}) {
                if (!additive && (ode::sdeMethodAdditiveOnly(m) || stratonovich)) {
                    continue; // refused on GBM (Itô, multiplicative)
                }
                for (const double dt : {fixed ? std::ldexp(1.0, -7) : 0.0, std::ldexp(1.0, -5)}) {
                    QTest::newRow(qPrintable(QString("%1, %2, dt %3")
                                                 .arg(Tag::name)
                                                 .arg(additive ? "additive" : "GBM")
                                                 .arg(dt)))
                        << QString(Tag::name) << additive << dt;
                }
            }
        });
    }

    void reverseMatchesForwardForEveryMethod() {
        QFETCH(QString, method);
        QFETCH(bool, additive);
        QFETCH(double, dt);
        Case c = makeCase(*ode::sdeMethodByName(method.toStdString()));
        if (additive) {
            const char* text = "param k = 1.3\nparam s = 0.4\nparam a = 0.5\ninit x = a\n"
                               "init y = 1\nd(x)/dt = -k*x + sin(t)*y\nd(y)/dt = -0.5*y*x\n"
                               "noise x = s*(1 + 0.5*t)\ntspan = 0 .. 1\n";
            model::Diagnostics d;
            c.model = model::compileModel(text, d);
            QVERIFY(c.model != nullptr);
            io::DataSet data{"t", {"x", "y"}, {0.5, 1.0}, {{0.3, 0.2}, {0.9, 0.8}}};
            c.loss = test::requireLoss(c.model->states, data);
        }
        ode::SolveOptions opts;
        opts.dt = dt;
        opts.reltol = opts.abstol = 1e-4;
        const auto forward = gradientOf(c, sens::GradientMethod::Forward, opts);
        const auto reverse = gradientOf(c, sens::GradientMethod::Reverse, opts);
        QVERIFY2(forward.ok() && reverse.ok(), (forward.message + reverse.message).c_str());
        QVERIFY(std::abs(forward.loss - reverse.loss) <= 1e-14 * forward.loss);
        const double diff = relativeDifference(reverse.dParams, forward.dParams);
        QVERIFY2(diff < 1e-10, qPrintable(QString("relative difference %1: dL/dp[0] %2 vs %3")
                                              .arg(diff)
                                              .arg(reverse.dParams[0])
                                              .arg(forward.dParams[0])));
        QVERIFY(relativeDifference(reverse.dInit, forward.dInit) < 1e-10);
        QVERIFY(reverse.nfBackward > 0);
    }

    void refusals() {
        const Case c = makeCase(ode::SOSRI{});
        const auto backsolve = gradientOf(c, sens::GradientMethod::Backsolve, {});
        QCOMPARE(backsolve.status, SolveStatus::InvalidInput);
        QVERIFY2(backsolve.message.find("use forward or reverse") != std::string::npos,
                 backsolve.message.c_str());
        sens::GradientProblem noPath{c.model.get(), c.model->defaultParams(), std::nullopt,
                                     &c.loss};
        const auto r = sens::gradient(noPath, ode::Tsit5{}, {}, sens::GradientMethod::Forward);
        QCOMPARE(r.status, SolveStatus::InvalidInput);
        QVERIFY2(r.message.find("needs an SDE method and a path") != std::string::npos,
                 r.message.c_str());
    }
};

QTEST_APPLESS_MAIN(TestSdeGradients)
#include "tst_sde_gradients.moc"
