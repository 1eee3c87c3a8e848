// SPDX-License-Identifier: MIT
// The local optimisers. Each runs until a stop rule, a failure or its own end, records the work in
// `out` and returns why it stopped early (nullopt: its natural end, status already in `out`).
#pragma once

#include "fit/fit_objective.hpp"

#include <optional>

namespace dynfit::fit {

/// Adam with projection onto the bounds (fit/adam.cpp).
std::optional<FitStop>
runAdam(FitObjective& objective, Eigen::VectorXd x, const FitOptions& options, FitOutcome& out);

/// Levenberg–Marquardt with Marquardt's scaling, projected onto the bounds
/// (fit/levenberg_marquardt.cpp).
std::optional<FitStop> runLevenbergMarquardt(FitObjective& objective,
                                             Eigen::VectorXd x,
                                             const FitOptions& options,
                                             FitOutcome& out);

/// L-BFGS-B through LBFGS++, restarted from the best point when a line search stalls
/// (fit/lbfgs.cpp).
std::optional<FitStop>
runLbfgs(FitObjective& objective, Eigen::VectorXd x, const FitOptions& options, FitOutcome& out);

} // namespace dynfit::fit
