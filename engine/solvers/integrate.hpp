// SPDX-License-Identifier: MIT
// The integrate loop: steps an explicit RK method across the span, controls the step, saves.
#pragma once

#include "control/error_norm.hpp"
#include "control/initial_dt.hpp"
#include "control/pi_controller.hpp"
#include "core/scalar_traits.hpp"
#include "core/status.hpp"
#include "output/save_at.hpp"
#include "output/solution.hpp"
#include "problem/events.hpp"
#include "solvers/explicit_rk.hpp"
#include "solvers/solve_options.hpp"
#include "solvers/step_view.hpp"
#include "solvers/stepper.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <utility>

namespace dynfit::ode {

/// Solves one problem with one stepper (ExplicitRk, Rosenbrock, Esdirk: anything with their
/// step protocol). init() validates and allocates everything; run() steps without allocating
/// (unless save-every-step or dense output grow their storage). solve() in solve.hpp is the usual
/// entry point; use this class directly to separate the two phases. The problem and the options
/// are referenced, not copied: they must outlive the integrator.
/// What happens at a must-hit time: may change u (returns true if it did).
template<class State>
using StopAction = std::function<bool(double t, State& u)>;

template<class Stepper, class Problem>
class Integrator {
  public:
    using State = typename Problem::StateType;
    static_assert(StepperFor<Stepper, State, decltype(Problem::f), typename Problem::ParamsType>,
                  "a stepper implements the protocol of solvers/stepper.hpp");

    Integrator(const Problem& problem,
               const SolveOptions& options,
               StepObserver<State> observer = {})
        : m_problem(problem), m_f(problem.f), m_options(options), m_observer(std::move(observer)),
          m_controller(Stepper::kErrorOrder + 1) {}

    /// Validates the input and prepares storage. Returns false (status InvalidInput) on bad input.
    bool init();

    /// Steps to the end of the span or to a failure.
    void run();

    Solution<State>& solution() { return m_solution; }

    /// Called at every tstop the solve lands on, with the state there; it may change the state
    /// (a dose, a reset) and returns whether it did. Set it before run().
    void setStopAction(StopAction<State> action) { m_stopAction = std::move(action); }

    /// Replaces the current state from outside (a reset): the stepper forgets what it cached
    /// about the old one (FSAL slope, Jacobian, factorisation) and the next step starts afresh.
    void resetState(const State& u) {
        m_u = u;
        m_stepper.invalidate();
    }

    using Params = typename Problem::ParamsType;
    using Event = ContinuousEvent<State, Params>;

    /// Continuous events, located on each accepted step's interpolant (sampled at
    /// kEventSamples points, then bracketed by the Illinois method to a few ulps of t): the step
    /// ends at the earliest crossing, the event is logged, its reset applied (or the solve ends,
    /// Terminated), and the stepper re-initialised. Simultaneous crossings fire in list order.
    /// Set before init(); `events` must outlive the solve.
    void setEvents(const std::vector<Event>* events) { m_events = events; }

    using TimedEvent = TimeEvent<State, Params>;
    /// Time events (doses): applied when the solve is at one of their times, which must be among
    /// the options' tstops (timeEventStops()), or t0 or t1; several at one time in list order.
    /// Each is logged in Solution::events; a save at that time holds the state after it.
    void setTimeEvents(const std::vector<TimedEvent>* events) { m_timeEvents = events; }

    static constexpr int kEventSamples = 8;

  private:
    // A right-hand side that reads its own past (a delay model: model/model_delays.hpp).
    static constexpr bool kMemory = requires(decltype(Problem::f)& f) { f.hasMemory(); };
    bool attachMemory();
    bool fail(SolveStatus status, const std::string& detail);
    bool validate();
    void saveInitial();
    void saveState(double t, const State& value);
    State& nextSaveSlot(double t);
    void afterAcceptedStep(double tNew, double hSigned);
    bool takeStep();
    bool atStop();
    struct EventHit {
        int event = -1;
        double t = 0.0;
    };
    double eventValue(std::size_t e, const State& u, double t) const;
    std::optional<EventHit> locateEvent(double tNew, double hSigned);
    double refineRoot(std::size_t e, double ta, double ga, double tb, double gb);
    bool fireEvent(const EventHit& hit, double hSigned, double hNext);
    void noteGrazing(const EventHit& hit, double hSigned);
    bool applyTimeEvents();
    void replaceSaveAtCurrentTime();
    bool afterFailedStep(StepStatus status, double h);
    double chooseStep();
    double minimumStep() const {
        return std::max(m_options.dtmin,
                        4 * std::numeric_limits<double>::epsilon() * std::abs(m_t));
    }
    static void interpolateCallback(void* context, double t, State& out);

    const Problem& m_problem;
    decltype(Problem::f) m_f; // a copy: a right-hand side may keep scratch space (non-const call)
    const SolveOptions& m_options;
    StepObserver<State> m_observer;
    PiController m_controller;
    Stepper m_stepper;
    Solution<State> m_solution;
    Tolerances m_tol;

    std::vector<double> m_saveTimes;
    std::vector<double> m_tstops; // inside (t0, t1), in the solve direction
    std::size_t m_nextStop = 0;
    std::optional<double> m_landing; // the must-hit time the step being attempted lands on
    StopAction<State> m_stopAction;
    const std::vector<Event>* m_events = nullptr;
    const std::vector<TimedEvent>* m_timeEvents = nullptr;
    std::set<int> m_grazed;          // events already noted as grazing
    std::vector<double> m_gPrev;     // each event's condition at the current point
    std::vector<double> m_lastFired; // each event's last crossing time (NaN: none yet)
    std::vector<double> m_gA, m_gB;  // scratch: the conditions at two consecutive samples
    State m_eventState;              // scratch: the interpolated state at a sample or root
    std::size_t m_nextSave = 0;
    std::size_t m_saved = 0;
    bool m_saveEverystep = false;
    bool m_adaptive = true;
    bool m_dense = false; // keep the dense output (asked for, or a delay model's history)
    double m_dtmax = 0.0; // the options' dtmax, or a delay model's shortest lag

    State m_u, m_uNew, m_work;
    double m_t = 0.0, m_t1 = 0.0, m_dir = 1.0;
    double m_span = 0.0;   // |t1 − t0|
    double m_h = 0.0;      // magnitude of the next step
    double m_hTaken = 0.0; // signed size of the step being accepted
    long m_attempts = 0;
};

template<class Stepper, class Problem>
bool Integrator<Stepper, Problem>::fail(SolveStatus status, const std::string& detail) {
    m_solution.status = status;
    m_solution.message = failureMessage(status, m_t, m_dir * m_h, detail);
    return false;
}

template<class Stepper, class Problem>
bool Integrator<Stepper, Problem>::validate() {
    m_tstops.clear();
    const TimeSpan span = m_problem.timeSpan();
    m_t = span.t0;
    m_t1 = span.t1;
    if (!std::isfinite(span.t0) || !std::isfinite(span.t1)) {
        return fail(SolveStatus::InvalidInput, "the time span must be finite");
    }
    m_dir = span.t1 >= span.t0 ? 1.0 : -1.0;
    m_span = std::abs(span.t1 - span.t0);
    m_u = m_problem.initialState();
    if (!allFinite(m_u)) {
        return fail(SolveStatus::InvalidInput, "the initial state contains NaN or Inf");
    }
    const SolveOptions& o = m_options;
    if (!(o.reltol >= 0.0) || !(o.abstol >= 0.0) || (o.reltol == 0.0 && o.abstol == 0.0)) {
        return fail(SolveStatus::InvalidInput, "tolerances must be non-negative and not both 0");
    }
    if (!o.abstolPerComponent.empty()
        && o.abstolPerComponent.size() != static_cast<std::size_t>(m_u.size())) {
        return fail(SolveStatus::InvalidInput,
                    "abstol has " + std::to_string(o.abstolPerComponent.size())
                        + " components but the state has " + std::to_string(m_u.size()));
    }
    if (!(o.dt >= 0.0) || !std::isfinite(o.dt)) {
        return fail(SolveStatus::InvalidInput, "the fixed step dt must be a positive number");
    }
    m_adaptive = o.dt == 0.0;
    if (m_adaptive && Stepper::kErrorOrder == 0) {
        return fail(SolveStatus::InvalidInput,
                    std::string(Stepper::kName) + " has no error estimate: give a fixed step dt");
    }
    for (const double stop : o.tstops) {
        if (!std::isfinite(stop)) {
            return fail(SolveStatus::InvalidInput, "a tstop is NaN or Inf");
        }
        if (m_dir * (stop - span.t0) > 0.0 && m_dir * (span.t1 - stop) > 0.0) {
            m_tstops.push_back(stop); // t0 and t1 are hit anyway; outside the span, never
        }
    }
    std::sort(m_tstops.begin(), m_tstops.end(),
              [this](double a, double b) { return m_dir * a < m_dir * b; });
    m_tstops.erase(std::unique(m_tstops.begin(), m_tstops.end()), m_tstops.end());
    std::string error;
    if (!resolveSaveTimes(o.saveat, o.saveatStep, span.t0, span.t1, m_saveTimes, error)) {
        return fail(SolveStatus::InvalidInput, error);
    }
    return true;
}

template<class Stepper, class Problem>
bool Integrator<Stepper, Problem>::init() {
    m_solution = Solution<State>{};
    m_grazed.clear();
    m_dense = m_options.dense;
    m_dtmax = m_options.dtmax;
    if (!validate()) {
        return false;
    }
    if constexpr (kMemory) {
        if (m_f.hasMemory() && !attachMemory()) {
            return false;
        }
    }
    m_tol = {m_options.reltol, m_options.abstol, &m_options.abstolPerComponent};
    m_saveEverystep = m_options.saveEverystep.value_or(m_saveTimes.empty());
    if (applyTimeEvents() && !allFinite(m_u)) { // a dose at t0
        return fail(SolveStatus::InvalidInput, "the state set by an event contains NaN or Inf");
    }
    m_uNew = m_u;
    m_work = m_u;
    m_stepper.init(m_u);
    if constexpr (requires { m_stepper.setTolerances(m_tol); }) {
        m_stepper.setTolerances(m_tol);
    }
    m_attempts = 0;
    if (m_dense) {
        m_solution.dense.setMethod(&Stepper::interpolateFrom, Stepper::kInterpStages);
    }
    // Preallocated save slots: saving into them in run() copies without allocating.
    m_solution.t.assign(m_saveTimes.size() + 1, 0.0);
    m_solution.u.assign(m_saveTimes.size() + 1, m_u);
    m_saved = 0;
    m_nextSave = 0;
    m_nextStop = 0;
    saveInitial();
    m_gPrev.clear();
    m_eventState = m_u;
    if (m_events != nullptr) {
        for (std::size_t e = 0; e < m_events->size(); ++e) {
            m_gPrev.push_back(eventValue(e, m_u, m_t));
        }
        m_lastFired.assign(m_events->size(), std::numeric_limits<double>::quiet_NaN());
    }

    const double span = std::abs(m_t1 - m_t);
    const double dtmax = m_dtmax > 0.0 ? m_dtmax : span;
    if (!m_adaptive) {
        m_h = m_options.dt;
    } else if (m_options.dtInitial > 0.0) {
        m_h = std::min(m_options.dtInitial, dtmax);
    } else if (span > 0.0) {
        const State& f0 = m_stepper.derivativeAtStart(m_f, m_problem.p, m_t, m_u, m_solution.stats);
        State work2 = m_u;
        m_h = initialStepSize(m_f, m_problem.p, m_t, m_u, f0, Stepper::kOrder, m_dir, dtmax, m_tol,
                              m_work, work2, m_solution.stats);
    }
    return true;
}

// The method of steps: the dense output kept as the history, the breakpoints t0 + Σ nᵢτᵢ up to
// the method's order as must-hit times, and no step longer than the shortest lag (so that every
// delayed time lies in a finished step: no iteration inside a step).
template<class Stepper, class Problem>
bool Integrator<Stepper, Problem>::attachMemory() {
    if (m_dir < 0.0) {
        return fail(SolveStatus::InvalidInput, "delay equations are solved forward in time only");
    }
    m_dense = true;
    m_f.attachHistory(&m_solution.dense, m_t, m_u, m_problem.p);
    const double lag = m_f.shortestLag();
    if (!m_adaptive && m_options.dt > lag * (1 + 1e-12)) {
        return fail(SolveStatus::InvalidInput,
                    "the fixed step dt must not exceed the shortest lag (" + std::to_string(lag)
                        + ")");
    }
    m_dtmax = m_dtmax > 0.0 ? std::min(m_dtmax, lag) : lag;
    for (const double stop : m_f.memoryStops(m_t1, Stepper::kOrder)) {
        if (stop < m_t1) {
            m_tstops.push_back(stop);
        }
    }
    std::sort(m_tstops.begin(), m_tstops.end());
    m_tstops.erase(std::unique(m_tstops.begin(), m_tstops.end()), m_tstops.end());
    return true;
}

template<class Stepper, class Problem>
void Integrator<Stepper, Problem>::saveState(double t, const State& value) {
    nextSaveSlot(t) = value;
}

// The storage for the next saved state: a preallocated slot while any is left.
template<class Stepper, class Problem>
typename Integrator<Stepper, Problem>::State& Integrator<Stepper, Problem>::nextSaveSlot(double t) {
    if (m_saved < m_solution.u.size()) {
        m_solution.t[m_saved] = t;
    } else {
        m_solution.t.push_back(t);
        m_solution.u.push_back(m_u);
    }
    return m_solution.u[m_saved++];
}

template<class Stepper, class Problem>
void Integrator<Stepper, Problem>::saveInitial() {
    if (m_saveEverystep) {
        saveState(m_t, m_u);
    }
    while (m_nextSave < m_saveTimes.size() && m_saveTimes[m_nextSave] == m_t) {
        if (!m_saveEverystep) {
            saveState(m_t, m_u);
        }
        ++m_nextSave;
    }
}

template<class Stepper, class Problem>
void Integrator<Stepper, Problem>::interpolateCallback(void* context, double t, State& out) {
    auto& self = *static_cast<Integrator*>(context);
    const double h = self.m_hTaken;
    self.m_stepper.prepareInterpolation(self.m_f, self.m_problem.p, self.m_t, h, self.m_u,
                                        self.m_uNew, self.m_solution.stats);
    self.m_stepper.interpolate((t - self.m_t) / h, h, self.m_u, self.m_uNew, out);
}

template<class Stepper, class Problem>
void Integrator<Stepper, Problem>::afterAcceptedStep(double tNew, double hSigned) {
    m_hTaken = hSigned;
    while (m_nextSave < m_saveTimes.size() && m_dir * (m_saveTimes[m_nextSave] - tNew) <= 0.0) {
        const double ts = m_saveTimes[m_nextSave++];
        if (ts == tNew) {
            saveState(ts, m_uNew);
        } else {
            State& slot = nextSaveSlot(ts);
            interpolateCallback(this, ts, slot);
        }
    }
    if (m_saveEverystep && (m_saved == 0 || m_solution.t[m_saved - 1] != tNew)) {
        saveState(tNew, m_uNew);
    }
    if (m_dense) {
        m_stepper.prepareInterpolation(m_f, m_problem.p, m_t, hSigned, m_u, m_uNew,
                                       m_solution.stats);
        m_solution.dense.append(m_t, hSigned, m_u, m_uNew, m_stepper.stages(),
                                m_stepper.endDerivative());
        if constexpr (kMemory) {
            // Only a delay model wanted the dense output: keep what its lags can still reach
            // (x'(t − τ) reads one lag further back, hence two).
            if (!m_options.dense && m_f.hasMemory()) {
                m_solution.dense.dropBefore(tNew - 2 * m_f.longestLag() - std::abs(hSigned));
            }
        }
    }
}

// The step to attempt: the controller's proposal, stretched or cut to land exactly on the next
// must-hit time (a tstop, or t1). Sets m_landing to the time it lands on, if it does.
template<class Stepper, class Problem>
double Integrator<Stepper, Problem>::chooseStep() {
    const bool stopAhead = m_nextStop < m_tstops.size();
    const double target = stopAhead ? m_tstops[m_nextStop] : m_t1;
    const double remaining = std::abs(target - m_t);
    m_landing = std::nullopt;
    if (m_h >= remaining * (1.0 - 1e-12)) {
        m_landing = target;
        return remaining;
    }
    return m_h;
}

// An attempt without a result: cut the step as for a rejection and try again, unless the step
// is already the smallest allowed (or fixed).
template<class Stepper, class Problem>
bool Integrator<Stepper, Problem>::afterFailedStep(StepStatus status, double h) {
    ++m_solution.stats.nRejected;
    m_h = h * m_controller.afterFailedStep();
    // At t = 0 minimumStep() is 0: the floor for repeated failures is relative to the span too.
    const double floor = std::max(minimumStep(), std::numeric_limits<double>::epsilon() * m_span);
    if (!m_adaptive || m_h < floor) {
        return fail(SolveStatus::ConvergenceFailure,
                    status == StepStatus::NewtonFailed
                        ? "Newton's iteration did not converge"
                        : "the linear system of the implicit stages was singular");
    }
    return true;
}

// Landed on a tstop: the stop action may change the state; then the stepper starts afresh and,
// when every step is saved, the changed state is saved too (the right-hand limit).
template<class Stepper, class Problem>
bool Integrator<Stepper, Problem>::atStop() {
    const bool stopActionChanged = m_stopAction && m_stopAction(m_t, m_u);
    bool breakpoint = false; // a delay model's: f may jump there, so its FSAL slope is stale
    if constexpr (kMemory) {
        breakpoint = m_f.hasMemory() && m_f.crossStop(m_u, m_problem.p, m_t);
    }
    if (!applyTimeEvents() && !stopActionChanged && !breakpoint) {
        return true;
    }
    if (!allFinite(m_u)) {
        return fail(SolveStatus::InvalidInput, "the state set at a stop contains NaN or Inf");
    }
    m_stepper.invalidate();
    if (m_saveEverystep) {
        saveState(m_t, m_u);
    } else {
        replaceSaveAtCurrentTime();
    }
    return true;
}

// One attempted step. Returns false when the solve must stop (a failure status is set).
template<class Stepper, class Problem>
bool Integrator<Stepper, Problem>::takeStep() {
    const double h = chooseStep();
    const std::optional<double> landing = m_landing;
    if constexpr (kMemory) {
        if (m_f.hasMemory()) {
            m_f.enterStep(m_t, m_t + m_dir * h);
        }
    }
    const StepStatus status =
        m_stepper.step(m_f, m_problem.p, m_t, m_dir * h, m_u, m_uNew, m_solution.stats);
    ++m_attempts;
    double hNext = m_h;
    if (status != StepStatus::Ok) {
        return afterFailedStep(status, h);
    }
    if (m_adaptive) {
        double err = errorNorm(m_stepper.errorEstimate(), m_u, m_uNew, m_tol);
        if (!allFinite(m_uNew)) {
            err = std::numeric_limits<double>::quiet_NaN();
        }
        const double factor = m_controller.nextFactor(err);
        if (!PiController::accepts(err)) {
            ++m_solution.stats.nRejected;
            m_h = h * factor;
            if (m_h < minimumStep()) {
                return std::isfinite(err)
                           ? fail(SolveStatus::DtLessThanMin, "the step size fell below dtmin")
                           : fail(SolveStatus::Unstable, "the step produced NaN or Inf even at "
                                                         "the smallest step size");
            }
            return true;
        }
        hNext = h * factor;
        if (m_dtmax > 0.0) {
            hNext = std::min(hNext, m_dtmax);
        }
    } else if (!allFinite(m_uNew)) {
        return fail(SolveStatus::Unstable, "the state became NaN or Inf");
    }
    const double tNew = landing ? *landing : m_t + m_dir * h;
    if (!m_gPrev.empty()) {
        m_hTaken = m_dir * h;
        if (const auto hit = locateEvent(tNew, m_dir * h)) {
            return fireEvent(*hit, m_dir * h, hNext);
        }
    }
    afterAcceptedStep(tNew, m_dir * h);
    bool keepGoing = true;
    if (m_observer) {
        StepView<State> view(m_t, tNew, m_u, m_uNew, &interpolateCallback, this);
        if constexpr (requires { m_stepper.stepMethod(); }) {
            view.method = m_stepper.stepMethod();
        }
        keepGoing = m_observer(view);
    }
    m_stepper.accept();
    std::swap(m_u, m_uNew);
    m_t = tNew;
    for (std::size_t e = 0; e < m_gPrev.size(); ++e) {
        m_gPrev[e] = eventValue(e, m_u, m_t);
    }
    m_h = hNext;
    ++m_solution.stats.nAccepted;
    if (!keepGoing) {
        return fail(SolveStatus::Cancelled, "the step observer asked to stop");
    }
    if (landing && m_nextStop < m_tstops.size() && *landing == m_tstops[m_nextStop]) {
        ++m_nextStop;
        return atStop();
    }
    return true;
}

template<class Stepper, class Problem>
void Integrator<Stepper, Problem>::run() {
    if (m_solution.status == SolveStatus::Success) {
        while (m_dir * (m_t1 - m_t) > 0.0) {
            if (m_options.cancel != nullptr && m_options.cancel->load(std::memory_order_relaxed)) {
                fail(SolveStatus::Cancelled, "cancelled from outside");
                break;
            }
            if (m_attempts >= m_options.maxiters) {
                fail(SolveStatus::MaxIters,
                     "maxiters = " + std::to_string(m_options.maxiters) + " reached");
                break;
            }
            if (!takeStep()) {
                break;
            }
        }
        if (m_solution.status == SolveStatus::Success && m_t == m_t1 && applyTimeEvents()) {
            m_saveEverystep ? saveState(m_t, m_u) : replaceSaveAtCurrentTime(); // a dose at t1
        }
    }
    m_solution.t.resize(m_saved);
    m_solution.u.resize(m_saved);
}

/// The integrator of an explicit Runge–Kutta tableau.
template<RkTableau T, class Problem>
using RkIntegrator = Integrator<ExplicitRk<T, typename Problem::StateType>, Problem>;

} // namespace dynfit::ode

#include "solvers/integrate_events.hpp" // the event members of Integrator
