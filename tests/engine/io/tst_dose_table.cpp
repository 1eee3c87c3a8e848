// SPDX-License-Identifier: MIT
// Dose tables: read in any column order and delimiter, resolved to states in time order, and
// every problem located by row and column.
#include "io/dose_table.hpp"

#include <QTest>

using namespace dynfit;

class TestDoseTable : public QObject {
    Q_OBJECT

  private slots:
    void readsAndResolves() {
        std::vector<io::DoseRow> rows;
        std::vector<io::DataError> errors;
        QVERIFY(io::readDoseTable("AMT;Time;cmt\r\n5;12;depot\n\n2.5;0;central\n", rows, errors));
        QCOMPARE(rows.size(), std::size_t(2));
        QCOMPARE(rows[0].t, 12.0);
        QCOMPARE(rows[0].target, std::string("depot"));
        QCOMPARE(rows[0].amount, 5.0);
        QCOMPARE(rows[1].row, 4);
        std::vector<ode::Bolus> doses;
        QVERIFY(io::resolveDoses(rows, {"central", "depot"}, doses, errors));
        QCOMPARE(doses.size(), std::size_t(2));
        QCOMPARE(doses[0].t, 0.0); // in time order
        QCOMPARE(doses[0].state, 0);
        QCOMPARE(doses[1].state, 1);
        QCOMPARE(doses[1].amount, 5.0);
    }

    void errorsAreLocated_data() {
        QTest::addColumn<QString>("csv");
        QTest::addColumn<int>("row");
        QTest::addColumn<int>("column");
        QTest::addColumn<QString>("message");
        QTest::newRow("no amount") << "t,state\n0,A\n" << 1 << 0 << "no amount column";
        QTest::newRow("no target") << "t,dose\n0,1\n" << 1 << 0 << "no target column";
        QTest::newRow("bad time") << "t,state,amount\n0,A,1\nsoon,A,1\n"
                                  << 3 << 1 << "the time is not a finite number";
        QTest::newRow("infinite amount") << "t,state,amount\n1,A,inf\n"
                                         << 2 << 3 << "the amount is not a finite number";
        QTest::newRow("ragged") << "t,state,amount\n1,A\n" << 2 << 0 << "has 2 fields";
        QTest::newRow("empty target") << "t,state,amount\n1,,2\n" << 2 << 2 << "no target state";
        QTest::newRow("empty") << "\n\n" << 1 << 0 << "the dose table is empty";
    }
    void errorsAreLocated() {
        QFETCH(QString, csv);
        QFETCH(int, row);
        QFETCH(int, column);
        QFETCH(QString, message);
        std::vector<io::DoseRow> rows;
        std::vector<io::DataError> errors;
        QVERIFY(!io::readDoseTable(csv.toStdString(), rows, errors));
        QVERIFY(!errors.empty());
        QCOMPARE(errors.front().row, row);
        QCOMPARE(errors.front().column, column);
        QVERIFY2(QString::fromStdString(errors.front().message).startsWith(message),
                 errors.front().message.c_str());
    }

    void unknownStateIsLocated() {
        std::vector<io::DoseRow> rows;
        std::vector<io::DataError> errors;
        QVERIFY(io::readDoseTable("t,state,amount\n0,A,1\n1,Z,1\n", rows, errors));
        std::vector<ode::Bolus> doses;
        QVERIFY(!io::resolveDoses(rows, {"A"}, doses, errors));
        QCOMPARE(errors.size(), std::size_t(1));
        QCOMPARE(errors[0].row, 3);
        QCOMPARE(errors[0].message, std::string("'Z' is not a state of the model"));
    }
};

QTEST_APPLESS_MAIN(TestDoseTable)
#include "tst_dose_table.moc"
