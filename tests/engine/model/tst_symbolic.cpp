// SPDX-License-Identifier: MIT
// Symbolic derivatives against central finite differences on hundreds of random expressions
// covering every function and operator: Jacobians in u and p, JVPs and VJPs.
#include "model/model_rhs.hpp"

#include <QTest>
#include <map>
#include <random>

using namespace dynfit::model;

namespace {

// Random expression text over states x, y, z, params a, b and t. Arguments of functions with
// restricted domains are shaped so that samples stay finite.
class ExpressionGenerator {
  public:
    explicit ExpressionGenerator(unsigned seed) : m_rng(seed) {}

    std::string expression(int depth) {
        if (depth == 0 || pick(4) == 0) {
            return leaf();
        }
        static const char* const kFunctions[] = {"exp",  "log",  "log10", "sqrt", "abs",  "sin",
                                                 "cos",  "tan",  "sinh",  "cosh", "tanh", "asin",
                                                 "acos", "atan", "atan2", "pow",  "min",  "max"};
        const int choice = pick(24);
        const std::string a = expression(depth - 1);
        if (choice < 6) {
            const char* ops[] = {"+", "-", "*", "/", "^", "neg"};
            const std::string op = ops[choice];
            const std::string b = expression(depth - 1);
            m_used[op]++;
            if (op == "/") {
                return "(" + a + ")/(1 + (" + b + ")^2)";
            }
            if (op == "^") {
                return "(1 + (" + a + ")^2)^(0.7*tanh(" + b + "))";
            }
            if (op == "neg") {
                return "-(" + a + ")";
            }
            return "(" + a + ") " + op + " (" + b + ")";
        }
        const std::string f = kFunctions[choice - 6];
        m_used[f]++;
        if (f == "log" || f == "log10" || f == "sqrt") {
            return f + "(1 + (" + a + ")^2)";
        }
        if (f == "asin" || f == "acos") {
            return f + "(0.9*tanh(" + a + "))";
        }
        if (f == "tan") {
            return "tan(0.7*tanh(" + a + "))";
        }
        if (f == "exp" || f == "sinh" || f == "cosh") {
            return f + "(0.5*tanh(" + a + "))";
        }
        if (f == "pow") {
            return "pow(1 + (" + a + ")^2, " + expression(depth - 1) + ")";
        }
        if (f == "atan2" || f == "min" || f == "max") {
            return f + "(" + a + ", " + expression(depth - 1) + ")";
        }
        return f + "(" + a + ")";
    }

    const std::map<std::string, int>& used() const { return m_used; }
    void resetUsage() { m_used.clear(); }

  private:
    int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(m_rng); }
    std::string leaf() {
        static const char* const kLeaves[] = {"x", "y", "z", "a", "b", "t", "0.5", "1.7", "x", "y"};
        return kLeaves[pick(10)];
    }

    std::mt19937 m_rng;
    std::map<std::string, int> m_used;
};

std::vector<double> run(const Program& program,
                        const std::vector<double>& u,
                        const std::vector<double>& p,
                        double t,
                        const std::vector<double>& aux = {}) {
    ProgramEvaluator<double> eval(program);
    std::vector<double> out(static_cast<std::size_t>(program.outputCount()));
    eval(u.data(), p.data(), aux.data(), t, out.data());
    return out;
}

bool close(double symbolic, double numeric, double scale) {
    return std::abs(symbolic - numeric) <= 2e-6 * (1.0 + std::abs(symbolic) + scale);
}

} // namespace

class TestSymbolic : public QObject {
    Q_OBJECT
  private slots:
    void derivativesMatchFiniteDifferences() {
        ExpressionGenerator gen(20261129);
        std::mt19937 rng(42);
        std::uniform_real_distribution<double> point(0.2, 1.2);
        std::map<std::string, int> covered;
        int checkedExpressions = 0;
        for (int trial = 0; trial < 400; ++trial) {
            gen.resetUsage();
            const std::string text =
                "param a = 0.8\nparam b = 1.3\ninit x = 1\ninit y = 1\ninit z = 1\n"
                "d(x)/dt = "
                + gen.expression(4)
                + " + 0*a*b\n"
                  "d(y)/dt = "
                + gen.expression(4)
                + "\n"
                  "d(z)/dt = "
                + gen.expression(4) + "\n";
            Diagnostics d;
            const auto model = compileModel(text, d);
            QVERIFY2(model, formatDiagnostics(d, "generated", text).c_str());
            const std::vector<double> u{point(rng), point(rng), point(rng)};
            const std::vector<double> p{point(rng), point(rng)};
            const double t = point(rng);
            const auto f = run(model->rhs, u, p, t);
            if (!std::all_of(f.begin(), f.end(),
                             [](double v) { return std::isfinite(v) && std::abs(v) < 1e6; })) {
                continue;
            }
            // Dense Jacobians from the sparse programs.
            double ju[3][3] = {}, jp[3][2] = {};
            const auto eu = run(model->jacobianU, u, p, t);
            for (std::size_t e = 0; e < eu.size(); ++e) {
                ju[model->patternU.entries[e].first][model->patternU.entries[e].second] = eu[e];
            }
            const auto ep = run(model->jacobianP, u, p, t);
            for (std::size_t e = 0; e < ep.size(); ++e) {
                jp[model->patternP.entries[e].first][model->patternP.entries[e].second] = ep[e];
            }
            // Central differences in each state and parameter.
            for (int j = 0; j < 5; ++j) {
                std::vector<double> up = u, um = u, pp = p, pm = p;
                double& xp = j < 3 ? up[j] : pp[j - 3];
                double& xm = j < 3 ? um[j] : pm[j - 3];
                const double h = 1e-5 * (1 + std::abs(xp));
                xp += h;
                xm -= h;
                const auto fp = run(model->rhs, up, pp, t);
                const auto fm = run(model->rhs, um, pm, t);
                for (int i = 0; i < 3; ++i) {
                    const double fd = (fp[i] - fm[i]) / (2 * h);
                    const double sym = j < 3 ? ju[i][j] : jp[i][j - 3];
                    QVERIFY2(close(sym, fd, std::abs(f[i])),
                             qPrintable(QString("∂f%1/∂v%2: symbolic %3, FD %4 in\n%5")
                                            .arg(i)
                                            .arg(j)
                                            .arg(sym)
                                            .arg(fd)
                                            .arg(QString::fromStdString(text))));
                }
            }
            // JVP = J v and VJP = wᵀ J from their own programs.
            const std::vector<double> v{0.3, -1.1, 0.7}, w{-0.4, 0.9, 1.3};
            const auto jvp = run(model->jvp, u, p, t, v);
            const auto vjpU = run(model->vjpU, u, p, t, w);
            const auto vjpP = run(model->vjpP, u, p, t, w);
            for (int i = 0; i < 3; ++i) {
                const double jv = ju[i][0] * v[0] + ju[i][1] * v[1] + ju[i][2] * v[2];
                const double wj = w[0] * ju[0][i] + w[1] * ju[1][i] + w[2] * ju[2][i];
                QVERIFY(std::abs(jvp[i] - jv) <= 1e-12 * (1 + std::abs(jv)));
                QVERIFY(std::abs(vjpU[i] - wj) <= 1e-12 * (1 + std::abs(wj)));
            }
            for (int k = 0; k < 2; ++k) {
                const double wj = w[0] * jp[0][k] + w[1] * jp[1][k] + w[2] * jp[2][k];
                QVERIFY(std::abs(vjpP[k] - wj) <= 1e-12 * (1 + std::abs(wj)));
            }
            checkedExpressions += 3;
            for (const auto& [name, count] : gen.used()) {
                covered[name] += count;
            }
        }
        QVERIFY2(checkedExpressions >= 600, qPrintable(QString::number(checkedExpressions)));
        for (const char* op : {"+",     "-",    "*",    "/",    "^",     "neg", "exp",  "log",
                               "log10", "sqrt", "abs",  "sin",  "cos",   "tan", "sinh", "cosh",
                               "tanh",  "asin", "acos", "atan", "atan2", "pow", "min",  "max"}) {
            QVERIFY2(covered[op] >= 20, op);
        }
    }

    // Native code (system compiler) computes what the bytecode computes, on random models.
    void nativeMatchesBytecode() {
        ExpressionGenerator gen(7);
        std::mt19937 rng(3);
        std::uniform_real_distribution<double> point(0.2, 1.2);
        for (int trial = 0; trial < 4; ++trial) {
            const std::string text = "param a = 0.8\nparam b = 1.3\ninit x = 1\ninit y = 1\n"
                                     "d(x)/dt = "
                                     + gen.expression(5)
                                     + " + a\n"
                                       "d(y)/dt = "
                                     + gen.expression(5)
                                     + " + b\n"
                                       "init z = 1\nd(z)/dt = "
                                     + gen.expression(5) + "\n";
            Diagnostics d;
            const auto model = compileModel(text, d, {}, {.native = true});
            QVERIFY2(model, formatDiagnostics(d, "generated", text).c_str());
            if (!model->native) {
                std::string why;
                compileNative(*model, why);
                QSKIP(qPrintable("no native code here: " + QString::fromStdString(why)));
            }
            const std::vector<double> u{point(rng), point(rng), point(rng)};
            const std::vector<double> p{point(rng), point(rng)}, w{0.3, -0.7, 1.1};
            const double t = point(rng);
            const auto compare = [&](const Program& program, NativeFn fn,
                                     const std::vector<double>& aux) {
                const auto expected = run(program, u, p, t, aux);
                std::vector<double> got(expected.size());
                fn(u.data(), p.data(), aux.data(), t, got.data());
                for (std::size_t i = 0; i < got.size(); ++i) {
                    QVERIFY(std::abs(got[i] - expected[i]) <= 1e-15 * (1 + std::abs(expected[i]))
                            || (std::isnan(got[i]) && std::isnan(expected[i])));
                }
            };
            compare(model->rhs, model->native->rhs, {});
            compare(model->jacobianU, model->native->jacobianU, {});
            compare(model->jvp, model->native->jvp, w);
            compare(model->vjpU, model->native->vjpU, w);
            compare(model->vjpP, model->native->vjpP, w);
        }
    }

    // Identities that cannot pass by accident: d/dx of x·x/x − x is 0, of exp(log(x)) is 1.
    void identities() {
        Diagnostics d;
        const auto model = compileModel(
            "init x = 1\nd(x)/dt = exp(log(x)) + x*x/x - x + sin(x)^2 + cos(x)^2\n", d);
        QVERIFY(model);
        for (double x : {0.3, 1.7, 4.2}) {
            const auto j = run(model->jacobianU, {x}, {}, 0.0);
            QCOMPARE(j.size(), std::size_t(1));
            QVERIFY(std::abs(j[0] - 1.0) < 1e-14);
        }
    }
};

QTEST_GUILESS_MAIN(TestSymbolic)
#include "tst_symbolic.moc"
