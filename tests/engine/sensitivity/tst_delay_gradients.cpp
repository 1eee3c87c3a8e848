// SPDX-License-Identifier: MIT
// Reverse mode through a delay model's steps is the transpose of forward mode: on a model with
// two states, two lags (one read by two slots), a history that moves with t and depends on a
// param, one state without a history (its init then) and an init off its history (a jump of
// the sensitivities at the first breakpoint), the two gradients agree to rounding, for FSAL,
// non-FSAL and Hermite-interpolated methods, adaptive and fixed-step — and both agree with
// finite differences. The exact lag gradients of a one-state problem are in tst_delays.
#include "model/model.hpp"
#include "objective/least_squares_loss.hpp"
#include "sensitivity/gradient.hpp"
#include "solvers/methods.hpp"
#include "support/require_loss.hpp"

#include <QTest>
#include <algorithm>
#include <cmath>
#include <vector>

using namespace dynfit;

namespace {

const char* const kModel = "param a = 1.1\n"
                           "param b = 0.4\n"
                           "param tau1 = 0.3 in [0.05, 1]\n"
                           "param tau2 = 0.55 in [0.05, 1]\n"
                           "param h0 = 0.8\n"
                           "init x = 1.2\n"
                           "init y = 0.5\n"
                           "history x = h0 + 0.2*sin(3*t)\n"
                           "d(x)/dt = a*x*(1 - x(t - tau1)) - b*x*y\n"
                           "d(y)/dt = b*x(t - tau2)*y - 0.3*y + 0.1*y(t - tau1)\n"
                           "tspan = 0 .. 3\n";

struct Case {
    std::shared_ptr<const model::CompiledModel> model;
    objective::LeastSquaresLoss loss;
};

Case makeCase() {
    Case out;
    model::Diagnostics d;
    out.model = model::compileModel(kModel, d);
    if (!out.model) {
        qFatal("the model does not compile: %s",
               model::formatDiagnostics(d, "test", kModel).c_str());
    }
    io::DataSet data;
    data.timeColumn.push_back('t');
    data.columns = {"x", "y"};
    data.times = {0.2, 0.7, 1.25, 1.9, 2.4, 3.0};
    data.values = {{1.0, 0.9, 0.8, 0.85, 0.9, 0.95}, {0.55, 0.6, 0.7, 0.75, 0.8, 0.8}};
    out.loss = test::requireLoss(out.model->states, data);
    return out;
}

sens::GradientResult gradientBy(const Case& c,
                                const std::string& method,
                                sens::GradientMethod gradient,
                                const ode::SolveOptions& opts) {
    return sens::gradient({c.model.get(), c.model->defaultParams(), std::nullopt, &c.loss},
                          *ode::methodByName(method), opts, gradient);
}

// All of dL/dp and dL/du0 of two results, relative to the largest entry.
double largestDifference(const sens::GradientResult& a, const sens::GradientResult& b) {
    double scale = 0.0, diff = 0.0;
    for (std::size_t k = 0; k < a.dParams.size(); ++k) {
        scale = std::max(scale, std::abs(b.dParams[k]));
        diff = std::max(diff, std::abs(a.dParams[k] - b.dParams[k]));
    }
    for (std::size_t i = 0; i < a.dInit.size(); ++i) {
        scale = std::max(scale, std::abs(b.dInit[i]));
        diff = std::max(diff, std::abs(a.dInit[i] - b.dInit[i]));
    }
    return diff / scale;
}

QString describe(const Case& c, const sens::GradientResult& a, const sens::GradientResult& b) {
    QString text;
    for (std::size_t k = 0; k < a.dParams.size(); ++k) {
        text += QString("\n  dL/d%1: %2 vs %3")
                    .arg(c.model->params[k].name.c_str())
                    .arg(a.dParams[k], 0, 'g', 14)
                    .arg(b.dParams[k], 0, 'g', 14);
    }
    for (std::size_t i = 0; i < a.dInit.size(); ++i) {
        text += QString("\n  dL/d%1(0): %2 vs %3")
                    .arg(c.model->states[i].c_str())
                    .arg(a.dInit[i], 0, 'g', 14)
                    .arg(b.dInit[i], 0, 'g', 14);
    }
    return text;
}

} // namespace

class TestDelayGradients : public QObject {
    Q_OBJECT

  private slots:
    void reverseIsForwardTransposed_data() {
        QTest::addColumn<QString>("method");
        QTest::addColumn<double>("dt");
        QTest::newRow("Tsit5 (FSAL)") << "Tsit5" << 0.0;
        QTest::newRow("DP5 (FSAL)") << "DP5" << 0.0;
        QTest::newRow("BS3 (FSAL)") << "BS3" << 0.0;
        QTest::newRow("Vern7 (own interpolant)") << "Vern7" << 0.0;
        QTest::newRow("RK4 (Hermite, fixed dt)") << "RK4" << 0.05;
    }

    // The same discrete solution differentiated both ways: equal to rounding.
    void reverseIsForwardTransposed() {
        QFETCH(QString, method);
        QFETCH(double, dt);
        const Case c = makeCase();
        ode::SolveOptions opts;
        opts.reltol = 1e-6;
        opts.abstol = 1e-8;
        opts.dt = dt;
        const auto forward =
            gradientBy(c, method.toStdString(), sens::GradientMethod::Forward, opts);
        const auto reverse =
            gradientBy(c, method.toStdString(), sens::GradientMethod::Reverse, opts);
        QVERIFY2(forward.ok(), forward.message.c_str());
        QVERIFY2(reverse.ok(), reverse.message.c_str());
        QCOMPARE(reverse.loss, forward.loss);
        const double diff = largestDifference(reverse, forward);
        QVERIFY2(diff < 1e-10, qPrintable(QString("reverse vs forward: %1 apart relative").arg(diff)
                                          + describe(c, reverse, forward)));
    }

    // At a tight tolerance both are the gradient of the exact solution: finite differences
    // (of the solve at 1e-11) agree to their own accuracy.
    void reverseMatchesFiniteDifferences() {
        const Case c = makeCase();
        ode::SolveOptions opts;
        opts.reltol = 1e-11;
        opts.abstol = 1e-13;
        const auto reverse = gradientBy(c, "Vern7", sens::GradientMethod::Reverse, opts);
        const auto fd = gradientBy(c, "Vern7", sens::GradientMethod::FiniteDiff, opts);
        QVERIFY2(reverse.ok() && fd.ok(), (reverse.message + fd.message).c_str());
        const double diff = largestDifference(reverse, fd);
        QVERIFY2(diff < 1e-5, qPrintable(QString("reverse vs finite differences: %1").arg(diff)
                                         + describe(c, reverse, fd)));
    }

    // The methods reverse mode does not replay for delays say which one works.
    void reverseRefusesStiffMethods() {
        const Case c = makeCase();
        for (const char* method : {"Rodas5P", "KenCarp4", "Auto"}) {
            const auto r = gradientBy(c, method, sens::GradientMethod::Reverse, {});
            QCOMPARE(r.status, SolveStatus::InvalidInput);
            QVERIFY2(r.message.find("use forward") != std::string::npos, r.message.c_str());
        }
    }
};

QTEST_APPLESS_MAIN(TestDelayGradients)
#include "tst_delay_gradients.moc"
