// SPDX-License-Identifier: MIT
// Several experiments per fit and multiple shooting: their gradients against finite differences,
// and fits they make possible.
#include "fit/fitter.hpp"
#include "fit/residuals.hpp"
#include "fit/simulation.hpp"
#include "model/model_rhs.hpp"
#include "model/model_solve.hpp"
#include "support/data_from_solution.hpp"

#include <QTest>
#include <cmath>

using namespace dynfit;

namespace {

// Lotka–Volterra with all four rates 50% low: plain L-BFGS-B stalls in a local minimum from here.
const char* kModel = "param α = 0.75\nparam β = 0.5\nparam γ = 1.5\nparam δ = 0.5\ninit x = 1\n"
                     "init y = 1\nd(x)/dt = α*x - β*x*y\nd(y)/dt = -γ*y + δ*x*y\ntspan = 0 .. 10\n";
const std::vector<double> kTrue{1.5, 1.0, 3.0, 1.0};

std::shared_ptr<const model::CompiledModel> compile(const char* text = kModel) {
    model::Diagnostics d;
    auto m = model::compileModel(text, d);
    if (!m) {
        qFatal("model does not compile");
    }
    return m;
}

// An experiment with data from the true parameters at 0:0.5:10, starting from (x0, y0).
fit::Experiment experiment(const model::CompiledModel& m, double x0, double y0, std::string name) {
    std::shared_ptr<const model::CompiledModel> shared(&m, [](const model::CompiledModel*) {});
    auto problem = model::makeModelProblem<double>(
        shared, Eigen::Map<const Eigen::VectorXd>(kTrue.data(), 4), {0, 10});
    problem.u0 = [x0, y0](const model::Vector<double>&) { return model::Vector<double>{{x0, y0}}; };
    ode::SolveOptions opts;
    opts.reltol = opts.abstol = 1e-12;
    opts.saveatStep = 0.5;
    const auto sol = model::solveModel(problem, ode::Vern7{}, opts);
    const io::DataSet data = test::dataFromSolution(sol, m.states);
    fit::Experiment e;
    e.name = std::move(name);
    std::string error;
    if (!objective::LeastSquaresLoss::build(m.states, data, {}, e.loss, error)) {
        qFatal("%s", error.c_str());
    }
    e.initialValues = {{0, x0}, {1, y0}};
    return e;
}

fit::SolverSetup setup(sens::GradientMethod method) {
    fit::SolverSetup s;
    s.solver = ode::Tsit5{};
    s.options.reltol = s.options.abstol = 1e-10;
    s.gradient = method;
    return s;
}

fit::FitOptions fitOptions(fit::Optimizer optimizer) {
    fit::FitOptions o;
    o.optimizer = optimizer;
    o.solve.reltol = o.solve.abstol = 1e-10;
    o.maxIterations = 400;
    return o;
}

// Central differences of the problem's loss over (params, starts).
Eigen::VectorXd finiteDifferences(const fit::FitProblem& problem,
                                  const std::vector<double>& params,
                                  const Eigen::VectorXd& starts) {
    const auto np = static_cast<Eigen::Index>(params.size());
    Eigen::VectorXd g(np + starts.size());
    for (Eigen::Index k = 0; k < g.size(); ++k) {
        auto p = params;
        Eigen::VectorXd s = starts;
        double& x = k < np ? p[static_cast<std::size_t>(k)] : s[k - np];
        const double h = 1e-6 * std::max(1.0, std::abs(x));
        const double x0 = x;
        x = x0 + h;
        const double up = problem.evaluate(p, s).loss;
        x = x0 - h;
        const double down = problem.evaluate(p, s).loss;
        g[k] = (up - down) / (2 * h);
    }
    return g;
}

} // namespace

class TestFitProblem : public QObject {
    Q_OBJECT
  private slots:
    void shootingLaysOutSegments() {
        const auto m = compile();
        fit::FitProblem problem;
        std::string error;
        fit::MultipleShooting shooting{4, 1.0};
        QVERIFY2(fit::FitProblem::build(*m, {experiment(*m, 1, 1, "a")}, shooting,
                                        setup(sens::GradientMethod::Forward), m->defaultParams(),
                                        problem, error),
                 error.c_str());
        QCOMPARE(problem.segmentCount(), 4);
        QCOMPARE(problem.startCount(), 3 * 2); // two states at each of three inner boundaries
        // The starts come from the data where observed (the data are the true trajectory).
        const auto predicted = problem.predictions(kTrue);
        QCOMPARE(predicted.size(), std::size_t(1));
        bool matchesSomeDataRow = false;
        for (const auto& row : predicted[0]) {
            matchesSomeDataRow |= std::abs(row[0] - problem.initialStarts()[0]) < 1e-8
                                  && std::abs(row[1] - problem.initialStarts()[1]) < 1e-8;
        }
        QVERIFY(matchesSomeDataRow);
    }

    // dL/d(params, starts) of the shooting loss, including the continuity penalty's dependence
    // on both sides of each boundary, for every gradient method.
    void shootingGradientMatchesFiniteDifferences_data() {
        QTest::addColumn<int>("method");
        for (auto method : {sens::GradientMethod::Forward, sens::GradientMethod::Reverse,
                            sens::GradientMethod::Interpolating, sens::GradientMethod::Quadrature,
                            sens::GradientMethod::Backsolve}) {
            QTest::newRow(std::string(sens::gradientMethodName(method)).c_str())
                << static_cast<int>(method);
        }
    }
    void shootingGradientMatchesFiniteDifferences() {
        QFETCH(int, method);
        const auto m = compile();
        fit::FitProblem problem;
        std::string error;
        QVERIFY(fit::FitProblem::build(*m, {experiment(*m, 1, 1, "a"), experiment(*m, 2, 0.5, "b")},
                                       {3, 10.0}, setup(static_cast<sens::GradientMethod>(method)),
                                       m->defaultParams(), problem, error));
        const auto params = m->defaultParams();
        Eigen::VectorXd starts = problem.initialStarts();
        starts.array() += 0.05; // off the data, so that the continuity terms matter
        const auto e = problem.evaluate(params, starts);
        QVERIFY2(e.ok(), e.message.c_str());
        const Eigen::VectorXd fd = finiteDifferences(problem, params, starts);
        Eigen::VectorXd g(fd.size());
        g << Eigen::Map<const Eigen::VectorXd>(e.dParams.data(), 4), e.dStarts;
        const double err = (g - fd).cwiseAbs().maxCoeff() / fd.cwiseAbs().maxCoeff();
        qInfo("relative error %.2e over %d derivatives", err, static_cast<int>(g.size()));
        QVERIFY(err < 1e-5);
        QVERIFY(e.dStarts.cwiseAbs().minCoeff() > 0.0);
    }

    // Levenberg–Marquardt's residual Jacobian is consistent with the gradient: ∇L = 2 Jᵀ r.
    void residualsMatchTheGradient() {
        const auto m = compile();
        fit::FitProblem problem;
        std::string error;
        QVERIFY(fit::FitProblem::build(*m, {experiment(*m, 1, 1, "a")}, {3, 10.0},
                                       setup(sens::GradientMethod::Forward), m->defaultParams(),
                                       problem, error));
        const auto params = m->defaultParams();
        Eigen::VectorXd starts = problem.initialStarts();
        starts.array() += 0.05;
        const auto e = problem.evaluate(params, starts);
        const auto r = problem.residuals(params, starts);
        QVERIFY(e.ok() && r.ok());
        QCOMPARE(r.residuals.squaredNorm(), e.loss);
        const Eigen::VectorXd gp = 2.0 * r.dParams.transpose() * r.residuals;
        const Eigen::VectorXd gs = 2.0 * r.dStarts.transpose() * r.residuals;
        for (int k = 0; k < 4; ++k) {
            QVERIFY(std::abs(gp[k] - e.dParams[static_cast<std::size_t>(k)])
                    < 1e-8 * std::max(1.0, std::abs(gp[k])));
        }
        QVERIFY((gs - e.dStarts).cwiseAbs().maxCoeff() < 1e-8 * std::max(1.0, gs.norm()));
    }

    // From the start where plain L-BFGS-B stalls, multiple shooting reaches the true parameters,
    // with L-BFGS-B and with Levenberg–Marquardt.
    void shootingEscapesLocalMinima_data() {
        QTest::addColumn<int>("optimizer");
        QTest::newRow("lbfgs") << static_cast<int>(fit::Optimizer::Lbfgs);
        QTest::newRow("lm") << static_cast<int>(fit::Optimizer::LevenbergMarquardt);
    }
    void shootingEscapesLocalMinima() {
        QFETCH(int, optimizer);
        const auto m = compile();
        const std::vector<fit::Experiment> data{experiment(*m, 1, 1, "a")};
        auto o = fitOptions(static_cast<fit::Optimizer>(optimizer));
        const auto plain = fit::fitParameters(*m, m->defaultParams(), data, o);
        o.shooting = {5, 1.0};
        const auto out = fit::fitParameters(*m, m->defaultParams(), data, o);
        qInfo("plain: loss %.3g; shooting: %s, loss %.3g in %d iterations, α β γ δ = %.6f %.6f "
              "%.6f %.6f",
              plain.lossFinal, out.message.c_str(), out.lossFinal, out.iterations, out.params[0],
              out.params[1], out.params[2], out.params[3]);
        QVERIFY(plain.lossFinal > 1.0); // the trap is real
        for (std::size_t k = 0; k < kTrue.size(); ++k) {
            QVERIFY(std::abs(out.params[k] - kTrue[k]) < 1e-4 * kTrue[k]);
        }
    }

    // Two experiments from different initial values share the parameters: the fit recovers them
    // and each experiment is simulated from its own start.
    void experimentsShareParameters() {
        const char* text = "param α = 1.2\nparam β = 0.8\nparam γ = 2.8\nparam δ = 1.2\n"
                           "init x = 1\ninit y = 1\nd(x)/dt = α*x - β*x*y\n"
                           "d(y)/dt = -γ*y + δ*x*y\ntspan = 0 .. 10\n";
        const auto m = compile(text);
        const std::vector<fit::Experiment> data{experiment(*m, 1, 1, "a"),
                                                experiment(*m, 3, 0.5, "b")};
        fit::FitProblem problem;
        std::string error;
        QVERIFY(fit::FitProblem::build(*m, data, {}, setup(sens::GradientMethod::Reverse), kTrue,
                                       problem, error));
        const auto atTruth = problem.evaluate(kTrue, problem.initialStarts());
        QVERIFY(atTruth.ok());
        QVERIFY2(atTruth.loss < 1e-12, qPrintable(QString::number(atTruth.loss)));
        const auto predicted = problem.predictions(kTrue);
        QCOMPARE(predicted.size(), std::size_t(2));
        QCOMPARE(predicted[1][0][0], 3.0);

        auto o = fitOptions(fit::Optimizer::Lbfgs);
        o.reportPrediction = true;
        std::size_t experimentsReported = 0;
        const auto out =
            fit::fitParameters(*m, m->defaultParams(), data, o, [&](const fit::FitProgress& p) {
                experimentsReported = p.predictions.size();
                return true;
            });
        QVERIFY2(out.status == fit::FitStatus::Converged, out.message.c_str());
        QCOMPARE(experimentsReported, std::size_t(2));
        for (std::size_t k = 0; k < kTrue.size(); ++k) {
            QVERIFY(std::abs(out.params[k] - kTrue[k]) < 1e-5 * kTrue[k]);
        }
    }

    // Residuals per state: data − prediction at every observed cell (replicates at one time
    // included, gaps and unobserved states left out), their RMS, and the loss they add up to.
    void residualsByStateAreDataMinusPrediction() {
        const auto m = compile();
        io::DataSet data;
        data.timeColumn = "t";
        data.columns = {"y"};
        data.times = {0.0, 1.0, 1.0, 2.0};
        data.values = {{1.0, 2.0, 2.5, std::nan("")}};
        objective::LeastSquaresLoss loss;
        std::string error;
        QVERIFY2(objective::LeastSquaresLoss::build(m->states, data, {}, loss, error),
                 error.c_str());
        const std::vector<std::vector<double>> predicted{{9.0, 9.0, 9.0}, {0.5, 1.5, 3.0}};
        const auto r = fit::residualsByState(loss, predicted);
        QCOMPARE(r.size(), std::size_t(2));
        QVERIFY(r[0].values.empty());
        QCOMPARE(r[0].rms, 0.0);
        QCOMPARE(r[1].times, (std::vector<double>{0.0, 1.0, 1.0}));
        QCOMPARE(r[1].values, (std::vector<double>{0.5, 0.5, 1.0}));
        QCOMPARE(r[1].rms, std::sqrt(0.5));
        std::vector<Eigen::VectorXd> saved;
        for (std::size_t k = 0; k < 3; ++k) {
            saved.push_back(Eigen::Vector2d(predicted[0][k], predicted[1][k]));
        }
        QCOMPARE(loss.evaluate(saved), 3 * r[1].rms * r[1].rms);
        // A prediction that stopped after the first save time: only that cell.
        const auto shortRun = fit::residualsByState(loss, {{9.0}, {0.5}});
        QCOMPARE(shortRun[1].values, (std::vector<double>{0.5}));
    }

    // One display solve gives the drawn grid and the states at the data times: the same
    // values as a solve at those times alone; a time outside the span is NaN, not a failure.
    void simulationServesTheGridAndTheDataTimes() {
        const auto m = compile();
        fit::SimulationRequest request;
        request.params = kTrue;
        request.options.reltol = request.options.abstol = 1e-10;
        request.points = 50;
        request.observationTimes = {0.0, 0.25, 3.7, 12.0};
        const auto both = fit::simulate(*m, request);
        QVERIFY2(both.ok(), both.message.c_str());
        QCOMPARE(both.t.size(), std::size_t(50));
        QCOMPARE(both.t.back(), 10.0);
        fit::SimulationRequest alone = request;
        alone.observationTimes.clear();
        alone.times = {0.0, 0.25, 3.7};
        const auto reference = fit::simulate(*m, alone);
        QVERIFY2(reference.ok(), reference.message.c_str());
        for (std::size_t i = 0; i < 2; ++i) {
            QCOMPARE(both.atObservations[i].size(), std::size_t(4));
            for (std::size_t k = 0; k < 3; ++k) {
                QVERIFY(std::abs(both.atObservations[i][k] - reference.columns[i][k]) < 1e-12);
            }
            QVERIFY(std::isnan(both.atObservations[i][3]));
        }
        QCOMPARE(both.atObservations[0][0], 1.0); // the initial value, at t0 on the grid too
    }

    void badInputIsRefused() {
        const auto m = compile();
        fit::FitProblem problem;
        std::string error;
        auto e = experiment(*m, 1, 1, "broken");
        e.initialValues = {{7, 1.0}};
        QVERIFY(!fit::FitProblem::build(*m, {e}, {}, setup(sens::GradientMethod::Forward),
                                        m->defaultParams(), problem, error));
        QVERIFY(error.find("'broken'") != std::string::npos);
        QVERIFY(!fit::FitProblem::build(*m, {}, {}, setup(sens::GradientMethod::Forward),
                                        m->defaultParams(), problem, error));
        const auto out = fit::fitParameters(*m, m->defaultParams(), std::vector<fit::Experiment>{},
                                            fitOptions(fit::Optimizer::Lbfgs));
        QCOMPARE(out.status, fit::FitStatus::Failed);
    }
};

QTEST_GUILESS_MAIN(TestFitProblem)
#include "tst_fit_problem.moc"
