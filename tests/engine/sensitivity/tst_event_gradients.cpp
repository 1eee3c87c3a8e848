// SPDX-License-Identifier: MIT
// Gradients across events: the bouncing ball against its closed form (bounce times and heights
// differentiated exactly, by dual numbers through the closed form), a dose with a lag parameter
// and a threshold switch against finite differences, every gradient method against the others.
//
// Mutation check: with DYNFIT_MUTATE_DROP_EVENT_JUMP set the engine leaves out the event time's
// term of the jump (model/event_jump.cpp); tests/CMakeLists.txt requires this test to fail then.
#include "core/dual.hpp"
#include "model/model.hpp"
#include "model/model_solve.hpp"
#include "objective/least_squares_loss.hpp"
#include "sensitivity/gradient.hpp"
#include "support/require_loss.hpp"

#include <QTest>
#include <cmath>

using namespace dynfit;

namespace {

const char* const kBall = "param g = 9.81\n"
                          "param e = 0.8\n"
                          "param h0 = 1\n"
                          "init h = h0\n"
                          "init v = 0\n"
                          "d(h)/dt = v\n"
                          "d(v)/dt = -g\n"
                          "when h < 0: v = -e*v\n"
                          "tspan = 0 .. 2.1\n";

// The ball dropped from h0 at rest: first impact at T1 = sqrt(2 h0 / g), then flights of
// 2 e^k T1; after impact k it rises from 0 at speed e^k g T1. Three bounces before t = 2.1.
template<class S>
Eigen::Matrix<S, 2, 1> ballAt(double t, const S& g, const S& e, const S& h0) {
    const S t1 = sqrt(S(2.0) * h0 / g);
    if (t < primal(t1)) {
        return {h0 - S(0.5) * g * S(t * t), -g * S(t)};
    }
    S impact = t1, speed = g * t1;
    for (;;) {
        speed = speed * e;
        const S next = impact + S(2.0) * speed / g;
        if (t < primal(next)) {
            const S dt = S(t) - impact;
            return {speed * dt - S(0.5) * g * dt * dt, speed - g * dt};
        }
        impact = next;
    }
}

const std::vector<double> kBallTimes = {0.3, 0.7, 1.0, 1.3, 1.6, 2.0};

// Observations of h and v made with other parameters, so the loss is far from its minimum.
io::DataSet ballData() {
    io::DataSet data;
    data.timeColumn.push_back('t');
    data.columns = {"h", "v"};
    data.times = kBallTimes;
    data.values.assign(2, {});
    for (const double t : kBallTimes) {
        const Eigen::Vector2d u = ballAt<double>(t, 9.5, 0.75, 1.1);
        data.values[0].push_back(u[0]);
        data.values[1].push_back(u[1]);
    }
    return data;
}

struct Case {
    std::shared_ptr<const model::CompiledModel> model;
    objective::LeastSquaresLoss loss;
    std::vector<double> params;
};

Case compile(const char* text, const io::DataSet& data) {
    Case c;
    model::Diagnostics d;
    c.model = model::compileModel(text, d);
    if (!c.model) {
        qFatal("the test model does not compile: %s",
               model::formatDiagnostics(d, "test", text).c_str());
    }
    c.loss = test::requireLoss(c.model->states, data);
    c.params = c.model->defaultParams();
    return c;
}

sens::GradientResult gradientOf(const Case& c, sens::GradientMethod method, double reltol) {
    ode::SolveOptions opts;
    opts.reltol = reltol;
    opts.abstol = reltol * 1e-2;
    return sens::gradient({c.model.get(), c.params, std::nullopt, &c.loss}, ode::Vern7{}, opts,
                          method);
}

// Every entry of dL/dp to `tol` relative to the largest entry.
void compare(const std::vector<double>& got,
             const std::vector<double>& want,
             double tol,
             const std::string& what) {
    double scale = 0.0;
    for (const double w : want) {
        scale = std::max(scale, std::abs(w));
    }
    QVERIFY2(scale > 0.0, "the reference gradient is zero");
    for (std::size_t k = 0; k < want.size(); ++k) {
        const double err = std::abs(got[k] - want[k]) / scale;
        QVERIFY2(err < tol, (what + ": dL/dp" + std::to_string(k) + " = " + std::to_string(got[k])
                             + ", expected " + std::to_string(want[k]) + " (relative error "
                             + std::to_string(err) + ")")
                                .c_str());
    }
}

// A model from the data to fit: the saved states of a solve at other parameters.
io::DataSet
simulated(const char* text, const model::Overrides& truth, const std::vector<double>& times) {
    model::Diagnostics d;
    const auto m = model::compileModel(text, d, truth);
    const auto p = m->defaultParams();
    ode::SolveOptions opts;
    opts.reltol = 1e-12;
    opts.abstol = 1e-14;
    opts.saveat = times;
    opts.saveEverystep = false;
    const auto sol =
        model::solveModel(model::makeModelProblem<double>(
                              m, Eigen::Map<const Eigen::VectorXd>(p.data(), p.size()), {}),
                          ode::Vern7{}, opts);
    io::DataSet data;
    data.timeColumn.push_back('t');
    data.columns = m->states;
    data.times = sol.t;
    data.values.assign(m->states.size(), {});
    for (const auto& u : sol.u) {
        for (std::size_t i = 0; i < m->states.size(); ++i) {
            data.values[i].push_back(u[static_cast<Eigen::Index>(i)]);
        }
    }
    return data;
}

const char* const kDosing = "param ka = 1.2\n"
                            "param ke = 0.3\n"
                            "param dose = 2\n"
                            "param lag = 0.4\n"
                            "init depot = 0\n"
                            "init central = 0\n"
                            "d(depot)/dt = -ka*depot\n"
                            "d(central)/dt = ka*depot - ke*central\n"
                            "at t = lag, 3 + lag: depot = depot + dose\n"
                            "every 2 from 5 to 9: depot = depot + dose/2\n"
                            "tspan = 0 .. 10\n";

const char* const kSwitch = "param a = 1\n"
                            "param b = 2\n"
                            "param threshold = 1.5\n"
                            "init x = 0.2\n"
                            "init on = 0\n"
                            "d(x)/dt = a - b*on*x\n"
                            "d(on)/dt = 0\n"
                            "when x > threshold: on = 1\n"
                            "tspan = 0 .. 4\n";

} // namespace

class TestEventGradients : public QObject {
    Q_OBJECT

  private slots:
    // The closed form against the solver first: the loss itself must agree.
    void ballLossMatchesClosedForm() {
        const Case c = compile(kBall, ballData());
        const auto r = gradientOf(c, sens::GradientMethod::FiniteDiff, 1e-12);
        QVERIFY2(r.ok(), r.message.c_str());
        std::vector<Eigen::Vector2d> states;
        for (const double t : kBallTimes) {
            states.push_back(ballAt<double>(t, 9.81, 0.8, 1.0));
        }
        const double exact = c.loss.evaluate(states);
        QVERIFY2(std::abs(r.loss - exact) < 1e-9 * exact,
                 qPrintable(QString("%1 vs %2").arg(r.loss, 0, 'g', 17).arg(exact, 0, 'g', 17)));
    }

    void ballGradient_data() { methodRows(); }
    // dL/d(g, e, h0) against the closed form differentiated by dual numbers.
    void ballGradient() {
        QFETCH(int, method);
        QFETCH(double, tolerance);
        const Case c = compile(kBall, ballData());
        using D = Dual<double, 3>;
        D g(9.81), e(0.8), h0(1.0);
        g.d[0] = 1.0;
        e.d[1] = 1.0;
        h0.d[2] = 1.0;
        std::vector<Eigen::Matrix<D, 2, 1>> states;
        for (const double t : kBallTimes) {
            states.push_back(ballAt(t, g, e, h0));
        }
        const D exact = c.loss.evaluate(states);
        const auto r = gradientOf(c, static_cast<sens::GradientMethod>(method), 1e-12);
        QVERIFY2(r.ok(), r.message.c_str());
        compare(r.dParams, {exact.d[0], exact.d[1], exact.d[2]}, tolerance, "ball");
    }

    void dosingGradient_data() { methodRows(); }

    // A dose lag, a dose amount and a schedule: every method against finite differences.
    void dosingGradient() {
        againstFiniteDifferences(kDosing, {{"ka", 0.9}, {"ke", 0.35}, {"dose", 2.5}, {"lag", 0.55}},
                                 {0.5, 1, 2, 3, 3.5, 4, 5.5, 6, 7.5, 8, 9.5}, 3, "dosing");
    }

    void thresholdSwitchGradient_data() { methodRows(); }

    // A switch that flips when x crosses a threshold: dL/dthreshold only through the event time.
    void thresholdSwitchGradient() {
        againstFiniteDifferences(kSwitch, {{"a", 1.1}, {"b", 1.8}, {"threshold", 1.3}},
                                 {0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4}, 2, "switch");
    }

    void terminalEvent_data() { methodRows(); }

    // A stop before the last data time is refused with the reason; before it, the gradient is
    // the plain one (the stop's time does not enter the loss).
    void terminalEvent() {
        QFETCH(int, method);
        QFETCH(double, tolerance);
        const char* text = "param k = 0.5\ninit x = 1\nd(x)/dt = -k*x\nwhen x < 0.3: stop\n"
                           "tspan = 0 .. 10\n";
        io::DataSet data;
        data.timeColumn.push_back('t');
        data.columns = {"x"};
        data.times = {0.5, 1.0, 1.5};
        data.values = {{0.8, 0.6, 0.5}};
        const Case c = compile(text, data);
        const auto r = gradientOf(c, static_cast<sens::GradientMethod>(method), 1e-12);
        QVERIFY2(r.ok(), r.message.c_str());
        double exact = 0.0;
        for (std::size_t j = 0; j < data.times.size(); ++j) {
            const double t = data.times[j];
            exact += 2 * (std::exp(-0.5 * t) - data.values[0][j]) * -t * std::exp(-0.5 * t);
        }
        compare(r.dParams, {exact}, tolerance, "terminal");

        data.times.push_back(3.0); // x(3) < 0.3: after the stop
        data.values[0].push_back(0.2);
        const Case late = compile(text, data);
        const auto refused = gradientOf(late, static_cast<sens::GradientMethod>(method), 1e-10);
        QVERIFY(!refused.ok());
        QVERIFY2(refused.message.find("an event stopped it") != std::string::npos,
                 refused.message.c_str());
    }

    // CVODE runs events, but its gradients (CVODES) would miss the jumps: they are refused with
    // the methods that work named; finite differences through CVODE agree with Rodas5P's.
    void cvodeRefusesEvents() {
        const Case c = compile(kBall, ballData());
        ode::SolveOptions opts;
        const auto r = sens::gradient({c.model.get(), c.params, std::nullopt, &c.loss},
                                      ode::CvodeBdf{}, opts, sens::GradientMethod::Forward);
        QVERIFY(!r.ok());
        QVERIFY2(r.message.find("Rodas5P") != std::string::npos, r.message.c_str());
        opts.reltol = 1e-10;
        opts.abstol = 1e-12;
        const auto viaCvode =
            sens::gradient({c.model.get(), c.params, std::nullopt, &c.loss}, ode::CvodeBdf{}, opts,
                           sens::GradientMethod::FiniteDiff);
        const auto viaRodas = sens::gradient({c.model.get(), c.params, std::nullopt, &c.loss},
                                             ode::Rodas5P{}, opts, sens::GradientMethod::Forward);
        QVERIFY2(viaCvode.ok() && viaRodas.ok(), (viaCvode.message + viaRodas.message).c_str());
        compare(viaCvode.dParams, viaRodas.dParams, 1e-4, "CVODE finite differences");
    }

    void dataDosesGradient_data() { methodRows(); }

    // Doses from an experiment's table give the loss of the same doses written as 'at' events,
    // and every method's gradient agrees with finite differences.
    void dataDosesGradient() {
        QFETCH(int, method);
        QFETCH(double, tolerance);
        const std::string plain = "param ka = 1.2\nparam ke = 0.3\ninit depot = 0\n"
                                  "init central = 0\nd(depot)/dt = -ka*depot\n"
                                  "d(central)/dt = ka*depot - ke*central\ntspan = 0 .. 8\n";
        const std::string written = plain
                                    + "at t = 0.5, 3.5: depot = depot + 2\n"
                                      "at t = 6: central = central + 1\n";
        const auto data =
            simulated(written.c_str(), {{"ka", 0.9}, {"ke", 0.4}}, {1, 2, 3, 3.5, 4, 5, 6, 7, 8});
        const Case fromTable = compile(plain.c_str(), data);
        const Case fromModel = compile(written.c_str(), data);
        const std::vector<ode::Bolus> doses = {{0.5, 0, 2.0}, {3.5, 0, 2.0}, {6.0, 1, 1.0}};
        ode::SolveOptions opts;
        opts.reltol = 1e-12;
        opts.abstol = 1e-14;
        const auto run = [&](const Case& c, const std::vector<ode::Bolus>& given,
                             sens::GradientMethod m) {
            return sens::gradient({c.model.get(), c.params, std::nullopt, &c.loss, {}, given},
                                  ode::Vern7{}, opts, m);
        };
        const auto r = run(fromTable, doses, static_cast<sens::GradientMethod>(method));
        const auto fd = run(fromTable, doses, sens::GradientMethod::FiniteDiff);
        const auto same = run(fromModel, {}, sens::GradientMethod::FiniteDiff);
        QVERIFY2(r.ok() && fd.ok() && same.ok(), (r.message + fd.message + same.message).c_str());
        QVERIFY2(std::abs(r.loss - same.loss) < 1e-10 * same.loss,
                 qPrintable(QString("%1 vs %2").arg(r.loss).arg(same.loss)));
        compare(r.dParams, fd.dParams, std::max(tolerance, 1e-6), "data doses");
        compare(r.dParams, same.dParams, std::max(tolerance, 1e-6), "data doses vs 'at'");
    }

  private:
    // The row's method on `text` fitted to data simulated at `truth`, against finite
    // differences; dL/dp[`mustMatter`] (the event's own parameter) must not be negligible.
    static void againstFiniteDifferences(const char* text,
                                         const model::Overrides& truth,
                                         const std::vector<double>& times,
                                         std::size_t mustMatter,
                                         const std::string& what) {
        QFETCH(int, method);
        QFETCH(double, tolerance);
        const Case c = compile(text, simulated(text, truth, times));
        const auto fd = gradientOf(c, sens::GradientMethod::FiniteDiff, 1e-12);
        const auto r = gradientOf(c, static_cast<sens::GradientMethod>(method), 1e-12);
        QVERIFY2(fd.ok() && r.ok(), (fd.message + r.message).c_str());
        QVERIFY2(std::abs(fd.dParams[mustMatter]) > 1e-3, "the event's parameter must matter");
        compare(r.dParams, fd.dParams, std::max(tolerance, 1e-6), what);
    }

    // Every gradient method, with its tolerance against an exact reference.
    static void methodRows() {
        QTest::addColumn<int>("method");
        QTest::addColumn<double>("tolerance");
        for (const auto method :
             {sens::GradientMethod::Forward, sens::GradientMethod::Reverse,
              sens::GradientMethod::Backsolve, sens::GradientMethod::Interpolating,
              sens::GradientMethod::Quadrature, sens::GradientMethod::FiniteDiff}) {
            const double tol = method == sens::GradientMethod::FiniteDiff ? 1e-5 : 1e-6;
            QTest::newRow(std::string(sens::gradientMethodName(method)).c_str())
                << static_cast<int>(method) << tol;
        }
    }
};

QTEST_APPLESS_MAIN(TestEventGradients)
#include "tst_event_gradients.moc"
