// SPDX-License-Identifier: MIT
// The main window's fits: start, pause, stop, live progress, the outcome, animation frames.
#include "event_markers.hpp"
#include "fit_session.hpp"
#include "loss_plot.hpp"
#include "main_window.hpp"
#include "model/observables.hpp"
#include "model_editor.hpp"
#include "parameter_table.hpp"
#include "phase_plot.hpp"
#include "project/project_fit.hpp"
#include "residual_chart.hpp"
#include "solution_plot.hpp"

#include <QPainter>
#include <QSpinBox>
#include <QStatusBar>
#include <algorithm>
#include <qcustomplot.h>

namespace dynfit::ui {

void MainWindow::startFit() {
    const auto model = m_editor->model();
    if (!model || m_session->isRunning()) {
        return;
    }
    const project::Project p = currentProject();
    FitJob job;
    std::string error;
    if (!project::fitOptionsFor(p, *model, job.options, error) || !m_dataError.empty()) {
        report(
            tr("Cannot fit: %1").arg(QString::fromStdString(error.empty() ? m_dataError : error)),
            MessageLevel::Error);
        return;
    }
    job.experiments = m_experiments;
    if (job.experiments.empty()) {
        report(tr("Cannot fit: the project has no data (Data ▸ Import CSV)"), MessageLevel::Error);
        return;
    }
    job.model = model;
    job.initial = model->defaultParams();
    for (const std::size_t e : shownDataSets()) {
        fit::SimulationRequest display = displayRequest(p, job.options);
        display.initialValues = m_experiments[e].initialValues;
        display.doses = m_experiments[e].doses;
        job.displays.emplace_back(e, std::move(display));
    }
    m_fitExperiments = job.experiments;
    m_fitParams = job.initial;
    m_project.history.clear();
    m_frames.clear();
    m_captions.clear();
    m_frameStride = 1;
    m_snapshotCount = 0;
    m_loss->clear();
    m_parameters->clearFitted();
    m_fitted.clear();
    m_showFitted = false;
    m_preview.reset();
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
    // Every iteration's loss, though only some snapshots are drawn.
    for (const LossPoint& l : s.losses) {
        m_project.history.push_back({l.iteration, l.loss, l.gradientNorm, l.seconds});
    }
    m_loss->addPoints(s.losses);
    m_fitParams = s.params;
    const auto model = m_editor->model();
    const auto shown = shownDataSets();
    std::vector<PlotSeries> series;
    for (std::size_t k = 0; model && k < shown.size(); ++k) {
        const std::size_t e = shown[k];
        if (e >= s.predictions.size() || e >= m_fitExperiments.size()) {
            continue;
        }
        // The live view: the prediction at the data times, no extra solve on this thread.
        std::vector<std::vector<double>> columns(static_cast<std::size_t>(model->stateCount()));
        for (const auto& row : s.predictions[e]) {
            for (std::size_t i = 0; i < row.size() && i < columns.size(); ++i) {
                columns[i].push_back(row[i]);
            }
        }
        const auto& experiment = m_fitExperiments[e];
        const auto& times = experiment.loss.saveTimes();
        const std::size_t before = series.size();
        const auto curve = std::find_if(s.curves.begin(), s.curves.end(),
                                        [e](const DisplayCurve& c) { return c.experiment == e; });
        if (curve != s.curves.end()) { // smooth, on the display grid
            appendSeries(series, e, curve->t, curve->columns, s.params);
            attachEnsemble(series, before, curve->lower, curve->upper, curve->paths);
        } else { // at the data times (the display solve failed)
            appendSeries(series, e, columns.front().empty() ? std::vector<double>{} : times,
                         columns, s.params);
        }
        for (std::size_t j = before; j < series.size(); ++j) {
            series[j].dataSet = static_cast<int>(k);
        }
        if (k == 0) {
            const auto data = experiment.loss.observedColumns(model->stateCount());
            m_phase->show(model->states, data, curve != s.curves.end() ? curve->columns : columns);
            m_residuals->show(model->states, fit::residualsByState(experiment.loss, columns));
        }
    }
    if (model) {
        m_plot->show(series, m_project.view.layout);
        const auto shownCurve =
            std::find_if(s.curves.begin(), s.curves.end(), [&](const DisplayCurve& c) {
                return !shown.empty() && c.experiment == shown.front();
            });
        if (shownCurve != s.curves.end()) {
            m_plot->setEventMarkers(eventMarkers(shownCurve->events));
        }
    }
    recordFrame(s.iteration, s.loss);
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
    const auto model = m_editor->model();
    m_fittedNames.clear();
    if (model) {
        for (const auto& p : model->params) {
            m_fittedNames.push_back(p.name);
        }
    }
    // A fit that failed before its first iteration returns its start: nothing was fitted.
    const bool fitted = !outcome.params.empty()
                        && !(outcome.status == fit::FitStatus::Failed && outcome.iterations == 0);
    m_fitted = fitted ? outcome.params : std::vector<double>{};
    m_showFitted = fitted;
    m_parameters->setFitted(fitted ? outcome.params : std::vector<double>{});
    if (fitted) {
        drawPrediction(outcome.params);
        // The animation ends on the result, whatever the throttle dropped.
        recordFrame(outcome.iterations, outcome.lossFinal);
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
    const bool troubled = outcome.status == fit::FitStatus::Failed
                          || outcome.message.find("progress:") != std::string::npos;
    report(summary, outcome.status == fit::FitStatus::Failed ? MessageLevel::Error
                    : troubled                               ? MessageLevel::Warning
                                                             : MessageLevel::Info);
    updateButtons();
    emit fitFinished(outcome);
}

// One frame per drawn snapshot, captioned with its iteration and loss, up to a budget; past it,
// every other frame is dropped and only every 2k-th snapshot kept, so that a long fit still
// spans the whole animation. The last frame (the result) is always kept.
void MainWindow::recordFrame(int iteration, double loss) {
    constexpr std::size_t kMaxFrames = 160;
    const bool last = !m_session->isRunning();
    if (!last && m_snapshotCount++ % m_frameStride != 0) {
        return;
    }
    QImage frame = m_plot->plot()->toPixmap(640, 400).toImage();
    const QString caption = tr("iteration %1 · loss %2").arg(iteration).arg(loss, 0, 'g', 4);
    {
        QPainter painter(&frame);
        QFont font = painter.font();
        font.setPixelSize(13);
        font.setBold(true);
        painter.setFont(font);
        const QRect box(frame.width() - 250, 26, 240, 22); // below the legend, top right
        painter.fillRect(box, QColor(255, 255, 255, 215));
        painter.setPen(QColor(40, 40, 40));
        painter.drawText(box, Qt::AlignCenter, caption);
    }
    m_frames.push_back(std::move(frame));
    m_captions.push_back(caption);
    if (m_frames.size() >= kMaxFrames) {
        std::vector<QImage> kept;
        std::vector<QString> captions;
        for (std::size_t k = 0; k < m_frames.size(); k += 2) {
            kept.push_back(m_frames[k]);
            captions.push_back(m_captions[k]);
        }
        m_frames = std::move(kept);
        m_captions = std::move(captions);
        m_frameStride *= 2;
    }
}

} // namespace dynfit::ui
