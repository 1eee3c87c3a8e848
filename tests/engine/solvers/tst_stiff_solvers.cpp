// SPDX-License-Identifier: MIT
// The stiff methods: ROBER and van der Pol against published references, observed orders on a
// linear stiff problem, statuses, automatic switching and the sparse linear solver.
#include "model/model.hpp"
#include "model/model_rhs.hpp"
#include "model/model_solve.hpp"
#include "solvers/solve.hpp"
#include "support/method_rows.hpp"
#include "support/stiff_references.hpp"

#include <QTest>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>

using namespace dynfit;

namespace {

using Vec = model::Vector<double>;

const char* const kRober = test::RoberReference::model;

const char* const kVanDerPol = "const eps = 1e-6\ninit y1 = 2\ninit y2 = 0\n"
                               "d(y1)/dt = y2\n"
                               "d(y2)/dt = ((1 - y1^2)*y2 - y1)/eps\n"
                               "tspan = 0 .. 2\n";

std::shared_ptr<const model::CompiledModel> compile(const char* text) {
    model::Diagnostics d;
    auto m = model::compileModel(text, d);
    if (!m) {
        qFatal("test model does not compile");
    }
    return m;
}

auto problemOf(const std::shared_ptr<const model::CompiledModel>& m) {
    const Vec p = Eigen::Map<const Vec>(m->defaultParams().data(), m->paramCount());
    return model::makeModelProblem<double>(m, p, {});
}

// The stiff methods by name, as data rows.
void addStiffRows(std::initializer_list<const char*> names) {
    QTest::addColumn<QString>("method");
    for (const char* name : names) {
        QTest::newRow(name) << QString::fromLatin1(name);
    }
}

ode::Method rowMethod() {
    QFETCH(QString, method);
    const auto chosen = ode::methodByName(method.toStdString());
    if (!chosen) {
        qFatal("unknown method");
    }
    return *chosen;
}

double maxRelativeError(const Vec& u, const double* reference) {
    double worst = 0.0;
    for (Eigen::Index i = 0; i < u.size(); ++i) {
        worst = std::max(worst, std::abs(u[i] - reference[i]) / std::abs(reference[i]));
    }
    return worst;
}

// u' = A u, A = V D V⁻¹ with D = [[a, b], [−b, a]] ⊕ (−1e4): a slowly decaying oscillation
// and a stiff mode, both present in u0. Known solution V e^{Dt} V⁻¹ u0.
struct LinearStiff {
    Eigen::Matrix3d a;
    void operator()(Eigen::Vector3d& du, const Eigen::Vector3d& u, const Vec&, double) const {
        du = a * u;
    }
    void jacobian(Eigen::Matrix3d& j, const Eigen::Vector3d&, const Vec&, double) const { j = a; }
    bool timeDerivative(Eigen::Vector3d&, const Eigen::Vector3d&, const Vec&, double) const {
        return false;
    }
};

struct LinearStiffCase {
    static constexpr double decay = -0.05, frequency = 4.0, stiff = -1e4;
    Eigen::Matrix3d v, vInv;
    Eigen::Vector3d u0{1.0, 2.0, -1.0};
    LinearStiffCase() {
        v << 1.0, 0.5, 1.0, 0.0, 1.0, -2.0, 0.3, 0.0, 1.0;
        vInv = v.inverse();
    }
    Eigen::Matrix3d exponential(double t) const {
        const double e = std::exp(decay * t);
        Eigen::Matrix3d m = Eigen::Matrix3d::Zero();
        m(0, 0) = m(1, 1) = e * std::cos(frequency * t);
        m(0, 1) = e * std::sin(frequency * t);
        m(1, 0) = -m(0, 1);
        m(2, 2) = std::exp(stiff * t);
        return m;
    }
    Eigen::Matrix3d matrix() const {
        Eigen::Matrix3d d = Eigen::Matrix3d::Zero();
        d(0, 0) = d(1, 1) = decay;
        d(0, 1) = frequency;
        d(1, 0) = -frequency;
        d(2, 2) = stiff;
        return v * d * vInv;
    }
    Eigen::Vector3d exact(double t) const { return v * exponential(t) * vInv * u0; }
};

// The heat equation u_t = u_xx on (0, 1), u = 0 at both ends, by central differences on n
// interior points: a stiff system with a tridiagonal Jacobian. From u_i(0) = sin(π x_i) the
// semi-discrete solution is exactly e^{λt} sin(π x_i), λ = −(4/Δx²) sin²(πΔx/2).
std::string heatEquation(int n) {
    const double dx = 1.0 / (n + 1);
    std::string text = "const c = " + std::to_string(1.0 / (dx * dx)) + "\n";
    for (int i = 1; i <= n; ++i) {
        char line[128];
        std::snprintf(line, sizeof line, "init u%d = %.17g\n", i, std::sin(M_PI * i * dx));
        text += line;
    }
    for (int i = 1; i <= n; ++i) {
        // Appended piece by piece: g++ 12 warns falsely (-Wrestrict) on "u" + std::to_string(i).
        text += "d(u";
        text += std::to_string(i) + ")/dt = c*(";
        if (i > 1) {
            text += "u";
            text += std::to_string(i - 1) + " ";
        }
        text += "- 2*u";
        text += std::to_string(i);
        if (i < n) {
            text += " + u";
            text += std::to_string(i + 1);
        }
        text += ")\n";
    }
    return text + "tspan = 0 .. 0.1\n";
}

} // namespace

class TestStiffSolvers : public QObject {
    Q_OBJECT
  private slots:
    // The seed's ROBER to t = 1e11 (Hairer–Wanner II, the CWI test set's reference).
    void rober_data() {
        test::addSolverRows([](const ode::SolverInfo& s) { return s.stiff; }); // the registry's
    }
    void rober() {
        const auto method = rowMethod();
        const auto m = compile(kRober);
        ode::SolveOptions opts;
        opts.reltol = 1e-8;
        opts.abstol = 1e-14;
        opts.abstolPerComponent = {1e-14, 1e-20, 1e-14};
        opts.saveEverystep = false;
        opts.saveat = {1e11};
        const auto sol = model::solveModel(problemOf(m), method, opts);
        QVERIFY2(sol.ok(), sol.message.c_str());
        const Vec& u = sol.u.back();
        const double err = maxRelativeError(u, test::RoberReference::yT1);
        qInfo("%s: rel. error %.2e, %ld steps (%ld rejected), %ld f, %ld J, %ld LU, switches %ld",
              ode::solverInfo(method).name.data(), err, sol.stats.nAccepted, sol.stats.nRejected,
              sol.stats.nRhs, sol.stats.nJac, sol.stats.nFactorizations, sol.stats.nStiffSwitches);
        QVERIFY2(err < 1e-5, qPrintable(QString("relative error %1").arg(err)));
        QVERIFY(std::abs(u.sum() - 1.0) < 1e-9);
    }

    // Van der Pol with μ = 1e6 on [0, 2] (the CWI test set's vdpol, ε = 1e-6).
    void vanDerPol_data() {
        test::addSolverRows([](const ode::SolverInfo& s) {
            return s.stiff && s.family != ode::MethodFamily::Auto;
        });
    }
    void vanDerPol() {
        const auto method = rowMethod();
        const auto m = compile(kVanDerPol);
        ode::SolveOptions opts;
        opts.reltol = opts.abstol = 1e-8;
        opts.saveEverystep = false;
        opts.saveat = {2.0};
        const auto sol = model::solveModel(problemOf(m), method, opts);
        QVERIFY2(sol.ok(), sol.message.c_str());
        const double err = maxRelativeError(sol.u.back(), test::VanDerPolReference::yT1);
        qInfo("%s: rel. error %.2e, %ld steps (%ld rejected)", ode::solverInfo(method).name.data(),
              err, sol.stats.nAccepted, sol.stats.nRejected);
        QVERIFY2(err < 1e-5, qPrintable(QString("relative error %1").arg(err)));
    }

    // Fixed steps with |hλ| from 250 to 2000 on the stiff mode: the method damps it (ROS3P,
    // A-stable with |R(∞)| ≈ 0.73, over its 50+ steps) and the error of the smooth mode falls
    // with the method's order, measured over the three finest steps. On a linear problem the
    // order is that of the stability function, which may exceed the method's (Rodas5P: 6.1).
    void observedOrder_data() {
        QTest::addColumn<QString>("method");
        QTest::addColumn<int>("order");
        QTest::addColumn<double>("coarsest");
        QTest::newRow("Rodas5P") << "Rodas5P" << 5 << 0.2;
        QTest::newRow("Rodas4") << "Rodas4" << 4 << 0.2;
        QTest::newRow("ROS3P") << "ROS3P" << 3 << 0.05;
        QTest::newRow("KenCarp4") << "KenCarp4" << 4 << 0.2;
        QTest::newRow("Kvaerno5") << "Kvaerno5" << 5 << 0.2;
    }
    void observedOrder() {
        QFETCH(int, order);
        QFETCH(double, coarsest);
        const auto method = rowMethod();
        const LinearStiffCase c;
        const auto problem =
            ode::makeOdeProblem(LinearStiff{c.matrix()}, Eigen::Vector3d(c.u0), {0.0, 10.0}, Vec());
        std::vector<double> steps, errors;
        for (double h = coarsest; h > coarsest / 10; h /= 2) {
            ode::SolveOptions opts;
            opts.dt = h;
            opts.saveEverystep = false;
            opts.saveat = {10.0};
            const auto sol = ode::solve(problem, method, opts);
            QVERIFY2(sol.ok(), sol.message.c_str());
            steps.push_back(h);
            errors.push_back((sol.u.back() - c.exact(10.0)).norm());
            // Stiffness amplifies round-off to about 4e-11 here: stay above it.
            QVERIFY2(errors.back() > 4e-10, "the error is near round-off: the order is not seen");
        }
        steps.erase(steps.begin());
        errors.erase(errors.begin());
        const double slope = test::logLogSlope(steps, errors);
        qInfo("observed order %.2f (claimed %d), errors %.2e … %.2e", slope, order, errors.front(),
              errors.back());
        QVERIFY2(slope > order - 0.2 && slope < order + 1.2,
                 qPrintable(QString("slope %1").arg(slope)));
    }

    // ROS3P at the loose tolerances it is made for, on a nonlinear stiff problem, with its
    // (Hermite) dense output checked against a tight Rodas5P solution.
    void ros3pLoose() {
        const auto m = compile(kRober);
        auto problem = problemOf(m);
        problem.tspan = [](const Vec&) { return ode::TimeSpan{0.0, 40.0}; };
        ode::SolveOptions loose;
        loose.reltol = 1e-4;
        loose.abstolPerComponent = {1e-8, 1e-12, 1e-8};
        loose.dense = true;
        const auto sol = ode::solve(problem, ode::ROS3P{}, loose);
        QVERIFY2(sol.ok(), sol.message.c_str());
        ode::SolveOptions tight;
        tight.reltol = 1e-10;
        tight.abstolPerComponent = {1e-14, 1e-18, 1e-14};
        tight.dense = true;
        const auto reference = ode::solve(problem, ode::Rodas5P{}, tight);
        double worst = 0.0;
        for (double t = 0.5; t < 40.0; t += 0.77) {
            const Vec a = sol.at(t), b = reference.at(t);
            worst = std::max(worst, ((a - b).array() / b.array().abs()).abs().maxCoeff());
        }
        qInfo("ROS3P at reltol 1e-4: %ld steps, worst relative error %.2e", sol.stats.nAccepted,
              worst);
        QVERIFY2(worst < 1e-3, qPrintable(QString("relative error %1").arg(worst)));
    }

    // Adams (fixed-point iteration) cannot follow ROBER: it ends with a status, quickly; BDF
    // solves it (the seed's point).
    void adamsFailsOnRober() {
        const auto m = compile(kRober);
        ode::SolveOptions opts;
        opts.reltol = 1e-8;
        opts.abstol = 1e-14;
        const auto start = std::chrono::steady_clock::now();
        const auto adams = model::solveModel(problemOf(m), ode::CvodeAdams{}, opts);
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        qInfo("CVODE_Adams: %s after %.2f s: %s", statusName(adams.status).data(), seconds,
              adams.message.c_str());
        QVERIFY(!adams.ok());
        QVERIFY(seconds < 30.0);
        QVERIFY(model::solveModel(problemOf(m), ode::CvodeBdf{}, opts).ok());
    }

    // An explicit method on ROBER stops with a status that points at the stiff methods.
    void explicitOnStiffProblem() {
        const auto m = compile(kRober);
        ode::SolveOptions opts;
        opts.reltol = 1e-6;
        opts.abstol = 1e-10;
        opts.maxiters = 20000;
        const auto sol = model::solveModel(problemOf(m), ode::Tsit5{}, opts);
        QCOMPARE(sol.status, SolveStatus::MaxIters);
        QVERIFY2(sol.message.find("stiff") != std::string::npos, sol.message.c_str());
    }

    // Auto stays on Tsit5 for a non-stiff problem (identical to Tsit5) and switches on ROBER.
    void autoSwitching() {
        const auto lv = compile("param a = 1.5\nparam b = 1\nparam c = 3\nparam d = 1\n"
                                "init x = 1\ninit y = 1\n"
                                "d(x)/dt = a*x - b*x*y\nd(y)/dt = -c*y + d*x*y\ntspan = 0 .. 10\n");
        ode::SolveOptions opts;
        opts.reltol = opts.abstol = 1e-8;
        const auto automatic = model::solveModel(problemOf(lv), ode::AutoSwitch{}, opts);
        const auto tsit5 = model::solveModel(problemOf(lv), ode::Tsit5{}, opts);
        QVERIFY(automatic.ok());
        QCOMPARE(automatic.stats.nStiffSwitches, 0L);
        QCOMPARE(automatic.u.back(), tsit5.u.back());
        const auto rober = model::solveModel(problemOf(compile(kRober)), ode::AutoSwitch{}, opts);
        QVERIFY2(rober.ok(), rober.message.c_str());
        QVERIFY(rober.stats.nStiffSwitches >= 1);
        QVERIFY(rober.stats.nAccepted < 2000);
    }

    // Dense output of the stiff methods: within tolerance of the solution between steps. (Not
    // ROS3P: on a linear constant-coefficient problem its published embedded pair has the same
    // stability function as the method, so the error estimate is zero; see ros3pLoose.)
    void denseOutput_data() { addStiffRows({"Rodas5P", "Rodas4", "KenCarp4", "Kvaerno5", "Auto"}); }
    void denseOutput() {
        const auto method = rowMethod();
        const LinearStiffCase c;
        const auto problem =
            ode::makeOdeProblem(LinearStiff{c.matrix()}, Eigen::Vector3d(c.u0), {0.0, 3.0}, Vec());
        ode::SolveOptions opts;
        opts.reltol = opts.abstol = 1e-8;
        opts.dense = true;
        const auto sol = ode::solve(problem, method, opts);
        QVERIFY2(sol.ok(), sol.message.c_str());
        double worst = 0.0;
        for (double t = 0.013; t < 3.0; t += 0.0371) {
            worst = std::max(worst, (sol.at(t) - c.exact(t)).norm());
        }
        qInfo("worst dense-output error %.2e over %ld steps", worst, sol.stats.nAccepted);
        QVERIFY2(worst < 1e-5, qPrintable(QString("dense error %1").arg(worst)));
    }

    // Above 64 states with a sparse Jacobian the stiff methods factorise by sparse LU, and give
    // the exact semi-discrete solution of the heat equation to the tolerance.
    void sparseLinearAlgebra_data() { addStiffRows({"Rodas5P", "KenCarp4"}); }
    void sparseLinearAlgebra() {
        const auto method = rowMethod();
        constexpr int n = 100;
        const auto m = compile(heatEquation(n).c_str());
        QCOMPARE(m->stateCount(), n);
        QCOMPARE(static_cast<int>(m->patternU.entries.size()), 3 * n - 2);
        ode::LinearSolver<double, Eigen::Dynamic> solver;
        solver.setPattern(m->patternU.entries, n);
        QVERIFY(solver.isSparse());
        ode::SolveOptions opts;
        opts.reltol = opts.abstol = 1e-9;
        opts.saveEverystep = false;
        opts.saveat = {0.1};
        const auto sol = model::solveModel(problemOf(m), method, opts);
        QVERIFY2(sol.ok(), sol.message.c_str());
        const double dx = 1.0 / (n + 1);
        const double lambda = -4.0 / (dx * dx) * std::pow(std::sin(M_PI * dx / 2), 2);
        double worst = 0.0;
        for (int i = 0; i < n; ++i) {
            const double exact = std::exp(lambda * 0.1) * std::sin(M_PI * (i + 1) * dx);
            worst = std::max(worst, std::abs(sol.u.back()[i] - exact));
        }
        qInfo("heat equation, n = %d: max error %.2e in %ld steps, %ld factorisations", n, worst,
              sol.stats.nAccepted, sol.stats.nFactorizations);
        QVERIFY2(worst < 1e-7, qPrintable(QString("error %1").arg(worst)));
    }

    // The sparse and the dense factorisation solve the same system alike; a dual-number system
    // splits into its value and derivative parts exactly.
    void linearSolvers() {
        constexpr int n = 80;
        Eigen::MatrixXd w = Eigen::MatrixXd::Zero(n, n);
        ode::JacobianPattern pattern;
        for (int i = 0; i < n; ++i) {
            w(i, i) = 4.0 + i * 0.01;
            if (i + 1 < n) {
                w(i, i + 1) = -1.0;
                w(i + 1, i) = -1.5;
                pattern.emplace_back(i, i + 1);
                pattern.emplace_back(i + 1, i);
            }
        }
        const Eigen::VectorXd b = Eigen::VectorXd::LinSpaced(n, -1.0, 2.0);
        ode::LinearSolver<double, Eigen::Dynamic> sparse, dense;
        sparse.setPattern(pattern, n);
        QVERIFY(sparse.isSparse() && !dense.isSparse());
        QVERIFY(sparse.factor(w) && dense.factor(w));
        Eigen::VectorXd xs, xd;
        sparse.solve(b, xs);
        dense.solve(b, xd);
        QVERIFY((xs - xd).norm() < 1e-13 * xd.norm());
        QVERIFY((w * xs - b).norm() < 1e-12 * b.norm());
        QVERIFY(!dense.factor(Eigen::MatrixXd::Zero(n, n))); // singular: refused
        // W(ε) = W + ε I, b(ε) = b + ε 1: d/dε of x = W⁻¹ b is W⁻¹ (1 − x).
        using D = Dual<double, 1>;
        Eigen::Matrix<D, Eigen::Dynamic, Eigen::Dynamic> wd = w.cast<D>();
        Eigen::Matrix<D, Eigen::Dynamic, 1> bd = b.cast<D>(), xdual;
        for (int i = 0; i < n; ++i) {
            wd(i, i).d[0] = 1.0;
            bd[i].d[0] = 1.0;
        }
        ode::LinearSolver<D, Eigen::Dynamic> dual;
        QVERIFY(dual.factor(wd));
        dual.solve(bd, xdual);
        const Eigen::VectorXd expected = w.partialPivLu().solve(Eigen::VectorXd::Ones(n) - xd);
        for (int i = 0; i < n; ++i) {
            QVERIFY(std::abs(xdual[i].val - xd[i]) < 1e-13);
            QVERIFY(std::abs(xdual[i].d[0] - expected[i]) < 1e-12);
        }
    }
};

QTEST_GUILESS_MAIN(TestStiffSolvers)
#include "tst_stiff_solvers.moc"
