// SPDX-License-Identifier: MIT
// Pathwise gradients of an SDE's loss on one fixed path (the seed's way: forward mode through
// the solver on common random numbers): for geometric Brownian motion, X_T = X0 exp((μ − σ²/2)T
// + σW_T), so ∂X_T/∂μ = T·X_T, ∂X_T/∂σ = (W_T − σT)·X_T and ∂X_T/∂X0 = X_T/X0 on the path —
// forward mode against them (to the method's discretisation error) and against finite
// differences of the same discrete solve (to rounding); methods that do not carry noise yet
// refuse, naming what works.
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
    void forwardMatchesTheExactPathwiseDerivatives_data() {
        QTest::addColumn<QString>("method");
        QTest::addColumn<double>("dt");
        QTest::addColumn<double>("tolerance");
        QTest::newRow("SRIW1, dt 2^-10") << "SRIW1" << std::ldexp(1.0, -10) << 1e-3;
        QTest::newRow("SOSRI, adaptive 1e-6") << "SOSRI" << 0.0 << 1e-3;
        QTest::newRow("EM, dt 2^-14") << "EM" << std::ldexp(1.0, -14) << 2e-2;
    }

    void forwardMatchesTheExactPathwiseDerivatives() {
        QFETCH(QString, method);
        QFETCH(double, dt);
        QFETCH(double, tolerance);
        const Case c = makeCase(*ode::sdeMethodByName(method.toStdString()));
        ode::SolveOptions opts;
        opts.dt = dt;
        opts.reltol = opts.abstol = 1e-6;
        const auto r = gradientOf(c, sens::GradientMethod::Forward, opts);
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

    // The same discrete solve (fixed steps, the same path) differentiated two ways.
    void forwardMatchesFiniteDifferencesOnThePath() {
        const Case c = makeCase(ode::SOSRI{});
        ode::SolveOptions opts;
        opts.dt = std::ldexp(1.0, -8);
        const auto forward = gradientOf(c, sens::GradientMethod::Forward, opts);
        const auto fd = gradientOf(c, sens::GradientMethod::FiniteDiff, opts);
        QVERIFY2(forward.ok() && fd.ok(), (forward.message + fd.message).c_str());
        QCOMPARE(forward.loss, fd.loss);
        QVERIFY2(relativeDifference(forward.dParams, fd.dParams) < 1e-7,
                 qPrintable(QString("%1 vs %2").arg(forward.dParams[1]).arg(fd.dParams[1])));
    }

    void refusals() {
        const Case c = makeCase(ode::SOSRI{});
        const auto reverse = gradientOf(c, sens::GradientMethod::Reverse, {});
        QCOMPARE(reverse.status, SolveStatus::InvalidInput);
        QVERIFY2(reverse.message.find("use forward") != std::string::npos, reverse.message.c_str());
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
