// SPDX-License-Identifier: MIT
// Writing values and bounds back into a model text: the shortest numbers, everything else kept
// as the user wrote it.
#include "model/model.hpp"
#include "model/rewrite.hpp"

#include <QTest>

using namespace dynfit::model;

namespace {

const char* kText = "param a = 1.5 in [0, 5]   # growth\nparam b = 0.1 log\nparam c = 2\n"
                    "init x = 1\nd(x)/dt = a*x - b*x - c*x^2\ntspan = 0 .. 1\n";

std::shared_ptr<const CompiledModel> compile(const std::string& text) {
    Diagnostics d;
    auto m = compileModel(text, d);
    if (!m) {
        qWarning("%s", formatDiagnostics(d, "model", text).c_str());
    }
    return m;
}

} // namespace

class TestRewrite : public QObject {
    Q_OBJECT
  private slots:
    // Issue 12: typing 0.025 wrote 0.025000000000000001.
    void valuesAreWrittenShortest() {
        const auto m = compile(kText);
        QVERIFY(m);
        const std::string out = withParameterValues(kText, *m, {0.025, 0.1 + 0.2, 1e-7});
        QVERIFY2(out.find("param a = 0.025 in [0, 5]   # growth\n") != std::string::npos,
                 out.c_str());
        QVERIFY2(out.find("param b = 0.30000000000000004 log\n") != std::string::npos, out.c_str());
        QVERIFY2(out.find("param c = 1e-7\n") != std::string::npos, out.c_str());
        const auto back = compile(out);
        QVERIFY(back);
        QCOMPARE(back->defaultParams(), (std::vector<double>{0.025, 0.1 + 0.2, 1e-7}));
    }

    void boundsAreReplacedAddedAndRemoved() {
        const auto m = compile(kText);
        QVERIFY(m);
        const std::string replaced = withParameterBounds(kText, *m, 0, std::make_pair(0.5, 2.5));
        QVERIFY2(replaced.find("param a = 1.5 in [0.5, 2.5]   # growth\n") != std::string::npos,
                 replaced.c_str());
        const std::string added = withParameterBounds(kText, *m, 1, std::make_pair(0.01, 1.0));
        QVERIFY2(added.find("param b = 0.1 in [0.01, 1] log\n") != std::string::npos,
                 added.c_str());
        const std::string plain = withParameterBounds(kText, *m, 2, std::make_pair(-1.0, 3.0));
        QVERIFY2(plain.find("param c = 2 in [-1, 3]\n") != std::string::npos, plain.c_str());
        const std::string removed = withParameterBounds(kText, *m, 0, std::nullopt);
        QVERIFY2(removed.find("param a = 1.5   # growth\n") != std::string::npos, removed.c_str());
        for (const std::string& text : {replaced, added, plain, removed}) {
            QVERIFY(compile(text));
        }
        const auto back = compile(added);
        QCOMPARE(*back->params[1].lower, 0.01);
        QCOMPARE(*back->params[1].upper, 1.0);
        QVERIFY(back->params[1].logScale);
        QVERIFY(!compile(removed)->params[0].lower.has_value());
    }
};

QTEST_GUILESS_MAIN(TestRewrite)
#include "tst_rewrite.moc"
