// SPDX-License-Identifier: MIT
// Events on a stiff problem: the two thresholds of SUNDIALS' cvRoberts_dns example (y1 falls to
// 1e-4, y3 rises to 0.01) located by every stiff method at reltol 1e-8.
//
// CVODE_BDF locates them with CVODE's own root finding (CVodeRootInit).
//
// The reference times are our own at reltol 1e-12, where Rodas5P, KenCarp4 and Kvaerno5 agree
// to 11 digits, and checked independently: CVODE (no events) at reltol 1e-12 brackets each one
// within a relative 1e-7. The example's published output (cvRoberts_dns.out: t = 2.6391e-01 and
// 2.0813e+07) comes from a solve at reltol 1e-4 and agrees to 1e-3, its own accuracy.
#include "core/status.hpp"
#include "model/model.hpp"
#include "model/model_rhs.hpp"
#include "model/model_solve.hpp"

#include <QTest>
#include <cmath>
#include <string>

using namespace dynfit;

namespace {

const char* const kRober = "param k1 = 0.04\nparam k2 = 3e7\nparam k3 = 1e4\n"
                           "init y1 = 1\ninit y2 = 0\ninit y3 = 0\n"
                           "d(y1)/dt = -k1*y1 + k3*y2*y3\n"
                           "d(y2)/dt = k1*y1 - k3*y2*y3 - k2*y2^2\n"
                           "d(y3)/dt = k2*y2^2\n"
                           "tspan = 0 .. 4e10\n";
const char* const kThresholds = "when y1 < 1e-4\nwhen y3 > 0.01\n";

constexpr double kY3Crossing = 2.6401907819e-01; // y3 = 0.01
constexpr double kY1Crossing = 2.0795496883e+07; // y1 = 1e-4

ode::Solution<model::Vector<double>>
solveText(const std::string& text, const ode::Method& method, ode::SolveOptions opts) {
    model::Diagnostics d;
    const auto m = model::compileModel(text, d);
    if (!m) {
        qFatal("the ROBER model does not compile");
    }
    const auto p = m->defaultParams();
    return model::solveModel(
        model::makeModelProblem<double>(
            m, Eigen::Map<const Eigen::VectorXd>(p.data(), static_cast<Eigen::Index>(p.size())),
            {}),
        method, opts);
}

ode::SolveOptions tolerances(double reltol) {
    ode::SolveOptions opts;
    opts.reltol = reltol;
    opts.abstolPerComponent = {1e-20, 1e-20, 1e-20};
    opts.saveat = {4e10};
    opts.saveEverystep = false;
    return opts;
}

} // namespace

class TestStiffEvents : public QObject {
    Q_OBJECT

  private slots:
    void thresholds_data() {
        QTest::addColumn<QString>("method");
        for (const char* name :
             {"Rodas5P", "Rodas4", "KenCarp4", "Kvaerno5", "Auto", "CVODE_BDF"}) {
            QTest::newRow(name) << QString::fromLatin1(name);
        }
    }

    // y3 crosses 0.01 first (line 2 of the events), then y1 falls to 1e-4 (line 1).
    void thresholds() {
        QFETCH(QString, method);
        const auto sol = solveText(std::string(kRober) + kThresholds,
                                   *ode::methodByName(method.toStdString()), tolerances(1e-8));
        QVERIFY2(sol.ok(), sol.message.c_str());
        QCOMPARE(sol.events.size(), std::size_t(2));
        QCOMPARE(sol.events[0].event, 1);
        QCOMPARE(sol.events[1].event, 0);
        const double e3 = std::abs(sol.events[0].t - kY3Crossing) / kY3Crossing;
        const double e1 = std::abs(sol.events[1].t - kY1Crossing) / kY1Crossing;
        QVERIFY2(e3 < 1e-6 && e1 < 1e-6,
                 qPrintable(QString("relative errors %1 (y3) and %2 (y1)").arg(e3).arg(e1)));
        // The recorded states sit on the thresholds.
        QVERIFY(std::abs(sol.events[0].before[2] - 0.01) < 1e-9);
        QVERIFY(std::abs(sol.events[1].before[0] - 1e-4) < 1e-11);
        // The example's published times, to the accuracy of its reltol 1e-4.
        QVERIFY(std::abs(sol.events[0].t - 2.6391e-01) < 1e-3 * 2.6391e-01);
        QVERIFY(std::abs(sol.events[1].t - 2.0813e+07) < 1e-3 * 2.0813e+07);
    }

    // The reference times bracketed by CVODE without events: each condition changes sign
    // between τ(1 − 1e-7) and τ(1 + 1e-7).
    void cvodeBracketsTheReference() {
        ode::SolveOptions opts = tolerances(1e-12);
        opts.saveat = {kY3Crossing * (1 - 1e-7), kY3Crossing * (1 + 1e-7), kY1Crossing * (1 - 1e-7),
                       kY1Crossing * (1 + 1e-7)};
        const auto sol = solveText(kRober, ode::CvodeBdf{}, opts);
        QVERIFY2(sol.ok(), sol.message.c_str());
        QCOMPARE(sol.u.size(), std::size_t(4));
        QVERIFY(sol.u[0][2] < 0.01 && sol.u[1][2] > 0.01);
        QVERIFY(sol.u[2][0] > 1e-4 && sol.u[3][0] < 1e-4);
    }

    // CVODE's root finding and stop times on a bouncing ball and a dose schedule: bounce times
    // against the closed form, doses against Rodas5P, a save at a dose time after the dose.
    void cvodeRunsEvents() {
        const std::string ball = "init h = 1\ninit v = 0\nd(h)/dt = v\nd(v)/dt = -9.81\n"
                                 "when h < 0: v = -0.8*v\ntspan = 0 .. 2\n";
        ode::SolveOptions opts;
        opts.reltol = 1e-10;
        opts.abstol = 1e-12;
        opts.saveat = {2.0};
        opts.saveEverystep = false;
        for (const ode::Method method :
             {ode::Method(ode::CvodeBdf{}), ode::Method(ode::CvodeAdams{})}) {
            const auto sol = solveText(ball, method, opts);
            QVERIFY2(sol.ok(), sol.message.c_str());
            QCOMPARE(sol.events.size(), std::size_t(3));
            const double t1 = std::sqrt(2.0 / 9.81);
            const double bounces[] = {t1, t1 * (1 + 2 * 0.8), t1 * (1 + 2 * (0.8 + 0.64))};
            for (std::size_t k = 0; k < 3; ++k) {
                QVERIFY2(std::abs(sol.events[k].t - bounces[k]) < 1e-7,
                         qPrintable(QString::number(sol.events[k].t - bounces[k])));
                QVERIFY(sol.events[k].after[1] > 0.0); // rising after each bounce
            }
        }
        const std::string dosing = "param k = 0.5\ninit A = 0\nd(A)/dt = -k*A\n"
                                   "at t = 0, 1.5: A = A + 2\nevery 1 from 2 to 4: A = A + 1\n"
                                   "tspan = 0 .. 5\n";
        opts.saveat = {0.0, 1.5, 2.5, 5.0};
        const auto cvode = solveText(dosing, ode::CvodeBdf{}, opts);
        const auto rodas = solveText(dosing, ode::Rodas5P{}, opts);
        QVERIFY2(cvode.ok() && rodas.ok(), (cvode.message + rodas.message).c_str());
        QCOMPARE(cvode.events.size(), std::size_t(5));
        QCOMPARE(cvode.u.size(), std::size_t(4));
        QCOMPARE(cvode.u[0][0], 2.0); // the dose at t0, saved after it
        QVERIFY(std::abs(cvode.u[1][0] - (2 * std::exp(-0.75) + 2)) < 1e-8); // at 1.5, after
        for (std::size_t k = 0; k < 4; ++k) {
            QVERIFY2(std::abs(cvode.u[k][0] - rodas.u[k][0]) < 1e-7,
                     qPrintable(QString("%1 vs %2").arg(cvode.u[k][0]).arg(rodas.u[k][0])));
        }
    }

    void accumulationNamesTheLine_data() {
        QTest::addColumn<QString>("method");
        QTest::addColumn<double>("reltol");
        for (const QString method : {"Tsit5", "Rodas5P", "CVODE_BDF", "CVODE_Adams"}) {
            for (const double reltol : {1e-3, 1e-6, 1e-10}) {
                const QString row = method + " " + QString::number(reltol);
                QTest::newRow(qPrintable(row)) << method << reltol;
            }
        }
    }

    // A ball with restitution 0.5 bounces infinitely often before t* = 3·sqrt(2/9.81) ≈ 1.3546:
    // the solve ends there as EventAccumulation naming the event's line, never a hang, never a
    // ball that falls through the floor and ends as Success (what both our methods and CVODE did
    // once the bounces passed floating point or the tolerance). Native methods locate the bounces
    // exactly (the motion is a parabola) until two crossings are a few thousand ulps apart; CVODE's
    // BDF error grows larger than the last bounces, and its crossing against h's own rate (v > 0)
    // ends the solve.
    void accumulationNamesTheLine() {
        QFETCH(QString, method);
        QFETCH(double, reltol);
        const std::string ball = "init h = 1\ninit v = 0\nd(h)/dt = v\nd(v)/dt = -9.81\n"
                                 "when h < 0: v = -0.5*v\ntspan = 0 .. 3\n";
        ode::SolveOptions opts;
        opts.reltol = reltol;
        opts.abstol = 1e-2 * reltol;
        opts.saveat = {1.0, 1.3, 2.0, 3.0};
        const bool native = !method.startsWith("CVODE");
        const auto sol = solveText(ball, *ode::methodByName(method.toStdString()), opts);
        QCOMPARE(sol.status, SolveStatus::EventAccumulation);
        QVERIFY2(sol.message.find("the event on line 5") != std::string::npos
                     && sol.message.find("t = 1.3") != std::string::npos,
                 sol.message.c_str());
        const double accumulation = 3 * std::sqrt(2 / 9.81);
        QVERIFY(!sol.events.empty());
        QVERIFY2(std::abs(sol.events.back().t - accumulation) < (native ? 1e-9 : 1e-2),
                 qPrintable(QString::number(sol.events.back().t - accumulation)));
        if (native) {
            QVERIFY(sol.events.size() > 35); // every bounce down to the floating-point limit
        }
        QCOMPARE(sol.u.size(), std::size_t(2)); // 1.0 and 1.3: nothing after the point
        for (const auto& u : sol.u) {
            QVERIFY2(u[0] > -1e-6, qPrintable(QString::number(u[0])));
        }
        ode::SolveOptions counted = opts;
        counted.maxEvents = 5;
        const auto capped = solveText(ball, *ode::methodByName(method.toStdString()), counted);
        QCOMPARE(capped.status, SolveStatus::EventAccumulation);
        QVERIFY2(capped.message.find("maxEvents") != std::string::npos, capped.message.c_str());
    }

    // A terminal event's message names its line, on every kind of method.
    void terminalNamesTheLine() {
        ode::SolveOptions tight;
        tight.reltol = 1e-8;
        tight.abstol = 1e-10;
        for (const char* stopper : {"Tsit5", "Rodas5P", "CVODE_BDF"}) {
            const auto stopped = solveText("init x = 1\nd(x)/dt = -x\nwhen x < 0.5: stop\n"
                                           "tspan = 0 .. 5\n",
                                           *ode::methodByName(stopper), tight);
            QCOMPARE(stopped.status, SolveStatus::Terminated);
            QVERIFY2(stopped.message.find("terminated by the event on line 3 at t = 0.69314") == 0,
                     stopped.message.c_str());
        }
    }

    // CVODE looks for sign changes at its step ends only; a condition that crosses and comes
    // back within one of its steps is found by sampling the step's interpolant. Here x barely
    // moves (CVODE's steps grow long) while sin(10 t) passes 0.9 upwards 16 times in [0, 10]:
    // CVODE's own root finding sees one of them. (Sampling has its limit too: at reltol 1e-3
    // the steps outgrow the windows where sin(10 t) > 0.9, and a dtmax is the remedy.)
    void cvodeFindsCrossingsInsideItsSteps() {
        ode::SolveOptions opts;
        opts.reltol = 1e-6;
        opts.abstol = 1e-8;
        opts.saveat = {0.0, 10.0};
        const auto sol = solveText("init x = 1\nd(x)/dt = -0.01*x\nwhen sin(10*t) > 0.9\n"
                                   "tspan = 0 .. 10\n",
                                   ode::CvodeBdf{}, opts);
        QVERIFY2(sol.ok(), sol.message.c_str());
        QCOMPARE(sol.events.size(), std::size_t(16));
        for (std::size_t k = 0; k < sol.events.size(); ++k) {
            const double exact = (std::asin(0.9) + 2 * M_PI * static_cast<double>(k)) / 10;
            QVERIFY2(std::abs(sol.events[k].t - exact) < 1e-4,
                     qPrintable(QString("crossing %1 at %2").arg(k).arg(sol.events[k].t)));
        }
    }
};

QTEST_APPLESS_MAIN(TestStiffEvents)
#include "tst_stiff_events.moc"
