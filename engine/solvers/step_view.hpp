// SPDX-License-Identifier: MIT
// What an observer sees after each accepted step: the interval, both ends and the interpolant.
#pragma once

#include <functional>

namespace dynfit::ode {

/// One accepted step [t0, t1] (t1 < t0 when integrating backwards). Valid only during the
/// observer call. interpolate() evaluates the step's dense output at any t in the interval; it
/// may cost extra right-hand-side evaluations the first time (lazy stages, Hermite end slope).
template<class State>
class StepView {
  public:
    using InterpolateFn = void (*)(void* context, double t, State& out);

    StepView(double t0, double t1, const State& u0, const State& u1, InterpolateFn fn, void* ctx)
        : t0(t0), t1(t1), until(t1), u0(u0), u1(u1), m_fn(fn), m_context(ctx) {}

    double t0;
    double t1;
    /// Where the solution leaves this step: t1, or the time of an event inside it (the solve
    /// goes on from the event's state there; the step's part after it is never used).
    double until;
    const State& u0;
    const State& u1;
    /// Which of a composite stepper's methods made the step (Auto: 0 Tsit5, 1 Rodas5P); 0 for
    /// a single method.
    int method = 0;

    void interpolate(double t, State& out) const { m_fn(m_context, t, out); }

  private:
    InterpolateFn m_fn;
    void* m_context;
};

/// Called after every accepted step (live progress, delay histories, events). Return false to
/// stop the solve, which then ends with SolveStatus::Cancelled.
template<class State>
using StepObserver = std::function<bool(const StepView<State>&)>;

} // namespace dynfit::ode
