// SPDX-License-Identifier: MIT
// What COPASI and Berkeley Madonna users reach for: parameter sliders (a preview while dragging,
// one undoable edit on release), Help (the language reference generated from the engine's own
// list of words, F1 on a word, shortcuts), choosing what is plotted (series, data sets, layouts,
// expressions of the states and lets), and training frames that carry the iteration and loss.
#include "fit_session.hpp"
#include "help_dialog.hpp"
#include "main_window.hpp"
#include "message_log.hpp"
#include "model/vocabulary.hpp"
#include "model_editor.hpp"
#include "parameter_sliders.hpp"
#include "solution_plot.hpp"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QSettings>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBlock>
#include <QTextBrowser>
#include <QUndoStack>
#include <qcustomplot.h>

using dynfit::ui::MainWindow;
using dynfit::ui::SliderRange;

namespace {

QString bundled(const char* name) {
    return QStringLiteral(DYNFIT_PROJECTS_DIR "/") + name + ".dynfit";
}

// The values of the last graph drawn (a prediction line).
QVector<double> lastLine(const MainWindow& window) {
    QCustomPlot* plot = window.solutionPlot()->plot();
    QVector<double> values;
    const auto data = plot->graph(plot->graphCount() - 1)->data();
    for (auto it = data->constBegin(); it != data->constEnd(); ++it) {
        values << it->value;
    }
    return values;
}

QAction* actionNamed(const MainWindow& window, const QString& text) {
    for (QAction* a : window.findChildren<QAction*>()) {
        if (a->text() == text) {
            return a;
        }
    }
    return nullptr;
}

} // namespace

class TestAppTools : public QObject {
    Q_OBJECT
  private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
    }

    void sliderRanges() {
        dynfit::model::ParamInfo bounded{"k", 0.04, 1e-3, 1.0, true, {}, {}};
        const SliderRange log = SliderRange::of(bounded);
        QVERIFY(log.log);
        QCOMPARE(log.lower, 1e-3);
        QCOMPARE(log.upper, 1.0);
        QCOMPARE(log.valueAt(0), 1e-3);
        QCOMPARE(log.valueAt(SliderRange::kSteps), 1.0);
        QCOMPARE(log.valueAt(SliderRange::kSteps / 2), 0.03162); // the geometric middle
        QCOMPARE(log.positionOf(log.valueAt(700)), 700);
        dynfit::model::ParamInfo free{"a", 1.5, {}, {}, false, {}, {}};
        const SliderRange linear = SliderRange::of(free);
        QVERIFY(!linear.log);
        QCOMPARE(linear.lower, 0.0);
        QCOMPARE(linear.upper, 4.5);
        QCOMPARE(linear.positionOf(1.5), SliderRange::kSteps / 3);
    }

    // Dragging redraws with the slider's value and leaves the text alone; releasing writes it
    // as one undoable edit.
    void slidersPreviewThenCommitOnce() {
        MainWindow window;
        QVERIFY(window.openProject(bundled("lotka_volterra")));
        auto* sliders = window.sliders();
        QCOMPARE(sliders->sliderCount(), 4);
        QSlider* alpha = sliders->slider(0);
        const QString text = window.editor()->text();
        const QVector<double> before = lastLine(window);
        const int undoBefore = window.undoStack()->count();
        alpha->setSliderDown(true);
        for (int position = alpha->value(); position <= alpha->value() + 100; position += 10) {
            alpha->setValue(position);
            QCoreApplication::processEvents();
        }
        const double dragged = sliders->rangeOf(0).valueAt(alpha->value());
        QCOMPARE(window.editor()->text(), text); // nothing written while dragging
        QCOMPARE(window.drawnParams()[0], dragged);
        QVERIFY(lastLine(window) != before);
        QVERIFY(window.curveSourceText().contains("slider"));
        alpha->setSliderDown(false); // the release
        QCOMPARE(window.editor()->model()->defaultParams()[0], dragged);
        QVERIFY2(window.editor()->text().contains(
                     QString("param α = %1    #").arg(QString::number(dragged, 'g', 4))),
                 qPrintable(window.editor()->text()));
        QCOMPARE(window.undoStack()->count(), undoBefore + 1);
        window.undoStack()->undo();
        window.editor()->compileNow();
        QCOMPARE(window.editor()->model()->defaultParams()[0], 1.5);
        QCOMPARE(alpha->value(), sliders->rangeOf(0).positionOf(1.5)); // the slider follows
    }

    void logParamsGetLogSliders() {
        MainWindow window;
        QVERIFY(window.openProject(bundled("rober")));
        QCOMPARE(window.sliders()->sliderCount(), 3);
        for (int row = 0; row < 3; ++row) {
            QVERIFY(window.sliders()->rangeOf(row).log);
        }
        QCOMPARE(window.sliders()->rangeOf(1).lower, 1e6); // k2 in [1e6, 1e8]
        MainWindow spiral;
        QVERIFY(spiral.openProject(bundled("spiral_neural_ode")));
        QCOMPARE(spiral.sliders()->sliderCount(), 0); // weights get no sliders
    }

    // The reference lists every word of the language with its anchor; F1 on a word in the
    // editor opens its entry.
    void referenceHasEveryWord() {
        const QString html = dynfit::ui::languageReferenceHtml();
        for (const auto& w : dynfit::model::languageWords()) {
            const QString word = QString::fromUtf8(w.word.data(), qsizetype(w.word.size()));
            const QString anchor =
                dynfit::ui::languageAnchor(word, w.kind == dynfit::model::WordKind::Function);
            QVERIFY2(!anchor.isEmpty() && html.contains("name=\"" + anchor + "\""),
                     qPrintable(word));
            QVERIFY2(html.contains(word.toHtmlEscaped()), qPrintable(word));
        }
        QCOMPARE(dynfit::ui::languageAnchor("log", true), QString("fn-log"));
        QCOMPARE(dynfit::ui::languageAnchor("log", false), QString("word-log"));
        QVERIFY(dynfit::ui::languageAnchor("nonsense").isEmpty());
    }

    void f1OpensTheWordUnderTheCursor() {
        MainWindow window;
        window.show();
        QApplication::setActiveWindow(&window);
        QVERIFY(QTest::qWaitForWindowActive(&window));
        QVERIFY(window.openProject(bundled("lotka_volterra")));
        QPlainTextEdit* edit = window.editor()->textEdit();
        edit->setFocus();
        const QTextBlock tspan = edit->document()->findBlockByNumber(12); // "tspan = 0 .. 10"
        QVERIFY2(tspan.text().startsWith("tspan"), qPrintable(tspan.text()));
        QTextCursor cursor(tspan);
        cursor.movePosition(QTextCursor::Right, QTextCursor::MoveAnchor, 2);
        edit->setTextCursor(cursor);
        QTest::keyClick(edit, Qt::Key_F1);
        auto* reference = window.languageReference();
        QTRY_VERIFY(reference->isVisible());
        QCOMPARE(reference->currentAnchor(), QString("word-tspan"));
        cursor.movePosition(QTextCursor::Right, QTextCursor::MoveAnchor, 9); // on ".."
        edit->setTextCursor(cursor);
        QTest::keyClick(edit, Qt::Key_F1);
        QCOMPARE(reference->currentAnchor(), QString("word-u002eu002e"));
    }

    void shortcutsForTheCommonCommands() {
        MainWindow window;
        const std::pair<const char*, QKeySequence> expected[] = {
            {"&Simulate", QKeySequence(Qt::Key_F5)},
            {"&Fit", QKeySequence("Ctrl+R")},
            {"S&top", QKeySequence("Ctrl+.")},
            {"Save &As…", QKeySequence("Ctrl+Shift+S")},
            {"&Model language", QKeySequence(Qt::Key_F1)}};
        for (const auto& [text, keys] : expected) {
            QAction* a = actionNamed(window, text);
            QVERIFY2(a != nullptr, text);
            QCOMPARE(a->shortcut(), keys);
        }
        QList<QAction*> all = window.findChildren<QAction*>();
        QVERIFY(dynfit::ui::shortcutsHtml(all).contains("Ctrl+R"));
    }

    // Which series, which layout, which data sets; expressions of the states and of lets.
    void choosingWhatIsPlotted() {
        MainWindow window;
        QVERIFY(window.openProject(bundled("lotka_volterra")));
        auto* plot = window.solutionPlot();
        QVERIFY(plot->legendNames().contains("y"));
        window.setSeriesShown("y", false);
        QVERIFY(!plot->legendNames().contains("y"));
        window.setSeriesShown("y", true);
        QVERIFY(plot->legendNames().contains("y"));
        window.setPlotLayout(dynfit::project::PlotLayout::Stacked);
        QCOMPARE(plot->plotCount(), 2);
        const auto rects = plot->plotRects();
        QVERIFY(rects[0].bottom() <= rects[1].top() + 1); // one above the other
        window.setPlotLayout(dynfit::project::PlotLayout::SideBySide);
        QCOMPARE(plot->plotCount(), 2);
        QVERIFY(window.setPlotExpressions("x + y\nx*y"));
        QVERIFY(plot->legendNames().contains("x + y"));
        QCOMPARE(plot->plotCount(), 4);
        // The expression is x + y at every drawn time.
        QCustomPlot* p = plot->plot();
        const auto xs = p->graph(p->graphCount() - 4)->data();
        const auto sums = p->graph(p->graphCount() - 2)->data();
        QCOMPARE(p->graph(p->graphCount() - 2)->name(), QString("x + y"));
        const auto ys = p->graph(p->graphCount() - 3)->data();
        for (int k = 0; k < xs->size(); k += 37) {
            QCOMPARE((xs->constBegin() + k)->value + (ys->constBegin() + k)->value,
                     (sums->constBegin() + k)->value);
        }
        QVERIFY(!window.setPlotExpressions("x + zz"));
        QVERIFY(window.messageLog()->entries().back().text.startsWith(
            "Plot expression 1, column 5: unknown name 'zz'"));
        // The choices are the project's: undoable and saved.
        QVERIFY(window.setPlotExpressions("x*y"));
        QTemporaryDir dir;
        QVERIFY(window.saveProject(dir.filePath("view.dynfit")));
        MainWindow reopened;
        QVERIFY(reopened.openProject(dir.filePath("view.dynfit")));
        QCOMPARE(reopened.currentProject().view.expressions, std::string("x*y"));
        QCOMPARE(reopened.currentProject().view.layout, dynfit::project::PlotLayout::SideBySide);
        QVERIFY(reopened.solutionPlot()->legendNames().contains("x*y"));
    }

    void letsArePlottable() {
        MainWindow window;
        QVERIFY(window.openProject(bundled("rober")));
        QVERIFY(window.setPlotExpressions("slow\ny1 + y2 + y3"));
        QVERIFY(window.solutionPlot()->legendNames().contains("slow"));
        // Mass is conserved: y1 + y2 + y3 = 1 along the whole drawn curve.
        QCustomPlot* p = window.solutionPlot()->plot();
        const auto total = p->graph(p->graphCount() - 1)->data();
        QCOMPARE(p->graph(p->graphCount() - 1)->name(), QString("y1 + y2 + y3"));
        for (auto it = total->constBegin(); it != total->constEnd(); ++it) {
            QVERIFY(std::abs(it->value - 1.0) < 1e-6);
        }
    }

    void severalDataSetsAtOnce() {
        MainWindow window;
        QVERIFY(window.openProject(bundled("lotka_volterra")));
        dynfit::project::DataSetEntry second;
        second.name = "second";
        second.csv = "t,x,y\n0,2,1\n5,1,1\n";
        second.initialValues = {{"x", 2.0}};
        window.addDataSet(second);
        QVERIFY(!window.solutionPlot()->legendNames().contains("x · constant one"));
        window.setDataSetsShown({"constant one", "second"});
        const QStringList legend = window.solutionPlot()->legendNames();
        QVERIFY2(legend.contains("x · constant one") && legend.contains("x · second"),
                 qPrintable(legend.join(", ")));
        window.undoStack()->undo();
        QVERIFY(!window.solutionPlot()->legendNames().contains("x · constant one"));
    }

    // Each frame of the training animation names its iteration and loss.
    void framesCarryTheIterationAndLoss() {
        MainWindow window;
        QVERIFY(window.openProject(bundled("lotka_volterra")));
        window.findChild<QSpinBox*>("iterations")->setValue(20);
        QSignalSpy finished(&window, &MainWindow::fitFinished);
        std::vector<std::size_t> curvePoints; // the live curves are drawn on the display grid
        connect(window.session(), &dynfit::ui::FitSession::progress, this,
                [&](const dynfit::ui::FitSnapshot& s) {
                    curvePoints.push_back(s.curves.empty() ? 0 : s.curves.front().t.size());
                });
        window.startFit();
        QVERIFY(finished.wait(60000));
        QVERIFY(!curvePoints.empty());
        for (const std::size_t points : curvePoints) {
            QCOMPARE(points, std::size_t(400));
        }
        const auto& captions = window.animationCaptions();
        QCOMPARE(int(captions.size()), window.animationFrameCount());
        QVERIFY(captions.front().startsWith("iteration 1 · loss "));
        const QString lastCaption = QString("iteration %1 · loss %2")
                                        .arg(window.lastOutcome()->iterations)
                                        .arg(window.lastOutcome()->lossFinal, 0, 'g', 4);
        QCOMPARE(captions.back(), lastCaption);
    }
};

QTEST_MAIN(TestAppTools)
#include "tst_app_tools.moc"
