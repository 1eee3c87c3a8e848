// SPDX-License-Identifier: MIT
// The Integrator's continuous events: sampling each accepted step's interpolant, refining a
// crossing, and firing the event (log, reset or terminate, re-initialise). Included by
// integrate.hpp only.
#pragma once

#include "solvers/event_root.hpp"
#include "solvers/integrate.hpp"

namespace dynfit::ode {

template<class Stepper, class Problem>
double Integrator<Stepper, Problem>::eventValue(std::size_t e, const State& u, double t) const {
    return (*m_events)[e].condition(u, m_problem.p, t);
}

namespace detail {

// What messages call an event: its name, else "event <index + 1>".
template<class Event>
std::string eventName(const Event& event, int index) {
    return event.name.empty() ? "event " + std::to_string(index + 1) : event.name;
}

} // namespace detail

// The earliest crossing in the accepted step [m_t, tNew], if any: the conditions sampled on the
// step's interpolant at kEventSamples points (so a double crossing inside one step is seen when
// a sample falls between its roots), then the first bracket refined per event, earliest root
// first, list order on a tie.
template<class Stepper, class Problem>
auto Integrator<Stepper, Problem>::locateEvent(double tNew, double hSigned)
    -> std::optional<EventHit> {
    const std::size_t count = m_gPrev.size();
    std::vector<double>& a = m_gA;
    std::vector<double>& b = m_gB;
    a = m_gPrev;
    b.resize(count);
    double ta = m_t;
    for (int k = 1; k <= kEventSamples; ++k) {
        const double tb = k == kEventSamples ? tNew : m_t + hSigned * k / kEventSamples;
        if (k == kEventSamples) {
            m_eventState = m_uNew;
        } else {
            interpolateCallback(this, tb, m_eventState);
        }
        for (std::size_t e = 0; e < count; ++e) {
            b[e] = eventValue(e, m_eventState, tb);
        }
        std::optional<EventHit> best;
        for (std::size_t e = 0; e < count; ++e) {
            if (!detail::crosses((*m_events)[e].direction, a[e], b[e])) {
                continue;
            }
            const double root = refineRoot(e, ta, a[e], tb, b[e]);
            if (!best || m_dir * (root - best->t) < 0.0) {
                best = EventHit{static_cast<int>(e), root};
            }
        }
        if (best) {
            return best;
        }
        a = b;
        ta = tb;
    }
    return std::nullopt;
}

// The crossing of condition e in [ta, tb], refined on the step's interpolant.
template<class Stepper, class Problem>
double Integrator<Stepper, Problem>::refineRoot(
    std::size_t e, double ta, double ga, double tb, double gb) {
    const auto condition = [&](double t) {
        interpolateCallback(this, t, m_eventState);
        return eventValue(e, m_eventState, t);
    };
    return detail::refineRoot(condition, m_dir, ta, ga, tb, gb);
}

// An event at hit.t inside the accepted step: save what lies before it, log it, apply its reset
// (or end the solve), and continue from there with the stepper re-initialised.
template<class Stepper, class Problem>
bool Integrator<Stepper, Problem>::fireEvent(const EventHit& hit, double hSigned, double hNext) {
    const Event& event = (*m_events)[static_cast<std::size_t>(hit.event)];
    while (m_nextSave < m_saveTimes.size() && m_dir * (m_saveTimes[m_nextSave] - hit.t) < 0.0) {
        const double ts = m_saveTimes[m_nextSave++];
        State& slot = nextSaveSlot(ts);
        interpolateCallback(this, ts, slot);
    }
    noteGrazing(hit, hSigned);
    State before = m_u;
    interpolateCallback(this, hit.t, before);
    if (m_dense) {
        m_stepper.prepareInterpolation(m_f, m_problem.p, m_t, hSigned, m_u, m_uNew,
                                       m_solution.stats);
        m_solution.dense.append(m_t, hSigned, m_u, m_uNew, m_stepper.stages(),
                                m_stepper.endDerivative());
    }
    if (m_saveEverystep) {
        saveState(hit.t, before);
    }
    if (m_observer) { // the whole step, used up to the event (a reverse-mode tape replays it)
        StepView<State> view(m_t, m_t + hSigned, m_u, m_uNew, &interpolateCallback, this);
        view.until = hit.t;
        if constexpr (requires { m_stepper.stepMethod(); }) {
            view.method = m_stepper.stepMethod();
        }
        if (!m_observer(view)) {
            return fail(SolveStatus::Cancelled, "the step observer asked to stop");
        }
    }
    State after = before;
    if (event.reset) {
        event.reset(after, m_problem.p, hit.t);
    }
    m_solution.events.push_back({hit.t, event.id >= 0 ? event.id : hit.event, before, after});
    ++m_solution.stats.nAccepted;
    // Events that come ever closer (a bouncing ball) are only seen if the samples are closer
    // still: no step after an event is longer than the time since the one before it.
    m_h = hNext;
    if (m_solution.events.size() > 1) {
        m_h = std::min(m_h, std::abs(hit.t - m_solution.events[m_solution.events.size() - 2].t));
    }
    m_t = hit.t;
    m_u = after;
    m_stepper.invalidate();
    if (!allFinite(m_u)) {
        return fail(SolveStatus::InvalidInput, "the state set by an event contains NaN or Inf");
    }
    if (event.terminal) {
        m_solution.status = SolveStatus::Terminated;
        m_solution.message = "terminated by " + detail::eventName(event, hit.event)
                             + " at t = " + std::to_string(hit.t);
        return false;
    }
    if (m_saveEverystep && event.reset) {
        saveState(m_t, m_u);
    }
    for (std::size_t e = 0; e < m_gPrev.size(); ++e) {
        m_gPrev[e] = eventValue(e, m_u, m_t);
    }
    double& last = m_lastFired[static_cast<std::size_t>(hit.event)];
    if (detail::accumulates(last, hit.t, std::max(std::abs(hit.t), std::abs(m_t1)))) {
        return fail(SolveStatus::EventAccumulation,
                    detail::accumulationMessage(detail::eventName(event, hit.event), last, hit.t));
    }
    last = hit.t;
    if (static_cast<int>(m_solution.events.size()) >= m_options.maxEvents) {
        return fail(SolveStatus::EventAccumulation,
                    std::to_string(m_solution.events.size()) + " events (maxEvents); the last, "
                        + detail::eventName(event, hit.event)
                        + ", fired at t = " + std::to_string(hit.t));
    }
    return true;
}

// A crossing whose condition barely moves there (its rate along the step's interpolant, times
// the step, below 1e-3 of the condition's size at the step's ends): its time, and every gradient
// through it (τ_p ∝ 1/ġ), are ill-conditioned. Noted once per event.
template<class Stepper, class Problem>
void Integrator<Stepper, Problem>::noteGrazing(const EventHit& hit, double hSigned) {
    const auto e = static_cast<std::size_t>(hit.event);
    const double a = std::max(m_dir * m_t, m_dir * hit.t - 1e-7 * std::abs(hSigned));
    const double b = std::min(m_dir * (m_t + hSigned), m_dir * hit.t + 1e-7 * std::abs(hSigned));
    if (!(b > a)) {
        return;
    }
    interpolateCallback(this, m_dir * a, m_eventState);
    const double ga = eventValue(e, m_eventState, m_dir * a);
    interpolateCallback(this, m_dir * b, m_eventState);
    const double gb = eventValue(e, m_eventState, m_dir * b);
    const double rate = (gb - ga) / (b - a);
    const double size = std::abs(m_gPrev[e]) + std::abs(eventValue(e, m_uNew, m_t + hSigned));
    if (std::abs(rate * hSigned) >= 1e-3 * size || m_grazed.count(hit.event) != 0) {
        return;
    }
    m_grazed.insert(hit.event);
    const Event& event = (*m_events)[e];
    m_solution.warnings.push_back(detail::eventName(event, event.id >= 0 ? event.id : hit.event)
                                  + " grazes its condition at t = " + std::to_string(hit.t)
                                  + " (its rate there is " + std::to_string(rate)
                                  + "): that time, and gradients through it, are ill-conditioned");
}

// The time events due at m_t, applied in list order and logged; true if any was.
template<class Stepper, class Problem>
bool Integrator<Stepper, Problem>::applyTimeEvents() {
    if (m_timeEvents == nullptr) {
        return false;
    }
    bool applied = false;
    const std::size_t offset = m_events != nullptr ? m_events->size() : 0;
    for (std::size_t k = 0; k < m_timeEvents->size(); ++k) {
        const TimedEvent& event = (*m_timeEvents)[k];
        if (std::find(event.times.begin(), event.times.end(), m_t) == event.times.end()) {
            continue;
        }
        State before = m_u;
        event.reset(m_u, m_problem.p, m_t);
        const int id = event.id >= 0 ? event.id : static_cast<int>(offset + k);
        m_solution.events.push_back({m_t, id, std::move(before), m_u});
        applied = true;
    }
    return applied;
}

// After a reset at a save time: the save there holds the state after it.
template<class Stepper, class Problem>
void Integrator<Stepper, Problem>::replaceSaveAtCurrentTime() {
    if (m_saved > 0 && m_solution.t[m_saved - 1] == m_t) {
        m_solution.u[m_saved - 1] = m_u;
    }
}

} // namespace dynfit::ode
