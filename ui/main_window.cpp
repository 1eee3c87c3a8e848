// SPDX-License-Identifier: MIT
// The DynFit main window.
#include "main_window.hpp"

#include "csv_import.hpp"
#include "cuda/device_query.hpp"
#include "fit/fit_problem.hpp"
#include "fit/simulation.hpp"
#include "fit_session.hpp"
#include "gif_writer.hpp"
#include "io/csv_data.hpp"
#include "loss_plot.hpp"
#include "model/rewrite.hpp"
#include "model_editor.hpp"
#include "parameter_table.hpp"
#include "phase_plot.hpp"
#include "project/project_fit.hpp"
#include "sensitivity/gradient.hpp"
#include "solution_plot.hpp"
#include "solvers/methods.hpp"
#include "undo_commands.hpp"

#include <QAction>
#include <QCloseEvent>
#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QDoubleValidator>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHeaderView>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSaveFile>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QStandardItemModel>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QUndoStack>
#include <QVBoxLayout>
#include <cmath>
#include <nlohmann/json.hpp>
#include <qcustomplot.h>

namespace dynfit::ui {

namespace {

const char* kNewModel = "# A new model: declare params, initial values and equations.\n"
                        "param k = 1.0 in [0, 10]\ninit x = 1\nd(x)/dt = -k*x\ntspan = 0 .. 5\n";

QLineEdit* numberEdit(double value, QWidget* parent) {
    auto* edit = new QLineEdit(QString::number(value, 'g', 6), parent);
    auto* validator = new QDoubleValidator(0.0, 1e6, 14, edit);
    validator->setNotation(QDoubleValidator::ScientificNotation);
    edit->setValidator(validator);
    return edit;
}

QString projectsDirectory() {
#ifdef DYNFIT_PROJECTS_DIR
    return QStringLiteral(DYNFIT_PROJECTS_DIR);
#else
    return QDir(QCoreApplication::applicationDirPath()).filePath("../share/dynfit/projects");
#endif
}

// The data of one experiment as columns by state (NaN where not observed).
std::vector<std::vector<double>> dataColumns(const fit::Experiment& e, int states) {
    const auto& times = e.loss.saveTimes();
    std::vector<std::vector<double>> columns(static_cast<std::size_t>(states),
                                             std::vector<double>(times.size(), std::nan("")));
    for (const auto& term : e.loss.terms()) {
        columns[static_cast<std::size_t>(term.state)][static_cast<std::size_t>(term.save)] =
            term.value;
    }
    return columns;
}

} // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent), m_editor(new ModelEditor(this)), m_plot(new SolutionPlot(this)),
      m_phase(new PhasePlot(this)), m_loss(new LossPlot(this)),
      m_parameters(new ParameterTableModel(this)), m_parameterView(new QTableView(this)),
      m_session(new FitSession(this)), m_undo(new QUndoStack(this)) {
    auto* splitter = new QSplitter(Qt::Vertical, this);
    auto* views = new QTabWidget(splitter);
    views->addTab(m_plot, tr("Time series"));
    views->addTab(m_phase, tr("Phase plane"));
    splitter->addWidget(views);
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
    showProject(project::Project{kNewModel, {}, {}, {}, {}});
}

MainWindow::~MainWindow() = default;

QWidget* MainWindow::buildSettingsPanel() {
    auto* panel = new QWidget(this);
    m_method = new QComboBox(panel);
    for (const auto& info : ode::explicitMethods()) {
        m_method->addItem(QString::fromUtf8(info.name.data(), qsizetype(info.name.size())));
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
    connect(m_iterations, &QSpinBox::valueChanged, this, &MainWindow::settingsEdited);
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

void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&New"), QKeySequence::New, this, [this] {
        if (confirmDiscard()) {
            m_path.clear();
            showProject(project::Project{kNewModel, {}, {}, {}, {}});
        }
    });
    file->addAction(tr("&Open…"), QKeySequence::Open, this, [this] {
        if (!confirmDiscard()) {
            return;
        }
        const QString path =
            QFileDialog::getOpenFileName(this, tr("Open project"), projectsDirectory(),
                                         tr("DynFit projects (*.dynfit);;Model texts (*.dyn)"));
        QString error;
        if (!path.isEmpty() && !openProject(path, &error)) {
            QMessageBox::warning(this, tr("Cannot open"), error);
        }
    });
    m_recentMenu = file->addMenu(tr("Open &recent"));
    fillRecentMenu();
    QMenu* examples = file->addMenu(tr("&Examples"));
    const QStringList bundled = {"lotka_volterra", "spiral_neural_ode", "lotka_volterra_ude",
                                 "rober"};
    for (const QString& name : bundled) {
        const QString path = QDir(projectsDirectory()).filePath(name + ".dynfit");
        examples->addAction(name, this, [this, path] {
            QString error;
            if (confirmDiscard() && !openProject(path, &error)) {
                QMessageBox::warning(this, tr("Cannot open"), error);
            }
        });
    }
    file->addAction(tr("&Save"), QKeySequence::Save, this, [this] {
        QString path = m_path;
        if (path.isEmpty() || !project::isProjectPath(path.toStdString())) {
            path = QFileDialog::getSaveFileName(this, tr("Save project"), QString(),
                                                tr("DynFit projects (*.dynfit)"));
        }
        QString error;
        if (!path.isEmpty() && !saveProject(path, &error)) {
            QMessageBox::warning(this, tr("Cannot save"), error);
        }
    });
    file->addAction(tr("Save &As…"), QKeySequence::SaveAs, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Save project"), QString(),
                                                          tr("DynFit projects (*.dynfit)"));
        QString error;
        if (!path.isEmpty() && !saveProject(path, &error)) {
            QMessageBox::warning(this, tr("Cannot save"), error);
        }
    });
    file->addSeparator();
    file->addAction(tr("Export &parameters…"), this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export parameters"), QString(),
                                                          tr("CSV (*.csv);;JSON (*.json)"));
        QString error;
        if (!path.isEmpty() && !exportParameters(path, &error)) {
            QMessageBox::warning(this, tr("Cannot export"), error);
        }
    });
    file->addAction(tr("Export p&lot…"), this, [this] {
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Export plot"), QString(), tr("PNG (*.png);;SVG (*.svg);;PDF (*.pdf)"));
        if (!path.isEmpty() && !exportPlot(path)) {
            QMessageBox::warning(this, tr("Cannot export"), tr("Cannot write %1").arg(path));
        }
    });
    for (const bool atData : {false, true}) {
        file->addAction(atData ? tr("Export prediction at the &data times…")
                               : tr("Export prediction on a &fine grid…"),
                        this, [this, atData] {
                            const QString path = QFileDialog::getSaveFileName(
                                this, tr("Export prediction"), QString(), tr("CSV (*.csv)"));
                            QString error;
                            if (!path.isEmpty() && !exportPrediction(path, atData, &error)) {
                                QMessageBox::warning(this, tr("Cannot export"), error);
                            }
                        });
    }
    file->addAction(tr("Export training &animation…"), this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export training animation"),
                                                          QString(), tr("GIF (*.gif)"));
        QString error;
        if (!path.isEmpty() && !exportAnimation(path, &error)) {
            QMessageBox::warning(this, tr("Cannot export"), error);
        }
    });
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    QAction* undo = m_undo->createUndoAction(this, tr("&Undo"));
    undo->setShortcut(QKeySequence::Undo);
    QAction* redo = m_undo->createRedoAction(this, tr("&Redo"));
    redo->setShortcut(QKeySequence::Redo);
    edit->addAction(undo);
    edit->addAction(redo);
    QMenu* data = menuBar()->addMenu(tr("&Data"));
    data->addAction(tr("&Import CSV…"), this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Import data"), QString(),
                                                          tr("CSV (*.csv *.txt *.tsv);;All (*)"));
        if (!path.isEmpty()) {
            importData(path);
        }
    });
    data->addAction(tr("&Remove all data sets"), this, [this] {
        changeProject(tr("remove the data sets"), [](project::Project& p) { p.data.clear(); });
    });
    QMenu* view = menuBar()->addMenu(tr("&View"));
    m_logTime = view->addAction(tr("&Logarithmic time"));
    m_logTime->setCheckable(true);
    connect(m_logTime, &QAction::toggled, this, [this](bool on) {
        m_plot->setLogTime(on);
        simulate();
    });
    m_logY = view->addAction(tr("Logarithmic &values"));
    m_logY->setCheckable(true);
    connect(m_logY, &QAction::toggled, this, [this](bool on) {
        m_plot->setLogValues(on);
        simulate();
    });
}

bool MainWindow::openProject(const QString& path, QString* error) {
    project::Project p;
    std::string why;
    if (project::isProjectPath(path.toStdString())) {
        if (!project::loadProjectFile(path.toStdString(), p, why)) {
            if (error != nullptr) {
                *error = QString::fromStdString(why);
            }
            return false;
        }
    } else {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            if (error != nullptr) {
                *error = tr("cannot read %1").arg(path);
            }
            return false;
        }
        p.modelText = QString::fromUtf8(file.readAll()).toStdString();
    }
    m_path = path;
    showProject(p);
    rememberRecent(path);
    return true;
}

void MainWindow::rememberRecent(const QString& path) {
    QSettings settings;
    QStringList recent = settings.value("recent").toStringList();
    recent.removeAll(QFileInfo(path).absoluteFilePath());
    recent.prepend(QFileInfo(path).absoluteFilePath());
    settings.setValue("recent", recent.mid(0, 8));
    fillRecentMenu();
}

void MainWindow::fillRecentMenu() {
    if (m_recentMenu == nullptr) {
        return;
    }
    m_recentMenu->clear();
    for (const QString& path : QSettings().value("recent").toStringList()) {
        m_recentMenu->addAction(QFileInfo(path).fileName(), this, [this, path] {
            QString error;
            if (confirmDiscard() && !openProject(path, &error)) {
                QMessageBox::warning(this, tr("Cannot open"), error);
            }
        });
    }
    m_recentMenu->setEnabled(!m_recentMenu->isEmpty());
}

void MainWindow::showProject(const project::Project& p) {
    if (m_session->isRunning()) {
        m_session->stop();
    }
    m_project = p;
    m_applying = true; // the widgets follow the project: not edits to record
    refreshDataSets();
    m_fitted.clear();
    m_outcome.reset();
    m_method->blockSignals(true);
    m_method->setCurrentText(QString::fromStdString(p.solver.method));
    m_method->blockSignals(false);
    m_reltol->setText(QString::number(p.solver.reltol, 'g', 6));
    m_abstol->setText(QString::number(p.solver.abstol, 'g', 6));
    m_gradient->setCurrentText(QString::fromStdString(p.fit.gradient));
    m_optimizer->setCurrentIndex(
        std::max(0, m_optimizer->findData(QString::fromStdString(p.fit.optimizer))));
    m_learningRate->setText(QString::number(p.fit.learningRate, 'g', 6));
    m_iterations->setValue(p.fit.iterations);
    m_logTime->setChecked(p.modelText.find("1e11") != std::string::npos); // ROBER's span
    m_loss->clear();
    for (const auto& h : p.history) {
        m_loss->addPoint(h.iteration, h.loss, h.gradientNorm);
    }
    m_applying = false;
    m_editor->setSeed(p.fit.seed); // network weights as dynfit-cli draws them for this project
    m_editor->setText(QString::fromStdString(p.modelText)); // compiles, then simulates
    m_undo->clear();                                        // a new project starts a new history
    m_settingsBefore = currentProject();
    setDirty(false);
}

project::Project MainWindow::currentProject() const {
    project::Project p = m_project;
    p.modelText = m_editor->text().toStdString();
    p.solver.method = m_method->currentText().toStdString();
    p.solver.reltol = m_reltol->text().toDouble();
    p.solver.abstol = m_abstol->text().toDouble();
    p.fit.gradient = m_gradient->currentText().toStdString();
    p.fit.optimizer = m_optimizer->currentData().toString().toStdString();
    p.fit.learningRate = m_learningRate->text().toDouble();
    p.fit.iterations = m_iterations->value();
    return p;
}

bool MainWindow::saveProject(const QString& path, QString* error) {
    std::string why;
    if (!project::saveProjectFile(path.toStdString(), currentProject(), why)) {
        if (error != nullptr) {
            *error = QString::fromStdString(why);
        }
        return false;
    }
    m_path = path;
    setDirty(false);
    rememberRecent(path);
    statusBar()->showMessage(tr("Saved %1").arg(QFileInfo(path).fileName()), 4000);
    return true;
}

void MainWindow::onCompiled() {
    const auto model = m_editor->model();
    m_parameters->setModel(model.get());
    m_parameters->setFixed(m_project.fit.fixed);
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
    std::vector<fit::Experiment> experiments;
    const bool hasData =
        !p.data.empty() && project::buildExperiments(p, *model, experiments, error);
    const std::size_t shown = hasData ? std::min(shownDataSet(), experiments.size() - 1) : 0;
    fit::SimulationRequest request;
    request.params = params;
    request.span = p.solver.span;
    request.solver = options.solver;
    request.options = options.solve;
    request.logTime = m_logTime->isChecked();
    if (hasData) {
        request.initialValues = experiments[shown].initialValues;
    }
    const auto sim = fit::simulate(*model, request);
    if (hasData) {
        const auto& e = experiments[shown];
        const auto data = dataColumns(e, model->stateCount());
        m_plot->showFit(model->states, e.loss.saveTimes(), data, sim.t, sim.columns);
        m_phase->show(model->states, data, sim.columns);
    } else {
        m_plot->showFit(model->states, {}, {}, sim.t, sim.columns);
        m_phase->show(model->states, {}, sim.columns);
    }
    if (!error.empty()) {
        statusBar()->showMessage(tr("Data: %1").arg(QString::fromStdString(error)));
        return false;
    }
    if (!sim.ok()) {
        statusBar()->showMessage(tr("%1 stopped at t = %2: %3")
                                     .arg(m_method->currentText())
                                     .arg(sim.t.empty() ? 0.0 : sim.t.back())
                                     .arg(QString::fromStdString(sim.message)));
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

void MainWindow::startFit() {
    const auto model = m_editor->model();
    if (!model || m_session->isRunning()) {
        return;
    }
    const project::Project p = currentProject();
    FitJob job;
    std::string error;
    if (!project::fitOptionsOf(p, job.options, error)
        || !project::buildExperiments(p, *model, job.experiments, error)) {
        statusBar()->showMessage(tr("Cannot fit: %1").arg(QString::fromStdString(error)));
        return;
    }
    if (job.experiments.empty()) {
        statusBar()->showMessage(tr("Cannot fit: the project has no data"));
        return;
    }
    job.model = model;
    job.initial = model->defaultParams();
    m_fitExperiments = job.experiments;
    m_project.history.clear();
    m_frames.clear();
    m_frameStride = 1;
    m_snapshotCount = 0;
    m_loss->clear();
    m_parameters->clearFitted();
    if (m_session->start(std::move(job))) {
        statusBar()->showMessage(tr("Fitting…"));
    }
    updateButtons();
}

void MainWindow::togglePause() {
    if (!m_session->isRunning()) {
        return;
    }
    if (m_session->isPaused()) {
        m_session->resume();
        statusBar()->showMessage(tr("Resumed"));
    } else {
        m_session->pause();
        statusBar()->showMessage(tr("Paused"));
    }
    updateButtons();
}

void MainWindow::stopFit() {
    m_session->stop();
}

void MainWindow::onProgress(const FitSnapshot& s) {
    m_project.history.push_back({s.iteration, s.loss, s.gradientNorm, s.seconds});
    m_loss->addPoint(s.iteration, s.loss, s.gradientNorm);
    const auto model = m_editor->model();
    const std::size_t shown = shownDataSet();
    if (model && shown < s.predictions.size() && shown < m_fitExperiments.size()) {
        // The live view: the prediction at the data times, no extra solve on this thread.
        const auto& e = m_fitExperiments[shown];
        std::vector<std::vector<double>> columns(static_cast<std::size_t>(model->stateCount()));
        for (const auto& row : s.predictions[shown]) {
            for (std::size_t i = 0; i < row.size() && i < columns.size(); ++i) {
                columns[i].push_back(row[i]);
            }
        }
        const auto data = dataColumns(e, model->stateCount());
        const auto& times = e.loss.saveTimes();
        m_plot->showFit(model->states, times, data,
                        columns.front().empty() ? std::vector<double>{} : times, columns);
        m_phase->show(model->states, data, columns);
    }
    recordFrame();
    const int total = m_iterations->value();
    const double left =
        s.iterationsPerSecond > 0.0 ? (total - s.iteration) / s.iterationsPerSecond : 0.0;
    statusBar()->showMessage(tr("Iteration %1 · loss %2 · %3 it/s · %4 s · about %5 s left")
                                 .arg(s.iteration)
                                 .arg(s.loss, 0, 'g', 6)
                                 .arg(s.iterationsPerSecond, 0, 'f', 1)
                                 .arg(s.seconds, 0, 'f', 1)
                                 .arg(std::max(0.0, left), 0, 'f', 0));
}

void MainWindow::onFinished(const fit::FitOutcome& outcome) {
    m_outcome = outcome;
    m_fitted = outcome.params;
    m_parameters->setFitted(outcome.params);
    if (!outcome.params.empty()) {
        drawPrediction(outcome.params);
    }
    setDirty(true);
    QString summary = tr("%1 after %2 iterations: loss %3 → %4 (%5)")
                          .arg(QString::fromUtf8(fit::fitStatusName(outcome.status).data()))
                          .arg(outcome.iterations)
                          .arg(outcome.lossInitial, 0, 'g', 6)
                          .arg(outcome.lossFinal, 0, 'g', 6)
                          .arg(QString::fromStdString(outcome.message));
    if (outcome.rejectedSteps > 0) {
        // The fit backed off from failed solves instead of dying: say where and why.
        summary += tr(" · %1 steps backed off, the last at %2")
                       .arg(outcome.rejectedSteps)
                       .arg(QString::fromStdString(outcome.lastRejection));
    }
    statusBar()->showMessage(summary);
    updateButtons();
    emit fitFinished(outcome);
}

void MainWindow::applyFitted() {
    const auto model = m_editor->model();
    if (!model || m_fitted.size() != model->params.size()) {
        return;
    }
    rewriteValues(m_fitted);
    m_fitted.clear();
    updateButtons();
}

void MainWindow::setParameterValue(int param, double value) {
    const auto model = m_editor->model();
    if (!model || param < 0 || param >= model->paramCount()) {
        return;
    }
    auto values = model->defaultParams();
    values[static_cast<std::size_t>(param)] = value;
    rewriteValues(values);
}

// The values go into the model text (the one place they live), through the text edit's own undo
// stack: Ctrl+Z brings the previous values back. The text recompiles and re-simulates at once.
void MainWindow::rewriteValues(const std::vector<double>& values) {
    const auto model = m_editor->model();
    const std::string text =
        model::withParameterValues(m_editor->text().toStdString(), *model, values);
    QTextCursor cursor(m_editor->textEdit()->document());
    cursor.beginEditBlock();
    cursor.select(QTextCursor::Document);
    cursor.insertText(QString::fromStdString(text));
    cursor.endEditBlock();
    m_editor->compileNow();
}

bool MainWindow::importData(const QString& path) {
    const auto model = m_editor->model();
    QStringList states;
    if (model) {
        for (const auto& s : model->states) {
            states << QString::fromStdString(s);
        }
    }
    CsvImportDialog dialog(states, this);
    QString error;
    if (!dialog.loadFile(path, &error)) {
        QMessageBox::warning(this, tr("Cannot import"), error);
        return false;
    }
    if (dialog.exec() != QDialog::Accepted) {
        return false;
    }
    addDataSet(dialog.model()->entry(dialog.dataSetName()));
    return true;
}

void MainWindow::addDataSet(const project::DataSetEntry& entry) {
    changeProject(tr("import %1").arg(QString::fromStdString(entry.name)),
                  [&entry](project::Project& p) { p.data.push_back(entry); });
    m_dataSet->setCurrentIndex(m_dataSet->count() - 1);
    simulate();
    statusBar()->showMessage(tr("Imported %1 (%2 data sets)")
                                 .arg(QString::fromStdString(entry.name))
                                 .arg(m_project.data.size()),
                             4000);
}

bool MainWindow::exportParameters(const QString& path, QString* error) const {
    const auto model = m_editor->model();
    if (!model) {
        if (error != nullptr) {
            *error = tr("the model has errors");
        }
        return false;
    }
    const bool json = QFileInfo(path).suffix().toLower() == "json";
    std::string text;
    if (json) {
        nlohmann::ordered_json j = nlohmann::ordered_json::object();
        for (std::size_t k = 0; k < model->params.size(); ++k) {
            nlohmann::ordered_json entry = {{"value", model->params[k].value}};
            if (k < m_fitted.size()) {
                entry["fitted"] = m_fitted[k];
            }
            j[model->params[k].name] = entry;
        }
        text = j.dump(2) + "\n";
    } else {
        text = "name,value,fitted\n";
        for (std::size_t k = 0; k < model->params.size(); ++k) {
            char line[256];
            std::snprintf(line, sizeof line, ",%.17g,", model->params[k].value);
            text += model->params[k].name + line;
            if (k < m_fitted.size()) {
                std::snprintf(line, sizeof line, "%.17g", m_fitted[k]);
                text += line;
            }
            text += "\n";
        }
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(text.data(), qint64(text.size())) < 0
        || !file.commit()) {
        if (error != nullptr) {
            *error = tr("cannot write %1").arg(path);
        }
        return false;
    }
    return true;
}

bool MainWindow::exportPrediction(const QString& path, bool atDataTimes, QString* error) const {
    const auto fail = [error](const QString& why) {
        if (error != nullptr) {
            *error = why;
        }
        return false;
    };
    const auto model = m_editor->model();
    if (!model) {
        return fail(tr("the model has errors"));
    }
    const project::Project p = currentProject();
    fit::FitOptions options;
    std::vector<fit::Experiment> experiments;
    std::string why;
    if (!project::fitOptionsOf(p, options, why)
        || !project::buildExperiments(p, *model, experiments, why)) {
        return fail(QString::fromStdString(why));
    }
    const auto params = model->defaultParams();
    std::string text;
    char number[32];
    if (atDataTimes) {
        fit::FitProblem problem;
        const fit::SolverSetup setup{options.solver, options.solve, options.gradient, options.span,
                                     options.precision};
        if (experiments.empty()
            || !fit::FitProblem::build(*model, experiments, {}, setup, params, problem, why)) {
            return fail(why.empty() ? tr("the project has no data") : QString::fromStdString(why));
        }
        text = "data_set,t";
        for (const auto& s : model->states) {
            text += "," + s;
        }
        text += "\n";
        const auto predictions = problem.predictions(params);
        for (std::size_t e = 0; e < experiments.size(); ++e) {
            const auto& times = experiments[e].loss.saveTimes();
            for (std::size_t k = 0; k < predictions[e].size() && k < times.size(); ++k) {
                std::snprintf(number, sizeof number, "%.17g", times[k]);
                text += experiments[e].name + "," + number;
                for (const double v : predictions[e][k]) {
                    std::snprintf(number, sizeof number, ",%.17g", v);
                    text += number;
                }
                text += "\n";
            }
        }
    } else {
        fit::SimulationRequest request;
        request.params = params;
        request.span = p.solver.span;
        request.solver = options.solver;
        request.options = options.solve;
        request.points = 1000;
        if (!experiments.empty()) {
            request.initialValues = experiments.front().initialValues;
        }
        const auto sim = fit::simulate(*model, request);
        if (!sim.ok()) {
            return fail(QString::fromStdString(sim.message));
        }
        io::DataSet grid;
        grid.columns = model->states;
        grid.times = sim.t;
        grid.values = sim.columns;
        text = io::writeCsv(grid);
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(text.data(), qint64(text.size())) < 0
        || !file.commit()) {
        return fail(tr("cannot write %1").arg(path));
    }
    return true;
}

bool MainWindow::exportPlot(const QString& path) const {
    return m_plot->save(path);
}

bool MainWindow::exportAnimation(const QString& path, QString* error) const {
    return writeAnimatedGif(path, m_frames, 6, error);
}

// One frame per drawn snapshot, up to a budget; past it, every other frame is dropped and only
// every 2k-th snapshot kept, so that a long fit still spans the whole animation.
void MainWindow::recordFrame() {
    constexpr std::size_t kMaxFrames = 160;
    if (m_snapshotCount++ % m_frameStride != 0) {
        return;
    }
    m_frames.push_back(m_plot->plot()->toPixmap(640, 400).toImage());
    if (m_frames.size() >= kMaxFrames) {
        std::vector<QImage> kept;
        for (std::size_t k = 0; k < m_frames.size(); k += 2) {
            kept.push_back(m_frames[k]);
        }
        m_frames = std::move(kept);
        m_frameStride *= 2;
    }
}

void MainWindow::changeProject(const QString& what,
                               const std::function<void(project::Project&)>& edit) {
    project::Project before = currentProject();
    project::Project after = before;
    edit(after);
    m_undo->push(new ProjectStateCommand(what, std::move(before), std::move(after),
                                         [this](const project::Project& p) { applyState(p); }));
}

// The project's data, fixed params and settings from `state` (its model text is left alone),
// into the widgets without recording them as edits.
void MainWindow::applyState(const project::Project& state) {
    m_applying = true;
    m_project.data = state.data;
    m_project.fit = state.fit;
    m_project.solver = state.solver;
    {
        const QSignalBlocker b1(m_method), b2(m_gradient), b3(m_optimizer), b4(m_reltol),
            b5(m_abstol), b6(m_learningRate), b7(m_iterations);
        m_method->setCurrentText(QString::fromStdString(state.solver.method));
        m_reltol->setText(QString::number(state.solver.reltol, 'g', 6));
        m_abstol->setText(QString::number(state.solver.abstol, 'g', 6));
        m_gradient->setCurrentText(QString::fromStdString(state.fit.gradient));
        m_optimizer->setCurrentIndex(
            std::max(0, m_optimizer->findData(QString::fromStdString(state.fit.optimizer))));
        m_learningRate->setText(QString::number(state.fit.learningRate, 'g', 6));
        m_iterations->setValue(state.fit.iterations);
    }
    m_parameters->setFixed(state.fit.fixed);
    refreshDataSets();
    m_settingsBefore = currentProject();
    m_applying = false;
    setDirty(true);
    simulate();
}

// A settings widget changed: one undoable step from the settings before it to now.
void MainWindow::settingsEdited() {
    if (m_applying) {
        return;
    }
    project::Project after = currentProject();
    project::Project before = m_settingsBefore;
    before.data = after.data;
    before.fit.fixed = after.fit.fixed;
    if (before.solver == after.solver && before.fit == after.fit) {
        return;
    }
    m_undo->push(new ProjectStateCommand(tr("change the settings"), std::move(before),
                                         std::move(after),
                                         [this](const project::Project& p) { applyState(p); }));
}

std::size_t MainWindow::shownDataSet() const {
    return static_cast<std::size_t>(std::max(0, m_dataSet->currentIndex()));
}

void MainWindow::refreshDataSets() {
    const int current = m_dataSet->currentIndex();
    m_dataSet->clear();
    for (const auto& d : m_project.data) {
        m_dataSet->addItem(QString::fromStdString(d.name));
    }
    if (m_dataSet->count() == 0) {
        m_dataSet->addItem(tr("(no data)"));
    }
    m_dataSet->setCurrentIndex(std::clamp(current, 0, m_dataSet->count() - 1));
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
