// SPDX-License-Identifier: MIT
// The shapes of events (issue 14): scheduled changes of the state (doses) and continuous events
// (a condition crossing zero, with a reset or a stop). Data only; solvers/time_events.hpp turns
// time events into the integrator's must-hit times and stop action.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace dynfit::ode {

/// A change of the state in place at given times: reset(u, p, t) sees the state just before
/// and leaves the state just after (a dose: u[A] += dose).
template<class State, class Params>
struct TimeEvent {
    std::vector<double> times; ///< absolute times (already evaluated from p: a lag is a shift)
    std::function<void(State& u, const Params& p, double t)> reset;
    int id = -1; ///< what the event log calls it; −1: continuous events first, then its index
};

/// The direction in which a condition must cross zero for a continuous event to fire.
enum class Crossing { Upward, Downward, Either };

/// An event where condition(u, p, t) crosses zero: located on the dense output, then the state is
/// reset (empty reset: the time is only recorded) or the solve ends (terminal).
template<class State, class Params>
struct ContinuousEvent {
    std::function<double(const State& u, const Params& p, double t)> condition;
    Crossing direction = Crossing::Either;
    std::function<void(State& u, const Params& p, double t)> reset;
    bool terminal = false;
    int id = -1;      ///< what the event log calls it; −1: its index among the continuous events
    std::string name; ///< for messages, e.g. "the event on line 7"; empty: "event <index + 1>"
};

/// A dose given by the data rather than the model (an experiment's dose table): `amount` added to
/// state `state` at time `t`. Its time and amount are data: they carry no parameter.
struct Bolus {
    double t = 0.0;
    int state = 0;
    double amount = 0.0;
};

/// All events of a hybrid problem.
template<class State, class Params>
struct EventSet {
    std::vector<TimeEvent<State, Params>> timed;
    std::vector<ContinuousEvent<State, Params>> continuous;
    std::string
        error; ///< why these events cannot run (a schedule with a zero period): solve refuses

    [[nodiscard]] bool empty() const {
        return timed.empty() && continuous.empty() && error.empty();
    }
};

} // namespace dynfit::ode
