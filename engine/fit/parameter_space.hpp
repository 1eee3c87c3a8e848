// SPDX-License-Identifier: MIT
// The coordinates an optimiser moves in: log scale where declared, with the declared bounds.
#pragma once

#include "model/model.hpp"

#include <Eigen/Core>
#include <vector>

namespace dynfit::fit {

/// x_k = log p_k for `log` parameters, p_k / s_k otherwise; bounds mapped the same way (±inf
/// where none is declared). Every optimiser works in x and projects onto the bounds. The scales
/// s_k are 1 unless normalise() sets them.
class ParameterSpace {
  public:
    explicit ParameterSpace(const model::CompiledModel& model);

    /// Scales each scalar param that is not `log` by the magnitude of its start value (1 where
    /// that is 0), so that a step of 0.05 in x is 5 % of every such param whatever its units:
    /// what a first-order method with one learning rate for all coordinates needs when the
    /// params differ in scale by orders of magnitude. Network weights keep scale 1 (they start
    /// near 0 by design). Call before any other use.
    void normalise(const model::CompiledModel& model, const std::vector<double>& start);

    Eigen::VectorXd toInternal(const std::vector<double>& params) const;
    std::vector<double> toModel(const Eigen::VectorXd& x) const;
    /// dL/dx from dL/dp at x (the chain rule through p = exp x for log parameters).
    Eigen::VectorXd chain(const Eigen::VectorXd& x, const std::vector<double>& dLdp) const;
    Eigen::VectorXd project(const Eigen::VectorXd& x) const;

    const Eigen::VectorXd& lower() const { return m_lower; }
    const Eigen::VectorXd& upper() const { return m_upper; }
    int size() const { return static_cast<int>(m_log.size()); }

  private:
    std::vector<bool> m_log;
    std::vector<double> m_scale;
    Eigen::VectorXd m_lower, m_upper;
};

} // namespace dynfit::fit
