// SPDX-License-Identifier: MIT
// CSV data: good files in several dialects, and a folder of malformed ones, each with its
// located error.
#include "io/csv_data.hpp"

#include <QTest>
#include <fstream>
#include <sstream>

using namespace dynfit::io;
namespace io = dynfit::io;

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

    // Layouts the import dialog offers: decimal commas, no header, a chosen time column.
    void formatsAreDetected() {
        const auto european = io::detectCsvFormat("Zeit;Hase;Wolf\n0;1,5;2\n0,5;1,25;2,5\n");
        QCOMPARE(european.delimiter, ';');
        QCOMPARE(european.decimal, ',');
        QVERIFY(european.header);
        io::DataSet data;
        std::vector<io::DataError> errors;
        auto format = european;
        format.timeColumn = 0;
        QVERIFY(io::readCsv("Zeit;Hase;Wolf\n0;1,5;2\n0,5;1,25;2,5\n", format, data, errors));
        QCOMPARE(data.times, (std::vector<double>{0.0, 0.5}));
        QCOMPARE(data.values[0], (std::vector<double>{1.5, 1.25}));
        QVERIFY(!io::readCsv("Zeit;Hase\n0;1.5\n", format, data, errors));
        QCOMPARE(errors.front().row, 2);
        QCOMPARE(errors.front().column, 2);

        const auto bare = io::detectCsvFormat("0\t1\t2\n1\t3\t4\n");
        QCOMPARE(bare.delimiter, '\t');
        QVERIFY(!bare.header);
        errors.clear();
        QVERIFY(io::readCsv("0\t1\t2\n1\t3\t4\n", bare, data, errors));
        QCOMPARE(data.columns, (std::vector<std::string>{"c2", "c3"}));
        QCOMPARE(data.times.size(), std::size_t(2));

        const auto preview = io::previewCsv("a,b\n1,2\n3,4\n5,6\n", {}, 3);
        QCOMPARE(preview.size(), std::size_t(3));
        QCOMPARE(preview[2][1], std::string("4"));
    }

    void canonicalCsvRoundTrips() {
        io::DataSet data;
        std::vector<io::DataError> errors;
        QVERIFY(io::readCsv("time;x;y\n0;0,1;\n1;0,25;3\n",
                            io::detectCsvFormat("time;x;y\n0;0,1;\n1;0,25;3\n"), data, errors));
        const std::string canonical = io::writeCsv(data);
        QCOMPARE(canonical, std::string("t,x,y\n0,0.1,\n1,0.25,3\n"));
        io::DataSet back;
        QVERIFY(io::readCsv(canonical, back, errors));
        QCOMPARE(back.values[0], data.values[0]);
        QVERIFY(std::isnan(back.values[1][0]));
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
