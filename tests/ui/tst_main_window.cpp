// SPDX-License-Identifier: MIT
// The main window: shows the example at start, re-solves when the method changes.
#include "main_window.hpp"
#include "solution_plot.hpp"

#include <QComboBox>
#include <QStatusBar>
#include <QTest>

using dynfit::ui::MainWindow;

class TestMainWindow : public QObject {
    Q_OBJECT
  private slots:
    void showsExampleOnStart() {
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QCOMPARE(window.solutionPlot()->curveCount(), 2);
        QCOMPARE(window.solutionPlot()->pointCount(0), 501); // saved every 0.02 on [0, 10]
        QVERIFY(window.statusBar()->currentMessage().startsWith("Tsit5:"));
    }

    void changingMethodResolves() {
        MainWindow window;
        window.methodBox()->setCurrentText("Vern7");
        QVERIFY(window.statusBar()->currentMessage().startsWith("Vern7:"));
        window.methodBox()->setCurrentText("RK4");
        QVERIFY(window.statusBar()->currentMessage().startsWith("RK4:"));
        QCOMPARE(window.solutionPlot()->pointCount(1), 501);
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_main_window.moc"
