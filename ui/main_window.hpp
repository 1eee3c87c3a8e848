// SPDX-License-Identifier: MIT
// The DynFit main window: solver settings beside a live plot of the bundled example.
#pragma once

#include <QMainWindow>

class QComboBox;
class QLineEdit;
class QPushButton;

namespace dynfit::ui {

class SolutionPlot;

/// For now: the seed's Lotka–Volterra example, a method picker, tolerances and the solution
/// plotted with QCustomPlot. Solving goes through the engine's example entry point.
class MainWindow : public QMainWindow {
    Q_OBJECT
  public:
    explicit MainWindow(QWidget* parent = nullptr);

    SolutionPlot* solutionPlot() const { return m_plot; }
    QComboBox* methodBox() const { return m_method; }

  public slots:
    /// Solves with the current settings and shows the result (or the failure) at once.
    void simulate();

  private:
    QWidget* buildSolverPanel();

    SolutionPlot* m_plot;
    QComboBox* m_method;
    QLineEdit* m_reltol;
    QLineEdit* m_abstol;
    QPushButton* m_simulate;
};

} // namespace dynfit::ui
