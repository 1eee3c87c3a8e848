// SPDX-License-Identifier: MIT
// Events on CVODE: its own root finding for the continuous ones, stop times for the timed ones,
// a restart (CVodeReInit) after each reset, and the log.
#include "solvers/cvode_session.hpp"

#include <algorithm>
#include <cvode/cvode.h>

namespace dynfit::ode::detail {

namespace {

int rootFn(sunrealtype t, N_Vector u, sunrealtype* g, void* user) {
    Callbacks& cb = callbacks(user);
    return guarded(cb,
                   [&] {
                       cb.events->conditions(t, data(u), g);
                       return allFinite(g, cb.events->count);
                   })
                   < 0
               ? -1
               : 0;
}

} // namespace

CvodeEventRunner::CvodeEventRunner(
    Session& s, Output& out, const CvodeEvents& events, TimeSpan span, int maxEvents)
    : m_s(s), m_out(out), m_events(events), m_span(span), m_maxEvents(maxEvents),
      m_found(static_cast<std::size_t>(events.count)) {}

void CvodeEventRunner::applyAtStart(Eigen::VectorXd& u0) {
    auto& log = m_out.solution.events;
    for (; m_nextTimed < m_events.timed.size() && m_events.timed[m_nextTimed].t == m_span.t0;
         ++m_nextTimed) {
        const auto& e = m_events.timed[m_nextTimed];
        Eigen::VectorXd before = u0;
        m_events.timedReset(e.index, e.t, u0.data());
        log.push_back({e.t, e.id, std::move(before), u0});
    }
}

bool CvodeEventRunner::setUp(SetupLog& log) {
    void* mem = m_s.mem.get();
    m_s.cb.events = &m_events;
    if (m_events.count > 0) {
        std::vector<int> directions = m_events.directions;
        if (!log(CVodeRootInit(mem, m_events.count, rootFn), "CVodeRootInit")
            || !log(CVodeSetRootDirection(mem, directions.data()), "CVodeSetRootDirection")) {
            return false;
        }
    }
    return restart(m_span.t0) >= 0;
}

// The next stop time (a time event, else t1) set again: CVODE forgets it once reached.
int CvodeEventRunner::restart(double t) {
    (void)t;
    double stop = m_span.t1;
    if (m_nextTimed < m_events.timed.size()) {
        stop = m_events.timed[m_nextTimed].t;
    }
    return CVodeSetStopTime(m_s.mem.get(), stop);
}

int CvodeEventRunner::afterStep(int flag, double t) {
    bool changed = false;
    if (flag == CV_ROOT_RETURN) {
        if (const int r = fireRoots(t, changed); r != 0) {
            return r;
        }
    } else if (flag == CV_TSTOP_RETURN) {
        fireTimed(t, changed);
    }
    auto& sol = m_out.solution;
    if (static_cast<int>(sol.events.size()) > m_maxEvents) {
        sol.status = SolveStatus::EventAccumulation;
        sol.message =
            failureMessage(SolveStatus::EventAccumulation, t, 0.0,
                           std::to_string(sol.events.size())
                               + " events (maxEvents); the last fired at t = " + std::to_string(t));
        return 1;
    }
    if (changed) {
        replaceSave(t);
        if (const int r = CVodeReInit(m_s.mem.get(), t, m_s.u.get()); r < 0) {
            return r;
        }
    }
    return flag == CV_ROOT_RETURN || flag == CV_TSTOP_RETURN ? std::min(restart(t), 0) : 0;
}

// The conditions that crossed at t, in list order: logged, reset, or the solve ends.
int CvodeEventRunner::fireRoots(double t, bool& changed) {
    if (const int r = CVodeGetRootInfo(m_s.mem.get(), m_found.data()); r < 0) {
        return r;
    }
    auto& sol = m_out.solution;
    double* u = data(m_s.u.get());
    const long n = m_s.n();
    for (int k = 0; k < m_events.count; ++k) {
        if (m_found[static_cast<std::size_t>(k)] == 0) {
            continue;
        }
        Eigen::VectorXd before = Eigen::Map<const Eigen::VectorXd>(u, n);
        changed = m_events.reset(k, t, u) || changed;
        sol.events.push_back({t, m_events.ids[static_cast<std::size_t>(k)], std::move(before),
                              Eigen::Map<const Eigen::VectorXd>(u, n)});
        if (m_events.terminal[static_cast<std::size_t>(k)] != 0) {
            sol.status = SolveStatus::Terminated;
            const auto ku = static_cast<std::size_t>(k);
            sol.message = "terminated by "
                          + (ku < m_events.names.size() ? m_events.names[ku]
                                                        : "event " + std::to_string(k + 1))
                          + " at t = " + std::to_string(t);
            return 1;
        }
    }
    return 0;
}

void CvodeEventRunner::fireTimed(double t, bool& changed) {
    double* u = data(m_s.u.get());
    const long n = m_s.n();
    for (; m_nextTimed < m_events.timed.size() && m_events.timed[m_nextTimed].t == t;
         ++m_nextTimed) {
        const auto& e = m_events.timed[m_nextTimed];
        Eigen::VectorXd before = Eigen::Map<const Eigen::VectorXd>(u, n);
        m_events.timedReset(e.index, t, u);
        m_out.solution.events.push_back(
            {t, e.id, std::move(before), Eigen::Map<const Eigen::VectorXd>(u, n)});
        changed = true;
    }
}

// After a reset at t: a save there holds the state after it (every step: a second row).
void CvodeEventRunner::replaceSave(double t) {
    auto& sol = m_out.solution;
    const Eigen::Map<const Eigen::VectorXd> u(data(m_s.u.get()), m_s.n());
    if (m_out.everyStep) {
        sol.t.push_back(t);
        sol.u.emplace_back(u);
    } else if (!sol.t.empty() && sol.t.back() == t) {
        sol.u.back() = u;
    }
}

} // namespace dynfit::ode::detail
