// SPDX-License-Identifier: MIT
// Fitting: parameters recovered from synthetic data by L-BFGS-B and Adam, bounds and log scales
// honoured, cancellation, determinism, and the guard against failing solves.
#include "fit/fitter.hpp"
#include "model/model_rhs.hpp"
#include "model/model_solve.hpp"
#include "support/data_from_solution.hpp"
#include "support/require_loss.hpp"

#include <QTest>
#include <atomic>

using namespace dynfit;

namespace {

const char* kModel = "param α = 1.2 in [0.1, 5] log\nparam β = 0.8\nparam γ = 2.8 in [0.5, 10]\n"
                     "param δ = 1.2\ninit x = 1\ninit y = 1\nd(x)/dt = α*x - β*x*y\n"
                     "d(y)/dt = -γ*y + δ*x*y\ntspan = 0 .. 10\n";
const std::vector<double> kTrue{1.5, 1.0, 3.0, 1.0};

struct Fixture {
    std::shared_ptr<const model::CompiledModel> model;
    objective::LeastSquaresLoss loss;
};

// Data from the true parameters at 0:0.5:10, both states.
Fixture makeFixture(const char* text = kModel, const std::vector<double>& truth = kTrue) {
    Fixture f;
    model::Diagnostics d;
    f.model = model::compileModel(text, d);
    ode::SolveOptions opts;
    opts.reltol = opts.abstol = 1e-12;
    opts.saveatStep = 0.5;
    const auto sol = model::solveModel(
        model::makeModelProblem<double>(f.model,
                                        Eigen::Map<const Eigen::VectorXd>(
                                            truth.data(), static_cast<Eigen::Index>(truth.size())),
                                        {0, 10}),
        ode::Vern7{}, opts);
    const io::DataSet data = test::dataFromSolution(sol, f.model->states);
    f.loss = test::requireLoss(f.model->states, data);
    return f;
}

// Lotka–Volterra with the predators counted in units and the prey in thousands: β and δ are
// 1000x apart (issue 12: Adam's one learning rate did nothing there, silently).
const char* kBadlyScaled = "param α = 1.2\nparam β = 0.0008\nparam γ = 2.8\nparam δ = 1.2\n"
                           "init x = 1\ninit y = 1000\nd(x)/dt = α*x - β*x*y\n"
                           "d(y)/dt = -γ*y + δ*x*y\ntspan = 0 .. 10\n";
const std::vector<double> kBadlyScaledTruth{1.5, 0.001, 3.0, 1.0};

fit::FitOptions options(fit::Optimizer optimizer) {
    fit::FitOptions o;
    o.optimizer = optimizer;
    o.solve.reltol = o.solve.abstol = 1e-10;
    o.maxIterations = 300;
    return o;
}

} // namespace

class TestFitter : public QObject {
    Q_OBJECT
  private slots:
    // The names are a contract of the CLI, project files and app: one table, round trips.
    void optimizerNamesRoundTrip() {
        QCOMPARE(fit::optimizerNames(), (std::vector<std::string>{"adam", "lbfgs", "lm"}));
        for (const std::string& name : fit::optimizerNames()) {
            const auto optimizer = fit::optimizerByName(name);
            QVERIFY(optimizer.has_value());
            QCOMPARE(std::string(fit::optimizerName(*optimizer)), name);
        }
        QVERIFY(!fit::optimizerByName("LBFGS").has_value());
        QVERIFY(!fit::optimizerByName("").has_value());
    }

    void lbfgsRecoversTheTrueParameters() {
        const Fixture f = makeFixture();
        int calls = 0;
        const auto out =
            fit::fitParameters(*f.model, f.model->defaultParams(), f.loss,
                               options(fit::Optimizer::Lbfgs), [&](const fit::FitProgress& p) {
                                   ++calls;
                                   return std::isfinite(p.loss);
                               });
        QVERIFY2(out.status == fit::FitStatus::Converged, out.message.c_str());
        QVERIFY(out.lossFinal < 1e-10 * out.lossInitial);
        for (std::size_t k = 0; k < kTrue.size(); ++k) {
            QVERIFY2(std::abs(out.params[k] - kTrue[k]) < 1e-4,
                     qPrintable(QString("%1: %2").arg(k).arg(out.params[k])));
        }
        QCOMPARE(calls, out.iterations);
    }

    // The progress can carry the prediction at the data times, for live plots.
    void progressCarriesThePrediction() {
        const Fixture f = makeFixture();
        auto o = options(fit::Optimizer::Lbfgs);
        o.reportPrediction = true;
        o.maxIterations = 3;
        std::vector<std::vector<double>> last;
        double lastLoss = 0.0;
        (void)fit::fitParameters(*f.model, f.model->defaultParams(), f.loss, o,
                                 [&](const fit::FitProgress& p) {
                                     last = p.predictions.front();
                                     lastLoss = p.loss;
                                     return true;
                                 });
        QCOMPARE(last.size(), f.loss.saveTimes().size());
        double recomputed = 0.0;
        for (const auto& term : f.loss.terms()) {
            const double r =
                last[static_cast<std::size_t>(term.save)][static_cast<std::size_t>(term.state)]
                - term.value;
            recomputed += term.weight * r * r;
        }
        QVERIFY(std::abs(recomputed - lastLoss) < 1e-6 * lastLoss);
    }

    // Noisy data (σ = 0.02, deterministic), a start 50% off: both L-BFGS-B and Levenberg–Marquardt
    // recover every parameter within 2%.
    void noisyDataFromFiftyPercentOff_data() {
        QTest::addColumn<int>("optimizer");
        QTest::newRow("lbfgs") << static_cast<int>(fit::Optimizer::Lbfgs);
        QTest::newRow("levenberg-marquardt")
            << static_cast<int>(fit::Optimizer::LevenbergMarquardt);
    }
    void noisyDataFromFiftyPercentOff() {
        QFETCH(int, optimizer);
        // Every parameter 50% off. (From some other such starts both optimisers stall in local
        // minima of this oscillating problem; a growing time window is the remedy, not built yet.)
        const char* text =
            "param α = 2.25\nparam β = 1.5\nparam γ = 1.5\nparam δ = 0.5\ninit x = 1\n"
            "init y = 1\nd(x)/dt = α*x - β*x*y\nd(y)/dt = -γ*y + δ*x*y\ntspan = 0 .. 10\n";
        Fixture f = makeFixture(text);
        // Rebuild the loss from noisy copies of the same data.
        io::DataSet data;
        data.timeColumn.assign(1, 't');
        data.columns = f.model->states;
        data.times = f.loss.saveTimes();
        data.values.assign(2, std::vector<double>(data.times.size()));
        std::uint64_t state = 12345;
        const auto gaussian = [&state] { // Box–Muller on splitmix64: the same noise everywhere
            const auto next = [&state] {
                std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
                z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
                z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
                return (static_cast<double>((z ^ (z >> 31)) >> 11) + 0.5) * 0x1.0p-53;
            };
            return std::sqrt(-2.0 * std::log(next())) * std::cos(2.0 * M_PI * next());
        };
        for (const auto& term : f.loss.terms()) {
            data.values[static_cast<std::size_t>(term.state)][static_cast<std::size_t>(term.save)] =
                term.value + 0.02 * gaussian();
        }
        std::string error;
        QVERIFY(objective::LeastSquaresLoss::build(f.model->states, data, {}, f.loss, error));
        auto o = options(static_cast<fit::Optimizer>(optimizer));
        const auto out = fit::fitParameters(*f.model, f.model->defaultParams(), f.loss, o);
        qInfo("%s: %s after %d iterations, loss %g -> %g, params %g %g %g %g",
              qPrintable(QTest::currentDataTag()),
              std::string(fit::fitStatusName(out.status)).c_str(), out.iterations, out.lossInitial,
              out.lossFinal, out.params[0], out.params[1], out.params[2], out.params[3]);
        for (std::size_t k = 0; k < kTrue.size(); ++k) {
            QVERIFY(std::abs(out.params[k] - kTrue[k]) < 0.02 * kTrue[k]);
        }
    }

    // From a start where plain L-BFGS-B stalls in a local minimum (all four rates 50% low), the
    // growing time window reaches the true parameters.
    void growingWindowEscapesLocalMinima() {
        const char* text =
            "param α = 0.75\nparam β = 0.5\nparam γ = 1.5\nparam δ = 0.5\ninit x = 1\n"
            "init y = 1\nd(x)/dt = α*x - β*x*y\nd(y)/dt = -γ*y + δ*x*y\ntspan = 0 .. 10\n";
        const Fixture f = makeFixture(text);
        auto plain = options(fit::Optimizer::Lbfgs);
        const auto stalled = fit::fitParameters(*f.model, f.model->defaultParams(), f.loss, plain);
        auto windowed = plain;
        windowed.growingWindowStages = 4;
        int lastIteration = 0;
        bool increasing = true;
        const auto out = fit::fitParameters(*f.model, f.model->defaultParams(), f.loss, windowed,
                                            [&](const fit::FitProgress& p) {
                                                increasing &= p.iteration > lastIteration;
                                                lastIteration = p.iteration;
                                                return true;
                                            });
        qInfo("plain: loss %g; growing window: loss %g -> %g in %d iterations", stalled.lossFinal,
              out.lossInitial, out.lossFinal, out.iterations);
        QVERIFY(stalled.lossFinal > 1.0); // the trap is real
        QVERIFY(increasing);
        QCOMPARE(lastIteration, out.iterations);
        for (std::size_t k = 0; k < kTrue.size(); ++k) {
            QVERIFY(std::abs(out.params[k] - kTrue[k]) < 1e-4);
        }
    }

    void adamReducesTheLoss() {
        const Fixture f = makeFixture();
        auto o = options(fit::Optimizer::Adam);
        o.adam.learningRate = 0.02;
        o.maxIterations = 200;
        const auto out = fit::fitParameters(*f.model, f.model->defaultParams(), f.loss, o);
        QCOMPARE(out.iterations, 200);
        QVERIFY2(out.lossFinal < 1e-2 * out.lossInitial,
                 qPrintable(QString("%1 -> %2").arg(out.lossInitial).arg(out.lossFinal)));
    }

    // The same inputs give the same run, bit for bit.
    // Adam steps in normalised coordinates: from a start 20 % off on params 1000x apart in
    // scale, it recovers them; in raw coordinates the same learning rate makes no progress and
    // the outcome says so and what to try.
    void adamOnBadlyScaledParams() {
        const Fixture f = makeFixture(kBadlyScaled, kBadlyScaledTruth);
        QVERIFY(f.model && !f.loss.terms().empty());
        auto o = options(fit::Optimizer::Adam);
        o.solve.reltol = o.solve.abstol = 1e-8;
        o.maxIterations = 400;
        const auto out = fit::fitParameters(*f.model, f.model->defaultParams(), f.loss, o);
        qInfo("normalised: loss %.6g -> %.6g in %d iterations (%s); β = %g", out.lossInitial,
              out.lossFinal, out.iterations, out.message.c_str(), out.params[1]);
        // Progress, not precision: Adam's 5 % steps oscillate near the optimum (L-BFGS-B or
        // Levenberg–Marquardt finish such fits); β, 1000x smaller than the others, moved the
        // right way and stayed positive.
        QVERIFY2(out.lossFinal < 1e-3 * out.lossInitial, out.message.c_str());
        QVERIFY(std::abs(out.params[1] / kBadlyScaledTruth[1] - 1.0) < 0.1);

        o.adam.normalise = false;
        const auto raw = fit::fitParameters(*f.model, f.model->defaultParams(), f.loss, o);
        qInfo("raw: loss %.6g -> %.6g (%s)", raw.lossInitial, raw.lossFinal, raw.message.c_str());
        QVERIFY(!(raw.lossFinal < 0.5 * raw.lossInitial)); // the failure the issue reported
        QVERIFY2(raw.message.find("little progress: the loss fell only 23 % in 400 iterations")
                         != std::string::npos
                     && raw.message.find("smaller learning rate (now 0.05)") != std::string::npos,
                 raw.message.c_str());
        QVERIFY(out.message.find("progress:") == std::string::npos); // nothing to advise there
        // From the optimum itself nothing can improve: that is said too.
        auto atOptimum = o;
        atOptimum.adam.normalise = true;
        const auto stay = fit::fitParameters(*f.model, kBadlyScaledTruth, f.loss, atOptimum);
        QVERIFY2(stay.message.find("no progress: the loss never fell below its start value")
                     != std::string::npos,
                 stay.message.c_str());
    }

    void deterministic() {
        const Fixture f = makeFixture();
        auto o = options(fit::Optimizer::Adam);
        o.maxIterations = 20;
        const auto a = fit::fitParameters(*f.model, f.model->defaultParams(), f.loss, o);
        const auto b = fit::fitParameters(*f.model, f.model->defaultParams(), f.loss, o);
        QCOMPARE(a.params, b.params);
        QCOMPARE(a.lossFinal, b.lossFinal);
    }

    // γ's true value 3 lies outside [0.5, 2.5]: the fit ends on the bound, never beyond.
    void boundsAreHonoured() {
        const std::string text =
            std::string(kModel).replace(std::string(kModel).find("[0.5, 10]"), 9, "[0.5, 2.5]");
        std::string fixed = text;
        fixed.replace(fixed.find("γ = 2.8"), 7, "γ = 2.4");
        const Fixture f = makeFixture(fixed.c_str());
        for (auto optimizer : {fit::Optimizer::Lbfgs, fit::Optimizer::Adam}) {
            const auto out =
                fit::fitParameters(*f.model, f.model->defaultParams(), f.loss, options(optimizer));
            QVERIFY2(out.params.size() == 4, out.message.c_str());
            QVERIFY(out.params[2] <= 2.5);
            QVERIFY(out.params[2] > 2.4);
            QVERIFY(out.params[0] > 0.0); // log scale keeps α positive
        }
    }

    void cancellationKeepsTheBest() {
        const Fixture f = makeFixture();
        std::atomic<bool> cancel{false};
        auto o = options(fit::Optimizer::Adam);
        o.cancel = &cancel;
        int seen = 0;
        const auto out = fit::fitParameters(*f.model, f.model->defaultParams(), f.loss, o,
                                            [&](const fit::FitProgress&) {
                                                if (++seen == 5) {
                                                    cancel = true;
                                                }
                                                return true;
                                            });
        QCOMPARE(out.status, fit::FitStatus::Cancelled);
        QCOMPARE(out.iterations, 5);
        QVERIFY(out.lossFinal < out.lossInitial);
        QCOMPARE(out.params.size(), std::size_t(4));
    }

    // Steps into parameters where the solve fails are rejected and the learning rate shrinks.
    void failedSolvesAreRejected() {
        const Fixture f = makeFixture();
        auto o = options(fit::Optimizer::Adam);
        o.adam.learningRate = 3.0; // wild steps: some land where the solve blows up
        o.solve.maxiters = 3000;
        o.maxIterations = 30;
        const auto out = fit::fitParameters(*f.model, f.model->defaultParams(), f.loss, o);
        QVERIFY(out.rejectedSteps > 0);
        QVERIFY2(out.lastRejection.rfind("iteration ", 0) == 0, out.lastRejection.c_str());
        QVERIFY(std::isfinite(out.lossFinal));
        QVERIFY(out.lossFinal <= out.lossInitial);
    }

    // A fixed param keeps its value exactly, with every optimiser; the others still fit.
    void fixedParamsStayPut() {
        const Fixture f = makeFixture();
        for (auto optimizer :
             {fit::Optimizer::Lbfgs, fit::Optimizer::Adam, fit::Optimizer::LevenbergMarquardt}) {
            auto o = options(optimizer);
            o.maxIterations = 60;
            o.fixed = {"β", "δ"};
            const auto start = f.model->defaultParams();
            const auto out = fit::fitParameters(*f.model, start, f.loss, o);
            QCOMPARE(out.params[1], start[1]);
            QCOMPARE(out.params[3], start[3]);
            QVERIFY(out.params[0] != start[0]);
            QVERIFY(out.lossFinal < out.lossInitial);
        }
        auto o = options(fit::Optimizer::Lbfgs);
        o.fixed = {"ζ"};
        const auto bad = fit::fitParameters(*f.model, f.model->defaultParams(), f.loss, o);
        QCOMPARE(bad.status, fit::FitStatus::Failed);
        QVERIFY(bad.message.find("'ζ'") != std::string::npos);
    }

    void stopRules() {
        const Fixture f = makeFixture();
        auto o = options(fit::Optimizer::Lbfgs);
        o.lossTolerance = 1e-2;
        const auto out = fit::fitParameters(*f.model, f.model->defaultParams(), f.loss, o);
        QCOMPARE(out.status, fit::FitStatus::Converged);
        QVERIFY(out.message.find("loss tolerance") != std::string::npos);
        QVERIFY(out.lossFinal <= 1e-2);
    }
};

QTEST_GUILESS_MAIN(TestFitter)
#include "tst_fitter.moc"
