// SPDX-License-Identifier: MIT
// Delay differential equations with constant lags against their exact solution by the method of
// steps: x' = a·x(t − τ) with the history φ before 0 and x(0) = c ≠ φ (an order-0 discontinuity
// at t0, so x' jumps at τ). On [kτ, (k+1)τ] the solution is a polynomial P_k in t − kτ:
//     P_0(s) = c + a φ s,    P_k(s) = P_{k−1}(τ) + a ∫_0^s P_{k−1},
// built here with dual numbers in a, τ, φ and c, so the exact gradient of a loss — the lag's
// included — comes with it. Every method's solution to 8 significant digits at reltol 1e-10;
// the gradients by forward mode, reverse mode and finite differences to 1e-6 of the exact one;
// the convergence order of the method of steps with fixed steps (RK4: 4, Heun: 2).
//
// Mutation check: with DYNFIT_MUTATE_DROP_DELAY_JUMP set the engine leaves out the jump of the
// sensitivities at t0 + τ (model/model_delays.hpp); tests/CMakeLists.txt requires a failure then.
#include "core/dual.hpp"
#include "model/model.hpp"
#include "model/model_solve.hpp"
#include "objective/least_squares_loss.hpp"
#include "sensitivity/gradient.hpp"
#include "solvers/methods.hpp"
#include "support/require_loss.hpp"

#include <QTest>
#include <cmath>
#include <vector>

using namespace dynfit;

namespace {

const char* const kModel = "param a = -1.2\n"
                           "param tau = 0.7 in [0.1, 2]\n"
                           "param phi = 1\n"
                           "param c = 1.5\n"
                           "init x = c\n"
                           "history x = phi\n"
                           "d(x)/dt = a*x(t - tau)\n"
                           "tspan = 0 .. 4\n";

// Away from the breakpoints kτ, where the pieces meet.
const std::vector<double> kTimes = {0.3, 0.9, 1.6, 2.2, 2.9, 3.5, 4.0};

template<class S>
S polynomialAt(const std::vector<S>& coefficients, const S& s) {
    S value(0.0);
    for (auto it = coefficients.rbegin(); it != coefficients.rend(); ++it) {
        value = value * s + *it;
    }
    return value;
}

template<class S>
S exactAt(double t, const S& a, const S& tau, const S& phi, const S& c) {
    std::vector<S> piece = {c, a * phi};
    const int k = static_cast<int>(std::floor(t / primal(tau)));
    for (int j = 1; j <= k; ++j) {
        std::vector<S> next = {polynomialAt(piece, tau)};
        for (std::size_t m = 0; m < piece.size(); ++m) {
            next.push_back(a * piece[m] / S(static_cast<double>(m + 1)));
        }
        piece = std::move(next);
    }
    return polynomialAt(piece, S(t) - S(static_cast<double>(k)) * tau);
}

struct Case {
    std::shared_ptr<const model::CompiledModel> model;
    objective::LeastSquaresLoss loss;
    std::vector<double> params;
};

// Observations from other parameters (a = −1, τ = 0.8, φ = 1.1, c = 1.4).
Case makeCase() {
    Case out;
    model::Diagnostics d;
    out.model = model::compileModel(kModel, d);
    if (!out.model) {
        qFatal("the delay model does not compile: %s",
               model::formatDiagnostics(d, "test", kModel).c_str());
    }
    io::DataSet data;
    data.timeColumn.push_back('t');
    data.columns = {"x"};
    data.times = kTimes;
    data.values.assign(1, {});
    for (const double t : kTimes) {
        data.values[0].push_back(exactAt<double>(t, -1.0, 0.8, 1.1, 1.4));
    }
    out.loss = test::requireLoss(out.model->states, data);
    out.params = out.model->defaultParams();
    return out;
}

ode::Solution<model::Vector<double>>
solveWith(const Case& c, const ode::Method& method, ode::SolveOptions opts) {
    opts.saveat = kTimes;
    opts.saveEverystep = false;
    const Eigen::Map<const Eigen::VectorXd> p(c.params.data(),
                                              static_cast<Eigen::Index>(c.params.size()));
    return model::solveModel(model::makeModelProblem<double>(c.model, p, {}), method, opts);
}

using D4 = Dual<double, 4>;

// dL/d(a, τ, φ, c) of the exact solution.
std::vector<double> exactGradient(const Case& c) {
    D4 a(-1.2), tau(0.7), phi(1.0), x0(1.5);
    a.d[0] = tau.d[1] = phi.d[2] = x0.d[3] = 1.0;
    std::vector<Eigen::Matrix<D4, 1, 1>> states;
    for (const double t : kTimes) {
        states.push_back(Eigen::Matrix<D4, 1, 1>(exactAt(t, a, tau, phi, x0)));
    }
    const D4 loss = c.loss.evaluate(states);
    return {loss.d[0], loss.d[1], loss.d[2], loss.d[3]};
}

} // namespace

class TestDelays : public QObject {
    Q_OBJECT

  private slots:
    void exactSolution_data() {
        QTest::addColumn<QString>("method");
        for (const char* name : {"Tsit5", "DP5", "Vern7", "BS3", "Rodas5P", "Rodas4", "KenCarp4"}) {
            QTest::newRow(name) << QString(name);
        }
    }

    // Every method of steps against the exact pieces, to 8 significant digits at 1e-10.
    void exactSolution() {
        QFETCH(QString, method);
        const Case c = makeCase();
        ode::SolveOptions opts;
        opts.reltol = 1e-10;
        opts.abstol = 1e-12;
        const auto sol = solveWith(c, *ode::methodByName(method.toStdString()), opts);
        QVERIFY2(sol.ok(), sol.message.c_str());
        QCOMPARE(sol.u.size(), kTimes.size());
        for (std::size_t k = 0; k < kTimes.size(); ++k) {
            const double exact = exactAt<double>(kTimes[k], -1.2, 0.7, 1.0, 1.5);
            const double err = std::abs(sol.u[k][0] - exact) / std::abs(exact);
            QVERIFY2(err < 1e-8, qPrintable(QString("t = %1: %2 vs %3 (relative %4)")
                                                .arg(kTimes[k])
                                                .arg(sol.u[k][0], 0, 'g', 15)
                                                .arg(exact, 0, 'g', 15)
                                                .arg(err)));
        }
    }

    void gradient_data() {
        QTest::addColumn<QString>("method");
        QTest::addColumn<int>("gradient");
        QTest::addColumn<double>("tolerance");
        const int forward = static_cast<int>(sens::GradientMethod::Forward);
        const int fd = static_cast<int>(sens::GradientMethod::FiniteDiff);
        const int reverse = static_cast<int>(sens::GradientMethod::Reverse);
        for (const char* name : {"Tsit5", "Vern7", "Rodas5P"}) {
            QTest::newRow(qPrintable(QString("forward ") + name))
                << QString(name) << forward << 1e-6;
        }
        for (const char* name : {"Tsit5", "Vern7"}) {
            QTest::newRow(qPrintable(QString("reverse ") + name))
                << QString(name) << reverse << 1e-6;
        }
        QTest::newRow("finite-diff Vern7") << QString("Vern7") << fd << 1e-6;
    }

    // dL/d(a, τ, φ, c) against the exact one: the lag's term x'(t − τ) and the jump of the
    // sensitivities at τ (where x' jumps, as c ≠ φ) both matter.
    void gradient() {
        QFETCH(QString, method);
        QFETCH(int, gradient);
        QFETCH(double, tolerance);
        const Case c = makeCase();
        ode::SolveOptions opts;
        opts.reltol = 1e-11; // Rodas5P's sensitivities reach 1e-6 from here (2e-6 at 1e-10)
        opts.abstol = 1e-13;
        const auto r = sens::gradient({c.model.get(), c.params, std::nullopt, &c.loss},
                                      *ode::methodByName(method.toStdString()), opts,
                                      static_cast<sens::GradientMethod>(gradient));
        QVERIFY2(r.ok(), r.message.c_str());
        const std::vector<double> exact = exactGradient(c);
        for (std::size_t k = 0; k < exact.size(); ++k) {
            const double err = std::abs(r.dParams[k] - exact[k]) / std::abs(exact[k]);
            QVERIFY2(err < tolerance, qPrintable(QString("dL/d%1 = %2, exact %3 (relative %4)")
                                                     .arg(c.model->params[k].name.c_str())
                                                     .arg(r.dParams[k], 0, 'g', 12)
                                                     .arg(exact[k], 0, 'g', 12)
                                                     .arg(err)));
        }
    }

    // What does not carry a history yet says so, naming what works.
    void refusals() {
        const Case c = makeCase();
        for (const auto method :
             {sens::GradientMethod::Backsolve, sens::GradientMethod::Interpolating}) {
            const auto r = sens::gradient({c.model.get(), c.params, std::nullopt, &c.loss},
                                          ode::Tsit5{}, {}, method);
            QCOMPARE(r.status, SolveStatus::InvalidInput);
            QVERIFY2(r.message.find("use forward") != std::string::npos, r.message.c_str());
        }
        const auto cvode = solveWith(c, ode::CvodeBdf{}, {});
        QCOMPARE(cvode.status, SolveStatus::InvalidInput);
        QVERIFY2(cvode.message.find("CVODE does not solve delay equations") == 0,
                 cvode.message.c_str());
        ode::SolveOptions tooLong;
        tooLong.dt = 1.0; // longer than the lag
        const auto fixed = solveWith(c, ode::RK4{}, tooLong);
        QCOMPARE(fixed.status, SolveStatus::InvalidInput);
    }

    // The history keeps only what the lags can reach: over 500 lags the stored steps stay
    // bounded, and the solution is the same, bit for bit, as with the whole dense output kept.
    void historyIsBounded() {
        model::Diagnostics d;
        const auto m = model::compileModel(
            "init x = 1\nhistory x = 1\nd(x)/dt = -x(t - 1)\ntspan = 0 .. 500\n", d);
        QVERIFY(m != nullptr);
        ode::SolveOptions opts;
        opts.reltol = 1e-8;
        opts.abstol = 1e-10;
        opts.saveatStep = 10.0;
        opts.saveEverystep = false;
        const auto problem = model::makeModelProblem<double>(m, Eigen::VectorXd(0), {});
        const auto pruned = model::solveModel(problem, ode::Tsit5{}, opts);
        opts.dense = true;
        const auto whole = model::solveModel(problem, ode::Tsit5{}, opts);
        QVERIFY2(pruned.ok() && whole.ok(), (pruned.message + whole.message).c_str());
        QCOMPARE(pruned.u.size(), whole.u.size());
        for (std::size_t k = 0; k < whole.u.size(); ++k) {
            QCOMPARE(pruned.u[k][0], whole.u[k][0]);
        }
        QVERIFY2(
            pruned.dense.steps() * 20 < whole.dense.steps(),
            qPrintable(
                QString("%1 steps kept of %2").arg(pruned.dense.steps()).arg(whole.dense.steps())));
    }

    void convergenceOrder_data() {
        QTest::addColumn<QString>("method");
        QTest::addColumn<double>("order");
        QTest::newRow("RK4") << "RK4" << 4.0;
        QTest::newRow("Heun") << "Heun" << 2.0;
    }

    // Fixed steps τ/N (landing on every breakpoint): the error at t1 falls as dtᵖ.
    void convergenceOrder() {
        QFETCH(QString, method);
        QFETCH(double, order);
        const Case c = makeCase();
        const double exact = exactAt<double>(4.0, -1.2, 0.7, 1.0, 1.5);
        std::vector<double> errors;
        for (const int n : {8, 16, 32, 64}) {
            ode::SolveOptions opts;
            opts.dt = 0.7 / n;
            const auto sol = solveWith(c, *ode::methodByName(method.toStdString()), opts);
            QVERIFY2(sol.ok(), sol.message.c_str());
            errors.push_back(std::abs(sol.u.back()[0] - exact));
        }
        for (std::size_t k = 1; k < errors.size(); ++k) {
            const double measured = std::log2(errors[k - 1] / errors[k]);
            QVERIFY2(std::abs(measured - order) < 0.3,
                     qPrintable(QString("measured order %1 (errors %2 → %3)")
                                    .arg(measured)
                                    .arg(errors[k - 1])
                                    .arg(errors[k])));
        }
    }
};

QTEST_APPLESS_MAIN(TestDelays)
#include "tst_delays.moc"
