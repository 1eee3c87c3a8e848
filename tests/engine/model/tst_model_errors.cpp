// SPDX-License-Identifier: MIT
// Every kind of error in a model text is reported with its message at the right line:column,
// and all errors of a text at once.
#include "model/model.hpp"
#include "model/model_rhs.hpp"

#include <QTest>
#include <algorithm>

using namespace dynfit::model;

class TestModelErrors : public QObject {
    Q_OBJECT
  private slots:
    void located_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("line");
        QTest::addColumn<int>("column");
        QTest::addColumn<QString>("message");
        const QString ok = "init x = 1\nd(x)/dt = -x\n";
        QTest::newRow("unknown name") << ok + "d(y)/dt = z*y\n" << 3 << 11 << "unknown name 'z'";
        QTest::newRow("typo suggestion") << "param rate = 1\ninit x = 1\nd(x)/dt = -rat*x\n"
                                         << 3 << 12 << "unknown name 'rat'; did you mean 'rate'?";
        QTest::newRow("duplicate param") << "param k = 1\nparam k = 2\n" + ok << 2 << 7
                                         << "'k' is already declared as a param on line 1";
        QTest::newRow("duplicate equation") << ok + "x' = 2\n"
                                            << 3 << 1 << "a second equation for 'x'";
        QTest::newRow("state without equation") << ok + "init y = 2\n"
                                                << 3 << 6 << "init for 'y', which has no equation";
        QTest::newRow("state clashes with param")
            << "param x = 1\n" + ok << 3 << 3 << "'x' has an equation but is declared as a param";
        QTest::newRow("syntax: missing operand")
            << ok + "d(y)/dt = 2 *\n"
            << 3 << 14 << "expected a number, a name or '(', found the end of the line";
        QTest::newRow("syntax: missing paren")
            << ok + "d(y)/dt = sin(y\n"
            << 3 << 16 << "expected ')' to close the call to sin";
        QTest::newRow("syntax: bad statement") << ok + "x = 3\n"
                                               << 3 << 1 << "expected a statement";
        QTest::newRow("syntax: d(x)/dx") << ok + "d(y)/dx = 1\n" << 3 << 6 << "expected 'dt'";
        QTest::newRow("bad character") << ok + "d(y)/dt = y $ 2\n"
                                       << 3 << 13 << "unexpected character '$'";
        QTest::newRow("cyclic lets") << "let a = b\nlet b = 2*a\n" + ok + "d(y)/dt = a\n"
                                     << 1 << 5 << "'a' depends on itself (a cycle of lets)";
        QTest::newRow("cyclic consts")
            << "const c = d\nconst d = c\n" + ok << 1 << 7 << "depends on itself";
        QTest::newRow("unknown function") << ok + "d(y)/dt = sinn(y)\n"
                                          << 3 << 11 << "unknown function 'sinn'";
        QTest::newRow("arity") << ok + "d(y)/dt = atan2(y)\n"
                               << 3 << 11 << "atan2 takes 2 arguments, given 1";
        QTest::newRow("arity min") << ok + "d(y)/dt = min(y)\n"
                                   << 3 << 11 << "min takes at least 2 arguments";
        QTest::newRow("t in init") << "init x = t\nd(x)/dt = -x\n"
                                   << 1 << 10 << "the init of 'x' cannot use the time t";
        QTest::newRow("state in init") << "init x = 1\ninit y = x\nd(x)/dt = -x\nd(y)/dt = -y\n"
                                       << 2 << 10 << "cannot use the state 'x'";
        QTest::newRow("param in param value")
            << "param a = 1\nparam b = 2*a\n" + ok + "d(y)/dt = a*b\n"
            << 2 << 13 << "must be a constant; it cannot use the param 'a'";
        QTest::newRow("bounds") << "param k = 5 in [0, 1]\n" + ok << 1 << 11
                                << "lies outside its bounds";
        QTest::newRow("log scale") << "param k = -1 log\n" + ok << 1 << 7 << "log scale";
        QTest::newRow("t declared") << "param t = 1\n" + ok << 1 << 7 << "'t' is the time";
        QTest::newRow("state in a lag") << ok + "init y = 1\nd(y)/dt = x(t - y)\n"
                                        << 4 << 17
                                        << "lags that depend on the state or on t are not "
                                           "supported) cannot use the state 'y'";
        QTest::newRow("t in a lag") << ok + "d(y)/dt = x(t - t)\n"
                                    << 3 << 17 << "cannot use the time t";
        QTest::newRow("negative lag") << "param L = -1\n" + ok + "d(y)/dt = x(t - L)\n"
                                      << 4 << 17 << "the lag of 'x' must be positive; it is -1";
        QTest::newRow("zero lag") << ok + "d(y)/dt = x(t - 0)\n"
                                  << 3 << 17 << "the lag of 'x' must be positive; it is 0";
        QTest::newRow("delay not t - lag") << ok + "d(y)/dt = x(2)\n"
                                           << 3 << 11 << "a delayed state is written x(t - lag)";
        QTest::newRow("delay in an event") << ok + "when x(t - 1) < 0.5: x = 1\n"
                                           << 3 << 6 << "delays belong in the equations";
        QTest::newRow("event with delays")
            << ok + "d(y)/dt = x(t - 1)\nwhen y < 0.5: y = 1\n"
            << 4 << 1 << "events in a model with delays are not supported yet";
        QTest::newRow("moving start with delays")
            << "param s = 0.5\n" + ok + "d(y)/dt = x(t - 1)\ntspan = s .. 4\n"
            << 5 << 9 << "the start of tspan must be a number in a model with delays";
        QTest::newRow("noise of a non-state") << ok + "noise z = 0.1\n"
                                              << 3 << 7 << "noise for 'z', which has no equation";
        QTest::newRow("second noise") << ok + "noise x = 0.1\nnoise x = 0.2\n"
                                      << 4 << 7 << "a second noise for 'x'";
        QTest::newRow("process named like a param")
            << "param k = 1\n" + ok + "noise x = 0.1 by k\n"
            << 4 << 18 << "'k' is already a name in the model";
        QTest::newRow("several terms without by") << ok + "noise x = 0.1 by A, 0.2\n"
                                                  << 3 << 21 << "each names its process";
        QTest::newRow("unknown calculus") << ok + "noise x = x\ncalculus strato\n"
                                          << 4 << 10 << "calculus is 'ito' or 'stratonovich'";
        QTest::newRow("noise with delays") << ok + "d(y)/dt = x(t - 1)\nnoise y = 0.1\n"
                                           << 4 << 7 << "noise in a model with delays";
        QTest::newRow("events with noise") << ok + "noise x = 0.1\nwhen x < 0.5: x = 1\n"
                                           << 4 << 1 << "events in a model with noise";
        QTest::newRow("history of a non-state")
            << ok + "d(y)/dt = x(t - 1)\nhistory z = 1\n"
            << 4 << 9 << "history for 'z', which has no equation";
        QTest::newRow("state in a history")
            << ok + "d(y)/dt = x(t - 1)\nhistory x = y\n"
            << 4 << 13 << "the history of 'x' cannot use the state 'y'";
        QTest::newRow("network layer sizes")
            << "nn U = dense(2, 16, tanh) >> dense(8, 2)\n" + ok << 1 << 30
            << "this layer takes 8 inputs but the previous one gives 16";
        QTest::newRow("network activation")
            << "nn U = dense(2, 3, tanhh)\n" + ok << 1 << 8 << "unknown activation 'tanhh'";
        QTest::newRow("network arity") << "nn U = dense(2, 1)\n" + ok + "d(y)/dt = U(x)\n"
                                       << 4 << 11 << "network 'U' takes 2 inputs, given 1";
        QTest::newRow("network needs index") << "nn U = dense(1, 2)\n" + ok + "d(y)/dt = U(x)\n"
                                             << 4 << 11 << "has 2 outputs: pick one";
        QTest::newRow("network output range") << "nn U = dense(1, 2)\n" + ok + "d(y)/dt = U(x)[3]\n"
                                              << 4 << 15 << "has outputs 1 to 2";
        QTest::newRow("weights count")
            << "nn U = dense(1, 1)\nweights U = [1, 2, 3]\n" + ok + "d(y)/dt = U(x)\n"
            << 2 << 9 << "has 2 weights, but 3 are given";
        QTest::newRow("index without network") << ok + "d(y)/dt = x[1]\n"
                                               << 3 << 12 << "only network outputs can be indexed";
        QTest::newRow("noise written as a call") << ok + "noise(x) = 0.1\n"
                                                 << 3 << 1 << "a noise line is written noise x = g";
        QTest::newRow("event: then") << ok + "when x < 0 then x = 0\n"
                                     << 3 << 12 << "expected ':' before the event's actions";
        QTest::newRow("event: not a comparison")
            << ok + "when x: x = 0\n"
            << 3 << 7 << "expected '<' or '>' in the condition";
        QTest::newRow("event: unknown target") << ok + "when x < 0: z = 1\n"
                                               << 3 << 13 << "'z' is not one";
        QTest::newRow("event: sets a param")
            << "param k = 1\n" + ok + "d(y)/dt = k\n" + "when y > 1: k = 2\n"
            << 5 << 13 << "an event can only set a state; 'k'";
        QTest::newRow("event: twice") << ok + "when x < 0: x = 1, x = 2\n"
                                      << 3 << 20 << "'x' is set twice";
        QTest::newRow("event: zero period") << ok + "every 0 from 0 to 1: x = 1\n"
                                            << 3 << 7 << "the period of 'every' must be positive";
        QTest::newRow("event: from") << ok + "every 1 to 3: x = 1\n" << 3 << 9 << "expected 'from'";
        QTest::newRow("event: time uses a state")
            << ok + "at t = x: x = 1\n"
            << 3 << 8 << "the time of the event on line 3 cannot use";
        QTest::newRow("event: timed stop") << ok + "at t = 1: stop\n"
                                           << 3 << 1 << "a time event cannot stop";
        QTest::newRow("observe") << ok + "observe total = x\n" << 3 << 1 << "observed quantities";
        QTest::newRow("unicode column") << "init ψ = 1\nd(ψ)/dt = -α*ψ\n"
                                        << 2 << 12 << "unknown name 'α'";
        QTest::newRow("no equation") << "param k = 1\n" << 1 << 1 << "the model has no equation";
        // Characters from documents that could mean several things: named, with the fix.
        QTest::newRow("en dash") << ok + "d(y)/dt = \u2013y\n"
                                 << 3 << 11
                                 << "(U+2013 EN DASH) is not part of the language: type '-'";
        QTest::newRow("smart double quote") << ok + "let q = \u201cx\n"
                                            << 3 << 9 << "U+201C LEFT DOUBLE QUOTATION MARK";
        QTest::newRow("2x") << ok + "init y = 1\nd(y)/dt = 2y\n"
                            << 4 << 12 << "a number followed by a name: write 2*y for a product";
    }

    // Inputs a user can make as deep as they like are bounded with a located error, never a
    // stack overflow: 100,000 nested parentheses, 100,000 signs, a sum of 200,000 terms; a sum
    // of 1,500 terms (below the bound) compiles and evaluates right.
    void depthIsBounded() {
        const std::string head = "init x = 1\nd(x)/dt = ";
        const std::string parens = head + std::string(100000, '(') + "x" + std::string(100000, ')');
        const std::string signs = head + std::string(100000, '-') + "x";
        std::string sum = head + "x";
        for (int k = 1; k < 200000; ++k) {
            sum += "+x";
        }
        const struct {
            const std::string* text;
            const char* message;
        } cases[] = {{&parens, "nests deeper than 256 levels"},
                     {&signs, "nests deeper than 256 levels"},
                     {&sum, "more than 2000 operations deep"}};
        for (const auto& c : cases) {
            Diagnostics d;
            QVERIFY(compileModel(c.text->c_str(), d) == nullptr);
            const bool found = std::any_of(d.items.begin(), d.items.end(), [&](const auto& item) {
                return item.where.line == 2 && item.message.find(c.message) != std::string::npos;
            });
            QVERIFY2(found, d.items.empty() ? "no diagnostic" : d.items.back().message.c_str());
        }
        std::string fine = head + "x";
        for (int k = 1; k < 1500; ++k) {
            fine += "+x";
        }
        Diagnostics d;
        const auto model = compileModel(fine, d);
        QVERIFY(model != nullptr);
        std::vector<double> u = {2.0}, f(1);
        ProgramEvaluator<double>(model->rhs)(u.data(), nullptr, nullptr, 0.0, f.data());
        QCOMPARE(f[0], 3000.0);
    }

    // Characters that can only mean one thing are taken as it: the minus sign (U+2212), the
    // multiplication and division signs, no-break and other exotic spaces, a typographic prime
    // or apostrophe for a derivative, and ** for a power. The model equals its ASCII spelling.
    void lookalikesAreTakenAsWhatTheyMean() {
        const QString typed = QString::fromUtf8(
            "param\u00a0k = 2\ninit x = 1\ninit y = 3\nx\u2019 = \u2212k\u00d7x\u2009+ y**2\n"
            "y\u2032 = \u2212y\u00f7k\n");
        Diagnostics d;
        const auto model = compileModel(typed.toStdString(), d);
        QVERIFY2(model != nullptr, d.items.empty() ? "" : d.items.front().message.c_str());
        Diagnostics d2;
        const auto ascii = compileModel("param k = 2\ninit x = 1\ninit y = 3\nx' = -k*x + y^2\n"
                                        "y' = -y/k\n",
                                        d2);
        QVERIFY(ascii != nullptr);
        std::vector<double> u = {1.5, 0.5}, p = {2.0}, f1(2), f2(2);
        ProgramEvaluator<double>(model->rhs)(u.data(), p.data(), nullptr, 0.0, f1.data());
        ProgramEvaluator<double>(ascii->rhs)(u.data(), p.data(), nullptr, 0.0, f2.data());
        QCOMPARE(f1, f2);
        QCOMPARE(f1[0], -2.0 * 1.5 + 0.25);
    }
    void located() {
        QFETCH(QString, text);
        QFETCH(int, line);
        QFETCH(int, column);
        QFETCH(QString, message);
        Diagnostics d;
        const auto model = compileModel(text.toStdString(), d);
        QVERIFY(model == nullptr);
        bool found = false;
        QStringList all;
        for (const Diagnostic& item : d.items) {
            const QString m = QString::fromStdString(item.message);
            all << QString("%1:%2 %3").arg(item.where.line).arg(item.where.column).arg(m);
            found |= item.severity == Severity::Error && item.where.line == line
                     && item.where.column == column && m.contains(message);
        }
        QVERIFY2(found, qPrintable("got: " + all.join(" | ")));
    }

    void allErrorsAtOnce() {
        Diagnostics d;
        compileModel("init x = 1\nd(x)/dt = foo\nd(y)/dt = 2 *\nlet q = bar\nd(z)/dt = sinn(z)\n",
                     d);
        int errors = 0;
        for (const Diagnostic& item : d.items) {
            errors += item.severity == Severity::Error ? 1 : 0;
        }
        QCOMPARE(errors, 4); // foo, the syntax error, bar, sinn
    }

    void warnings() {
        Diagnostics d;
        const auto model = compileModel("param unused = 1\nd(x)/dt = -x\n", d);
        QVERIFY(model != nullptr);
        QCOMPARE(d.items.size(), std::size_t(2));
        QVERIFY(d.items[0].message.find("param 'unused' is not used") != std::string::npos);
        QVERIFY(d.items[1].message.find("no init for 'x'") != std::string::npos);
    }

    void caretExcerpt() {
        Diagnostics d;
        const std::string text = "init ψ = 1\nd(ψ)/dt = -α*ψ\n";
        compileModel(text, d);
        const std::string out = formatDiagnostics(d, "m.dyn", text);
        QCOMPARE(QString::fromStdString(out),
                 QString::fromUtf8("m.dyn:2:12: error: unknown name 'α'\n    d(ψ)/dt = -α*ψ\n"
                                   "               ^\n"));
    }
};

QTEST_GUILESS_MAIN(TestModelErrors)
#include "tst_model_errors.moc"
