// SPDX-License-Identifier: MIT
// The main window's fits: start, pause, stop, live progress, the outcome, animation frames.
#include "fit_session.hpp"
#include "loss_plot.hpp"
#include "main_window.hpp"
#include "model_editor.hpp"
#include "parameter_table.hpp"
#include "phase_plot.hpp"
#include "project/project_fit.hpp"
#include "residual_chart.hpp"
#include "solution_plot.hpp"

#include <QSpinBox>
#include <QStatusBar>
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
    if (!project::fitOptionsOf(p, job.options, error) || !m_dataError.empty()) {
        statusBar()->showMessage(
            tr("Cannot fit: %1").arg(QString::fromStdString(error.empty() ? m_dataError : error)));
        return;
    }
    job.experiments = m_experiments;
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
        const auto data = e.loss.observedColumns(model->stateCount());
        const auto& times = e.loss.saveTimes();
        m_plot->showFit(model->states, times, data,
                        columns.front().empty() ? std::vector<double>{} : times, columns);
        m_phase->show(model->states, data, columns);
        m_residuals->show(model->states, fit::residualsByState(e.loss, columns));
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

} // namespace dynfit::ui
