// SPDX-License-Identifier: MIT
// Resolving save times: steps, explicit lists, backward spans and located errors.
#include "output/save_at.hpp"

#include <QTest>

using dynfit::ode::resolveSaveTimes;

class TestSaveAt : public QObject {
    Q_OBJECT
  private slots:
    void stepCoversSpanAndEnd() {
        std::vector<double> times;
        std::string error;
        QVERIFY(resolveSaveTimes({}, 0.3, 0.0, 1.0, times, error));
        QCOMPARE(times, (std::vector<double>{0.0, 0.3, 0.6, 0.3 * 3, 1.0}));
        QVERIFY(resolveSaveTimes({}, 0.25, 0.0, 1.0, times, error));
        QCOMPARE(times, (std::vector<double>{0.0, 0.25, 0.5, 0.75, 1.0}));
    }

    void backwardSpan() {
        std::vector<double> times;
        std::string error;
        QVERIFY(resolveSaveTimes({}, 0.5, 1.0, 0.0, times, error));
        QCOMPARE(times, (std::vector<double>{1.0, 0.5, 0.0}));
        QVERIFY(resolveSaveTimes({0.9, 0.2}, 0.0, 1.0, 0.0, times, error));
        QVERIFY(!resolveSaveTimes({0.2, 0.9}, 0.0, 1.0, 0.0, times, error));
    }

    void errorsNameTheEntry() {
        std::vector<double> times;
        std::string error;
        QVERIFY(!resolveSaveTimes({0.1, 0.05}, 0.0, 0.0, 1.0, times, error));
        QVERIFY(error.find("saveat[1] = 0.05 is out of order") != std::string::npos);
        QVERIFY(!resolveSaveTimes({0.1, 2.0}, 0.0, 0.0, 1.0, times, error));
        QVERIFY(error.find("saveat[1] = 2 lies outside") != std::string::npos);
        QVERIFY(!resolveSaveTimes({}, -1.0, 0.0, 1.0, times, error));
        QVERIFY(!resolveSaveTimes({std::nan("")}, 0.0, 0.0, 1.0, times, error));
    }
};

QTEST_GUILESS_MAIN(TestSaveAt)
#include "tst_save_at.moc"
