// SPDX-License-Identifier: MIT
// The stepper protocol: what the integrate loop asks of every one-step method (explicit RK,
// Rosenbrock, ESDIRK, the auto-switching composite). docs/ARCHITECTURE.md walks through it.
#pragma once

#include "core/stats.hpp"

#include <concepts>

namespace dynfit::ode {

/// How an attempted step ended, apart from its error: a failure is not an error estimate.
enum class StepStatus {
    Ok,                ///< a result and an error estimate (errorEstimate()) are ready
    LinearSolveFailed, ///< W = I/(hγ) − J (or I − hγJ) was singular: no result
    NewtonFailed       ///< an implicit stage's Newton iteration diverged or stalled: no result
};

/// A one-step method for states `State`, right-hand side `Rhs` and parameters `Params`.
///
///  - init(u0) allocates for the state's size; nothing in step() allocates afterwards.
///  - derivativeAtStart() is f(t, u) at the current point (cached: FSAL methods reuse it).
///  - step() attempts [t, t + h] from u into uNew and reports a StepStatus; after Ok,
///    errorEstimate() is the local error vector (the loop takes its norm and decides).
///  - accept() is called once the loop keeps the step (FSAL: the end slope becomes the start's).
///  - invalidate() forgets everything cached about the current point (FSAL slope, Jacobian,
///    factorisation): the loop calls it when the state was changed from outside (an event's
///    reset, a dose), after which the next step starts afresh from the new state.
///  - prepareInterpolation() + interpolate(θ, ...) give the dense output of the step just
///    taken; stages()/endDerivative() and the static interpolateFrom() store and replay it.
template<class S, class State, class Rhs, class Params>
concept StepperFor = requires(
    S stepper, Rhs& f, const Params& p, double t, const State& u, State& out, SolveStats& stats) {
    { S::kName } -> std::convertible_to<const char*>;
    { S::kOrder } -> std::convertible_to<int>;
    { S::kErrorOrder } -> std::convertible_to<int>; ///< 0: no estimate, fixed steps only
    { S::kInterpStages } -> std::convertible_to<int>;
    stepper.init(u);
    { stepper.derivativeAtStart(f, p, t, u, stats) } -> std::convertible_to<const State&>;
    { stepper.step(f, p, t, t, u, out, stats) } -> std::same_as<StepStatus>;
    { stepper.errorEstimate() } -> std::convertible_to<const State&>;
    stepper.accept();
    stepper.invalidate();
    stepper.prepareInterpolation(f, p, t, t, u, u, stats);
    stepper.interpolate(0.5, t, u, u, out);
    stepper.stages();
    stepper.endDerivative();
};

} // namespace dynfit::ode
