// SPDX-License-Identifier: MIT
// The DynFit main window.
#include "main_window.hpp"

#include "examples/lotka_volterra.hpp"
#include "solution_plot.hpp"
#include "solvers/methods.hpp"

#include <QComboBox>
#include <QDockWidget>
#include <QDoubleValidator>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QStatusBar>
#include <QVBoxLayout>

namespace dynfit::ui {

namespace {

QLineEdit* toleranceEdit(double value, QWidget* parent) {
    auto* edit = new QLineEdit(QString::number(value, 'g', 3), parent);
    auto* validator = new QDoubleValidator(1e-14, 1.0, 14, edit);
    validator->setNotation(QDoubleValidator::ScientificNotation);
    edit->setValidator(validator);
    return edit;
}

} // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent), m_plot(new SolutionPlot(this)), m_method(new QComboBox(this)),
      m_reltol(toleranceEdit(1e-6, this)), m_abstol(toleranceEdit(1e-6, this)),
      m_simulate(new QPushButton(tr("Simulate"), this)) {
    setWindowTitle(tr("DynFit — Lotka–Volterra (example)"));
    setCentralWidget(m_plot);
    auto* dock = new QDockWidget(tr("Solver"), this);
    dock->setObjectName("solverDock");
    dock->setWidget(buildSolverPanel());
    dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable);
    addDockWidget(Qt::LeftDockWidgetArea, dock);
    connect(m_simulate, &QPushButton::clicked, this, &MainWindow::simulate);
    connect(m_method, &QComboBox::currentIndexChanged, this, &MainWindow::simulate);
    connect(m_reltol, &QLineEdit::editingFinished, this, &MainWindow::simulate);
    connect(m_abstol, &QLineEdit::editingFinished, this, &MainWindow::simulate);
    resize(1100, 680);
    simulate();
}

QWidget* MainWindow::buildSolverPanel() {
    for (const auto& info : ode::explicitMethods()) {
        const QString name = QString::fromUtf8(info.name.data(), qsizetype(info.name.size()));
        m_method->addItem(name);
        m_method->setItemData(m_method->count() - 1,
                              tr("order %1, %2")
                                  .arg(info.order)
                                  .arg(info.errorOrder > 0 ? tr("adaptive") : tr("fixed step")),
                              Qt::ToolTipRole);
    }
    m_method->setCurrentText("Tsit5");

    auto* panel = new QWidget(this);
    auto* form = new QFormLayout;
    form->addRow(tr("Method"), m_method);
    form->addRow(tr("Relative tolerance"), m_reltol);
    form->addRow(tr("Absolute tolerance"), m_abstol);
    auto* model = new QLabel(tr("<b>Model</b><br>x′ = αx − βxy<br>y′ = −γy + δxy<br>"
                                "α = 1.5, β = 1, γ = 3, δ = 1<br>x(0) = y(0) = 1, t ∈ [0, 10]"),
                             panel);
    model->setTextFormat(Qt::RichText);
    auto* layout = new QVBoxLayout(panel);
    layout->addWidget(model);
    layout->addLayout(form);
    layout->addWidget(m_simulate);
    layout->addStretch(1);
    panel->setMinimumWidth(240);
    return panel;
}

void MainWindow::simulate() {
    const auto run =
        examples::runLotkaVolterra(m_method->currentText().toStdString(),
                                   m_reltol->text().toDouble(), m_abstol->text().toDouble(), 0.02);
    m_plot->showSolution(run.stateNames, run.t, run.columns);
    if (run.status != SolveStatus::Success) {
        statusBar()->showMessage(
            tr("%1 failed: %2").arg(m_method->currentText(), QString::fromStdString(run.message)));
        return;
    }
    statusBar()->showMessage(tr("%1: %2 steps (%3 rejected), %4 f evaluations, %5 ms")
                                 .arg(m_method->currentText())
                                 .arg(run.stats.nAccepted)
                                 .arg(run.stats.nRejected)
                                 .arg(run.stats.nRhs)
                                 .arg(run.seconds * 1e3, 0, 'f', 3));
}

} // namespace dynfit::ui
