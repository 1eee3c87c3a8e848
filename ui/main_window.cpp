// SPDX-License-Identifier: MIT
// The DynFit main window: its panels, the prediction view, the window state.
#include "main_window.hpp"

#include "cuda/device_query.hpp"
#include "event_markers.hpp"
#include "fit/simulation.hpp"
#include "fit_session.hpp"
#include "loss_plot.hpp"
#include "model/observables.hpp"
#include "model_editor.hpp"
#include "parameter_sliders.hpp"
#include "parameter_table.hpp"
#include "phase_plot.hpp"
#include "project/project_fit.hpp"
#include "residual_chart.hpp"
#include "solution_plot.hpp"
#include "solvers/methods.hpp"
#include "solvers/sde_methods.hpp"
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
#include <QTimer>
#include <QToolButton>
#include <QUndoStack>
#include <QVBoxLayout>

namespace dynfit::ui {

namespace {

std::vector<std::string> scalarParamNames(const model::CompiledModel& m) {
    std::vector<std::string> names;
    for (const auto& p : m.params) {
        names.push_back(p.name);
    }
    return names;
}

} // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent), m_editor(new ModelEditor(this)), m_plot(new SolutionPlot(this)),
      m_phase(new PhasePlot(this)), m_residuals(new ResidualChart(this)),
      m_loss(new LossPlot(this)), m_parameters(new ParameterTableModel(this)),
      m_parameterView(new QTableView(this)), m_sliders(new ParameterSliders(this)),
      m_log(new MessageLog(this)), m_session(new FitSession(this)), m_undo(new QUndoStack(this)) {
    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(buildPlotArea());
    splitter->addWidget(m_loss);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({620, 210});
    setCentralWidget(splitter);
    buildDocks();
    buildMenus();
    connect(m_editor, &ModelEditor::compiled, this, [this] { onCompiled(); });
    connect(m_editor, &ModelEditor::textEdited, this, [this] { setDirty(true); });
    // The rewritten text recompiles at once; the table then updates its rows in place (same
    // params), so the open editor and the current cell survive the edit.
    connect(m_parameters, &ParameterTableModel::valueEdited, this, &MainWindow::setParameterValue);
    connect(m_parameters, &ParameterTableModel::boundsEdited, this,
            &MainWindow::setParameterBounds);
    connect(m_parameters, &ParameterTableModel::editRefused, this,
            [this](const QString& why) { report(why, MessageLevel::Warning); });
    connect(m_parameters, &ParameterTableModel::fixedChanged, this, [this] {
        const auto fixed = m_parameters->fixed();
        changeProject(tr("hold params fixed"),
                      [fixed](project::Project& p) { p.fit.fixed = fixed; });
    });
    connect(m_sliders, &ParameterSliders::previewed, this, &MainWindow::previewParameter);
    connect(m_sliders, &ParameterSliders::released, this, [this](int param, double value) {
        m_preview.reset();
        m_plot->setFastDrawing(false);
        setParameterValue(param, value);
    });
    QTextDocument* document = m_editor->textEdit()->document();
    connect(document, &QTextDocument::undoCommandAdded, this,
            [this, document] { m_undo->push(new TextEditCommand(document)); });
    connect(m_session, &FitSession::progress, this, &MainWindow::onProgress);
    connect(m_session, &FitSession::finished, this, &MainWindow::onFinished);
    resize(1600, 900);
    m_defaultLayout = saveState();
    QSettings settings;
    restoreGeometry(settings.value("window/geometry").toByteArray());
    restoreState(settings.value("window/state").toByteArray());
    showProject(project::Project{kNewModelText, {}, {}, {}, {}});
}

MainWindow::~MainWindow() {
    // An editor still open in the table commits while the window is torn down: nothing may
    // reach the half-destroyed window then.
    m_parameters->disconnect(this);
    m_sliders->disconnect(this);
    m_editor->disconnect(this);
}

void MainWindow::buildDocks() {
    const auto dock = [this](const QString& title, const char* name, QWidget* content,
                             Qt::DockWidgetArea area) {
        auto* d = new QDockWidget(title, this);
        d->setObjectName(name);
        d->setWidget(content);
        addDockWidget(area, d);
        return d;
    };
    QDockWidget* model = dock(tr("Model"), "modelDock", m_editor, Qt::LeftDockWidgetArea);
    QDockWidget* fit = dock(tr("Fit"), "fitDock", buildSettingsPanel(), Qt::RightDockWidgetArea);
    QDockWidget* sliders = dock(tr("Sliders"), "slidersDock", m_sliders, Qt::LeftDockWidgetArea);
    QDockWidget* log = dock(tr("Messages"), "messagesDock", m_log, Qt::LeftDockWidgetArea);
    splitDockWidget(model, sliders, Qt::Vertical);
    tabifyDockWidget(sliders, log);
    sliders->raise();
    resizeDocks({model, fit}, {440, 540}, Qt::Horizontal);
    resizeDocks({model, sliders}, {560, 230}, Qt::Vertical);
    // The status bar counts the warnings; a click brings the log to the front (it is not
    // raised by itself: that would hide the sliders in the middle of a drag).
    auto* messages = new QToolButton(this);
    messages->setObjectName("messagesButton");
    messages->setAutoRaise(true);
    messages->setText(tr("Messages"));
    messages->setToolTip(tr("Every message since the app started, whole and copyable"));
    statusBar()->addPermanentWidget(messages);
    connect(messages, &QToolButton::clicked, this, [log] {
        log->show();
        log->raise();
    });
    connect(m_log, &MessageLog::appended, this, [this, messages] {
        const int warnings = m_log->warningCount();
        messages->setText(warnings > 0 ? tr("⚠ Messages (%1)").arg(warnings) : tr("Messages"));
    });
}

QList<QDockWidget*> MainWindow::docks() const {
    return findChildren<QDockWidget*>(QString(), Qt::FindDirectChildrenOnly);
}

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
    m_sliders->setModel(model.get());
    if (model && !m_fitted.empty() && scalarParamNames(*model) != m_fittedNames) {
        // Params were added, removed or renamed: the fitted values no longer belong to them.
        m_fitted.clear();
        m_showFitted = false;
        m_parameters->clearFitted();
    }
    matchData();
    compileExpressions();
    refreshPlotControls();
    updateButtons();
    if (model) {
        simulate();
    } else if (!m_editor->messages().isEmpty()) {
        report(tr("The model has errors: %1").arg(m_editor->messages().first()),
               MessageLevel::Warning, false);
    }
}

std::vector<double> MainWindow::drawnParams() const {
    const auto model = m_editor->model();
    if (!model) {
        return {};
    }
    std::vector<double> params = showsFitted() ? m_fitted : model->defaultParams();
    if (m_preview && m_preview->first < static_cast<int>(params.size())) {
        params[static_cast<std::size_t>(m_preview->first)] = m_preview->second;
    }
    return params;
}

bool MainWindow::showsFitted() const {
    const auto model = m_editor->model();
    return m_showFitted && model && m_fitted.size() == model->params.size() && !m_preview;
}

QString MainWindow::curveSourceText() const {
    if (m_session->isRunning()) {
        return tr("Drawn: the running fit's current values");
    }
    if (m_preview) {
        return tr("Drawn: the model's values with a slider's value (release to apply)");
    }
    if (showsFitted()) {
        return tr("Drawn: the fitted values — not yet in the model text (Apply or Discard)");
    }
    return tr("Drawn: the model's values");
}

void MainWindow::updateCurveSource() {
    m_curveSource->setText(curveSourceText());
    m_curveSource->setStyleSheet(showsFitted() ? "color: #8a4b00; font-weight: bold"
                                               : "color: #555");
}

void MainWindow::appendSeries(std::vector<PlotSeries>& series,
                              std::size_t dataSet,
                              const std::vector<double>& t,
                              const std::vector<std::vector<double>>& columns,
                              const std::vector<double>& params) const {
    const auto model = m_editor->model();
    const auto& hidden = m_project.view.hiddenSeries;
    const auto isHidden = [&hidden](const std::string& name) {
        return std::find(hidden.begin(), hidden.end(), name) != hidden.end();
    };
    const bool hasData = dataSet < m_experiments.size();
    // Every observed value, replicates (several at one time) included: (times, values) by state.
    std::vector<std::vector<double>> data(model->states.size()), dataTimes(model->states.size());
    QString dataSetName;
    if (hasData) {
        const auto& e = m_experiments[dataSet];
        for (const auto& term : e.loss.terms()) {
            const auto state = static_cast<std::size_t>(term.state);
            dataTimes[state].push_back(e.loss.saveTimes()[static_cast<std::size_t>(term.save)]);
            data[state].push_back(term.value);
        }
        dataSetName = QString::fromStdString(e.name);
    }
    for (std::size_t i = 0; i < model->states.size(); ++i) {
        if (isHidden(model->states[i])) {
            continue;
        }
        PlotSeries s;
        s.name = QString::fromStdString(model->states[i]);
        s.colour = i;
        s.dataSetName = dataSetName;
        if (hasData) {
            s.dataTimes = dataTimes[i];
            s.data = data[i];
        }
        if (i < columns.size() && !columns[i].empty()) {
            s.times = t;
            s.values = columns[i];
        }
        series.push_back(std::move(s));
    }
    if (m_observables && columns.size() == model->states.size()) {
        const auto values = m_observables->evaluate(t, columns, params);
        for (std::size_t k = 0; k < values.size(); ++k) {
            const std::string& name = m_observables->expressions[k];
            if (isHidden(name)) {
                continue;
            }
            PlotSeries s;
            s.name = QString::fromStdString(name);
            s.colour = model->states.size() + k;
            s.dataSetName = dataSetName;
            s.times = t;
            s.values = values[k];
            series.push_back(std::move(s));
        }
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
    if (!project::fitOptionsFor(p, *model, options, error)) {
        report(QString::fromStdString(error), MessageLevel::Warning);
        return false;
    }
    fit::SimulationRequest request = displayRequest(p, options);
    request.params = params;
    if (m_preview && request.sde) { // a slider moves: a frame each move, on this thread
        request.sde->trajectories = std::min(request.sde->trajectories, 64L);
    }
    std::vector<PlotSeries> series;
    std::optional<fit::Simulation> first; // the phase plane and residuals show the first set
    std::string failure;
    const auto shown = shownDataSets();
    for (std::size_t k = 0; k < std::max<std::size_t>(1, shown.size()); ++k) {
        const bool hasData = k < shown.size();
        if (hasData) {
            const auto& e = m_experiments[shown[k]];
            request.initialValues = e.initialValues;
            request.doses = e.doses;
            request.observationTimes = e.loss.saveTimes();
        }
        auto sim = fit::simulate(*model, request);
        const std::size_t before = series.size();
        appendSeries(series, hasData ? shown[k] : m_experiments.size(), sim.t, sim.columns, params);
        attachEnsemble(series, before, sim.lower, sim.upper, sim.paths);
        for (std::size_t s = before; s < series.size(); ++s) {
            series[s].dataSet = static_cast<int>(k);
        }
        if (!sim.ok() && failure.empty()) {
            failure = sim.message;
        }
        if (!first) {
            first = std::move(sim);
        }
    }
    m_plot->show(series, p.view.layout);
    m_plot->setEventMarkers(eventMarkers(first->events));
    // While a slider is dragged only what is in front is redrawn (the hidden tabs' charts cost
    // more than the solve); the release redraws everything.
    const fit::Experiment* e = shown.empty() ? nullptr : &m_experiments[shown.front()];
    if (!m_preview || m_views->currentWidget() == m_phase) {
        m_phase->show(model->states,
                      e != nullptr ? e->loss.observedColumns(model->stateCount())
                                   : std::vector<std::vector<double>>{},
                      first->columns);
    }
    if (e == nullptr) {
        m_residuals->clear();
    } else if (!m_preview || m_views->currentWidget() == m_residuals) {
        m_residuals->show(model->states, fit::residualsByState(e->loss, first->atObservations));
    }
    updateCurveSource();
    if (!m_dataError.empty()) {
        report(tr("Data: %1").arg(QString::fromStdString(m_dataError)), MessageLevel::Warning);
        return false;
    }
    if (failure.empty() && first && !first->warnings.empty()) {
        report(QString::fromStdString(first->warnings.front()), MessageLevel::Warning);
    }
    if (!failure.empty()) {
        // The solver's message says where it stopped and what to try.
        report(tr("%1 stopped: %2").arg(m_method->currentText(), QString::fromStdString(failure)),
               MessageLevel::Warning);
        return false;
    }
    return true;
}

fit::SimulationRequest MainWindow::displayRequest(const project::Project& p,
                                                  const fit::FitOptions& options) const {
    fit::SimulationRequest request;
    request.span = p.solver.span;
    request.solver = options.solver;
    request.options = options.solve;
    request.logTime = p.view.logTime;
    request.points = p.view.points;
    if (const auto model = m_editor->model()) {
        request.sde = project::sdeDisplayOf(p, *model, options);
    }
    return request;
}

void MainWindow::attachEnsemble(std::vector<PlotSeries>& series,
                                std::size_t from,
                                const std::vector<std::vector<double>>& lower,
                                const std::vector<std::vector<double>>& upper,
                                const std::vector<std::vector<std::vector<double>>>& paths) const {
    const auto model = m_editor->model();
    if (!model || lower.empty()) {
        return;
    }
    for (std::size_t k = from; k < series.size(); ++k) {
        const auto state =
            static_cast<std::size_t>(model->stateIndex(series[k].name.toStdString()));
        if (state >= lower.size()) {
            continue; // an expression: mean only
        }
        series[k].lower = lower[state];
        series[k].upper = upper[state];
        series[k].bandLabel = tr("5–95 %");
        for (const auto& path : paths) {
            series[k].paths.push_back(path[state]);
        }
    }
}

void MainWindow::simulate() {
    const auto model = m_editor->model();
    if (!model) {
        return;
    }
    if (drawPrediction(drawnParams()) && !m_session->isRunning()) {
        statusBar()->showMessage(tr("Simulated with %1").arg(m_method->currentText()), 3000);
    }
    if (model->hasNoise() && !ode::sdeMethodByName(m_method->currentText().toStdString())) {
        report(tr("The model has noise lines: drawn with %1 (choose an SDE method in Solver)")
                   .arg(QString::fromStdString(
                       ode::sdeMethodName(fit::defaultSdeDisplay(*model).method))),
               MessageLevel::Info);
    }
}

void MainWindow::previewParameter(int param, double value) {
    if (!m_preview) {
        m_plot->setFastDrawing(true); // until the release: a frame each move
    }
    m_preview = std::make_pair(param, value);
    if (m_previewQueued) {
        return; // one redraw per turn of the event loop, with the latest value
    }
    m_previewQueued = true;
    QTimer::singleShot(0, this, [this] {
        m_previewQueued = false;
        if (m_preview && m_editor->model()) {
            drawPrediction(drawnParams());
        }
    });
}

void MainWindow::report(const QString& text, MessageLevel level, bool logged) {
    statusBar()->showMessage(text, level == MessageLevel::Info ? 5000 : 0);
    statusBar()->setToolTip(text);
    if (logged || level != MessageLevel::Info) {
        const auto& entries = m_log->entries();
        // A redraw repeats its warning: log it once until something else is said.
        if (entries.empty() || entries.back().text != text) {
            m_log->append(level, text);
        }
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
    const bool canApply = !running && compiled && !m_fitted.empty()
                          && m_fitted.size() == m_editor->model()->params.size();
    m_simulate->setEnabled(compiled);
    m_fit->setEnabled(compiled && !running);
    m_pause->setEnabled(running);
    m_pause->setText(running && m_session->isPaused() ? tr("Resume") : tr("Pause"));
    m_stop->setEnabled(running);
    m_apply->setEnabled(canApply);
    m_apply->setToolTip(compiled || m_fitted.empty()
                            ? tr("Write the fitted values into the model text (undoable)")
                            : tr("The model has errors: fix them to apply the fitted values"));
    m_discard->setEnabled(!running && showsFitted());
    m_sliders->setEnabled(!running);
    for (QAction* a : {m_simulateAction, m_fitAction, m_pauseAction, m_stopAction, m_applyAction}) {
        if (a == nullptr) {
            return;
        }
    }
    m_simulateAction->setEnabled(compiled);
    m_fitAction->setEnabled(compiled && !running);
    m_pauseAction->setEnabled(running);
    m_stopAction->setEnabled(running);
    m_applyAction->setEnabled(canApply);
    updateCurveSource();
}

bool MainWindow::confirmDiscard() {
    if (!m_dirty) {
        return true;
    }
    const auto answer = QMessageBox::question(
        this, tr("Unsaved changes"),
        tr("The project %1 has unsaved changes. Save them first?")
            .arg(m_path.isEmpty() ? tr("(untitled)") : QFileInfo(m_path).fileName()),
        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    if (answer == QMessageBox::Save) {
        return saveInteractively(false); // cancelled or failed: nothing is discarded
    }
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
