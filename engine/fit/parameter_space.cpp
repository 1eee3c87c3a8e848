// SPDX-License-Identifier: MIT
// The coordinates an optimiser moves in.
#include "fit/parameter_space.hpp"

#include <cmath>
#include <limits>

namespace dynfit::fit {

ParameterSpace::ParameterSpace(const model::CompiledModel& model) {
    const auto n = static_cast<Eigen::Index>(model.params.size());
    const double inf = std::numeric_limits<double>::infinity();
    m_lower = Eigen::VectorXd::Constant(n, -inf);
    m_upper = Eigen::VectorXd::Constant(n, inf);
    for (Eigen::Index k = 0; k < n; ++k) {
        const model::ParamInfo& p = model.params[static_cast<std::size_t>(k)];
        m_log.push_back(p.logScale);
        m_scale.push_back(1.0);
        if (p.lower) {
            m_lower[k] = p.logScale ? std::log(*p.lower) : *p.lower;
            m_upper[k] = p.logScale ? std::log(*p.upper) : *p.upper;
        }
    }
}

void ParameterSpace::normalise(const model::CompiledModel& model,
                               const std::vector<double>& start) {
    for (std::size_t k = 0; k < m_scale.size() && k < start.size(); ++k) {
        if (m_log[k] || !model.params[k].network.empty() || !(std::abs(start[k]) > 0.0)
            || !std::isfinite(start[k])) {
            continue;
        }
        const double s = std::abs(start[k]);
        const auto i = static_cast<Eigen::Index>(k);
        m_lower[i] /= s;
        m_upper[i] /= s;
        m_scale[k] = s;
    }
}

Eigen::VectorXd ParameterSpace::toInternal(const std::vector<double>& params) const {
    Eigen::VectorXd x(static_cast<Eigen::Index>(params.size()));
    for (std::size_t k = 0; k < params.size(); ++k) {
        x[static_cast<Eigen::Index>(k)] = m_log[k] ? std::log(params[k]) : params[k] / m_scale[k];
    }
    return x;
}

std::vector<double> ParameterSpace::toModel(const Eigen::VectorXd& x) const {
    std::vector<double> p(static_cast<std::size_t>(x.size()));
    for (std::size_t k = 0; k < p.size(); ++k) {
        const double v = x[static_cast<Eigen::Index>(k)];
        p[k] = m_log[k] ? std::exp(v) : v * m_scale[k];
    }
    return p;
}

Eigen::VectorXd ParameterSpace::chain(const Eigen::VectorXd& x,
                                      const std::vector<double>& dLdp) const {
    Eigen::VectorXd g(x.size());
    for (Eigen::Index k = 0; k < x.size(); ++k) {
        const double dp = dLdp[static_cast<std::size_t>(k)];
        const auto i = static_cast<std::size_t>(k);
        g[k] = m_log[i] ? dp * std::exp(x[k]) : dp * m_scale[i];
    }
    return g;
}

Eigen::VectorXd ParameterSpace::project(const Eigen::VectorXd& x) const {
    return x.cwiseMax(m_lower).cwiseMin(m_upper);
}

} // namespace dynfit::fit
