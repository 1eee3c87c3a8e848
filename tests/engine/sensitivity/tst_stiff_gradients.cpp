// SPDX-License-Identifier: MIT
// Gradients through the stiff methods: a ROBER parameter fit's gradient by forward, reverse,
// interpolating and finite differences, for every stiff method.
#include "model/model.hpp"
#include "model/model_rhs.hpp"
#include "model/model_solve.hpp"
#include "objective/least_squares_loss.hpp"
#include "sensitivity/gradient.hpp"
#include "support/data_from_solution.hpp"
#include "support/require_loss.hpp"
#include "support/stiff_references.hpp"

#include <QTest>

using namespace dynfit;

namespace {

using Vec = model::Vector<double>;

const char* const kRober = test::RoberReference::model;

struct Fixture {
    std::shared_ptr<const model::CompiledModel> model;
    objective::LeastSquaresLoss loss;
    std::vector<double> params; ///< 20 % off the truth: the loss is not at its minimum
};

// Data from the true parameters at log-spaced times over [0, 40]; y2 is weighted by 1e8 so
// that every state carries weight.
Fixture makeFixture() {
    Fixture f;
    model::Diagnostics d;
    f.model = model::compileModel(kRober, d);
    const Vec p = Eigen::Map<const Vec>(f.model->defaultParams().data(), 3);
    auto problem = model::makeModelProblem<double>(f.model, p, {0.0, 40.0});
    ode::SolveOptions opts;
    opts.reltol = 1e-12;
    opts.abstolPerComponent = {1e-16, 1e-20, 1e-16};
    opts.saveat = {1e-3, 1e-2, 0.1, 0.4, 1.0, 4.0, 10.0, 40.0};
    opts.saveEverystep = false;
    const auto truth = model::solveModel(problem, ode::Rodas5P{}, opts);
    auto data = test::dataFromSolution(truth, {"y1", "y2", "y3"});
    f.loss = test::requireLoss(f.model->states, data, {{"y2", 1e8}});
    f.params = {0.048, 2.4e7, 1.2e4};
    return f;
}

sens::GradientResult
run(const Fixture& f, const ode::Method& solver, sens::GradientMethod method, double reltol) {
    ode::SolveOptions opts;
    opts.reltol = reltol;
    opts.abstolPerComponent = {1e-14, 1e-18, 1e-14};
    return sens::gradient({f.model.get(), f.params, ode::TimeSpan{0.0, 40.0}, &f.loss}, solver,
                          opts, method);
}

// Every component to `relTol` of its own size (the three derivatives span 12 decades). Finite
// differences (`withInit` false) skip dL/du0: a step of 1e-5 in y2, whose whole range is
// 4e-5, is far outside the linear regime.
void compare(const char* what,
             const sens::GradientResult& a,
             const sens::GradientResult& b,
             double relTol,
             bool withInit = true) {
    QVERIFY2(a.ok() && b.ok(), (a.message + " | " + b.message).c_str());
    double worst = 0.0;
    std::string where;
    const auto check = [&](double x, double y, const std::string& name) {
        const double diff = std::abs(x - y) / std::max({std::abs(x), std::abs(y), 1e-300});
        if (diff > worst) {
            worst = diff;
            where = name + ": " + std::to_string(x) + " vs " + std::to_string(y);
        }
    };
    for (std::size_t k = 0; k < a.dParams.size(); ++k) {
        check(a.dParams[k], b.dParams[k], std::string("k").append(std::to_string(k + 1)));
    }
    for (std::size_t i = 0; withInit && i < a.dInit.size(); ++i) {
        check(a.dInit[i], b.dInit[i], std::string("y").append(std::to_string(i + 1)).append("(0)"));
    }
    qInfo("%s: worst relative difference %.2e (%s)", what, worst, where.c_str());
    QVERIFY2(worst <= relTol, qPrintable(QString("%1: %2 > %3").arg(what).arg(worst).arg(relTol)));
}

} // namespace

class TestStiffGradients : public QObject {
    Q_OBJECT
  private slots:
    void initTestCase() { m_fixture = makeFixture(); }

    void roberFit_data() {
        QTest::addColumn<QString>("method");
        QTest::addColumn<double>("reverseAgreement");
        // Rosenbrock methods are linear per step: reverse and forward differentiate the same
        // discrete solution. ESDIRK stages are Newton iterates: the two agree to its tolerance.
        QTest::newRow("Rodas5P") << "Rodas5P" << 1e-8;
        QTest::newRow("Rodas4") << "Rodas4" << 1e-8;
        QTest::newRow("ROS3P") << "ROS3P" << 1e-8;
        QTest::newRow("KenCarp4") << "KenCarp4" << 1e-4;
        QTest::newRow("Kvaerno5") << "Kvaerno5" << 1e-4;
        // Tsit5 steps, then Rodas5P once ROBER turns stiff (checked below): both linear per step.
        QTest::newRow("Auto") << "Auto" << 1e-8;
    }
    void roberFit() {
        QFETCH(QString, method);
        QFETCH(double, reverseAgreement);
        const auto solver = *ode::methodByName(method.toStdString());
        const double tol = 1e-9;
        if (method == "Auto") {
            ode::SolveOptions opts;
            opts.reltol = tol;
            opts.abstolPerComponent = {1e-14, 1e-18, 1e-14};
            const Vec p = Eigen::Map<const Vec>(m_fixture.params.data(), 3);
            const auto sol = model::solveModel(
                model::makeModelProblem<double>(m_fixture.model, p, {0.0, 40.0}), solver, opts);
            QVERIFY2(sol.stats.nStiffSwitches >= 1, "Auto never left Tsit5: the row tests nothing");
        }
        const auto forward = run(m_fixture, solver, sens::GradientMethod::Forward, tol);
        QVERIFY2(forward.ok(), forward.message.c_str());
        QVERIFY(forward.loss > 1e-6);
        qInfo("loss %.6e, dL/dk = %.6e %.6e %.6e", forward.loss, forward.dParams[0],
              forward.dParams[1], forward.dParams[2]);
        compare("reverse", forward, run(m_fixture, solver, sens::GradientMethod::Reverse, tol),
                reverseAgreement);
        compare("finite-diff", forward,
                run(m_fixture, solver, sens::GradientMethod::FiniteDiff, tol), 1e-4, false);
        compare("interpolating", forward,
                run(m_fixture, solver, sens::GradientMethod::Interpolating, tol), 1e-4);
    }

    // CVODE_BDF: CVODES forward sensitivities and CVODES's adjoint against finite differences
    // and against a native method.
    void roberFitCvode() {
        const double tol = 1e-9;
        const auto forward = run(m_fixture, ode::CvodeBdf{}, sens::GradientMethod::Forward, tol);
        QVERIFY2(forward.ok(), forward.message.c_str());
        compare("CVODES adjoint", forward,
                run(m_fixture, ode::CvodeBdf{}, sens::GradientMethod::Interpolating, tol), 1e-4);
        compare("finite-diff", forward,
                run(m_fixture, ode::CvodeBdf{}, sens::GradientMethod::FiniteDiff, tol), 1e-3,
                false);
        compare("Rodas5P", forward,
                run(m_fixture, ode::Rodas5P{}, sens::GradientMethod::Forward, 1e-11), 1e-4);
        const auto reverse = run(m_fixture, ode::CvodeBdf{}, sens::GradientMethod::Reverse, tol);
        QCOMPARE(reverse.status, SolveStatus::InvalidInput);
        QVERIFY(reverse.message.find("forward or interpolating") != std::string::npos);
    }

  private:
    Fixture m_fixture;
};

QTEST_GUILESS_MAIN(TestStiffGradients)
#include "tst_stiff_gradients.moc"
