// SPDX-License-Identifier: MIT
// Events on CVODE: its own root finding for the continuous ones, stop times for the timed ones,
// a restart (CVodeReInit) after each reset, and the log.
#include "solvers/cvode_session.hpp"
#include "solvers/event_root.hpp"

#include <algorithm>
#include <cvode/cvode.h>
#include <limits>

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

Crossing crossingOf(int direction) {
    return direction > 0 ? Crossing::Upward : direction < 0 ? Crossing::Downward : Crossing::Either;
}

constexpr int kSamples = 8; // per step, as Integrator::kEventSamples

} // namespace

CvodeEventRunner::CvodeEventRunner(
    Session& s, Output& out, const CvodeEvents& events, TimeSpan span, int maxEvents)
    : m_s(s), m_out(out), m_events(events), m_span(span), m_maxEvents(maxEvents),
      m_found(static_cast<std::size_t>(events.count)),
      m_lastFired(static_cast<std::size_t>(events.count),
                  std::numeric_limits<double>::quiet_NaN()) {}

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

// The conditions at t on the last step's interpolant (CVodeGetDky into the work vector).
int CvodeEventRunner::conditionsAt(double t, std::vector<double>& g) {
    if (const int r = CVodeGetDky(m_s.mem.get(), t, 0, m_s.work.get()); r < 0) {
        return r;
    }
    m_events.conditions(t, data(m_s.work.get()), g.data());
    return CV_SUCCESS;
}

int CvodeEventRunner::scanStep(double tPrev, double& t, int flag) {
    m_missed = -1;
    if (m_events.count == 0 || flag < 0) {
        return flag;
    }
    void* mem = m_s.mem.get();
    double tn = 0.0, hu = 0.0;
    CVodeGetCurrentTime(mem, &tn);
    CVodeGetLastStep(mem, &hu);
    const double dir = m_span.t1 >= m_span.t0 ? 1.0 : -1.0;
    const double ta0 = dir * (tPrev - (tn - hu)) < 0.0 ? tn - hu : tPrev; // inside the interpolant
    const auto count = static_cast<std::size_t>(m_events.count);
    m_gA.resize(count);
    m_gB.resize(count);
    if (const int r = conditionsAt(ta0, m_gA); r < 0) {
        return r;
    }
    // CVODE's own root ends the step at t: only what lies before it is searched.
    const int last = flag == CV_ROOT_RETURN ? kSamples - 1 : kSamples;
    double ta = ta0;
    for (int k = 1; k <= last; ++k) {
        const double tb = k == kSamples ? t : ta0 + (t - ta0) * k / kSamples;
        if (const int r = conditionsAt(tb, m_gB); r < 0) {
            return r;
        }
        double best = tb;
        for (std::size_t e = 0; e < count; ++e) {
            if (!detail::crosses(crossingOf(m_events.directions[e]), m_gA[e], m_gB[e])) {
                continue;
            }
            const auto condition = [&](double tc) {
                conditionsAt(tc, m_gB);
                return m_gB[e];
            };
            const double ga = m_gA[e], gb = m_gB[e];
            const double root = detail::refineRoot(condition, dir, ta, ga, tb, gb);
            if (m_missed < 0 || dir * (root - best) < 0.0) {
                m_missed = static_cast<int>(e);
                best = root;
            }
            conditionsAt(tb, m_gB); // the refinement overwrote the samples at tb
        }
        if (m_missed >= 0) {
            t = best;
            const int r = CVodeGetDky(mem, t, 0, m_s.u.get());
            return r < 0 ? r : CV_ROOT_RETURN;
        }
        std::swap(m_gA, m_gB);
        ta = tb;
    }
    return flag;
}

int CvodeEventRunner::afterStep(int flag, double t) {
    bool changed = m_missed >= 0; // CVODE's step went past t: it restarts there
    if (flag == CV_ROOT_RETURN) {
        if (const int r = fireRoots(t, changed); r != 0) {
            return r;
        }
    } else if (flag == CV_TSTOP_RETURN) {
        fireTimed(t, changed);
    }
    auto& sol = m_out.solution;
    if (static_cast<int>(sol.events.size()) > m_maxEvents) {
        return accumulation(t, std::to_string(sol.events.size())
                                   + " events (maxEvents); the last fired at t = "
                                   + std::to_string(t));
    }
    if (changed) {
        replaceSave(t);
        if (const int r = CVodeReInit(m_s.mem.get(), t, m_s.u.get()); r < 0) {
            return r;
        }
    }
    return flag == CV_ROOT_RETURN || flag == CV_TSTOP_RETURN ? std::min(restart(t), 0) : 0;
}

// Whether condition k's crossing at t (state u) runs against the condition's own rate along the
// model, dg/dt = g_u·f + g_t, estimated by a difference along f: then the solver's error made
// it, not the model (BDF's error on a ball's last, tiny bounces is larger than their height).
bool CvodeEventRunner::againstRate(std::size_t k, double t, const double* u) {
    const int direction = m_events.directions[k];
    if (direction == 0) {
        return false;
    }
    const long n = m_s.n();
    m_du.resize(n);
    m_s.cb.system->rhs(t, u, m_du.data());
    double hu = 0.0;
    CVodeGetLastStep(m_s.mem.get(), &hu);
    const double eps = std::numeric_limits<double>::epsilon();
    const double dt = std::max(1e-6 * std::abs(hu), 64 * eps * std::max(std::abs(t), 1.0));
    m_shifted = Eigen::Map<const Eigen::VectorXd>(u, n) + dt * m_du;
    m_gA.resize(static_cast<std::size_t>(m_events.count));
    m_gB.resize(m_gA.size());
    m_events.conditions(t, u, m_gA.data());
    m_events.conditions(t + dt, m_shifted.data(), m_gB.data());
    const double change = m_gB[k] - m_gA[k];
    const double noise = 64 * eps * std::max(std::abs(m_gA[k]), std::abs(m_gB[k]));
    return direction * change < 0.0 && std::abs(change) > noise;
}

std::string CvodeEventRunner::name(std::size_t k) const {
    return k < m_events.names.size() ? m_events.names[k] : "event " + std::to_string(k + 1);
}

int CvodeEventRunner::accumulation(double t, const std::string& detail) {
    m_out.solution.status = SolveStatus::EventAccumulation;
    m_out.solution.message = failureMessage(SolveStatus::EventAccumulation, t, 0.0, detail);
    return 1;
}

// The conditions that crossed at t, in list order: logged, reset, or the solve ends. A crossing
// too close to the previous one (a Zeno point) or against the condition's rate ends it too.
int CvodeEventRunner::fireRoots(double t, bool& changed) {
    if (m_missed >= 0) {
        std::fill(m_found.begin(), m_found.end(), 0);
        m_found[static_cast<std::size_t>(m_missed)] = 1;
    } else if (const int r = CVodeGetRootInfo(m_s.mem.get(), m_found.data()); r < 0) {
        return r;
    }
    auto& sol = m_out.solution;
    double* u = data(m_s.u.get());
    const long n = m_s.n();
    const double scale = std::max(std::abs(t), std::abs(m_span.t1));
    for (int k = 0; k < m_events.count; ++k) {
        const auto ku = static_cast<std::size_t>(k);
        if (m_found[ku] == 0) {
            continue;
        }
        if (detail::accumulates(m_lastFired[ku], t, scale)) {
            return accumulation(t, detail::accumulationMessage(name(ku), m_lastFired[ku], t));
        }
        if (againstRate(ku, t, u)) {
            return accumulation(
                t, name(ku)
                       + " crossed against its condition's own rate, so the solver's error made "
                         "that crossing, not the model: the crossings come closer than this "
                         "tolerance resolves; tighten the tolerances or use a native method");
        }
        m_lastFired[ku] = t;
        Eigen::VectorXd before = Eigen::Map<const Eigen::VectorXd>(u, n);
        changed = m_events.reset(k, t, u) || changed;
        sol.events.push_back(
            {t, m_events.ids[ku], std::move(before), Eigen::Map<const Eigen::VectorXd>(u, n)});
        if (m_events.terminal[ku] != 0) {
            sol.status = SolveStatus::Terminated;
            sol.message = "terminated by " + name(ku) + " at t = " + std::to_string(t);
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
