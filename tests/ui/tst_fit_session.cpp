// SPDX-License-Identifier: MIT
// The fit's worker thread: a fit lowers the loss while the GUI thread's event loop stays
// responsive (no gap near a freeze), snapshots are throttled, and pause / resume / stop work.
#include "fit_session.hpp"
#include "model/model_rhs.hpp"
#include "model/model_solve.hpp"
#include "support/data_from_solution.hpp"
#include "support/require_loss.hpp"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

using namespace dynfit;

namespace {

const char* kModel = "param α = 1.2\nparam β = 0.8\nparam γ = 2.8\nparam δ = 1.2\n"
                     "init x = 1\ninit y = 1\nd(x)/dt = α*x - β*x*y\nd(y)/dt = -γ*y + δ*x*y\n"
                     "tspan = 0 .. 10\n";

// Lotka–Volterra with data from α β γ δ = 1.5 1 3 1, fitted with Adam for `iterations`.
ui::FitJob lotkaVolterraJob(int iterations) {
    ui::FitJob job;
    model::Diagnostics d;
    job.model = model::compileModel(kModel, d);
    const std::vector<double> truth{1.5, 1.0, 3.0, 1.0};
    ode::SolveOptions opts;
    opts.reltol = opts.abstol = 1e-10;
    opts.saveatStep = 0.5;
    const auto sol = model::solveModel(
        model::makeModelProblem<double>(
            job.model, Eigen::Map<const Eigen::VectorXd>(truth.data(), 4), {0, 10}),
        ode::Tsit5{}, opts);
    const io::DataSet data = test::dataFromSolution(sol, {"x", "y"});
    fit::Experiment e;
    e.name = "synthetic";
    e.loss = test::requireLoss(job.model->states, data);
    job.experiments = {e};
    job.initial = job.model->defaultParams();
    job.options.optimizer = fit::Optimizer::Adam;
    job.options.adam.learningRate = 0.01;
    job.options.maxIterations = iterations;
    job.options.gradient = sens::GradientMethod::Reverse;
    job.options.solve.reltol = job.options.solve.abstol = 1e-8;
    job.options.gradientTolerance = 0.0;
    return job;
}

} // namespace

class TestFitSession : public QObject {
    Q_OBJECT
  private slots:
    void fitLowersTheLossWhileTheEventLoopRuns() {
        ui::FitSession session;
        std::vector<ui::FitSnapshot> snapshots;
        connect(&session, &ui::FitSession::progress, this,
                [&](const ui::FitSnapshot& s) { snapshots.push_back(s); });
        QSignalSpy done(&session, &ui::FitSession::finished);
        // The GUI thread's event loop: the largest gap between 5 ms ticks during the fit.
        QElapsedTimer clock;
        qint64 last = 0, worstGap = 0;
        QTimer tick;
        connect(&tick, &QTimer::timeout, this, [&] {
            const qint64 now = clock.elapsed();
            worstGap = std::max(worstGap, now - last);
            last = now;
        });
        clock.start();
        tick.start(5);
        QVERIFY(session.start(lotkaVolterraJob(400)));
        QVERIFY(!session.start(lotkaVolterraJob(1))); // one fit at a time
        QVERIFY(done.wait(60000));
        tick.stop();
        const auto outcome = done.takeFirst().at(0).value<fit::FitOutcome>();
        qInfo("%d iterations in %.2f s, loss %.4g -> %.4g; %zu snapshots; worst event-loop gap "
              "%lld ms",
              outcome.iterations, outcome.seconds, outcome.lossInitial, outcome.lossFinal,
              snapshots.size(), static_cast<long long>(worstGap));
        QCOMPARE(outcome.iterations, 400);
        QVERIFY(outcome.lossFinal < 0.5 * outcome.lossInitial);
        QVERIFY(worstGap < 1000); // a freeze, not a timing: a fit here would block for seconds
        QVERIFY(!snapshots.empty());
        QCOMPARE(snapshots.front().iteration, 1);
        // Throttled to about 30 a second (plus the first).
        QVERIFY(static_cast<double>(snapshots.size()) <= 30.0 * outcome.seconds + 3.0);
        const auto& last_ = snapshots.back();
        QCOMPARE(last_.predictions.size(), std::size_t(1));
        QCOMPARE(last_.predictions[0].size(), std::size_t(21)); // 0:0.5:10
        QCOMPARE(last_.params.size(), std::size_t(4));
        QVERIFY(!session.isRunning());
    }

    void pauseResumeAndStop() {
        ui::FitSession session;
        int lastIteration = 0;
        connect(&session, &ui::FitSession::progress, this,
                [&](const ui::FitSnapshot& s) { lastIteration = s.iteration; });
        QSignalSpy done(&session, &ui::FitSession::finished);
        QVERIFY(session.start(lotkaVolterraJob(100000)));
        QTRY_VERIFY_WITH_TIMEOUT(lastIteration > 0, 10000);
        session.pause();
        QTest::qWait(150); // snapshots in flight arrive
        const int pausedAt = lastIteration;
        QTest::qWait(300);
        QCOMPARE(lastIteration, pausedAt); // nothing moves while paused
        session.resume();
        QTRY_VERIFY_WITH_TIMEOUT(lastIteration > pausedAt, 10000);
        QElapsedTimer stopping;
        stopping.start();
        session.stop();
        QVERIFY(done.wait(10000));
        qInfo("stopped %lld ms after the request", static_cast<long long>(stopping.elapsed()));
        QVERIFY(stopping.elapsed() < 5000); // a hang, not a timing (the bench has latencies)
        const auto outcome = done.takeFirst().at(0).value<fit::FitOutcome>();
        QCOMPARE(outcome.status, fit::FitStatus::Cancelled);
        QCOMPARE(outcome.params.size(), std::size_t(4)); // the best parameters are kept
        QVERIFY(outcome.lossFinal <= outcome.lossInitial);
    }

    // Destroying a session mid-fit stops the fit and joins the thread (no crash, no hang).
    void destroyedMidFit() {
        auto session = std::make_unique<ui::FitSession>();
        QVERIFY(session->start(lotkaVolterraJob(100000)));
        QTest::qWait(100);
        session.reset();
    }
};

QTEST_MAIN(TestFitSession)
#include "tst_fit_session.moc"
