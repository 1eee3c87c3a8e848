// SPDX-License-Identifier: MIT
// A compiled model's events as the integrator runs them, for states of any scalar: conditions
// and times in double on the primal values; for dual numbers the reset also carries the
// sensitivities across the jump (model/event_jump.hpp), so forward mode is exact through events.
#pragma once

#include "core/dual.hpp"
#include "model/event_jump.hpp"
#include "model/program_evaluator.hpp"
#include "problem/events.hpp"

#include <algorithm>
#include <memory>
#include <type_traits>

namespace dynfit::model {

namespace detail {

// The primal values of v in `out` (resized only when the size changes: no allocation per call).
template<class S>
void primalInto(const Vector<S>& v, Eigen::VectorXd& out) {
    out.resize(v.size());
    for (Eigen::Index i = 0; i < v.size(); ++i) {
        out[i] = primal(v[i]);
    }
}

template<class S>
Eigen::VectorXd primalOf(const Vector<S>& v) {
    Eigen::VectorXd out;
    primalInto(v, out);
    return out;
}

// v's values as doubles: v itself for double states, else through the scratch `buffer`.
template<class S>
const double* primalData(const Vector<S>& v, Eigen::VectorXd& buffer) {
    if constexpr (std::is_same_v<S, double>) {
        return v.data();
    } else {
        primalInto(v, buffer);
        return buffer.data();
    }
}

template<class S>
struct IsDual : std::false_type {};
template<class T, int N>
struct IsDual<Dual<T, N>> : std::true_type {};

// u ← x⁺, and for dual numbers s⁺ = M s⁻ + m ṗ in every direction.
template<class S>
void applyJump(const CompiledModel& model,
               int event,
               int occurrence,
               Vector<S>& u,
               const Vector<S>& p,
               double t) {
    const Eigen::VectorXd pp = primalOf(p);
    const EventJump jump = eventJump(model, event, occurrence, primalOf(u), pp, t);
    if constexpr (IsDual<S>::value) {
        using T = decltype(S{}.val);
        constexpr int N = static_cast<int>(std::tuple_size_v<decltype(S{}.d)>);
        const Eigen::Index n = u.size();
        Eigen::MatrixXd s(n, N), pdot(p.size(), N);
        for (int d = 0; d < N; ++d) {
            for (Eigen::Index i = 0; i < n; ++i) {
                s(i, d) = static_cast<double>(u[i].d[static_cast<std::size_t>(d)]);
            }
            for (Eigen::Index k = 0; k < p.size(); ++k) {
                pdot(k, d) = static_cast<double>(p[k].d[static_cast<std::size_t>(d)]);
            }
        }
        const Eigen::MatrixXd sAfter = jump.M * s + jump.m * pdot;
        for (Eigen::Index i = 0; i < n; ++i) {
            u[i].val = static_cast<T>(jump.after[i]);
            for (int d = 0; d < N; ++d) {
                u[i].d[static_cast<std::size_t>(d)] = static_cast<T>(sAfter(i, d));
            }
        }
    } else {
        for (Eigen::Index i = 0; i < u.size(); ++i) {
            u[i] = static_cast<S>(jump.after[i]);
        }
    }
}

} // namespace detail

/// The data's doses as time events (u[state] += amount; dual parts unchanged: the jump's
/// Jacobians are the identity and zero, its time is data).
template<class S>
void addDoses(ode::EventSet<Vector<S>, Vector<S>>& set,
              int firstId,
              const std::vector<ode::Bolus>& doses) {
    for (std::size_t k = 0; k < doses.size(); ++k) {
        ode::TimeEvent<Vector<S>, Vector<S>> timed;
        timed.id = firstId + static_cast<int>(k);
        timed.times = {doses[k].t};
        timed.reset = [dose = doses[k]](Vector<S>& u, const Vector<S>&, double) {
            u[dose.state] += S(dose.amount);
        };
        set.timed.push_back(std::move(timed));
    }
}

/// The model's events for a problem with parameters p (time events' times evaluated at p, once),
/// then the data's doses, whose ids follow the model's events (model.events.size() + k).
template<class S>
ode::EventSet<Vector<S>, Vector<S>> modelEvents(std::shared_ptr<const CompiledModel> model,
                                                const Vector<S>& p,
                                                const std::vector<ode::Bolus>& doses = {}) {
    ode::EventSet<Vector<S>, Vector<S>> set;
    const Eigen::VectorXd pp = detail::primalOf(p);
    for (int id = 0; id < static_cast<int>(model->events.size()); ++id) {
        const CompiledEvent& e = model->events[static_cast<std::size_t>(id)];
        if (e.trigger == CompiledEvent::Trigger::Crossing) {
            ode::ContinuousEvent<Vector<S>, Vector<S>> c;
            c.id = id;
            c.direction = e.comparison == '<' ? ode::Crossing::Downward : ode::Crossing::Upward;
            c.terminal = e.stop;
            c.name = "the event on line " + std::to_string(e.where.line);
            c.condition =
                [model, eval = ProgramEvaluator<double>(e.condition), u0 = Eigen::VectorXd(),
                 p0 = Eigen::VectorXd()](const Vector<S>& u, const Vector<S>& q, double t) mutable {
                    // `model` keeps the condition's program alive for `eval`.
                    // Called at every sample and root iteration: no allocation here.
                    double g = 0.0;
                    eval(detail::primalData(u, u0), detail::primalData(q, p0), nullptr, t, &g);
                    return g;
                };
            if (e.hasReset) {
                c.reset = [model, id](Vector<S>& u, const Vector<S>& q, double t) {
                    detail::applyJump(*model, id, 0, u, q, t);
                };
            }
            set.continuous.push_back(std::move(c));
            continue;
        }
        ode::TimeEvent<Vector<S>, Vector<S>> timed;
        timed.id = id;
        timed.times = eventTimes(*model, id, pp, set.error);
        timed.reset = [model, id, times = timed.times](Vector<S>& u, const Vector<S>& q, double t) {
            const auto k = std::find(times.begin(), times.end(), t) - times.begin();
            detail::applyJump(*model, id, static_cast<int>(k), u, q, t);
        };
        if (e.hasReset) {
            set.timed.push_back(std::move(timed));
        }
    }
    addDoses(set, static_cast<int>(model->events.size()), doses);
    return set;
}

} // namespace dynfit::model
