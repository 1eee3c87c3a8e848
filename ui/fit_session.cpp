// SPDX-License-Identifier: MIT
// The fit's worker thread.
#include "fit_session.hpp"

#include <chrono>
#include <optional>
#include <thread>

namespace dynfit::ui {

namespace {

constexpr double kMinSecondsBetweenSnapshots = 1.0 / 30.0;

} // namespace

void FitWorker::run(const FitJob& job) {
    // Predictions for the plots come from a problem without shooting: the model as it is.
    fit::FitProblem forPlots;
    std::string error;
    const fit::SolverSetup setup{job.options.solver, job.options.solve,     job.options.gradient,
                                 job.options.span,   job.options.precision, job.options.sde,
                                 job.options.sdeLoss};
    const bool canPredict = fit::FitProblem::build(*job.model, job.experiments, {}, setup,
                                                   job.initial, forPlots, error);
    double lastEmitted = -1.0;
    int lastIteration = 0;
    std::vector<LossPoint> pending;         // losses not yet sent
    std::optional<fit::FitProgress> unsent; // the latest iteration, if it was not sent
    const auto send = [&](const fit::FitProgress& p) {
        FitSnapshot s;
        s.iteration = p.iteration;
        s.loss = p.loss;
        s.gradientNorm = p.gradientNorm;
        s.seconds = p.seconds;
        s.iterationsPerSecond = lastEmitted > 0.0 && p.seconds > lastEmitted
                                    ? (p.iteration - lastIteration) / (p.seconds - lastEmitted)
                                    : 0.0;
        s.params = p.params;
        if (canPredict) {
            s.predictions = forPlots.predictions(p.params);
        }
        s.losses = std::move(pending);
        for (auto [experiment, request] : job.displays) {
            request.params = p.params;
            fit::Simulation sim = fit::simulate(*job.model, request);
            if (sim.ok()) {
                s.curves.push_back({experiment, std::move(sim.t), std::move(sim.columns),
                                    std::move(sim.events), std::move(sim.lower),
                                    std::move(sim.upper), std::move(sim.paths)});
            }
        }
        pending.clear();
        unsent.reset();
        lastEmitted = p.seconds;
        lastIteration = p.iteration;
        emit progress(s);
    };
    const auto callback = [&](const fit::FitProgress& p) {
        while (m_paused.load() && !m_stop.load()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        pending.push_back({p.iteration, p.loss, p.gradientNorm, p.seconds});
        if (p.seconds - lastEmitted >= kMinSecondsBetweenSnapshots || p.iteration == 1) {
            send(p);
        } else {
            unsent = p;
        }
        return !m_stop.load();
    };
    auto options = job.options;
    options.reportPrediction = false; // only the snapshots that are drawn pay for a prediction
    options.cancel = &m_stop;
    fit::FitOutcome outcome =
        fit::fitParameters(*job.model, job.initial, job.experiments, options, callback);
    // The throttle may drop intermediate snapshots, never the last: the plots and the animation
    // end where the fit ended.
    if (unsent) {
        send(*unsent);
    }
    if (m_stop.load() && outcome.status != fit::FitStatus::Failed) {
        outcome.status = fit::FitStatus::Cancelled;
        outcome.message = "stopped";
    }
    emit finished(outcome);
}

FitSession::FitSession(QObject* parent) : QObject(parent) {
    qRegisterMetaType<FitJob>();
    qRegisterMetaType<FitSnapshot>();
    qRegisterMetaType<fit::FitOutcome>();
    auto* worker = new FitWorker(m_stop, m_paused);
    worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, worker, &QObject::deleteLater);
    connect(this, &FitSession::runRequested, worker, &FitWorker::run, Qt::QueuedConnection);
    connect(worker, &FitWorker::progress, this, &FitSession::progress, Qt::QueuedConnection);
    connect(
        worker, &FitWorker::finished, this,
        [this](const fit::FitOutcome& outcome) {
            m_running = false;
            emit finished(outcome);
        },
        Qt::QueuedConnection);
    m_thread.setObjectName("dynfit-fit");
    m_thread.start();
}

FitSession::~FitSession() {
    m_stop = true;
    m_paused = false;
    m_thread.quit();
    m_thread.wait();
}

bool FitSession::start(FitJob job) {
    if (m_running) {
        return false;
    }
    m_stop = false;
    m_paused = false;
    m_running = true;
    emit runRequested(job);
    return true;
}

void FitSession::pause() {
    m_paused = true;
}

void FitSession::resume() {
    m_paused = false;
}

void FitSession::stop() {
    m_stop = true;
    m_paused = false;
}

} // namespace dynfit::ui
