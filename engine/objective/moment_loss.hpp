// SPDX-License-Identifier: MIT
// The statistical loss of a model with noise: replicate data (several values of a state at one
// time: repeated time rows) against the ensemble's mean and variance there, as a Gaussian
// quasi-likelihood. Unlike least squares on one path, its optimum keeps the noise amplitude: the
// variance term is matched too (with the first two moments right the estimate is consistent
// whatever the distribution, the Gaussian quasi-likelihood's property).
#pragma once

#include "objective/least_squares_loss.hpp"

#include <Eigen/Core>

namespace dynfit::objective {

/// L = ½ Σ_cells Σ_r w_r [(d_r − μ)²/v′ + log v′] − L_sat, v′ = v + floor, over the cells
/// (save time, state) of the data. L_sat, the same sum at the cell's own best (μ, v′ ≥ floor),
/// makes L ≥ 0 and 0 exactly when the model's moments are the data's: a deviance, read like a
/// sum of squares. The floor (relative to each state's largest |d|²) keeps a state the model
/// holds deterministic somewhere (its start) from dividing by zero.
class MomentLoss {
  public:
    static constexpr double kRelativeFloor = 1e-6;

    explicit MomentLoss(const LeastSquaresLoss& data, double relativeFloor = kRelativeFloor);

    struct Value {
        double loss = 0.0;
        Eigen::ArrayXXd dMean;     ///< ∂L/∂μ, states × save times
        Eigen::ArrayXXd dVariance; ///< ∂L/∂v
    };

    /// From the model's mean and variance (states × saveTimes()).
    Value evaluate(const Eigen::ArrayXXd& mean, const Eigen::ArrayXXd& variance) const;

    const std::vector<double>& saveTimes() const { return m_times; }
    /// How many cells hold more than one value (replicates).
    int replicatedCells() const;

  private:
    struct Cell {
        int save = 0;
        int state = 0;
        std::vector<double> values;
        double weight = 1.0; ///< of each value (per state)
        double floor = 0.0;
        double saturated = 0.0; ///< this cell's share of L_sat
    };

    std::vector<double> m_times;
    std::vector<Cell> m_cells;
};

} // namespace dynfit::objective
