// SPDX-License-Identifier: MIT
// The chain through u0(p) and t0(p) shared by the gradient methods.
#include "sensitivity/start_chain.hpp"

namespace dynfit::sens::detail {

Vec<double> startTimeDerivative(const GradientProblem& gp, ode::DifferentiableSystem& system) {
    const Vec<double> p = Eigen::Map<const Eigen::VectorXd>(
        gp.params.data(), static_cast<Eigen::Index>(gp.params.size()));
    Vec<double> dt0 = Vec<double>::Zero(system.paramCount());
    if (!gp.span) {
        system.startTimeGradient(p, dt0);
    }
    return dt0;
}

void assembleGradient(const GradientProblem& gp,
                      ode::DifferentiableSystem& system,
                      const Vec<double>& p,
                      const Vec<double>& u0,
                      double t0,
                      const Vec<double>& uBar,
                      const Vec<double>& pBar,
                      GradientResult& result) {
    const int n = system.stateCount();
    const int np = system.paramCount();
    Eigen::MatrixXd jac;
    system.initialStateJacobian(p, jac);
    const Vec<double> dt0 = startTimeDerivative(gp, system);
    double startShift = 0.0;
    if (!dt0.isZero(0.0)) { // only a start that moves needs f there (a delay model's never does)
        Vec<double> f0(n);
        system.rhs(u0.data(), p.data(), t0, f0.data());
        startShift = -uBar.dot(f0);
    }
    std::vector<char> fixed(static_cast<std::size_t>(n), 0);
    for (const auto& given : gp.initialValues) {
        fixed[static_cast<std::size_t>(given.first)] = 1;
    }
    for (int k = 0; k < np; ++k) {
        double g = pBar[k] + startShift * dt0[k];
        for (int i = 0; i < n; ++i) {
            if (!fixed[static_cast<std::size_t>(i)]) {
                g += jac(i, k) * uBar[i];
            }
        }
        result.dParams[static_cast<std::size_t>(k)] = g;
    }
    for (int i = 0; i < n; ++i) {
        result.dInit[static_cast<std::size_t>(i)] = uBar[i];
    }
}

} // namespace dynfit::sens::detail
