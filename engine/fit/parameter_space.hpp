// SPDX-License-Identifier: MIT
// The coordinates an optimiser moves in: log scale where declared, with the declared bounds.
#pragma once

#include "model/model.hpp"

#include <Eigen/Core>
#include <vector>

namespace dynfit::fit {

/// x_k = log p_k for `log` parameters, p_k otherwise; bounds mapped the same way (±inf where
/// none is declared). Every optimiser works in x and projects onto the bounds.
class ParameterSpace {
  public:
    explicit ParameterSpace(const model::CompiledModel& model);

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
    Eigen::VectorXd m_lower, m_upper;
};

} // namespace dynfit::fit
