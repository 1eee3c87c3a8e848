// SPDX-License-Identifier: MIT
// Compiled models against hand-coded C++: Lotka–Volterra and ROBER to round-off, u0 and tspan
// from parameters, shared subexpressions, simplification, Unicode names, other scalars.
#include "core/dual.hpp"
#include "examples/lotka_volterra.hpp"
#include "model/model_rhs.hpp"
#include "model/model_solve.hpp"
#include "solvers/solve.hpp"

#include <QTest>
#include <fstream>
#include <random>
#include <sstream>

using namespace dynfit;
using namespace dynfit::model;

namespace {

std::shared_ptr<const CompiledModel> compileOrFail(const std::string& text) {
    Diagnostics d;
    auto m = compileModel(text, d);
    if (!m) {
        qWarning("%s", formatDiagnostics(d, "test", text).c_str());
    }
    return m;
}

std::string readProject(const char* name) {
    std::ifstream in(std::string(DYNFIT_PROJECTS_DIR) + "/" + name);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::vector<double> evaluate(const Program& program,
                             const std::vector<double>& u,
                             const std::vector<double>& p,
                             const std::vector<double>& aux = {}) {
    ProgramEvaluator<double> eval(program);
    std::vector<double> out(static_cast<std::size_t>(program.outputCount()));
    eval(u.data(), p.data(), aux.data(), 0.0, out.data());
    return out;
}

void roberHandCoded(const double* y, const double* k, double* dy, double jac[3][3]) {
    dy[0] = -k[0] * y[0] + k[2] * y[1] * y[2];
    dy[1] = k[0] * y[0] - k[1] * y[1] * y[1] - k[2] * y[1] * y[2];
    dy[2] = k[1] * y[1] * y[1];
    const double j[3][3] = {{-k[0], k[2] * y[2], k[2] * y[1]},
                            {k[0], -2 * k[1] * y[1] - k[2] * y[2], -k[2] * y[1]},
                            {0.0, 2 * k[1] * y[1], 0.0}};
    std::copy(&j[0][0], &j[0][0] + 9, &jac[0][0]);
}

} // namespace

class TestModelCompile : public QObject {
    Q_OBJECT
  private slots:
    // The bundled .dyn solves exactly like the hand-coded problem: same steps, same values.
    void lotkaVolterraMatchesHandCoded() {
        const auto model = compileOrFail(readProject("lotka_volterra.dyn"));
        QVERIFY(model);
        QCOMPARE(model->states, (std::vector<std::string>{"x", "y"}));
        QCOMPARE(model->paramCount(), 4);
        QVERIFY(model->hasTimeSpan);
        const auto p = model->defaultParams();
        auto problem = makeModelProblem<double>(
            model, Eigen::Map<const Eigen::VectorXd>(p.data(), 4), {0.0, 1.0});
        ode::SolveOptions opts;
        opts.reltol = opts.abstol = 1e-8;
        opts.saveatStep = 0.5;
        const auto fromText = solveModel(problem, ode::Tsit5{}, opts);
        const auto handCoded = ode::solve(examples::lotkaVolterraProblem(), ode::Tsit5{}, opts);
        QVERIFY(fromText.ok() && handCoded.ok());
        QCOMPARE(fromText.t.back(), 10.0);
        QCOMPARE(fromText.stats.nAccepted, handCoded.stats.nAccepted);
        for (std::size_t k = 0; k < fromText.t.size(); ++k) {
            QVERIFY((fromText.u[k] - handCoded.u[k]).cwiseAbs().maxCoeff()
                    <= 1e-14 * (1 + handCoded.u[k].norm()));
        }
    }

    // ROBER's right-hand side and Jacobian at random points equal the hand-coded ones.
    void roberMatchesHandCoded() {
        const auto model = compileOrFail(readProject("rober.dyn"));
        QVERIFY(model);
        QCOMPARE(model->patternU.entries.size(),
                 std::size_t(7)); // ∂f3/∂y1, ∂f3/∂y3, ∂f1/∂... are 0
        std::mt19937 rng(7);
        std::uniform_real_distribution<double> unit(0.0, 1.0);
        for (int trial = 0; trial < 50; ++trial) {
            const std::vector<double> y{unit(rng), 1e-5 * unit(rng), unit(rng)};
            const std::vector<double> k{0.04 * (1 + unit(rng)), 3e7 * (1 + unit(rng)),
                                        1e4 * (1 + unit(rng))};
            double dy[3], jac[3][3];
            roberHandCoded(y.data(), k.data(), dy, jac);
            const auto f = evaluate(model->rhs, y, k);
            for (int i = 0; i < 3; ++i) {
                QVERIFY(std::abs(f[i] - dy[i])
                        <= 1e-15 * (std::abs(dy[i]) + k[1] * y[1] * y[1] + k[0]));
            }
            const auto entries = evaluate(model->jacobianU, y, k);
            for (std::size_t e = 0; e < entries.size(); ++e) {
                const auto [i, j] = model->patternU.entries[e];
                QVERIFY(std::abs(entries[e] - jac[i][j]) <= 1e-15 * (std::abs(jac[i][j]) + k[1]));
            }
        }
    }

    void initialStateAndSpanFromParameters() {
        const auto model = compileOrFail("param a = 2\nparam T = 3\nconst half = 0.5\n"
                                         "init x = a^2\ninit y = half*a\n"
                                         "d(x)/dt = -x\nd(y)/dt = a*y\ntspan = 0 .. T/2\n");
        QVERIFY(model);
        QCOMPARE(evaluate(model->initial, {}, {2.0, 3.0}), (std::vector<double>{4.0, 1.0}));
        QCOMPARE(evaluate(model->timeSpan, {}, {2.0, 3.0}), (std::vector<double>{0.0, 1.5}));
        // ∂u0/∂p, row-major n × np: ∂x0/∂a = 2a, ∂y0/∂a = 1/2.
        QCOMPARE(evaluate(model->initialJacobianP, {}, {2.0, 3.0}),
                 (std::vector<double>{4.0, 0.0, 0.5, 0.0}));
        const auto sol =
            solveModel(makeModelProblem<double>(model, Eigen::Vector2d(2.0, 3.0), {0, 1}),
                       ode::Vern7{}, {.reltol = 1e-12, .abstol = 1e-12});
        QVERIFY(sol.ok());
        QCOMPARE(sol.t.back(), 1.5);
        QVERIFY(std::abs(sol.u.back()[0] - 4.0 * std::exp(-1.5)) < 1e-10);
    }

    void overridesReplaceValues() {
        Diagnostics d;
        const auto model = compileModel("param k = 1\nconst c = 2\ninit x = 1\nd(x)/dt = -k*c*x\n",
                                        d, {{"k", 3.0}, {"c", 5.0}, {"init:x", 7.0}});
        QVERIFY(model);
        QCOMPARE(model->defaultParams(), std::vector<double>{3.0});
        QCOMPARE(evaluate(model->initial, {}, {3.0}), std::vector<double>{7.0});
        QCOMPARE(evaluate(model->rhs, {1.0}, {3.0}), std::vector<double>{-15.0});
    }

    // A let used three times, and sin(x) written twice, are each computed once.
    void sharedSubexpressionsComputedOnce() {
        const auto model = compileOrFail("init x = 1\ninit y = 1\nlet s = sin(x)*cos(x)\n"
                                         "d(x)/dt = s + s*y\nd(y)/dt = exp(s) - sin(x)\n");
        QVERIFY(model);
        // sin, cos, s = sin·cos, s·y, s + s·y, exp(s), exp(s) − sin: 7 instructions.
        QCOMPARE(model->rhs.instructionCount(), std::size_t(7));
    }

    void simplification() {
        const auto model =
            compileOrFail("param k = 2\ninit x = 1\ninit y = 1\n"
                          "d(x)/dt = x*1 + 0*y + y^1 - (k - k) + --x\nd(y)/dt = 0*x\n");
        QVERIFY(model);
        // x + y + x: two additions, nothing else.
        QCOMPARE(model->rhs.instructionCount(), std::size_t(2));
        QCOMPARE(evaluate(model->rhs, {2.0, 3.0}, {2.0}), (std::vector<double>{7.0, 0.0}));
        QVERIFY(model->patternU.entries.size() == 2); // ∂f1/∂x, ∂f1/∂y; f2 ≡ 0
    }

    void unicodeNames() {
        const auto model = compileOrFail("param α₁ = 0.5\nparam β = 2\ninit ψ = 1\ninit φ = 0\n"
                                         "ψ' = -α₁*ψ + β*φ\nd(φ)/dt = -ψ\n");
        QVERIFY(model);
        QCOMPARE(model->states, (std::vector<std::string>{"ψ", "φ"}));
        QCOMPARE(model->params[0].name, std::string("α₁"));
        QCOMPARE(evaluate(model->rhs, {1.0, 2.0}, {0.5, 2.0}), (std::vector<double>{3.5, -1.0}));
    }

    void paramDeclarationDetails() {
        const auto model = compileOrFail(readProject("rober.dyn"));
        QVERIFY(model);
        const ParamInfo& k2 = model->params[1];
        QCOMPARE(k2.name, std::string("k2"));
        QCOMPARE(k2.value, 3e7);
        QCOMPARE(*k2.lower, 1e6);
        QCOMPARE(*k2.upper, 1e8);
        QVERIFY(k2.logScale);
    }

    // The same program evaluates with Dual numbers: their derivative equals the Jacobian program.
    void dualEvaluationMatchesJacobian() {
        const auto model = compileOrFail(readProject("rober.dyn"));
        using D = Dual<double, 3>;
        const std::vector<double> y{0.7, 2e-5, 0.3};
        const std::vector<double> k{0.04, 3e7, 1e4};
        std::vector<D> yd{D::variable(y[0], 0), D::variable(y[1], 1), D::variable(y[2], 2)};
        std::vector<D> kd{D(k[0]), D(k[1]), D(k[2])};
        std::vector<D> out(3);
        ProgramEvaluator<D> eval(model->rhs);
        eval(yd.data(), kd.data(), nullptr, 0.0, out.data());
        const auto entries = evaluate(model->jacobianU, y, k);
        for (std::size_t e = 0; e < entries.size(); ++e) {
            const auto [i, j] = model->patternU.entries[e];
            QVERIFY(std::abs(out[i].d[j] - entries[e]) <= 1e-12 * (1 + std::abs(entries[e])));
        }
        ProgramEvaluator<float> evalFloat(model->rhs);
        std::vector<float> yf(y.begin(), y.end()), kf(k.begin(), k.end()), outF(3);
        evalFloat(yf.data(), kf.data(), nullptr, 0.0, outF.data());
        QVERIFY(std::abs(outF[0] - evaluate(model->rhs, y, k)[0]) < 1e-4);
    }
};

QTEST_GUILESS_MAIN(TestModelCompile)
#include "tst_model_compile.moc"
