// SPDX-License-Identifier: MIT
// Gradients through SUNDIALS CVODE: CVODES forward sensitivities serve `forward` (and
// Levenberg–Marquardt's residual Jacobian), CVODES's checkpointed adjoint serves `interpolating`.
#pragma once

#include "sensitivity/adjoint.hpp"
#include "sensitivity/gradient.hpp"
#include "solvers/methods.hpp"

namespace dynfit::sens::detail {

/// True for CVODE_BDF and CVODE_Adams.
bool isCvode(const ode::Method& method);

/// dL/dp and dL/du0 by CVODES forward sensitivities (one sensitivity per parameter and state).
void cvodeForwardGradient(const GradientProblem& gp,
                          const ode::Method& solver,
                          const ode::SolveOptions& options,
                          GradientResult& result);

/// Residuals and their Jacobian by CVODES forward sensitivities.
void cvodeResidualJacobian(const GradientProblem& gp,
                           const ode::Method& solver,
                           const ode::SolveOptions& options,
                           bool initialDirections,
                           ResidualJacobian& out);

/// The interpolating adjoint by CVODES: λ0 = dL/du(t0) and μ0 = ∫ λᵀ f_p dt.
AdjointOutcome cvodeInterpolatingAdjoint(const AdjointProblem& problem,
                                         const ode::Method& solver,
                                         const ode::SolveOptions& options);

} // namespace dynfit::sens::detail
