// SPDX-License-Identifier: MIT
// SolveStatus: names, advice and failure messages.
#include "core/status.hpp"

#include <QTest>

using namespace dynfit;

class TestStatus : public QObject {
    Q_OBJECT
  private slots:
    void namesAndAdvice() {
        QCOMPARE(statusName(SolveStatus::Success), std::string_view("Success"));
        QCOMPARE(statusName(SolveStatus::DtLessThanMin), std::string_view("DtLessThanMin"));
        QVERIFY(describe(SolveStatus::Success).empty());
        QVERIFY(describe(SolveStatus::Terminated).empty()); // not a failure: no advice
        for (auto s :
             {SolveStatus::MaxIters, SolveStatus::DtLessThanMin, SolveStatus::Unstable,
              SolveStatus::EventAccumulation, SolveStatus::Cancelled, SolveStatus::InvalidInput}) {
            QVERIFY(!describe(s).empty());
        }
    }

    void failureMessageNamesTimeStepAndRemedy() {
        const std::string m = failureMessage(SolveStatus::MaxIters, 3.25, 0.001, "maxiters = 7");
        QVERIFY(m.rfind("MaxIters at t = 3.25 (dt = 0.001): maxiters = 7; ", 0) == 0);
        QVERIFY(m.find("stiff") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestStatus)
#include "tst_status.moc"
