// SPDX-License-Identifier: MIT
// A compiled model with noise as the SDE du = f dt + g dW: f the model's equations, g its
// noise lines, solved by an SDE method on one Brownian path (solvers/sde_solve.hpp).
#pragma once

#include "core/dual.hpp"
#include "model/model_rhs.hpp"
#include "output/solution.hpp"
#include "solvers/sde_methods.hpp"
#include "solvers/solve_options.hpp"
#include "solvers/wiener_paths.hpp"

#include <memory>

namespace dynfit::model {

/// g of a compiled model: one value per state, 0 where it has none (Diagonal or Scalar noise), or
/// the n × m matrix column-major (General).
template<class S>
class ModelNoise {
  public:
    explicit ModelNoise(std::shared_ptr<const CompiledModel> model)
        : m_model(std::move(model)), m_eval(m_model->noise) {}

    void operator()(Vector<S>& g, const Vector<S>& u, const Vector<S>& p, double t) {
        const auto n = m_model->stateCount();
        g.resize(m_model->noiseShape == ode::NoiseShape::General
                     ? n * static_cast<int>(m_model->noiseProcesses.size())
                     : n);
        m_eval(u.data(), p.data(), nullptr, t, g.data());
    }

  private:
    std::shared_ptr<const CompiledModel> m_model;
    ProgramEvaluator<S> m_eval;
};

/// The start of an SDE solve: u0, the span and the parameters, as for an ODE.
struct SdeStart {
    Vector<double> u0;
    ode::TimeSpan span;
    Vector<double> p;
};

/// One trajectory of a model with noise, on the path settings.noise names.
ode::Solution<Vector<double>> solveModelSde(std::shared_ptr<const CompiledModel> model,
                                            const SdeStart& start,
                                            const ode::SdeMethod& method,
                                            const ode::SolveOptions& options,
                                            const ode::SdeSettings& run);
/// … with forward-mode dual numbers (8 directions): the pathwise derivatives on the same path
/// (the steps, chosen on the primal values, are the double solve's).
ode::Solution<Vector<Dual<double, 8>>> solveModelSde(std::shared_ptr<const CompiledModel> model,
                                                     const Vector<Dual<double, 8>>& u0,
                                                     ode::TimeSpan span,
                                                     const Vector<Dual<double, 8>>& p,
                                                     const ode::SdeMethod& method,
                                                     const ode::SolveOptions& options,
                                                     const ode::SdeSettings& run);

} // namespace dynfit::model
