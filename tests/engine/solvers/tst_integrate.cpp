// SPDX-License-Identifier: MIT
// The integrate loop: adaptive accuracy against references, saving, statuses, directions.
#include "problem/delay.hpp"
#include "problems/reference_problems.hpp"
#include "solvers/solve.hpp"
#include "solvers/time_events.hpp"
#include "support/method_rows.hpp"

#include <QTest>
#include <algorithm>
#include <atomic>
#include <cmath>

using namespace dynfit;

namespace {

bool isAdaptive(const ode::MethodInfo& m) {
    return m.errorOrder > 0;
}

double lotkaVolterraError(const ode::Solution<Eigen::Vector2d>& sol) {
    const auto& ref = test::LotkaVolterraReference::t10;
    return std::max(std::abs(sol.u.back()[0] - ref[0]), std::abs(sol.u.back()[1] - ref[1]));
}

} // namespace

class TestIntegrate : public QObject {
    Q_OBJECT
  private slots:
    // Adaptive Lotka–Volterra reaches the mpmath reference; the error falls with the tolerance.
    void lotkaVolterraReference_data() {
        test::addMethodRows([](const ode::MethodInfo& m) { return isAdaptive(m) && m.order >= 3; });
    }
    void lotkaVolterraReference() {
        test::withRowMethod([](auto tag) {
            double previous = 1.0;
            for (double tol : {1e-4, 1e-6, 1e-8, 1e-10}) {
                ode::SolveOptions opts;
                opts.reltol = opts.abstol = tol;
                const auto sol = ode::solve(examples::lotkaVolterraProblem(), tag, opts);
                QVERIFY2(sol.ok(), sol.message.c_str());
                const double err = lotkaVolterraError(sol);
                QVERIFY2(err < 300 * tol,
                         qPrintable(QString("error %1 at tol %2").arg(err).arg(tol)));
                QVERIFY2(err < previous, "the error did not fall with the tolerance");
                previous = err;
            }
            QVERIFY(previous < 1e-8);
        });
    }

    // The Arenstorf orbit closes after one period (HNW I, II.0): u(T) = u0.
    void arenstorfOrbit_data() {
        test::addMethodRows([](const ode::MethodInfo& m) { return isAdaptive(m) && m.order >= 5; });
    }
    void arenstorfOrbit() {
        test::withRowMethod([](auto tag) {
            double previous = 1e300;
            for (double tol : {1e-6, 1e-8, 1e-10, 1e-12}) {
                ode::SolveOptions opts;
                opts.reltol = opts.abstol = tol;
                opts.saveEverystep = false;
                opts.saveat = {test::ArenstorfRhs::period};
                const auto sol = ode::solve(test::arenstorfProblem(), tag, opts);
                QVERIFY2(sol.ok(), sol.message.c_str());
                const double err =
                    (sol.u.back() - test::ArenstorfRhs::initial()).cwiseAbs().maxCoeff();
                QVERIFY2(err < previous,
                         qPrintable(QString("error %1 at tol %2").arg(err).arg(tol)));
                previous = err;
            }
            QVERIFY2(previous < 1e-6, qPrintable(QString("final error %1").arg(previous)));
        });
    }

    // Save points come from the interpolant: the steps are the same with or without them, and
    // the saved values equal the stored dense output.
    void saveatUsesInterpolant_data() { test::addMethodRows(isAdaptive); }
    void saveatUsesInterpolant() {
        test::withRowMethod([](auto tag) {
            using T = decltype(tag);
            ode::SolveOptions plain;
            plain.reltol = plain.abstol = T::order <= 2 ? 1e-5 : 1e-8;
            ode::SolveOptions saving = plain;
            saving.saveat = {0.0, 0.013, 0.5, 0.51, 3.3333, 7.0, 9.99, 10.0};
            saving.dense = true;
            const auto a = ode::solve(examples::lotkaVolterraProblem(), tag, plain);
            const auto b = ode::solve(examples::lotkaVolterraProblem(), tag, saving);
            QVERIFY(a.ok() && b.ok());
            QCOMPARE(b.stats.nAccepted, a.stats.nAccepted);
            QCOMPARE(b.stats.nRejected, a.stats.nRejected);
            QCOMPARE(b.t, saving.saveat);
            for (std::size_t i = 0; i < b.t.size(); ++i) {
                QVERIFY((b.u[i] - b.at(b.t[i])).cwiseAbs().maxCoeff() < 1e-13);
            }
            QCOMPARE(b.u.back(), a.u.back());
        });
    }

    void saveatStepIncludesEnd() {
        ode::SolveOptions opts;
        opts.saveatStep = 0.1;
        const auto sol = ode::solve(examples::lotkaVolterraProblem(), ode::Tsit5{}, opts);
        QVERIFY(sol.ok());
        QCOMPARE(sol.t.size(), std::size_t(101));
        QCOMPARE(sol.t.front(), 0.0);
        QCOMPARE(sol.t.back(), 10.0);
        QVERIFY(std::abs(sol.t[37] - 3.7) < 1e-12);
    }

    // Integrating backwards from the reference at t = 10 returns to u0 = (1, 1).
    void backwardIntegration() {
        auto problem = ode::makeOdeProblem(examples::LotkaVolterraRhs{},
                                           Eigen::Vector2d(test::LotkaVolterraReference::t10[0],
                                                           test::LotkaVolterraReference::t10[1]),
                                           {10.0, 0.0}, Eigen::Vector4d(1.5, 1.0, 3.0, 1.0));
        ode::SolveOptions opts;
        opts.reltol = opts.abstol = 1e-10;
        opts.saveat = {10.0, 5.0, 1.0, 0.0};
        opts.dense = true;
        const auto sol = ode::solve(problem, ode::Vern7{}, opts);
        QVERIFY2(sol.ok(), sol.message.c_str());
        QVERIFY((sol.u.back() - Eigen::Vector2d(1.0, 1.0)).cwiseAbs().maxCoeff() < 1e-7);
        QVERIFY(std::abs(sol.u[1][0] - test::LotkaVolterraReference::t5[0]) < 1e-7);
        QVERIFY(std::abs(sol.at(1.0)[0] - test::LotkaVolterraReference::t1[0]) < 1e-7);
    }

    void emptySpanReturnsInitialState() {
        auto problem = ode::makeOdeProblem(examples::LotkaVolterraRhs{}, Eigen::Vector2d(1.0, 2.0),
                                           {3.0, 3.0}, Eigen::Vector4d(1.5, 1.0, 3.0, 1.0));
        const auto sol = ode::solve(problem, ode::Tsit5{});
        QVERIFY(sol.ok());
        QCOMPARE(sol.t, std::vector<double>{3.0});
        QCOMPARE(sol.u.front(), Eigen::Vector2d(1.0, 2.0));
    }

    // u0 and tspan as functions of the parameters (the seed's "everything is determined by p").
    void initialStateAndSpanFromParameters() {
        using P = Eigen::Vector3d; // (k, u0, tEnd)
        auto problem = ode::makeOdeProblem<test::Vec1>(
            test::DecayRhs{},
            std::function<test::Vec1(const P&)>([](const P& p) { return test::Vec1(p[1]); }),
            std::function<ode::TimeSpan(const P&)>([](const P& p) {
                return ode::TimeSpan{0.0, p[2]};
            }),
            P(0.5, 3.0, 2.0));
        ode::SolveOptions opts;
        opts.reltol = opts.abstol = 1e-10;
        const auto sol = ode::solve(problem, ode::Tsit5{}, opts);
        QVERIFY(sol.ok());
        QCOMPARE(sol.t.back(), 2.0);
        QVERIFY(std::abs(sol.u.back()[0] - 3.0 * std::exp(-1.0)) < 1e-9);
    }

    // Each status from a problem built to produce it.
    void statusMaxIters() {
        ode::SolveOptions opts;
        opts.maxiters = 10;
        const auto sol = ode::solve(examples::lotkaVolterraProblem(), ode::Tsit5{}, opts);
        QCOMPARE(sol.status, SolveStatus::MaxIters);
        QVERIFY(sol.message.find("t = ") != std::string::npos);
        QVERIFY(sol.message.find("maxiters = 10") != std::string::npos);
        QVERIFY(sol.t.back() > 0.0 && sol.t.back() < 10.0); // what was computed is kept
    }

    void statusDtLessThanMin() {
        auto problem =
            ode::makeOdeProblem(test::BlowUpRhs{}, test::Vec1(1.0), {0.0, 2.0}, Eigen::VectorXd());
        const auto sol = ode::solve(problem, ode::Tsit5{});
        QCOMPARE(sol.status, SolveStatus::DtLessThanMin);
        QVERIFY(std::abs(sol.t.back() - 1.0) < 1e-3); // stopped at the singularity t = 1
        QVERIFY(sol.message.find("dt = ") != std::string::npos);
    }

    void statusUnstableFixedStep() {
        auto problem =
            ode::makeOdeProblem(test::BlowUpRhs{}, test::Vec1(1.0), {0.0, 3.0}, Eigen::VectorXd());
        ode::SolveOptions opts;
        opts.dt = 0.25;
        const auto sol = ode::solve(problem, ode::RK4{}, opts);
        QCOMPARE(sol.status, SolveStatus::Unstable);
        QVERIFY(sol.message.find("NaN or Inf") != std::string::npos);
    }

    void statusUnstableAdaptive() {
        struct NanAfterHalf {
            void operator()(test::Vec1& du,
                            const test::Vec1& u,
                            const Eigen::VectorXd&,
                            double t) const {
                du[0] = t < 0.5 ? -u[0] : std::numeric_limits<double>::quiet_NaN();
            }
        };
        auto problem =
            ode::makeOdeProblem(NanAfterHalf{}, test::Vec1(1.0), {0.0, 1.0}, Eigen::VectorXd());
        const auto sol = ode::solve(problem, ode::DP5{});
        QCOMPARE(sol.status, SolveStatus::Unstable);
        QVERIFY(sol.t.back() <= 0.5);
    }

    // A broken Jacobian makes every implicit attempt fail: the status says so (not a step-size
    // failure), for the Rosenbrock and the ESDIRK family alike.
    void statusConvergenceFailure_data() {
        test::addSolverRows([](const ode::SolverInfo& s) {
            return s.family == ode::MethodFamily::Rosenbrock
                   || s.family == ode::MethodFamily::Esdirk;
        });
    }
    void statusConvergenceFailure() {
        struct NanJacobian {
            void
            operator()(test::Vec1& du, const test::Vec1& u, const Eigen::VectorXd&, double) const {
                du[0] = -u[0];
            }
            void jacobian(Eigen::Matrix<double, 1, 1>& J,
                          const test::Vec1&,
                          const Eigen::VectorXd&,
                          double) const {
                J(0, 0) = std::numeric_limits<double>::quiet_NaN();
            }
        };
        auto problem =
            ode::makeOdeProblem(NanJacobian{}, test::Vec1(1.0), {0.0, 1.0}, Eigen::VectorXd());
        const auto sol = ode::solve(problem, test::rowSolver().method);
        QCOMPARE(sol.status, SolveStatus::ConvergenceFailure);
        QVERIFY2(sol.message.find("singular") != std::string::npos, sol.message.c_str());
        QVERIFY(sol.stats.nRejected > 0);
    }

    // Every native method lands exactly on each tstop, and a dose given there by the stop action
    // is exact: u' = −u², u(0) = 1, u += 1 at t = 1: u(1⁻) = 1/2, u(1⁺) = 3/2, u(2) = 3/5.
    // (Nonlinear on purpose: on u' = λu ROS3P's published error estimate is zero.)
    // The same dose as a TimeEvent (problem/events.hpp) scheduled on the integrator, with a
    // second event due at the same time applied after the first.
    void timeEventsAsDoses() {
        struct Quadratic {
            void
            operator()(test::Vec1& du, const test::Vec1& u, const Eigen::VectorXd&, double) const {
                du[0] = -u[0] * u[0];
            }
        };
        const Eigen::VectorXd p = Eigen::VectorXd::Constant(1, 1.0); // the dose
        auto problem = ode::makeOdeProblem(Quadratic{}, test::Vec1(1.0), {0.0, 2.0}, p);
        using Event = ode::TimeEvent<test::Vec1, Eigen::VectorXd>;
        const std::vector<Event> events = {
            {{1.0}, [](test::Vec1& u, const Eigen::VectorXd& q, double) { u[0] += q[0]; }},
            {{1.0, 1.5}, [](test::Vec1& u, const Eigen::VectorXd&, double) { u[0] *= 2.0; }}};
        ode::SolveOptions opts;
        opts.reltol = 1e-10;
        opts.abstol = 1e-12;
        opts.tstops = ode::timeEventStops(events);
        QCOMPARE(opts.tstops, (std::vector<double>{1.0, 1.0, 1.5}));
        ode::Integrator<ode::ExplicitRk<ode::Tsit5, test::Vec1>, decltype(problem)> integrator(
            problem, opts);
        integrator.setTimeEvents(&events);
        QVERIFY(integrator.init());
        integrator.run();
        const auto& sol = integrator.solution();
        QVERIFY2(sol.ok(), sol.message.c_str());
        // u = 1/(1 + t) to 0.5; (0.5 + 1)·2 = 3 at t = 1; 1/(1/3 + 0.5) = 1.2 at 1.5, doubled to
        // 2.4; then 1/(1/2.4 + 0.5) at t = 2.
        const double exact = 1.0 / (1.0 / 2.4 + 0.5);
        QVERIFY2(std::abs(sol.u.back()[0] - exact) < 1e-8,
                 qPrintable(QString::number(sol.u.back()[0] - exact)));
    }

    // Where a delay problem's solution loses smoothness: t0 plus sums of lags, merged.
    void delayDiscontinuities() {
        const auto near = [](const std::vector<double>& got, const std::vector<double>& want) {
            if (got.size() != want.size()) {
                return false;
            }
            for (std::size_t i = 0; i < got.size(); ++i) {
                if (std::abs(got[i] - want[i]) > 1e-12) {
                    return false;
                }
            }
            return true;
        };
        QVERIFY(near(ode::discontinuityTimes(0.0, 1.2, {0.3, 0.5}, 1), {0.3, 0.5}));
        QVERIFY(near(ode::discontinuityTimes(0.0, 1.2, {0.3, 0.5}, 3),
                     {0.3, 0.5, 0.6, 0.8, 0.9, 1.0, 1.1}));
        QVERIFY(near(ode::discontinuityTimes(1.0, 2.0, {0.5, 0.5}, 2), {1.5, 2.0}));
        QVERIFY(ode::discontinuityTimes(0.0, 0.2, {0.3}, 4).empty());
    }

    // A ball dropped from 10 m with restitution 0.8: the bounce times in closed form,
    // t1 = √(2h0/g), t(k+1) = t(k) + 2 eᵏ g t1 / g; four bounces in [0, 8].
    void bouncingBallEvents_data() {
        test::addSolverRows([](const ode::SolverInfo& s) {
            return s.family != ode::MethodFamily::Cvode && s.adaptive && s.order >= 3;
        });
    }
    void bouncingBallEvents() {
        const ode::SolverInfo& info = test::rowSolver();
        const double g = 9.81, e = 0.8, h0 = 10.0;
        struct Fall {
            double g;
            void operator()(Eigen::Vector2d& du,
                            const Eigen::Vector2d& u,
                            const Eigen::VectorXd&,
                            double) const {
                du[0] = u[1];
                du[1] = -g;
            }
        };
        auto problem =
            ode::makeOdeProblem(Fall{g}, Eigen::Vector2d(h0, 0.0), {0.0, 8.0}, Eigen::VectorXd());
        using Event = ode::ContinuousEvent<Eigen::Vector2d, Eigen::VectorXd>;
        const std::vector<Event> events = {
            {[](const Eigen::Vector2d& u, const Eigen::VectorXd&, double) { return u[0]; },
             ode::Crossing::Downward,
             [e](Eigen::Vector2d& u, const Eigen::VectorXd&, double) { u[1] = -e * u[1]; }}};
        ode::SolveOptions opts;
        opts.reltol = 1e-10;
        opts.abstol = 1e-10;
        opts.saveat = {0.5, 1.0, 2.0, 8.0};
        std::vector<double> exact = {std::sqrt(2 * h0 / g)};
        for (int k = 1; k < 4; ++k) {
            exact.push_back(exact.back() + 2 * std::pow(e, k) * exact.front());
        }
        std::visit(
            [&](auto tag) {
                using Stepper = typename ode::StepperOf<decltype(tag), Eigen::Vector2d>::type;
                if constexpr (!std::is_void_v<Stepper>) {
                    ode::Integrator<Stepper, decltype(problem)> integrator(problem, opts);
                    integrator.setEvents(&events);
                    QVERIFY(integrator.init());
                    integrator.run();
                    const auto& sol = integrator.solution();
                    QVERIFY2(sol.status == SolveStatus::Success, sol.message.c_str());
                    QCOMPARE(sol.events.size(), exact.size());
                    for (std::size_t k = 0; k < exact.size(); ++k) {
                        const auto& hit = sol.events[k];
                        QVERIFY2(std::abs(hit.t - exact[k]) < 1e-7 * exact[k],
                                 qPrintable(QString("bounce %1: %2 vs %3")
                                                .arg(k + 1)
                                                .arg(hit.t, 0, 'g', 15)
                                                .arg(exact[k], 0, 'g', 15)));
                        QVERIFY(std::abs(hit.before[0]) < 1e-7);
                        QCOMPARE(hit.after[1], -e * hit.before[1]);
                    }
                    // Saved states on either side of the first bounce follow the free fall.
                    QCOMPARE(sol.t, (std::vector<double>{0.5, 1.0, 2.0, 8.0}));
                    QVERIFY(std::abs(sol.u[1][0] - (h0 - 0.5 * g)) < 1e-7);
                    const double v1 = e * g * exact[0], dt = 2.0 - exact[0];
                    QVERIFY(std::abs(sol.u[2][0] - (v1 * dt - 0.5 * g * dt * dt)) < 1e-7);
                }
            },
            info.method);
    }

    // A terminal event ends the solve there (Terminated, which is ok()); too many events end it
    // with EventAccumulation naming the time, never a hang; two crossings inside one step are
    // both found (u = 2t − t² crosses 0.9 at 1 ∓ √0.1 within one RK4 step of 2, which RK4 and
    // the cubic Hermite interpolant reproduce exactly).
    void terminalAccumulatingAndDoubleCrossings() {
        using Vec2 = Eigen::Vector2d;
        using Event = ode::ContinuousEvent<Vec2, Eigen::VectorXd>;
        struct Fall {
            void operator()(Vec2& du, const Vec2& u, const Eigen::VectorXd&, double) const {
                du[0] = u[1];
                du[1] = -9.81;
            }
        };
        auto fall = ode::makeOdeProblem(Fall{}, Vec2(10.0, 0.0), {0.0, 100.0}, Eigen::VectorXd());
        ode::SolveOptions opts;
        opts.reltol = opts.abstol = 1e-10;
        const auto run = [&](const std::vector<Event>& events, const ode::SolveOptions& o) {
            ode::Integrator<ode::ExplicitRk<ode::Tsit5, Vec2>, decltype(fall)> integrator(fall, o);
            integrator.setEvents(&events);
            [&] { QVERIFY(integrator.init()); }();
            integrator.run();
            return std::move(integrator.solution());
        };
        const std::vector<Event> halfway = {
            {[](const Vec2& u, const Eigen::VectorXd&, double) { return u[0] - 5.0; },
             ode::Crossing::Downward,
             {},
             true}};
        const auto stopped = run(halfway, opts);
        QCOMPARE(stopped.status, SolveStatus::Terminated);
        QVERIFY(stopped.ok());
        QCOMPARE(stopped.events.size(), std::size_t(1));
        QVERIFY(std::abs(stopped.events[0].t - std::sqrt(10.0 / 9.81)) < 1e-9);
        QVERIFY(std::abs(stopped.t.back() - stopped.events[0].t) < 1e-15);

        const std::vector<Event> bounce = {
            {[](const Vec2& u, const Eigen::VectorXd&, double) { return u[0]; },
             ode::Crossing::Downward,
             [](Vec2& u, const Eigen::VectorXd&, double) { u[1] = -0.5 * u[1]; }}};
        ode::SolveOptions limited = opts;
        limited.maxEvents = 20;
        const auto resting = run(bounce, limited);
        QCOMPARE(resting.status, SolveStatus::EventAccumulation);
        QCOMPARE(resting.events.size(), std::size_t(20));
        QVERIFY2(resting.message.find("t = ") != std::string::npos, resting.message.c_str());

        struct Arch {
            void
            operator()(test::Vec1& du, const test::Vec1&, const Eigen::VectorXd&, double t) const {
                du[0] = 2.0 - 2.0 * t;
            }
        };
        auto arch = ode::makeOdeProblem(Arch{}, test::Vec1(0.0), {0.0, 2.0}, Eigen::VectorXd());
        using Event1 = ode::ContinuousEvent<test::Vec1, Eigen::VectorXd>;
        const std::vector<Event1> level = {
            {[](const test::Vec1& u, const Eigen::VectorXd&, double) { return u[0] - 0.9; },
             ode::Crossing::Either}};
        ode::SolveOptions fixed;
        fixed.dt = 2.0;
        ode::Integrator<ode::ExplicitRk<ode::RK4, test::Vec1>, decltype(arch)> integrator(arch,
                                                                                          fixed);
        integrator.setEvents(&level);
        QVERIFY(integrator.init());
        integrator.run();
        const auto& sol = integrator.solution();
        QVERIFY2(sol.ok(), sol.message.c_str());
        QCOMPARE(sol.events.size(), std::size_t(2));
        QVERIFY(std::abs(sol.events[0].t - (1.0 - std::sqrt(0.1))) < 1e-12);
        QVERIFY(std::abs(sol.events[1].t - (1.0 + std::sqrt(0.1))) < 1e-12);
        QCOMPARE(sol.events[0].before[0], sol.events[0].after[0]); // records only
    }

    // u = (t − 1)³ crosses 1e-12 just after its inflection, at a rate of 3e-8: reported as
    // grazing; it crosses 0.5 at a rate of 1.9: not.
    void grazingCrossingIsReported() {
        struct Cubic {
            void
            operator()(test::Vec1& du, const test::Vec1&, const Eigen::VectorXd&, double t) const {
                du[0] = 3.0 * (t - 1.0) * (t - 1.0);
            }
        };
        auto arch = ode::makeOdeProblem(Cubic{}, test::Vec1(-1.0), {0.0, 2.0}, Eigen::VectorXd());
        using Event1 = ode::ContinuousEvent<test::Vec1, Eigen::VectorXd>;
        for (const double level : {1e-12, 0.5}) {
            const std::vector<Event1> events = {
                {[level](const test::Vec1& u, const Eigen::VectorXd&, double) {
                     return u[0] - level;
                 },
                 ode::Crossing::Upward}};
            const auto sol = [&] {
                ode::SolveOptions opts;
                ode::Integrator<ode::ExplicitRk<ode::Tsit5, test::Vec1>, decltype(arch)> integrator(
                    arch, opts);
                integrator.setEvents(&events);
                (void)integrator.init();
                integrator.run();
                return integrator.solution();
            }();
            QVERIFY2(sol.ok(), sol.message.c_str());
            QCOMPARE(sol.events.size(), std::size_t(1));
            const bool grazing = level < 0.1;
            QCOMPARE(sol.warnings.size(), std::size_t(grazing ? 1 : 0));
            if (grazing) {
                QVERIFY2(sol.warnings[0].find("event 1 grazes its condition at t = 1.000") == 0,
                         sol.warnings[0].c_str());
            }
        }
    }

    void tstopsAndDoses_data() {
        test::addSolverRows(
            [](const ode::SolverInfo& s) { return s.family != ode::MethodFamily::Cvode; });
    }
    void tstopsAndDoses() {
        const ode::SolverInfo& info = test::rowSolver();
        struct Quadratic {
            void
            operator()(test::Vec1& du, const test::Vec1& u, const Eigen::VectorXd&, double) const {
                du[0] = -u[0] * u[0];
            }
        };
        auto problem =
            ode::makeOdeProblem(Quadratic{}, test::Vec1(1.0), {0.0, 2.0}, Eigen::VectorXd());
        ode::SolveOptions opts;
        opts.reltol = 1e-9;
        opts.abstol = 1e-11;
        opts.dt = info.adaptive ? 0.0 : 1e-3;
        opts.tstops = {1.0, 0.3, 5.0, -1.0}; // unsorted; outside the span: ignored
        opts.saveEverystep = true;
        std::visit(
            [&](auto tag) {
                using Tag = decltype(tag);
                using Stepper = typename ode::StepperOf<Tag, test::Vec1>::type;
                if constexpr (!std::is_void_v<Stepper>) {
                    ode::Integrator<Stepper, decltype(problem)> integrator(problem, opts);
                    integrator.setStopAction([](double t, test::Vec1& u) {
                        if (t != 1.0) {
                            return false;
                        }
                        u[0] += 1.0;
                        return true;
                    });
                    QVERIFY(integrator.init());
                    integrator.run();
                    const auto& sol = integrator.solution();
                    QVERIFY2(sol.ok(), sol.message.c_str());
                    const auto at = [&](double t) {
                        return std::count(sol.t.begin(), sol.t.end(), t);
                    };
                    QCOMPARE(at(0.3), 1L);
                    QCOMPARE(at(1.0), 2L); // before and after the dose
                    const auto dose = std::find(sol.t.begin(), sol.t.end(), 1.0) - sol.t.begin();
                    const double tol = info.adaptive ? 1e-6 : 2e-3;
                    QVERIFY2(std::abs(sol.u[dose][0] - 0.5) < tol,
                             qPrintable(QString::number(sol.u[dose][0] - 0.5)));
                    QVERIFY(std::abs(sol.u[dose + 1][0] - 1.5) < tol);
                    const double exact = 0.6;
                    QVERIFY2(std::abs(sol.u.back()[0] - exact) < tol,
                             qPrintable(QString::number(sol.u.back()[0] - exact)));
                    QCOMPARE(sol.t.back(), 2.0);
                }
            },
            info.method);
    }

    void statusCancelledByFlag() {
        std::atomic<bool> cancel{false};
        ode::SolveOptions opts;
        opts.cancel = &cancel;
        int steps = 0;
        const auto sol = ode::solve(examples::lotkaVolterraProblem(), ode::Tsit5{}, opts,
                                    [&](const ode::StepView<Eigen::Vector2d>&) {
                                        if (++steps == 5) {
                                            cancel = true;
                                        }
                                        return true;
                                    });
        QCOMPARE(sol.status, SolveStatus::Cancelled);
        QCOMPARE(sol.stats.nAccepted, 5L);
    }

    void statusCancelledByObserver() {
        const auto sol =
            ode::solve(examples::lotkaVolterraProblem(), ode::Tsit5{}, {},
                       [](const ode::StepView<Eigen::Vector2d>& step) { return step.t1 < 2.0; });
        QCOMPARE(sol.status, SolveStatus::Cancelled);
        QVERIFY(sol.t.back() >= 2.0 && sol.t.back() < 3.0);
    }

    void statusInvalidInput() {
        const auto noDt = ode::solve(examples::lotkaVolterraProblem(), ode::RK4{});
        QCOMPARE(noDt.status, SolveStatus::InvalidInput);
        QVERIFY(noDt.message.find("RK4 has no error estimate") != std::string::npos);

        ode::SolveOptions outside;
        outside.saveat = {1.0, 11.0};
        const auto badSave = ode::solve(examples::lotkaVolterraProblem(), ode::Tsit5{}, outside);
        QCOMPARE(badSave.status, SolveStatus::InvalidInput);
        QVERIFY(badSave.message.find("saveat[1]") != std::string::npos);

        auto nanStart =
            ode::makeOdeProblem(examples::LotkaVolterraRhs{}, Eigen::Vector2d(std::nan(""), 1.0),
                                {0.0, 1.0}, Eigen::Vector4d(1.5, 1.0, 3.0, 1.0));
        QCOMPARE(ode::solve(nanStart, ode::Tsit5{}).status, SolveStatus::InvalidInput);
    }

    // The observer sees every accepted step, contiguous, and can interpolate inside it.
    void observerSeesContiguousSteps() {
        double lastEnd = 0.0;
        long calls = 0;
        double worst = 0.0;
        ode::SolveOptions opts;
        opts.reltol = opts.abstol = 1e-10;
        const auto sol =
            ode::solve(test::expSinProblem(0.0, 5.0), ode::Tsit5{}, opts,
                       [&](const ode::StepView<test::Vec1>& step) {
                           if (step.t0 != lastEnd) {
                               return false;
                           }
                           lastEnd = step.t1;
                           ++calls;
                           test::Vec1 mid;
                           const double tm = 0.5 * (step.t0 + step.t1);
                           step.interpolate(tm, mid);
                           worst = std::max(worst, std::abs(mid[0] - test::ExpSinRhs{}.exact(tm)));
                           return true;
                       });
        QVERIFY(sol.ok());
        QCOMPARE(calls, sol.stats.nAccepted);
        QCOMPARE(lastEnd, 5.0);
        QVERIFY(worst < 1e-8);
    }
};

QTEST_GUILESS_MAIN(TestIntegrate)
#include "tst_integrate.moc"
