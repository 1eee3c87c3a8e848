// SPDX-License-Identifier: MIT
// Numbers as text: the shortest form that reads back to the same double (issue 12: a table edit
// of 0.025 wrote 0.025000000000000001 into the model).
#include "core/number_text.hpp"

#include <QTest>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <random>

using dynfit::shortestText;

class TestNumberText : public QObject {
    Q_OBJECT
  private slots:
    void shortestForms_data() {
        QTest::addColumn<double>("value");
        QTest::addColumn<QString>("text");
        QTest::newRow("0.025") << 0.025 << "0.025";
        QTest::newRow("0.1 + 0.2") << 0.1 + 0.2 << "0.30000000000000004";
        QTest::newRow("1.5") << 1.5 << "1.5";
        QTest::newRow("integer") << 3.0 << "3";
        QTest::newRow("negative") << -2.25 << "-2.25";
        QTest::newRow("large") << 3e7 << "3e7";
        QTest::newRow("not shorter as 1e3") << 1000.0 << "1000";
        QTest::newRow("huge") << 1e11 << "1e11";
        QTest::newRow("tiny") << 1e-300 << "1e-300";
        QTest::newRow("small") << 1.25e-7 << "1.25e-7";
        QTest::newRow("denormal") << 5e-324 << "5e-324";
        QTest::newRow("zero") << 0.0 << "0";
        QTest::newRow("inf") << std::numeric_limits<double>::infinity() << "inf";
        QTest::newRow("-inf") << -std::numeric_limits<double>::infinity() << "-inf";
    }
    void shortestForms() {
        QFETCH(double, value);
        QFETCH(QString, text);
        QCOMPARE(QString::fromStdString(shortestText(value)), text);
    }

    void nanIsNamed() { QCOMPARE(QString::fromStdString(shortestText(std::nan(""))), "nan"); }

    // Every finite double reads back exactly, whatever its magnitude.
    void roundTripsExactly() {
        std::mt19937_64 random(12);
        std::uniform_int_distribution<std::uint64_t> bits;
        int checked = 0;
        while (checked < 100000) {
            const std::uint64_t b = bits(random);
            double value;
            std::memcpy(&value, &b, sizeof value);
            if (!std::isfinite(value)) {
                continue;
            }
            const std::string text = shortestText(value);
            QCOMPARE(std::strtod(text.c_str(), nullptr), value);
            QVERIFY(text.size() <= 24);
            ++checked;
        }
    }
};

QTEST_GUILESS_MAIN(TestNumberText)
#include "tst_number_text.moc"
