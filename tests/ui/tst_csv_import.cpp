// SPDX-License-Identifier: MIT
// The CSV import dialog's model: detected layout, mapping by name and by hand, problems at their
// row and column (and marked in the preview), gaps, and the data set it makes for a project.
#include "csv_import.hpp"
#include "main_window.hpp"
#include "model/model.hpp"
#include "model_editor.hpp"
#include "project/project_fit.hpp"
#include "solution_plot.hpp"

#include <QBrush>
#include <QComboBox>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>
#include <utility>

using namespace dynfit;

class TestCsvImport : public QObject {
    Q_OBJECT
  private slots:
    void europeanFileIsDetectedAndMapped() {
        ui::CsvImportModel m;
        m.setStates({"x", "y"});
        m.setText("Zeit;x;Wölfe;Notiz\n0;1,0;1;a\n0,5;1,25;;b\n1;1,5;0,75;c\n", "/tmp/lv.csv");
        QCOMPARE(m.format().delimiter, ';');
        QCOMPARE(m.format().decimal, ',');
        QVERIFY(m.format().header);
        QCOMPARE(m.timeColumn(), QString("Zeit"));
        QCOMPARE(m.dataColumns(), (QStringList{"x", "Wölfe", "Notiz"}));
        QCOMPARE(m.mappedState("x"), QString("x"));
        QCOMPARE(m.mappedState("Wölfe"), QString()); // no state of that name: ignored
        // "Notiz" holds text: fine while it is ignored, a problem at its row and column once it
        // is mapped to a state.
        QVERIFY2(m.isValid(), qPrintable(m.problems().join('\n')));
        m.setMapping("Notiz", "y");
        QVERIFY(!m.isValid());
        QVERIFY2(m.problems().first().startsWith("row 2, column 4: 'a' is not a number"),
                 qPrintable(m.problems().first()));
        QCOMPARE(m.data(m.index(1, 3), Qt::ToolTipRole).toString(), QString("'a' is not a number"));
        QVERIFY(m.data(m.index(1, 3), Qt::BackgroundRole).value<QBrush>().color()
                == QColor(255, 205, 210));
        QCOMPARE(m.data(m.index(2, 2), Qt::DisplayRole).toString(), QString()); // a gap
        QVERIFY(m.data(m.index(2, 2), Qt::BackgroundRole).value<QBrush>().color()
                == QColor(236, 236, 236));
    }

    void mappingByHandMakesAProjectDataSet() {
        ui::CsvImportModel m;
        m.setStates({"x", "y"});
        m.setText("time,rabbits,wolves\n0,1,1\n1,2,0.5\n2,1.5,\n");
        QVERIFY(!m.isValid()); // nothing maps to a state yet
        QVERIFY(m.problems().contains("no column is mapped to a state"));
        m.setMapping("rabbits", "x");
        m.setMapping("wolves", "y");
        QVERIFY2(m.isValid(), qPrintable(m.problems().join('\n')));
        m.setMapping("rabbits", "y");
        QVERIFY(m.problems().contains("two columns go to the state 'y'"));
        m.setMapping("rabbits", "x");
        m.setInitialValues("x=1.5, z=2");
        QVERIFY(m.problems().contains("initial values: 'z' is not a state of the model"));
        m.setInitialValues("x=abc");
        QVERIFY(!m.isValid());
        m.setInitialValues("x = 1.5");
        QVERIFY(m.isValid());
        const auto entry = m.entry("field counts");
        QCOMPARE(entry.initialValues.size(), std::size_t(1));
        QCOMPARE(entry.initialValues.front().second, 1.5);
        QCOMPARE(entry.csv, std::string("t,rabbits,wolves\n0,1,1\n1,2,0.5\n2,1.5,\n"));
        model::Diagnostics d;
        const auto lv = model::compileModel("init x = 1\ninit y = 1\nd(x)/dt = x - x*y\n"
                                            "d(y)/dt = -y + x*y\ntspan = 0 .. 2\n",
                                            d);
        fit::Experiment e;
        std::string error;
        QVERIFY2(project::buildExperiment(entry, *lv, e, error), error.c_str());
        QCOMPARE(e.loss.terms().size(), std::size_t(5)); // one gap
        QCOMPARE(e.initialValues.front(), (std::pair<int, double>{0, 1.5}));
    }

    void noHeaderAndAChosenTimeColumn() {
        ui::CsvImportModel m;
        m.setStates({"c1"});
        m.setText("5\t0\n6\t1\n7\t2\n");
        QVERIFY(!m.format().header);
        auto f = m.format();
        f.timeColumn = 1;
        m.setFormat(f);
        QCOMPARE(m.timeColumn(), QString("c2"));
        QCOMPARE(m.dataColumns(), QStringList{"t"});
        m.setMapping("t", "c1");
        QVERIFY(m.isValid());
    }

    // The dialog's widgets show what was detected, and a change there re-reads the file.
    void dialogShowsTheDetectedLayout() {
        QTemporaryDir dir;
        const QString path = dir.filePath("lv_eu.csv");
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("Zeit;x;y\n0;1,0;1\n0,5;1,25;2\n");
        file.close();
        ui::CsvImportDialog dialog({"x", "y"});
        QVERIFY(dialog.loadFile(path));
        auto* delimiter = dialog.findChild<QComboBox*>("delimiter");
        auto* decimal = dialog.findChild<QComboBox*>("decimal");
        QCOMPARE(delimiter->currentText(), QString("semicolon ;"));
        QCOMPARE(decimal->currentText(), QString("comma ,"));
        QCOMPARE(dialog.findChild<QComboBox*>("timeColumn")->currentText(), QString("Zeit"));
        QCOMPARE(dialog.dataSetName(), QString("lv_eu"));
        QVERIFY(dialog.model()->isValid());
        decimal->setCurrentIndex(0); // point: "1,0" no longer parses
        emit decimal->activated(0);
        QTRY_VERIFY(!dialog.model()->isValid());
        QCOMPARE(dialog.model()->format().decimal, '.');
    }

    // Through the window: an accepted import adds an experiment that a fit then uses.
    void importedDataSetJoinsTheProject() {
        ui::MainWindow window;
        QVERIFY(window.openProject(QStringLiteral(DYNFIT_PROJECTS_DIR "/lotka_volterra.dynfit")));
        ui::CsvImportModel m;
        m.setStates({"x", "y"});
        m.setText("t,x\n0,1\n5,1\n10,1\n");
        window.addDataSet(m.entry("second"));
        QCOMPARE(window.currentProject().data.size(), std::size_t(2));
        QVERIFY(window.isDirty());
        // The plot now shows the new data set: its three points.
        QCOMPARE(window.solutionPlot()->pointCount(0), 3);
    }

    // A dose table joins a data set: its doses show as markers and move the prediction; one
    // undo takes it back; a table naming no state is refused with its row.
    void doseTableJoinsADataSet() {
        ui::MainWindow window;
        QVERIFY(window.openProject(QStringLiteral(DYNFIT_PROJECTS_DIR "/lotka_volterra.dynfit")));
        QTemporaryDir dir;
        const QString good = dir.filePath("doses.csv");
        const QString bad = dir.filePath("bad.csv");
        for (const auto& [path, text] : {std::pair{good, "t,state,amount\n2,x,3\n6,y,1\n"},
                                         std::pair{bad, "t,state,amount\n2,z,3\n"}}) {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(text);
        }
        const QString name = QString::fromStdString(window.currentProject().data.front().name);
        QCOMPARE(window.solutionPlot()->eventMarkerCount(), 0);
        QString error;
        QVERIFY(!window.importDoses(bad, name, &error));
        QVERIFY2(error.contains("bad.csv:2:") && error.contains("'z' is not a state"),
                 qPrintable(error));
        QVERIFY2(window.importDoses(good, name, &error), qPrintable(error));
        QCOMPARE(window.currentProject().data.front().dosesCsv,
                 std::string("t,state,amount\n2,x,3\n6,y,1\n"));
        QCOMPARE(window.solutionPlot()->eventMarkerCount(), 2);
        window.undoStack()->undo();
        QVERIFY(window.currentProject().data.front().dosesCsv.empty());
        QCOMPARE(window.solutionPlot()->eventMarkerCount(), 0);
    }
};

QTEST_MAIN(TestCsvImport)
#include "tst_csv_import.moc"
