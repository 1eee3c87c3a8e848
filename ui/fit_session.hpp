// SPDX-License-Identifier: MIT
// Runs an engine fit on a worker thread: value snapshots out by queued signals, at most about
// 30 a second; pause, resume and stop from the GUI thread, taking effect within one iteration.
#pragma once

#include "fit/fitter.hpp"
#include "fit/simulation.hpp"
#include "loss_point.hpp"

#include <QObject>
#include <QThread>
#include <atomic>
#include <memory>
#include <vector>

namespace dynfit::ui {

/// What a fit starts from: everything by value, so that the GUI may change its own copies at
/// once.
struct FitJob {
    std::shared_ptr<const model::CompiledModel> model;
    std::vector<double> initial;
    std::vector<fit::Experiment> experiments;
    fit::FitOptions options;
    /// The drawn experiments' display grids: each snapshot carries the prediction on them, so
    /// the live curves are as smooth as the static ones (one solve per drawn snapshot, on the
    /// worker thread). Their params are filled in per snapshot.
    std::vector<std::pair<std::size_t, fit::SimulationRequest>> displays;
};

/// The prediction of one experiment on its display grid.
struct DisplayCurve {
    std::size_t experiment = 0;
    std::vector<double> t;
    std::vector<std::vector<double>> columns; ///< columns[i][k]: state i at t[k]
    std::vector<fit::EventMark> events;
    /// A model with noise: the band and the sample paths (fit::Simulation's).
    std::vector<std::vector<double>> lower, upper;
    std::vector<std::vector<std::vector<double>>> paths;
};

/// One iteration as the GUI draws it. Snapshots are throttled (about 30 a second), but every
/// iteration's loss arrives (`losses`), and the fit's last iteration always comes as a snapshot
/// before FitSession::finished.
struct FitSnapshot {
    int iteration = 0;
    double loss = 0.0;
    double gradientNorm = 0.0;
    double seconds = 0.0;
    double iterationsPerSecond = 0.0;
    std::vector<double> params;
    /// [experiment][data time][state]: the model at `params` (empty when its solve failed).
    std::vector<std::vector<std::vector<double>>> predictions;
    /// The iterations since the previous snapshot, this one last.
    std::vector<LossPoint> losses;
    std::vector<DisplayCurve> curves; ///< one per FitJob::displays entry whose solve succeeded
};

/// The worker: lives on the session's thread; run() blocks that thread for the whole fit.
class FitWorker : public QObject {
    Q_OBJECT
  public:
    FitWorker(std::atomic<bool>& stop, std::atomic<bool>& paused)
        : m_stop(stop), m_paused(paused) {}

  public slots:
    void run(const dynfit::ui::FitJob& job);

  signals:
    void progress(const dynfit::ui::FitSnapshot& snapshot);
    void finished(const dynfit::fit::FitOutcome& outcome);

  private:
    std::atomic<bool>& m_stop;
    std::atomic<bool>& m_paused;
};

/// Owns the worker thread. start() while a fit runs is refused (returns false).
class FitSession : public QObject {
    Q_OBJECT
  public:
    explicit FitSession(QObject* parent = nullptr);
    ~FitSession() override;

    bool start(FitJob job);
    void pause();
    void resume();
    void stop(); ///< the fit ends after the current iteration, keeping the best parameters
    bool isRunning() const { return m_running; }
    bool isPaused() const { return m_paused.load(); }

  signals:
    void progress(const dynfit::ui::FitSnapshot& snapshot);
    void finished(const dynfit::fit::FitOutcome& outcome);
    void runRequested(const dynfit::ui::FitJob& job); // internal: queued to the worker

  private:
    QThread m_thread;
    std::atomic<bool> m_stop{false};
    std::atomic<bool> m_paused{false};
    bool m_running = false;
};

} // namespace dynfit::ui

Q_DECLARE_METATYPE(dynfit::ui::FitJob)
Q_DECLARE_METATYPE(dynfit::ui::FitSnapshot)
Q_DECLARE_METATYPE(dynfit::fit::FitOutcome)
