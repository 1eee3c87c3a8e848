// SPDX-License-Identifier: MIT
// The DynFit main window: its panels, the prediction view, the window state.
#include "main_window.hpp"

#include "cuda/device_query.hpp"
#include "fit/simulation.hpp"
#include "fit_session.hpp"
#include "loss_plot.hpp"
#include "model_editor.hpp"
#include "parameter_table.hpp"
#include "phase_plot.hpp"
#include "project/project_fit.hpp"
#include "residual_chart.hpp"
#include "solution_plot.hpp"
#include "solvers/methods.hpp"
#include "undo_commands.hpp"

#include <QCloseEvent>
#include <QComboBox>
#include <QDockWidget>
#include <QDoubleValidator>
#include <QFileInfo>
#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QStandardItemModel>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QTextDocument>
#include <QUndoStack>
#include <QVBoxLayout>

namespace dynfit::ui {

namespace {

QLineEdit* numberEdit(double value, QWidget* parent, double lowest = 0.0) {
    auto* edit = new QLineEdit(QString::number(value, 'g', 6), parent);
    auto* validator = new QDoubleValidator(lowest, 1e300, 14, edit);
    validator->setNotation(QDoubleValidator::ScientificNotation);
    edit->setValidator(validator);
    return edit;
}

} // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent), m_editor(new ModelEditor(this)), m_plot(new SolutionPlot(this)),
      m_phase(new PhasePlot(this)), m_residuals(new ResidualChart(this)),
      m_loss(new LossPlot(this)), m_parameters(new ParameterTableModel(this)),
      m_parameterView(new QTableView(this)), m_session(new FitSession(this)),
      m_undo(new QUndoStack(this)) {
    auto* splitter = new QSplitter(Qt::Vertical, this);
    m_views = new QTabWidget(splitter);
    m_views->addTab(m_plot, tr("Time series"));
    m_views->addTab(m_phase, tr("Phase plane"));
    m_views->addTab(m_residuals, tr("Residuals"));
    splitter->addWidget(m_views);
    splitter->addWidget(m_loss);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);
    setCentralWidget(splitter);

    auto* modelDock = new QDockWidget(tr("Model"), this);
    modelDock->setObjectName("modelDock");
    modelDock->setWidget(m_editor);
    addDockWidget(Qt::LeftDockWidgetArea, modelDock);

    auto* fitDock = new QDockWidget(tr("Fit"), this);
    fitDock->setObjectName("fitDock");
    fitDock->setWidget(buildSettingsPanel());
    addDockWidget(Qt::RightDockWidgetArea, fitDock);

    resizeDocks({modelDock, fitDock}, {430, 400}, Qt::Horizontal);
    buildMenus();
    connect(m_editor, &ModelEditor::compiled, this, [this] { onCompiled(); });
    connect(m_editor, &ModelEditor::textEdited, this, [this] { setDirty(true); });
    connect(m_parameters, &ParameterTableModel::valueEdited, this, &MainWindow::setParameterValue);
    connect(m_parameters, &ParameterTableModel::fixedChanged, this, [this] {
        const auto fixed = m_parameters->fixed();
        changeProject(tr("hold params fixed"),
                      [fixed](project::Project& p) { p.fit.fixed = fixed; });
    });
    QTextDocument* document = m_editor->textEdit()->document();
    connect(document, &QTextDocument::undoCommandAdded, this,
            [this, document] { m_undo->push(new TextEditCommand(document)); });
    connect(m_session, &FitSession::progress, this, &MainWindow::onProgress);
    connect(m_session, &FitSession::finished, this, &MainWindow::onFinished);
    resize(1320, 800);
    QSettings settings;
    restoreGeometry(settings.value("window/geometry").toByteArray());
    restoreState(settings.value("window/state").toByteArray());
    showProject(project::Project{kNewModelText, {}, {}, {}, {}});
}

MainWindow::~MainWindow() = default;

QWidget* MainWindow::buildSettingsPanel() {
    auto* panel = new QWidget(this);
    m_method = new QComboBox(panel);
    m_method->setObjectName("method");
    for (const auto& info : ode::allMethods()) {
        const QString name = QString::fromUtf8(info.name.data(), qsizetype(info.name.size()));
        m_method->addItem(name, name);
        m_method->setItemData(
            m_method->count() - 1,
            QString::fromUtf8(info.summary.data(), qsizetype(info.summary.size())),
            Qt::ToolTipRole);
    }
    m_reltol = numberEdit(1e-6, panel);
    m_abstol = numberEdit(1e-8, panel);
    m_gradient = new QComboBox(panel);
    for (const char* name : {"reverse", "forward", "interpolating", "quadrature", "backsolve"}) {
        m_gradient->addItem(name);
    }
    m_optimizer = new QComboBox(panel);
    m_optimizer->addItem(tr("L-BFGS-B"), "lbfgs");
    m_optimizer->addItem(tr("Adam"), "adam");
    m_optimizer->addItem(tr("Levenberg–Marquardt"), "lm");
    m_learningRate = numberEdit(0.05, panel);
    m_iterations = new QSpinBox(panel);
    m_iterations->setRange(1, 1000000);
    m_iterations->setValue(200);
    m_device = new QComboBox(panel);
    m_device->addItem(tr("CPU"));
    const auto devices = device::queryDevices();
    m_device->addItem(devices.hasGpu() ? QString::fromStdString(devices.gpus.front().name)
                                       : tr("GPU (unavailable)"));
    if (!devices.hasGpu()) {
        auto* items = qobject_cast<QStandardItemModel*>(m_device->model());
        items->item(1)->setEnabled(false);
        items->item(1)->setToolTip(QString::fromStdString(devices.reason));
    }

    auto* form = new QFormLayout;
    form->addRow(tr("Solver"), m_method);
    form->addRow(tr("Relative tolerance"), m_reltol);
    form->addRow(tr("Absolute tolerance"), m_abstol);
    m_t0 = numberEdit(0.0, panel, -1e300);
    m_t1 = numberEdit(0.0, panel, -1e300);
    m_t0->setObjectName("t0");
    m_t1->setObjectName("t1");
    auto* span = new QHBoxLayout;
    for (QLineEdit* end : {m_t0, m_t1}) {
        end->clear();
        end->setPlaceholderText(tr("model's"));
        end->setToolTip(tr("Leave both empty for the model's own tspan"));
        span->addWidget(end);
        if (end == m_t0) {
            span->addWidget(new QLabel(tr("to"), panel));
        }
    }
    form->addRow(tr("Time span"), span);
    m_points = new QSpinBox(panel);
    m_points->setObjectName("points");
    m_points->setRange(project::ViewSettings::kMinPoints, project::ViewSettings::kMaxPoints);
    m_points->setValue(project::ViewSettings{}.points);
    m_points->setToolTip(tr("Points of the drawn prediction (fits use the data times)"));
    form->addRow(tr("Plot points"), m_points);
    form->addRow(tr("Gradient"), m_gradient);
    form->addRow(tr("Optimiser"), m_optimizer);
    form->addRow(tr("Learning rate"), m_learningRate);
    form->addRow(tr("Iterations"), m_iterations);
    form->addRow(tr("Device"), m_device);
    m_dataSet = new QComboBox(panel);
    m_dataSet->setToolTip(tr("The data set the plots show (a fit uses them all)"));
    connect(m_dataSet, &QComboBox::activated, this, &MainWindow::simulate);
    form->addRow(tr("Data set shown"), m_dataSet);

    m_simulate = new QPushButton(tr("Simulate"), panel);
    m_fit = new QPushButton(tr("Fit"), panel);
    m_fit->setDefault(true);
    m_pause = new QPushButton(tr("Pause"), panel);
    m_stop = new QPushButton(tr("Stop"), panel);
    m_apply = new QPushButton(tr("Apply fitted values"), panel);
    connect(m_simulate, &QPushButton::clicked, this, &MainWindow::simulate);
    connect(m_fit, &QPushButton::clicked, this, &MainWindow::startFit);
    connect(m_pause, &QPushButton::clicked, this, &MainWindow::togglePause);
    connect(m_stop, &QPushButton::clicked, this, &MainWindow::stopFit);
    connect(m_apply, &QPushButton::clicked, this, &MainWindow::applyFitted);
    for (QComboBox* box : {m_method, m_gradient, m_optimizer}) {
        connect(box, &QComboBox::currentIndexChanged, this, &MainWindow::settingsEdited);
    }
    for (QLineEdit* edit : {m_reltol, m_abstol, m_learningRate}) {
        connect(edit, &QLineEdit::editingFinished, this, &MainWindow::settingsEdited);
    }
    for (QLineEdit* end : {m_t0, m_t1}) {
        connect(end, &QLineEdit::editingFinished, this, [this] {
            settingsEdited();
            simulate();
        });
    }
    connect(m_iterations, &QSpinBox::valueChanged, this, &MainWindow::settingsEdited);
    connect(m_points, &QSpinBox::editingFinished, this, [this] {
        settingsEdited();
        simulate();
    });
    connect(m_method, &QComboBox::currentIndexChanged, this, &MainWindow::simulate);

    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_simulate);
    buttons->addWidget(m_fit);
    buttons->addWidget(m_pause);
    buttons->addWidget(m_stop);

    m_parameterView->setModel(m_parameters);
    m_parameterView->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_parameterView->horizontalHeader()->setStretchLastSection(true);
    m_parameterView->verticalHeader()->hide();
    m_parameterView->setAlternatingRowColors(true);

    auto* layout = new QVBoxLayout(panel);
    layout->addLayout(form);
    layout->addLayout(buttons);
    layout->addWidget(m_parameterView, 1);
    layout->addWidget(m_apply);
    panel->setMinimumWidth(380);
    return panel;
}

// The project's data sets read and matched to the model, once per change of either.
void MainWindow::matchData() {
    m_experiments.clear();
    m_dataError.clear();
    const auto model = m_editor->model();
    if (model && !project::buildExperiments(m_project, *model, m_experiments, m_dataError)) {
        m_experiments.clear();
    }
}

void MainWindow::onCompiled() {
    const auto model = m_editor->model();
    m_parameters->setModel(model.get());
    m_parameters->setFixed(m_project.fit.fixed);
    matchData();
    updateButtons();
    if (model) {
        simulate();
    } else if (!m_editor->messages().isEmpty()) {
        statusBar()->showMessage(tr("The model has errors: %1").arg(m_editor->messages().first()));
    }
}

bool MainWindow::drawPrediction(const std::vector<double>& params) {
    const auto model = m_editor->model();
    if (!model) {
        return false;
    }
    const project::Project p = currentProject();
    fit::FitOptions options;
    std::string error;
    if (!project::fitOptionsOf(p, options, error)) {
        statusBar()->showMessage(QString::fromStdString(error));
        return false;
    }
    const auto& experiments = m_experiments;
    const bool hasData = !experiments.empty();
    const std::size_t shown = hasData ? std::min(shownDataSet(), experiments.size() - 1) : 0;
    fit::SimulationRequest request;
    request.params = params;
    request.span = p.solver.span;
    request.solver = options.solver;
    request.options = options.solve;
    request.logTime = p.view.logTime;
    request.points = p.view.points;
    if (hasData) {
        request.initialValues = experiments[shown].initialValues;
        request.observationTimes = experiments[shown].loss.saveTimes();
    }
    const auto sim = fit::simulate(*model, request);
    if (hasData) {
        const auto& e = experiments[shown];
        const auto data = e.loss.observedColumns(model->stateCount());
        m_plot->showFit(model->states, e.loss.saveTimes(), data, sim.t, sim.columns);
        m_phase->show(model->states, data, sim.columns);
        m_residuals->show(model->states, fit::residualsByState(e.loss, sim.atObservations));
    } else {
        m_plot->showFit(model->states, {}, {}, sim.t, sim.columns);
        m_phase->show(model->states, {}, sim.columns);
        m_residuals->clear();
    }
    if (!m_dataError.empty()) {
        statusBar()->showMessage(tr("Data: %1").arg(QString::fromStdString(m_dataError)));
        return false;
    }
    if (!sim.ok()) {
        // The solver's message says where it stopped and what to try.
        statusBar()->showMessage(
            tr("%1 stopped: %2").arg(m_method->currentText(), QString::fromStdString(sim.message)));
        return false;
    }
    return true;
}

void MainWindow::simulate() {
    const auto model = m_editor->model();
    if (!model) {
        return;
    }
    if (drawPrediction(model->defaultParams()) && !m_session->isRunning()) {
        statusBar()->showMessage(tr("Simulated with %1").arg(m_method->currentText()), 3000);
    }
}

void MainWindow::setDirty(bool dirty) {
    m_dirty = dirty;
    updateTitle();
}

void MainWindow::updateTitle() {
    const QString name = m_path.isEmpty() ? tr("untitled") : QFileInfo(m_path).fileName();
    setWindowTitle(QString("%1%2 — DynFit").arg(name, m_dirty ? "*" : ""));
}

void MainWindow::updateButtons() {
    const bool running = m_session->isRunning();
    const bool compiled = m_editor->model() != nullptr;
    m_simulate->setEnabled(compiled);
    m_fit->setEnabled(compiled && !running);
    m_pause->setEnabled(running);
    m_pause->setText(running && m_session->isPaused() ? tr("Resume") : tr("Pause"));
    m_stop->setEnabled(running);
    m_apply->setEnabled(!running && !m_fitted.empty());
}

bool MainWindow::confirmDiscard() {
    if (!m_dirty) {
        return true;
    }
    const auto answer = QMessageBox::question(
        this, tr("Unsaved changes"), tr("The project has unsaved changes. Discard them?"),
        QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Cancel);
    return answer == QMessageBox::Discard;
}

void MainWindow::closeEvent(QCloseEvent* event) {
    if (confirmDiscard()) {
        QSettings settings;
        settings.setValue("window/geometry", saveGeometry());
        settings.setValue("window/state", saveState());
        m_session->stop();
        event->accept();
    } else {
        event->ignore();
    }
}

} // namespace dynfit::ui
