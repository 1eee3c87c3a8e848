// SPDX-License-Identifier: MIT
// Plot expressions compiled in a model's scope: states, params, lets and t, evaluated on saved
// states; errors located in the expression text, never in the model's.
#include "model/observables.hpp"

#include <QTest>
#include <cmath>

using namespace dynfit::model;

namespace {

const char* kRober = "param k1 = 0.04\nparam k2 = 3e7\nparam k3 = 1e4\ninit y1 = 1\n"
                     "init y2 = 0\ninit y3 = 0\nlet slow = k1*y1\nlet fast = k3*y2*y3\n"
                     "d(y1)/dt = -slow + fast\nd(y2)/dt = slow - k2*y2^2 - fast\n"
                     "d(y3)/dt = k2*y2^2\ntspan = 0 .. 1e11\n";

} // namespace

class TestObservables : public QObject {
    Q_OBJECT
  private slots:
    void statesLetsParamsAndTime() {
        Diagnostics d;
        const auto obs = compileObservables(kRober, "y1 + y2 + y3\nslow  # a let\n\nk3*t", d);
        QVERIFY2(obs != nullptr, formatDiagnostics(d, "expressions", "").c_str());
        QCOMPARE(obs->expressions.size(), std::size_t(3));
        QCOMPARE(obs->expressions[0], std::string("y1 + y2 + y3"));
        QCOMPARE(obs->expressions[1], std::string("slow"));
        QCOMPARE(obs->expressions[2], std::string("k3*t"));
        const std::vector<double> t{0.0, 2.0};
        const std::vector<std::vector<double>> columns{{1.0, 0.5}, {0.0, 0.25}, {0.0, 0.125}};
        const std::vector<double> params{0.04, 3e7, 1e4};
        const auto values = obs->evaluate(t, columns, params);
        QCOMPARE(values[0][1], 0.875);
        QCOMPARE(values[1][1], 0.04 * 0.5);
        QCOMPARE(values[2][1], 2e4);
        // Other values of the params give other curves: they are inputs, not baked in.
        const auto other = obs->evaluate(t, columns, {1.0, 3e7, 1.0});
        QCOMPARE(other[1][1], 0.5);
    }

    void aNanStateGivesNan() {
        Diagnostics d;
        const auto obs = compileObservables(kRober, "y1 + y2", d);
        QVERIFY(obs);
        const auto values =
            obs->evaluate({0.0, 1.0}, {{1.0, std::nan("")}, {0.0, 0.0}, {0.0, 0.0}}, {1, 1, 1});
        QCOMPARE(values[0][0], 1.0);
        QVERIFY(std::isnan(values[0][1]));
    }

    void errorsAreLocatedInTheExpressions() {
        Diagnostics d;
        QVERIFY(compileObservables(kRober, "y1\ny1 + zz", d) == nullptr);
        QCOMPARE(d.items.size(), std::size_t(1));
        QCOMPARE(d.items[0].where.line, 2);
        QCOMPARE(d.items[0].where.column, 6);
        QVERIFY2(d.items[0].message.find("unknown name 'zz'") != std::string::npos,
                 d.items[0].message.c_str());

        Diagnostics syntax;
        QVERIFY(compileObservables(kRober, "y1 +", syntax) == nullptr);
        QCOMPARE(syntax.items.front().where.line, 1);

        Diagnostics brokenModel;
        QVERIFY(compileObservables("d(x)/dt = -k*x\n", "x", brokenModel) == nullptr);
        QVERIFY(brokenModel.items.front().message.find("the model has errors")
                != std::string::npos);
    }

    void noExpressionsAreNoOutputs() {
        Diagnostics d;
        const auto obs = compileObservables(kRober, "  \n# only a comment\n", d);
        QVERIFY(obs);
        QCOMPARE(obs->program.outputCount(), 0);
        QVERIFY(obs->expressions.empty());
    }
};

QTEST_GUILESS_MAIN(TestObservables)
#include "tst_observables.moc"
