// SPDX-License-Identifier: MIT
// Issue 12's eight problems a new user hit in a first hour, one test each (each failed before
// its fix): the final snapshot reaches the loss plot and the GIF; Adam from a badly scaled
// start makes progress; a table edit writes the shortest number; keyboard edit-then-move keeps
// both edits; a re-simulation after a fit keeps the fitted curve; every panel comes back from
// View; long messages are readable in the log; save, export and import finish names.
#include "core/number_text.hpp"
#include "csv_import.hpp"
#include "fit_session.hpp"
#include "io/csv_data.hpp"
#include "loss_plot.hpp"
#include "main_window.hpp"
#include "message_log.hpp"
#include "model/model_rhs.hpp"
#include "model/model_solve.hpp"
#include "model_editor.hpp"
#include "parameter_table.hpp"
#include "phase_plot.hpp"
#include "solution_plot.hpp"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDockWidget>
#include <QFile>
#include <QFileDialog>
#include <QHeaderView>
#include <QImageReader>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <qcustomplot.h>

using dynfit::ui::MainWindow;
using dynfit::ui::ParameterTableModel;

namespace {

QString bundled(const char* name) {
    return QStringLiteral(DYNFIT_PROJECTS_DIR "/") + name + ".dynfit";
}

QByteArray readAll(const QString& path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// Types into whatever has the focus, a key at a time (an item view opens its editor on the
// first key, which then takes the rest).
void type(const QString& text) {
    for (const QChar c : text) {
        QTest::keyClick(QApplication::focusWidget(), c.toLatin1());
    }
}

// Runs the open project's fit to the end with these settings.
dynfit::fit::FitOutcome fit(MainWindow& window, const char* optimizer, int iterations) {
    auto* box = window.findChild<QComboBox*>("optimizer");
    box->setCurrentIndex(box->findData(optimizer));
    window.findChild<QSpinBox*>("iterations")->setValue(iterations);
    QSignalSpy finished(&window, &MainWindow::fitFinished);
    window.startFit();
    if (!finished.wait(120000)) {
        return {};
    }
    return *window.lastOutcome();
}

// Captures every Qt warning while alive (the view's "closeEditor called with an editor that
// does not belong to this view" is one).
struct WarningCatcher {
    static QStringList& warnings() {
        static QStringList list;
        return list;
    }
    static QtMessageHandler& previous() {
        static QtMessageHandler handler = nullptr;
        return handler;
    }
    static void handler(QtMsgType type, const QMessageLogContext& context, const QString& message) {
        if (type == QtWarningMsg) {
            warnings() << message;
        }
        previous()(type, context, message);
    }
    WarningCatcher() {
        warnings().clear();
        previous() = qInstallMessageHandler(handler);
    }
    ~WarningCatcher() { qInstallMessageHandler(previous()); }
};

// Lotka–Volterra with the predators counted in units and the prey in thousands: β and δ 1000x
// apart in scale, the data made from (1.5, 0.001, 3, 1).
const char* kBadlyScaled = "param α = 1.2\nparam β = 0.0008\nparam γ = 2.8\nparam δ = 1.2\n"
                           "init x = 1\ninit y = 1000\nd(x)/dt = α*x - β*x*y\n"
                           "d(y)/dt = -γ*y + δ*x*y\ntspan = 0 .. 10\n";

std::string badlyScaledData() {
    using namespace dynfit;
    model::Diagnostics d;
    const auto m = model::compileModel(kBadlyScaled, d);
    ode::SolveOptions opts;
    opts.reltol = opts.abstol = 1e-10;
    opts.saveatStep = 0.5;
    const Eigen::Vector4d truth(1.5, 0.001, 3.0, 1.0);
    const auto sol =
        model::solveModel(model::makeModelProblem<double>(m, truth, {0, 10}), ode::Vern7{}, opts);
    io::DataSet data;
    data.columns = m->states;
    data.times = sol.t;
    data.values.assign(2, {});
    for (const auto& u : sol.u) {
        data.values[0].push_back(u[0]);
        data.values[1].push_back(u[1]);
    }
    return io::writeCsv(data);
}

} // namespace

class TestFirstHour : public QObject {
    Q_OBJECT
  private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
    }

    // 1. A fit shorter than one throttle interval (1/30 s) still draws every iteration's loss
    // and ends the animation on its result; so does a 300-iteration fit; opening another
    // project clears the old plots.
    void finalSnapshotAlwaysArrives() {
        MainWindow window;
        QVERIFY(window.openProject(bundled("lotka_volterra")));
        const auto quick = fit(window, "lm", 100);
        qInfo("Levenberg–Marquardt: %d iterations in %.3f s", quick.iterations, quick.seconds);
        QVERIFY(quick.iterations >= 3);
        QCOMPARE(window.lossPlot()->pointCount(), quick.iterations);
        QCOMPARE(window.lossPlot()->lastIteration(), quick.iterations);
        QCOMPARE(int(window.currentProject().history.size()), quick.iterations);
        QVERIFY(window.animationFrameCount() >= 2); // the start and the result at least
        QVERIFY2(window.animationCaptions().back().startsWith(
                     QString("iteration %1 · loss ").arg(quick.iterations)),
                 qPrintable(window.animationCaptions().back()));
        QTemporaryDir dir;
        const QString gif = dir.filePath("quick.gif");
        QVERIFY(window.exportAnimation(gif));
        if (QImageReader::supportedImageFormats().contains("gif")) {
            QCOMPARE(QImageReader(gif).imageCount(), window.animationFrameCount());
        }

        const auto adam = fit(window, "adam", 300);
        QCOMPARE(adam.iterations, 300);
        QCOMPARE(window.lossPlot()->pointCount(), 300);
        QCOMPARE(window.lossPlot()->lastIteration(), 300);
        QVERIFY(window.animationCaptions().back().startsWith("iteration 300 · "));

        QVERIFY(window.openProject(bundled("rober")));
        QCOMPARE(window.lossPlot()->pointCount(), 0);
        QCOMPARE(window.animationFrameCount(), 0);
        QVERIFY(window.fittedParams().empty());
        QVERIFY(!window.showsFitted());
    }

    // 2. Adam from a start whose params differ in scale by 1000x makes progress.
    void adamProgressesOnBadlyScaledParams() {
        MainWindow window;
        QTemporaryDir dir;
        QFile model(dir.filePath("scaled.dyn"));
        QVERIFY(model.open(QIODevice::WriteOnly));
        model.write(kBadlyScaled);
        model.close();
        QVERIFY(window.openProject(model.fileName()));
        dynfit::project::DataSetEntry data;
        data.name = "scaled";
        data.csv = badlyScaledData();
        window.addDataSet(data);
        const auto out = fit(window, "adam", 300);
        qInfo("Adam: loss %.6g -> %.6g (%s)", out.lossInitial, out.lossFinal, out.message.c_str());
        QVERIFY2(out.lossFinal < 1e-3 * out.lossInitial, out.message.c_str());
        QVERIFY(out.params[1] > 0.0); // the 1000x smaller param was not thrown across zero
    }

    // 3. A value typed into the table, and Apply fitted values, write the shortest text.
    void tableEditsWriteTheShortestNumber() {
        MainWindow window;
        QVERIFY(window.openProject(bundled("lotka_volterra")));
        auto* table = window.parameterTable();
        QVERIFY(table->setData(table->index(1, ParameterTableModel::Value), "0.025", Qt::EditRole));
        QVERIFY2(window.editor()->text().contains("param β = 0.025    # predation rate"),
                 qPrintable(window.editor()->text()));
        QCOMPARE(table->data(table->index(1, ParameterTableModel::Value), Qt::EditRole).toString(),
                 QString("0.025"));
        const auto out = fit(window, "lbfgs", 100);
        QVERIFY(!out.params.empty());
        window.applyFitted();
        for (std::size_t k = 0; k < out.params.size(); ++k) {
            const QString value = QString::fromStdString(dynfit::shortestText(out.params[k]));
            QVERIFY2(window.editor()->text().contains(" = " + value + "    #"), qPrintable(value));
        }
    }

    // 4. Edit a value, press Down, type the next: both edits land, no warning; an edit keeps
    // the Fitted column; bounds are editable.
    void keyboardEditThenMoveKeepsBothEdits() {
        MainWindow window;
        window.show();
        QApplication::setActiveWindow(&window);
        QVERIFY(QTest::qWaitForWindowActive(&window));
        QVERIFY(window.openProject(bundled("lotka_volterra")));
        const auto out = fit(window, "lm", 100);
        QVERIFY(window.parameterTable()->hasFitted());
        QTableView* view = window.parameterView();
        view->setFocus();
        view->setCurrentIndex(window.parameterTable()->index(0, ParameterTableModel::Value));
        QVERIFY(QApplication::focusWidget() == view);
        WarningCatcher catcher;
        type("2.5");
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Down);
        QCOMPARE(view->currentIndex().row(), 1);
        type("0.5");
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Return);
        QTest::qWait(10); // the delegate commits on Return through a queued call
        const QString text = window.editor()->text();
        QVERIFY2(text.contains("param α = 2.5    #") && text.contains("param β = 0.5    #"),
                 qPrintable(text));
        QVERIFY2(WarningCatcher::warnings().filter("closeEditor").isEmpty(),
                 qPrintable(WarningCatcher::warnings().join('\n')));
        QVERIFY(window.parameterTable()->hasFitted()); // the edit kept the fit's column
        QCOMPARE(window.parameterTable()
                     ->data(window.parameterTable()->index(2, ParameterTableModel::Fitted),
                            Qt::DisplayRole)
                     .toString(),
                 QString::number(out.params[2], 'g', 6));

        auto* table = window.parameterTable();
        const QModelIndex bounds = table->index(2, ParameterTableModel::Bounds);
        QVERIFY(table->setData(bounds, "0.5, 5", Qt::EditRole));
        QVERIFY2(window.editor()->text().contains("param γ = 3.0 in [0.5, 5]    #"),
                 qPrintable(window.editor()->text()));
        QVERIFY(!table->setData(bounds, "4, 5", Qt::EditRole)); // the value 3 is outside
        QVERIFY(window.messageLog()->entries().back().text.contains("outside [4, 5]"));
        QVERIFY(table->setData(bounds, "", Qt::EditRole));
        QVERIFY(window.editor()->text().contains("param γ = 3.0    #"));
    }

    // 5. Toggling a view setting after a fit keeps drawing the fitted values, and says so.
    void resimulationKeepsTheFittedCurve() {
        MainWindow window;
        QVERIFY(window.openProject(bundled("lotka_volterra")));
        const auto out = fit(window, "lbfgs", 100);
        QVERIFY(window.showsFitted());
        QCOMPARE(window.drawnParams(), out.params);
        QVERIFY(window.curveSourceText().contains("fitted values"));
        auto* plot = window.solutionPlot()->plot();
        const auto lineValues = [plot] {
            QVector<double> v;
            for (auto it = plot->graph(plot->graphCount() - 1)->data()->constBegin();
                 it != plot->graph(plot->graphCount() - 1)->data()->constEnd(); ++it) {
                v << it->value;
            }
            return v;
        };
        const QVector<double> fitted = lineValues();
        QAction* logValues = nullptr;
        for (QAction* a : window.findChildren<QAction*>()) {
            logValues = a->text() == "Logarithmic &values" ? a : logValues;
        }
        QVERIFY(logValues != nullptr);
        logValues->toggle();
        logValues->toggle();
        QCOMPARE(lineValues(), fitted);
        QCOMPARE(window.drawnParams(), out.params);
        window.discardFitted();
        QVERIFY(!window.showsFitted());
        QVERIFY(window.curveSourceText().contains("model's values"));
        QVERIFY(lineValues() != fitted);
    }

    // 6. Every panel can be closed and brought back from View; View ▸ Reset layout restores
    // them all.
    void everyPanelComesBackFromView() {
        MainWindow window;
        window.show();
        QMenu* view = nullptr;
        for (QAction* a : window.menuBar()->actions()) {
            view = a->text() == "&View" ? a->menu() : view;
        }
        QVERIFY(view != nullptr);
        const auto docks = window.docks();
        QVERIFY(docks.size() >= 4); // model, fit, sliders, messages
        for (QDockWidget* dock : docks) {
            dock->close();
            QVERIFY(!dock->isVisible());
            QAction* toggle = nullptr;
            for (QAction* a : view->actions()) {
                toggle = a->text() == dock->windowTitle() + " panel" ? a : toggle;
            }
            QVERIFY2(toggle != nullptr, qPrintable(dock->windowTitle()));
            toggle->trigger();
            QVERIFY(dock->isVisible());
        }
        for (QDockWidget* dock : docks) {
            dock->close();
        }
        window.resetLayout();
        for (QDockWidget* dock : docks) {
            QVERIFY2(dock->isVisible(), qPrintable(dock->windowTitle()));
        }
    }

    // 7. A long message, cut in the status bar, is whole in the message log with its time.
    void longMessagesAreReadableInTheLog() {
        MainWindow window;
        QVERIFY(window.openProject(bundled("rober")));
        window.methodBox()->setCurrentText("Tsit5"); // ROBER is stiff: Tsit5 stops, long advice
        const auto& entries = window.messageLog()->entries();
        QVERIFY(!entries.empty());
        const QString last = entries.back().text;
        QVERIFY2(last.startsWith("Tsit5 stopped: MaxIters at t = ") && last.size() > 120,
                 qPrintable(last));
        QCOMPARE(entries.back().level, dynfit::ui::MessageLevel::Warning);
        QVERIFY(window.messageLog()->plainText().contains(last));
        QVERIFY(window.statusBar()->toolTip() == last);
        // Copyable: the log's text view is selectable.
        auto* text = window.messageLog()->findChild<QPlainTextEdit*>("messageLogText");
        QVERIFY(text->textInteractionFlags() & Qt::TextSelectableByMouse);
        QVERIFY(text->toPlainText().contains(last.left(60)));
    }

    // 8. File handling: Save adds .dynfit; the unsaved-changes question offers Save; an export
    // without an extension takes the chosen type's; import matches columns to states whatever
    // the case; an empty animation says so before asking for a name; Apply is off while the
    // model has errors; restarting opens the last project; the table needs no horizontal
    // scrolling at 1600 px; the legend covers no curve; the phase plane cuts off no data.
    void saveAddsTheExtension() {
        QTemporaryDir dir;
        MainWindow window;
        QVERIFY(window.openProject(bundled("lotka_volterra")));
        QVERIFY(window.saveProject(dir.filePath("plain")));
        QVERIFY(QFile::exists(dir.filePath("plain.dynfit")));
        QVERIFY(window.projectPath().endsWith("plain.dynfit"));
        QCOMPARE(
            MainWindow::startupProject(),
            QFileInfo(dir.filePath("plain.dynfit")).absoluteFilePath()); // what a restart opens
    }

    void unsavedChangesOfferSave() {
        MainWindow window;
        window.show();
        QVERIFY(window.openProject(bundled("lotka_volterra")));
        window.methodBox()->setCurrentText("Vern7");
        QVERIFY(window.isDirty());
        bool sawSave = false;
        QTimer::singleShot(0, &window, [&] {
            auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
            QVERIFY(box != nullptr);
            sawSave = box->button(QMessageBox::Save) != nullptr
                      && box->button(QMessageBox::Discard) != nullptr;
            box->button(QMessageBox::Cancel)->click();
        });
        QVERIFY(!window.close()); // cancelled: the window and its changes stay
        QVERIFY(sawSave);
        QVERIFY(window.isDirty());
    }

    void exportTakesTheChosenType() {
        QTemporaryDir dir;
        MainWindow window;
        QVERIFY(window.openProject(bundled("lotka_volterra")));
        QAction* exportTime = window.findChild<QAction*>("exportPlot0");
        QVERIFY(exportTime != nullptr);
        QTimer::singleShot(0, &window, [&] {
            auto* dialog = qobject_cast<QFileDialog*>(QApplication::activeModalWidget());
            QVERIFY(dialog != nullptr);
            dialog->setDirectory(dir.path());
            auto* types = dialog->findChild<QComboBox*>("fileTypeCombo");
            QVERIFY(types != nullptr);
            const int svg = types->findText("SVG (*.svg)");
            types->setCurrentIndex(svg);
            emit types->activated(svg); // as a user's choice does
            emit types->textActivated(types->itemText(svg));
            dialog->findChild<QLineEdit*>("fileNameEdit")->setText("plot");
            QMetaObject::invokeMethod(dialog, "accept"); // as the Save button does
        });
        exportTime->trigger();
        QVERIFY(QFile::exists(dir.filePath("plot.svg")));
        QVERIFY(readAll(dir.filePath("plot.svg")).contains("<svg"));
    }

    void importMatchesColumnsWhateverTheCase() {
        dynfit::ui::CsvImportModel m;
        m.setStates({"lynx", "hare"});
        m.setText("Year,Lynx, HARE \n1900,4,30\n1901,6,47\n");
        QCOMPARE(m.mappedState("Lynx"), QString("lynx"));
        QCOMPARE(m.mappedState(" HARE "), QString("hare"));
        QVERIFY(m.isValid());
    }

    void emptyAnimationSaysSoFirst() {
        MainWindow window;
        QVERIFY(window.openProject(bundled("lotka_volterra")));
        bool dialogShown = false;
        QTimer::singleShot(0, &window, [&] {
            if (QWidget* modal = QApplication::activeModalWidget()) {
                dialogShown = true;
                modal->close();
            }
        });
        window.findChild<QAction*>("exportAnimation")->trigger();
        QTest::qWait(20);
        QVERIFY(!dialogShown);
        QVERIFY(window.messageLog()->entries().back().text.startsWith("No training animation"));
    }

    void applyIsOffWhileTheModelHasErrors() {
        MainWindow window;
        QVERIFY(window.openProject(bundled("lotka_volterra")));
        (void)fit(window, "lm", 100); // only the fitted column matters here
        auto* apply = window.findChild<QPushButton*>("apply");
        QVERIFY(apply->isEnabled());
        QString text = window.editor()->text();
        window.editor()->textEdit()->setPlainText(text.replace("δ*x*y", "δ*x*yy"));
        window.editor()->compileNow();
        QVERIFY(window.editor()->model() == nullptr);
        QVERIFY(!apply->isEnabled());
        window.applyFitted();
        QVERIFY(window.messageLog()->entries().back().text.contains("the model has errors"));
    }

    void wideWindowShowsEveryColumn() {
        MainWindow window;
        window.resize(1600, 900);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(window.openProject(bundled("rober"))); // long bounds, fitted values, changes
        (void)fit(window, "lm", 10);
        QTest::qWait(50);
        QTableView* view = window.parameterView();
        const int right = view->columnViewportPosition(ParameterTableModel::Change)
                          + view->columnWidth(ParameterTableModel::Change);
        qInfo("table viewport %d px, columns end at %d px", view->viewport()->width(), right);
        QVERIFY(right <= view->viewport()->width());
        QCOMPARE(view->horizontalScrollBar()->maximum(), 0);
    }

    void legendCoversNoCurve() {
        MainWindow window;
        window.resize(1600, 900);
        window.show();
        QVERIFY(window.openProject(bundled("lotka_volterra")));
        window.solutionPlot()->plot()->replot();
        const QRectF legend = window.solutionPlot()->legendRect();
        QVERIFY(legend.isValid());
        for (const QRectF& r : window.solutionPlot()->plotRects()) {
            QVERIFY(!legend.intersects(r));
        }
    }

    void phasePlaneCutsOffNoData() {
        MainWindow window;
        QVERIFY(window.openProject(bundled("lotka_volterra_ude")));
        QCustomPlot* plot = window.phasePlot()->plot();
        QVERIFY(plot->graphCount() >= 1);
        double xMin = 1e300, xMax = -1e300, yMin = 1e300, yMax = -1e300;
        for (auto it = plot->graph(0)->data()->constBegin();
             it != plot->graph(0)->data()->constEnd(); ++it) {
            xMin = std::min(xMin, it->key);
            xMax = std::max(xMax, it->key);
            yMin = std::min(yMin, it->value);
            yMax = std::max(yMax, it->value);
        }
        // Strictly inside, with room for the markers' radius.
        QVERIFY(plot->xAxis->range().lower < xMin && plot->xAxis->range().upper > xMax);
        QVERIFY(plot->yAxis->range().lower < yMin && plot->yAxis->range().upper > yMax);
    }
};

QTEST_MAIN(TestFirstHour)
#include "tst_first_hour.moc"
