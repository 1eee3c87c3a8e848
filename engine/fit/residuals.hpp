// SPDX-License-Identifier: MIT
// Residuals of a fit, data − prediction at every observed cell, grouped by state: what a
// residual plot draws and what its legend summarises.
#pragma once

#include "objective/least_squares_loss.hpp"

#include <vector>

namespace dynfit::fit {

struct StateResiduals {
    std::vector<double> times;
    std::vector<double> values; ///< data − prediction, unweighted
    double rms = 0.0;           ///< root mean square of values (0 with none)
};

/// One entry per state (empty for an unobserved one). predictedColumns[i][k] is state i at the
/// loss's k-th save time; cells without a finite prediction (beyond a short column, NaN) are
/// left out.
std::vector<StateResiduals>
residualsByState(const objective::LeastSquaresLoss& loss,
                 const std::vector<std::vector<double>>& predictedColumns);

} // namespace dynfit::fit
