// SPDX-License-Identifier: MIT
// The gradient methods that gradient() dispatches to, apart from the adjoints (adjoint.hpp) and
// CVODES (cvode_gradient.hpp).
#pragma once

#include "sensitivity/gradient.hpp"

namespace dynfit::sens::detail {

/// Forward-mode AD through the solver (chunked dual numbers, in the problem's precision).
void forwardModeGradient(const GradientProblem& problem,
                         const ode::Method& solver,
                         const ode::SolveOptions& options,
                         GradientResult& result);

/// Reverse mode through a native method's recorded steps; other methods are refused.
void reverseModeGradient(const GradientProblem& problem,
                         const ode::Method& solver,
                         const ode::SolveOptions& options,
                         GradientResult& result);

/// Reverse mode through an explicit method's steps for a delay model (reverse_delays.cpp).
void reverseDelayGradient(const GradientProblem& problem,
                          const ode::Method& solver,
                          const ode::SolveOptions& options,
                          GradientResult& result);

/// Reverse mode through an SDE method's steps on the problem's one path (reverse_sde.cpp).
/// With `adjoints`, the save adjoints come from it (and result.loss stays 0), not the loss.
void reverseSdeGradient(const GradientProblem& problem,
                        const ode::SolveOptions& options,
                        GradientResult& result,
                        const SaveAdjoints& adjoints = {});

} // namespace dynfit::sens::detail
