// SPDX-License-Identifier: MIT
// The statistical loss of an SDE (issue 16): the moment loss is a deviance (0 at the data's own
// moments, ≥ 0 elsewhere) with exact derivatives; the ensemble's moment derivatives (forward
// mode per trajectory on fixed paths) agree with central differences of the ensemble on the same
// paths and are bit-identical for 1 and 2 threads; and fitting 200 replicates of an
// Ornstein–Uhlenbeck process made with a known σ (other seeds than the fit's ensemble) recovers σ
// within 10 % and the drift parameters within 5 % from a start 40 % off; a neural SDE (networks
// in the drift and in the noise) trained on the same replicates lowers its loss tenfold.
#include "ensemble/moment_gradients.hpp"
#include "fit/fitter.hpp"
#include "fit/simulation.hpp"
#include "model/model.hpp"
#include "support/compile_model.hpp"
#include "support/require_loss.hpp"

#include <QTest>
#include <cmath>

using namespace dynfit;

namespace {

// Ornstein–Uhlenbeck with its long-run mean, rate and noise as parameters (additive noise).
const char* const kOu = "param θ = 1.5 in [0.1, 10]\nparam μ = 2.0 in [-10, 10]\n"
                        "param σ = 0.4 in [0.01, 5]\ninit x = 0\nd(x)/dt = θ*(μ - x)\n"
                        "noise x = σ\ntspan = 0 .. 4\n";
// Geometric Brownian motion with a parameter-dependent start: multiplicative noise, u0(p).
const char* const kGbm = "param a = 0.5\nparam b = 0.3\nparam x0 = 1.2\ninit x = x0\n"
                         "d(x)/dt = a*x\nnoise x = b*x\ntspan = 0 .. 1\n";

// Networks in the drift and in the noise, the latter kept positive.
const char* const kNeuralSde = "nn U = dense(1, 6, tanh) >> dense(6, 1)\n"
                               "nn S = dense(1, 4, tanh) >> dense(4, 1)\ninit x = 0\n"
                               "d(x)/dt = U(x)[1]\nnoise x = 0.2*exp(S(x)[1])\ntspan = 0 .. 4\n";

std::vector<double> saveTimes(double step, double end) {
    std::vector<double> t;
    for (int k = 0; k * step <= end + 1e-12; ++k) {
        t.push_back(k * step);
    }
    return t;
}

ensemble::EnsembleOptions ensembleOptions(long n, std::uint64_t seed, int threads = 0) {
    ensemble::EnsembleOptions e;
    e.trajectories = n;
    e.seed = seed;
    e.threads = threads;
    return e;
}

// R replicates of one experiment as one data set: R rows at each time (the CSV's layout).
io::DataSet replicates(const ensemble::EnsembleResult& r) {
    io::DataSet data;
    data.timeColumn.push_back('t'); // not = "t": g++ 12 warns falsely there
    data.columns.emplace_back("x");
    data.values.resize(1);
    for (std::size_t j = 0; j < r.t.size(); ++j) {
        for (const auto& kept : r.kept) {
            data.times.push_back(r.t[j]);
            data.values[0].push_back(kept.u[j][0]);
        }
    }
    return data;
}

// 200 replicates of the Ornstein–Uhlenbeck model at θ = 1.5, μ = 2, σ = 0.4 every 0.2 on [0, 4]
// (seed 2026: other paths than any fit's ensemble).
objective::LeastSquaresLoss ouReplicates(const model::CompiledModel& ou) {
    ode::SolveOptions opts;
    opts.reltol = opts.abstol = 1e-3;
    opts.saveat = saveTimes(0.2, 4.0);
    auto made = ensembleOptions(200, 2026);
    made.keep = 200;
    const std::shared_ptr<const model::CompiledModel> m(&ou, [](const model::CompiledModel*) {});
    const auto r = ensemble::runEnsemble(
        m, {Eigen::VectorXd::Zero(1), {0.0, 4.0}, Eigen::Vector3d(1.5, 2.0, 0.4)}, ode::SOSRA{},
        opts, made);
    if (r.failed != 0) {
        qFatal("the replicates did not solve: %s", r.firstFailure.c_str());
    }
    return test::requireLoss(ou.states, replicates(r));
}

} // namespace

class TestSdeMoments : public QObject {
    Q_OBJECT

  private slots:
    void momentLossIsADevianceWithExactDerivatives() {
        io::DataSet data{"t", {"x"}, {1, 1, 1, 2, 2, 2}, {{1.0, 1.5, 0.8, 2.0, 2.6, 2.3}}};
        const auto ls = test::requireLoss({"x"}, data);
        const objective::MomentLoss loss(ls);
        QCOMPARE(loss.replicatedCells(), 2);
        // At each cell's own mean and (n-denominator) variance the deviance is 0.
        Eigen::ArrayXXd mean(1, 2), var(1, 2);
        mean << (1.0 + 1.5 + 0.8) / 3, (2.0 + 2.6 + 2.3) / 3;
        for (int j = 0; j < 2; ++j) {
            double s = 0;
            for (int r = 0; r < 3; ++r) {
                s += std::pow(data.values[0][3 * j + r] - mean(0, j), 2);
            }
            var(0, j) = s / 3 - objective::MomentLoss::kRelativeFloor * 2.6 * 2.6;
        }
        QVERIFY(std::abs(loss.evaluate(mean, var).loss) < 1e-12);
        Eigen::ArrayXXd m2 = mean + 0.3, v2 = var * 1.7;
        const auto at = loss.evaluate(m2, v2);
        QVERIFY(at.loss > 0.01);
        const double h = 1e-6;
        for (int j = 0; j < 2; ++j) {
            Eigen::ArrayXXd up = m2, down = m2;
            up(0, j) += h;
            down(0, j) -= h;
            const double dm = (loss.evaluate(up, v2).loss - loss.evaluate(down, v2).loss) / (2 * h);
            QVERIFY2(std::abs(dm - at.dMean(0, j)) < 1e-7, qPrintable(QString::number(dm)));
            Eigen::ArrayXXd vu = v2, vd = v2;
            vu(0, j) += h;
            vd(0, j) -= h;
            const double dv = (loss.evaluate(m2, vu).loss - loss.evaluate(m2, vd).loss) / (2 * h);
            QVERIFY2(std::abs(dv - at.dVariance(0, j)) < 1e-6, qPrintable(QString::number(dv)));
        }
    }

    void momentDerivativesMatchDifferencesOnTheSamePaths() {
        const auto m = test::compileModel(kGbm);
        ode::SolveOptions opts;
        opts.dt = 1.0 / 64; // fixed steps: the differences see the same step sequence
        opts.saveat = {0.25, 0.5, 1.0};
        const std::vector<double> p = {0.5, 0.3, 1.2};
        const auto e = ensembleOptions(200, 77);
        const auto g =
            ensemble::ensembleMomentGradients(m, {{0.0, 1.0}, p, {}}, ode::SRIW1{}, opts, e);
        QVERIFY2(g.ok(), g.message.c_str());
        const auto moments = [&](const std::vector<double>& q) {
            const Eigen::Vector3d pv(q[0], q[1], q[2]);
            return ensemble::runEnsemble(m, {Eigen::VectorXd::Constant(1, q[2]), {0.0, 1.0}, pv},
                                         ode::SRIW1{}, opts, e)
                .moments;
        };
        const auto base = moments(p);
        QCOMPARE(g.mean(0, 2), base.mean()(0, 2));
        QCOMPARE(g.variance(0, 2), base.variance()(0, 2));
        for (int k = 0; k < 3; ++k) {
            const double h = 1e-6 * std::max(1.0, p[static_cast<std::size_t>(k)]);
            auto up = p, down = p;
            up[static_cast<std::size_t>(k)] += h;
            down[static_cast<std::size_t>(k)] -= h;
            const auto mu = moments(up), md = moments(down);
            const Eigen::ArrayXXd dMean = (mu.mean() - md.mean()) / (2 * h);
            const Eigen::ArrayXXd dVar = (mu.variance() - md.variance()) / (2 * h);
            const auto k_ = static_cast<std::size_t>(k);
            const double meanError = ((dMean - g.dMean[k_]).abs() / (1.0 + dMean.abs())).maxCoeff();
            const double varError =
                ((dVar - g.dVariance[k_]).abs() / (1.0 + dVar.abs())).maxCoeff();
            QVERIFY2(
                meanError < 1e-6 && varError < 1e-6,
                qPrintable(
                    QString("param %1: mean %2, variance %3").arg(k).arg(meanError).arg(varError)));
            QVERIFY(g.dMean[k_].abs().maxCoeff() > 1e-3); // every parameter moves the moments
        }
        // GBM: ∂E[X_T]/∂a = T·E[X_T] on every path; the sample mean obeys it exactly in the limit
        // of small steps, here to the discretisation's error.
        QVERIFY(std::abs(g.dMean[0](0, 2) - g.mean(0, 2)) < 2e-3 * g.mean(0, 2));
    }

    void momentGradientsBitIdenticalForOneAndTwoThreads() {
        const auto m = test::compileModel(kGbm);
        ode::SolveOptions opts;
        opts.reltol = opts.abstol = 1e-3;
        opts.saveat = {0.5, 1.0};
        const std::vector<double> p = {0.5, 0.3, 1.2};
        const auto one = ensemble::ensembleMomentGradients(m, {{0.0, 1.0}, p, {}}, ode::SOSRI{},
                                                           opts, ensembleOptions(150, 5, 1));
        const auto two = ensemble::ensembleMomentGradients(m, {{0.0, 1.0}, p, {}}, ode::SOSRI{},
                                                           opts, ensembleOptions(150, 5, 2));
        QVERIFY(one.ok() && two.ok());
        QVERIFY((one.mean == two.mean).all() && (one.variance == two.variance).all());
        for (std::size_t k = 0; k < 3; ++k) {
            QVERIFY((one.dMean[k] == two.dMean[k]).all());
            QVERIFY((one.dVariance[k] == two.dVariance[k]).all());
        }
    }

    // The moments loss's gradient two ways: dual numbers per trajectory (forward) and each
    // trajectory swept back with its adjoint (reverse), on OU and on GBM with u0(p).
    void momentGradientForwardEqualsReverse_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("method");
        QTest::newRow("OU, SOSRA") << QString(kOu) << "SOSRA";
        QTest::newRow("GBM with u0(p), SOSRI") << QString(kGbm) << "SOSRI";
    }
    void momentGradientForwardEqualsReverse() {
        QFETCH(QString, text);
        QFETCH(QString, method);
        const auto m = test::compileModel(text.toStdString());
        io::DataSet data{"t", {"x"}, {0.5, 0.5, 0.5, 1, 1, 1}, {{1.1, 1.6, 0.9, 1.8, 2.4, 1.2}}};
        const auto ls = test::requireLoss(m->states, data);
        const auto evaluate = [&](sens::GradientMethod gradient) {
            fit::SolverSetup setup;
            setup.options.reltol = setup.options.abstol = 1e-3;
            setup.gradient = gradient;
            setup.sde = sens::SdePath{*ode::sdeMethodByName(method.toStdString()), {}, 1.0 / 6.0};
            setup.sde->noise.seed = 4;
            setup.sdeLoss = {fit::SdeLoss::Moments, 96, 0};
            fit::FitProblem problem;
            std::string error;
            if (!fit::FitProblem::build(*m, {fit::Experiment{"data", ls, {}, std::nullopt}}, {},
                                        setup, m->defaultParams(), problem, error)) {
                qFatal("%s", error.c_str());
            }
            return problem.evaluate(m->defaultParams(), problem.initialStarts());
        };
        const auto forward = evaluate(sens::GradientMethod::Forward);
        const auto reverse = evaluate(sens::GradientMethod::Reverse);
        QVERIFY2(forward.ok() && reverse.ok(), (forward.message + reverse.message).c_str());
        QVERIFY(std::abs(forward.loss - reverse.loss) <= 1e-12 * std::abs(forward.loss));
        for (std::size_t k = 0; k < forward.dParams.size(); ++k) {
            const double a = forward.dParams[k], b = reverse.dParams[k];
            QVERIFY2(std::abs(a - b) <= 1e-9 * (1 + std::abs(a)),
                     qPrintable(QString("param %1: forward %2, reverse %3").arg(k).arg(a).arg(b)));
            QVERIFY(std::abs(a) > 1e-6);
        }
    }

    void momentsFitRecoversNoiseAndDrift() {
        const auto m = test::compileModel(kOu);
        const auto loss = ouReplicates(*m);
        const Eigen::Vector3d truth(1.5, 2.0, 0.4);
        ode::SolveOptions opts;
        opts.reltol = opts.abstol = 1e-3;
        fit::FitOptions options;
        options.solve = opts;
        options.solve.saveat.clear();
        options.sde = sens::SdePath{ode::SOSRA{}, {}, 1.0 / 6.0};
        options.sde->noise.seed = 7; // the fit's ensemble: other paths than the data's
        options.sdeLoss = {fit::SdeLoss::Moments, 400, 0};
        options.maxIterations = 100;
        const std::vector<double> start = {1.5 * 0.6, 2.0 * 1.4, 0.4 * 1.4};
        const auto out = fit::fitParameters(*m, start, loss, options);
        QVERIFY2(out.status == fit::FitStatus::Converged, out.message.c_str());
        const double limits[3] = {0.05, 0.05, 0.10};
        for (int k = 0; k < 3; ++k) {
            const double error =
                std::abs(out.params[static_cast<std::size_t>(k)] - truth[k]) / truth[k];
            QVERIFY2(error < limits[k],
                     qPrintable(QString("%1 = %2, truth %3 (loss %4 → %5, %6 iterations, %7)")
                                    .arg(m->params[static_cast<std::size_t>(k)].name.c_str())
                                    .arg(out.params[static_cast<std::size_t>(k)])
                                    .arg(truth[k])
                                    .arg(out.lossInitial)
                                    .arg(out.lossFinal)
                                    .arg(out.iterations)
                                    .arg(out.message.c_str())));
        }
        fit::FitOptions lmOptions = options; // LM needs residuals: refused, and says why
        lmOptions.optimizer = fit::Optimizer::LevenbergMarquardt;
        const auto lm = fit::fitParameters(*m, start, loss, lmOptions);
        QCOMPARE(lm.status, fit::FitStatus::Failed);
        QVERIFY2(lm.message.find("likelihood") != std::string::npos, lm.message.c_str());
    }

    // What the app draws for a model with noise: the ensemble's mean (OU's exact mean
    // μ(1 − e^{−θt}) within Monte-Carlo error), a 5–95 % band as wide as the exact one
    // (2·1.645·sd within 15 %), sample paths on the same grid, and the mean at the data times.
    void displayDrawsMeanBandAndPaths() {
        const auto m = test::compileModel(kOu);
        fit::SimulationRequest request;
        request.params = {1.5, 2.0, 0.4};
        request.points = 41;
        request.options.reltol = request.options.abstol = 1e-3;
        request.observationTimes = {1.0, 2.5};
        request.sde = fit::defaultSdeDisplay(*m);
        request.sde->trajectories = 2000;
        const auto sim = fit::simulate(*m, request);
        QVERIFY2(sim.ok(), sim.message.c_str());
        QCOMPARE(sim.t.size(), std::size_t(41));
        QCOMPARE(sim.paths.size(), std::size_t(3));
        QCOMPARE(sim.paths[0][0].size(), sim.t.size());
        for (std::size_t k = 5; k < sim.t.size(); ++k) {
            const double t = sim.t[k];
            const double mean = 2.0 * (1 - std::exp(-1.5 * t));
            const double sd = std::sqrt(0.16 / 3.0 * (1 - std::exp(-3.0 * t)));
            QVERIFY2(
                std::abs(sim.columns[0][k] - mean) < 5 * sd / std::sqrt(2000.0),
                qPrintable(QString("t %1: mean %2 vs %3").arg(t).arg(sim.columns[0][k]).arg(mean)));
            const double width = sim.upper[0][k] - sim.lower[0][k];
            QVERIFY2(std::abs(width / (2 * 1.6448536 * sd) - 1) < 0.15,
                     qPrintable(
                         QString("t %1: band %2 vs %3").arg(t).arg(width).arg(2 * 1.6448536 * sd)));
        }
        QVERIFY(std::abs(sim.atObservations[0][0] - 2.0 * (1 - std::exp(-1.5))) < 0.02);
    }

    void neuralSdeTrains() {
        const auto loss = ouReplicates(*test::compileModel(kOu));
        model::Diagnostics d;
        const auto m = model::compileModel(kNeuralSde, d, {}, {.seed = 3});
        QVERIFY(m != nullptr);
        fit::FitOptions options;
        options.solve.reltol = options.solve.abstol = 1e-2;
        options.sde = sens::SdePath{ode::SOSRI{}, {}, 1.0 / 6.0};
        options.sde->noise.seed = 11;
        options.sdeLoss = {fit::SdeLoss::Moments, 96, 0};
        options.maxIterations = 60;
        const auto out = fit::fitParameters(*m, m->defaultParams(), loss, options);
        QVERIFY2(out.lossFinal < 0.1 * out.lossInitial,
                 qPrintable(QString("loss %1 → %2 (%3 iterations, %4)")
                                .arg(out.lossInitial)
                                .arg(out.lossFinal)
                                .arg(out.iterations)
                                .arg(out.message.c_str())));
    }
};

QTEST_APPLESS_MAIN(TestSdeMoments)
#include "tst_sde_moments.moc"
