// SPDX-License-Identifier: MIT
// An ODE initial-value problem u' = f(u, p, t): data only, no solver choices.
#pragma once

#include "problem/events.hpp"
#include "problem/time_span.hpp"

#include <Eigen/Core>
#include <functional>
#include <utility>

namespace dynfit::ode {

/// u' = f(u, p, t) with u(t0) = u0(p) on tspan(p), as in SciML's ODEProblem.
///
/// `Rhs` is any callable `void(State& du, const State& u, const Params& p, double t)`; keeping it a
/// template parameter lets the compiler inline it into the stepper. u0 and tspan may depend on the
/// parameters (the seed's "everything is determined by p"); they are evaluated once per solve.
/// State is an Eigen column vector (fixed or dynamic size) of double, float or Dual.
template<class State,
         class Rhs,
         class Params = Eigen::Matrix<typename State::Scalar, Eigen::Dynamic, 1>>
struct OdeProblem {
    using StateType = State;
    using ParamsType = Params;
    using Scalar = typename State::Scalar;

    Rhs f;
    Params p;
    std::function<State(const Params&)> u0;
    std::function<TimeSpan(const Params&)> tspan;
    EventSet<State, Params> events; ///< none: a smooth problem

    State initialState() const { return u0(p); }
    TimeSpan timeSpan() const { return tspan(p); }
};

/// A problem with a fixed initial state and time span.
template<class State, class Rhs, class Params>
OdeProblem<State, Rhs, Params> makeOdeProblem(Rhs f, State u0, TimeSpan span, Params p) {
    return {std::move(f), std::move(p), [u0](const Params&) { return u0; },
            [span](const Params&) { return span; }};
}

/// A problem whose initial state and time span are functions of the parameters.
template<class State, class Rhs, class Params>
OdeProblem<State, Rhs, Params> makeOdeProblem(Rhs f,
                                              std::function<State(const Params&)> u0,
                                              std::function<TimeSpan(const Params&)> span,
                                              Params p) {
    return {std::move(f), std::move(p), std::move(u0), std::move(span)};
}

} // namespace dynfit::ode
