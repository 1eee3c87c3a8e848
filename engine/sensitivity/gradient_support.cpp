// SPDX-License-Identifier: MIT
// The chain through u0(p) and t0(p) shared by the gradient methods.
#include "sensitivity/gradient_support.hpp"

namespace dynfit::sens::detail {

// dt0/dp_k from the model's tspan program (zero when the span is given from outside).
std::vector<double> startTimeDerivative(const GradientProblem& gp) {
    const model::CompiledModel& m = *gp.model;
    std::vector<double> dt0(static_cast<std::size_t>(m.paramCount()), 0.0);
    if (gp.span) {
        return dt0;
    }
    using D1 = Dual<double, 1>;
    for (int k = 0; k < m.paramCount(); ++k) {
        Vec<D1> p(m.paramCount());
        for (int j = 0; j < m.paramCount(); ++j) {
            p[j] = j == k ? D1::variable(gp.params[static_cast<std::size_t>(j)], 0)
                          : D1(gp.params[static_cast<std::size_t>(j)]);
        }
        D1 ends[2];
        model::ProgramEvaluator<D1> times(m.timeSpan);
        times(nullptr, p.data(), nullptr, 0.0, ends);
        dt0[static_cast<std::size_t>(k)] = ends[0].d[0];
    }
    return dt0;
}

// dL/du0 = ū0 and dL/dp = p̄ + (∂u0/∂p)ᵀ ū0 − (ū0ᵀ f(u0, t0)) ∂t0/∂p: the chain through the
// initial state and the start time, shared by reverse mode and the adjoints.
void assembleGradient(const GradientProblem& gp,
                      const Vec<double>& p,
                      const Vec<double>& u0,
                      double t0,
                      const Vec<double>& uBar,
                      const Vec<double>& pBar,
                      GradientResult& result) {
    const model::CompiledModel& m = *gp.model;
    const int n = m.stateCount();
    const int np = m.paramCount();
    std::vector<double> jac(static_cast<std::size_t>(n * np));
    model::ProgramEvaluator<double> initJac(m.initialJacobianP);
    initJac(nullptr, p.data(), nullptr, 0.0, jac.data());
    Vec<double> f0(n);
    model::ProgramEvaluator<double> rhs(m.rhs);
    rhs(u0.data(), p.data(), nullptr, t0, f0.data());
    const double startShift = -uBar.dot(f0);
    const auto dt0 = startTimeDerivative(gp);
    std::vector<char> fixed(static_cast<std::size_t>(n), 0);
    for (const auto& given : gp.initialValues) {
        fixed[static_cast<std::size_t>(given.first)] = 1;
    }
    for (int k = 0; k < np; ++k) {
        double g = pBar[k] + startShift * dt0[static_cast<std::size_t>(k)];
        for (int i = 0; i < n; ++i) {
            if (!fixed[static_cast<std::size_t>(i)]) {
                g += jac[static_cast<std::size_t>(i * np + k)] * uBar[i];
            }
        }
        result.dParams[static_cast<std::size_t>(k)] = g;
    }
    for (int i = 0; i < n; ++i) {
        result.dInit[static_cast<std::size_t>(i)] = uBar[i];
    }
}

} // namespace dynfit::sens::detail
