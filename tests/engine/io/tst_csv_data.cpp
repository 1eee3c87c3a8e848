// SPDX-License-Identifier: MIT
// CSV data: good files in several dialects, and a folder of malformed ones, each with its
// located error.
#include "io/csv_data.hpp"

#include <QTest>
#include <fstream>
#include <sstream>

using namespace dynfit::io;

namespace {

std::string fixture(const char* name) {
    std::ifstream in(std::string(DYNFIT_TEST_DATA_DIR) + "/csv/" + name, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

} // namespace

class TestCsvData : public QObject {
    Q_OBJECT
  private slots:
    void readsPlainTable() {
        DataSet d;
        std::vector<DataError> errors;
        QVERIFY(readCsv(fixture("no_trailing_newline.csv"), d, errors));
        QCOMPARE(d.timeColumn, std::string("t"));
        QCOMPARE(d.columns, (std::vector<std::string>{"x", "y"}));
        QCOMPARE(d.times, (std::vector<double>{0.0, 1.0}));
        QCOMPARE(d.values[1], (std::vector<double>{2.0, 4.0}));
    }

    void bomSemicolonCrlfAndGaps() {
        DataSet d;
        std::vector<DataError> errors;
        QVERIFY(readCsv(fixture("bom_semicolon_crlf.csv"), d, errors));
        QCOMPARE(d.timeColumn, std::string("time"));
        QCOMPARE(d.times, (std::vector<double>{0.0, 0.5}));
        QCOMPARE(d.values[0][0], 1.0);
        QVERIFY(std::isnan(d.values[0][1])); // an empty cell is "not observed"
    }

    void timeColumnFoundByName() {
        DataSet d;
        std::vector<DataError> errors;
        QVERIFY(!readCsv(fixture("not_a_number.csv"), d, errors));
        QCOMPARE(d.timeColumn, std::string("t"));
        QCOMPARE(d.columns, std::vector<std::string>{"x"});
    }

    void malformed_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("row");
        QTest::addColumn<int>("column");
        QTest::addColumn<QString>("message");
        QTest::newRow("UTF-16") << "utf16.csv" << 1 << 0 << "UTF-16";
        QTest::newRow("ragged row")
            << "ragged.csv" << 3 << 0 << "expected 3 fields like the header, found 2";
        QTest::newRow("infinity") << "nan_inf.csv" << 4 << 2 << "'inf' is not finite";
        QTest::newRow("duplicate header")
            << "duplicate_header.csv" << 1 << 3 << "duplicate column 'x'";
        QTest::newRow("empty file") << "empty.csv" << 1 << 0 << "the file is empty";
        QTest::newRow("decreasing time")
            << "decreasing_time.csv" << 4 << 1 << "times must not decrease";
        QTest::newRow("not a number") << "not_a_number.csv" << 4 << 1 << "'abc' is not a number";
    }
    void malformed() {
        QFETCH(QString, file);
        QFETCH(int, row);
        QFETCH(int, column);
        QFETCH(QString, message);
        DataSet d;
        std::vector<DataError> errors;
        QVERIFY(!readCsv(fixture(file.toStdString().c_str()), d, errors));
        bool found = false;
        for (const DataError& e : errors) {
            found |= e.row == row && e.column == column
                     && QString::fromStdString(e.message).contains(message);
        }
        QVERIFY2(found, formatDataErrors(errors, file.toStdString()).c_str());
    }

    void nanLiteralIsMissing() {
        DataSet d;
        std::vector<DataError> errors;
        readCsv(fixture("nan_inf.csv"), d, errors);
        QCOMPARE(errors.size(), std::size_t(1)); // only the infinity
        QVERIFY(std::isnan(d.values[0][1]));
    }
};

QTEST_GUILESS_MAIN(TestCsvData)
#include "tst_csv_data.moc"
