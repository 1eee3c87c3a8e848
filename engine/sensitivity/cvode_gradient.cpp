// SPDX-License-Identifier: MIT
// Gradients through SUNDIALS CVODE.
#include "sensitivity/cvode_gradient.hpp"

#include "sensitivity/gradient_support.hpp"
#include "solvers/cvode.hpp"

#include <memory>

namespace dynfit::sens::detail {

namespace {

using VecD = model::Vector<double>;

ode::CvodeKind kindOf(const ode::Method& solver) {
    return std::holds_alternative<ode::CvodeBdf>(solver) ? ode::CvodeKind::Bdf
                                                         : ode::CvodeKind::Adams;
}

std::shared_ptr<const model::CompiledModel> borrow(const model::CompiledModel& m) {
    return {&m, [](const model::CompiledModel*) {}};
}

// f and ∂f/∂u of a compiled model as CVODE callbacks.
ode::CvodeSystem systemOf(const model::CompiledModel& m, const VecD& p) {
    ode::CvodeSystem system;
    const int n = m.stateCount();
    system.n = n;
    auto model = std::make_shared<model::DoubleModel>(m);
    system.rhs = [model, p](double t, const double* u, double* du) {
        model->rhs(u, p.data(), t, du);
    };
    auto rhs = std::make_shared<model::ModelRhs<double>>(borrow(m));
    auto scratch = std::make_shared<std::pair<VecD, Eigen::MatrixXd>>(VecD(n), Eigen::MatrixXd());
    system.jacobian = [rhs, scratch, p, n](double t, const double* u, double* jac) {
        scratch->first = Eigen::Map<const VecD>(u, n);
        rhs->jacobian(scratch->second, scratch->first, p, t);
        Eigen::Map<Eigen::MatrixXd>(jac, n, n) = scratch->second;
    };
    return system;
}

// s' = J s + ∂f/∂p_k (k < np; initial-value directions have no forcing). ∂f/∂p is evaluated
// once per (t, u): CVODES asks for every direction at the same point in turn.
class SensitivityRhs {
  public:
    SensitivityRhs(const model::CompiledModel& m, const VecD& p)
        : m_model(m), m_p(p), m_jvp(m.jvp), m_jacP(m.jacobianP), m_n(m.stateCount()),
          m_values(static_cast<Eigen::Index>(m.patternP.entries.size())) {}

    void operator()(double t, const double* u, int k, const double* s, double* out) {
        m_jvp(u, m_p.data(), s, t, out);
        if (k >= m_model.paramCount()) {
            return;
        }
        const VecD state = Eigen::Map<const VecD>(u, m_n);
        if (!m_cached || t != m_t || state != m_u) {
            m_jacP(u, m_p.data(), nullptr, t, m_values.data());
            m_t = t;
            m_u = state;
            m_cached = true;
        }
        const auto& entries = m_model.patternP.entries;
        for (std::size_t e = 0; e < entries.size(); ++e) {
            if (entries[e].second == k) {
                out[entries[e].first] += m_values[static_cast<Eigen::Index>(e)];
            }
        }
    }

  private:
    const model::CompiledModel& m_model;
    VecD m_p;
    model::ProgramEvaluator<double> m_jvp, m_jacP;
    int m_n;
    VecD m_values, m_u;
    double m_t = 0.0;
    bool m_cached = false;
};

struct Sensitivities {
    std::vector<Eigen::VectorXd> saved;
    std::vector<Eigen::MatrixXd> sens; ///< per save time: n × (np [+ n])
    SolveStatus status = SolveStatus::Success;
    std::string message;
    long nf = 0;
};

Sensitivities sensitivities(const GradientProblem& gp,
                            const ode::Method& solver,
                            const ode::SolveOptions& baseOptions,
                            bool initialDirections) {
    const model::CompiledModel& m = *gp.model;
    const int n = m.stateCount();
    const int np = m.paramCount();
    const VecD p = Eigen::Map<const Eigen::VectorXd>(gp.params.data(), np);
    VecD u0;
    double t0 = 0.0, t1 = 0.0;
    initialConditions(gp, p, u0, t0, t1);

    ode::CvodeSensitivity sens;
    sens.ns = np + (initialDirections ? n : 0);
    sens.initial = Eigen::MatrixXd::Zero(n, sens.ns);
    std::vector<double> jac(static_cast<std::size_t>(n * np));
    model::ProgramEvaluator<double> initJac(m.initialJacobianP);
    initJac(nullptr, p.data(), nullptr, 0.0, jac.data());
    std::vector<char> fixed(static_cast<std::size_t>(n), 0);
    for (const auto& given : gp.initialValues) {
        fixed[static_cast<std::size_t>(given.first)] = 1;
    }
    VecD f0(n);
    model::DoubleModel(m).rhs(u0.data(), p.data(), t0, f0.data());
    const auto dt0 = startTimeDerivative(gp);
    for (int k = 0; k < np; ++k) {
        for (int i = 0; i < n; ++i) {
            if (!fixed[static_cast<std::size_t>(i)]) {
                sens.initial(i, k) = jac[static_cast<std::size_t>(i * np + k)];
            }
        }
        sens.initial.col(k) -= f0 * dt0[static_cast<std::size_t>(k)];
    }
    for (int i = 0; initialDirections && i < n; ++i) {
        sens.initial(i, np + i) = 1.0;
    }
    auto rhs = std::make_shared<SensitivityRhs>(m, p);
    sens.rhs = [rhs](double t, const double* u, int k, const double* s, double* out) {
        (*rhs)(t, u, k, s, out);
    };
    ode::SolveOptions options = baseOptions;
    options.saveat = gp.loss->saveTimes();
    options.saveEverystep = false;
    options.dense = false;
    auto result = ode::solveCvode(systemOf(m, p), kindOf(solver), u0, {t0, t1}, options, &sens);
    Sensitivities out;
    out.status = result.solution.status;
    out.message = result.solution.message;
    out.nf = result.solution.stats.nRhs;
    out.saved = std::move(result.solution.u);
    out.sens = std::move(result.sensitivities);
    return out;
}

} // namespace

bool isCvode(const ode::Method& method) {
    return std::holds_alternative<ode::CvodeBdf>(method)
           || std::holds_alternative<ode::CvodeAdams>(method);
}

void cvodeForwardGradient(const GradientProblem& gp,
                          const ode::Method& solver,
                          const ode::SolveOptions& options,
                          GradientResult& result) {
    const auto s = sensitivities(gp, solver, options, true);
    result.nfForward += s.nf;
    if (s.status != SolveStatus::Success) {
        result.status = s.status;
        result.message = s.message;
        return;
    }
    const int np = gp.model->paramCount();
    const int n = gp.model->stateCount();
    result.loss = gp.loss->evaluate(s.saved);
    keepSaved(s.saved, result);
    for (const auto& term : gp.loss->terms()) {
        const auto save = static_cast<std::size_t>(term.save);
        const double r = s.saved[save][term.state] - term.value;
        const auto row = s.sens[save].row(term.state);
        for (int k = 0; k < np; ++k) {
            result.dParams[static_cast<std::size_t>(k)] += 2.0 * term.weight * r * row[k];
        }
        for (int i = 0; i < n; ++i) {
            result.dInit[static_cast<std::size_t>(i)] += 2.0 * term.weight * r * row[np + i];
        }
    }
}

void cvodeResidualJacobian(const GradientProblem& gp,
                           const ode::Method& solver,
                           const ode::SolveOptions& options,
                           bool initialDirections,
                           ResidualJacobian& out) {
    const auto s = sensitivities(gp, solver, options, initialDirections);
    out.nfForward = s.nf;
    if (s.status != SolveStatus::Success) {
        out.status = s.status;
        out.message = s.message;
        return;
    }
    const int np = gp.model->paramCount();
    const auto& terms = gp.loss->terms();
    for (std::size_t r = 0; r < terms.size(); ++r) {
        const auto& term = terms[r];
        const auto save = static_cast<std::size_t>(term.save);
        const double sw = std::sqrt(term.weight);
        const auto row = static_cast<Eigen::Index>(r);
        out.residuals[row] = sw * (s.saved[save][term.state] - term.value);
        out.jacobian.row(row) = sw * s.sens[save].row(term.state).head(np);
        if (initialDirections) {
            out.jacobianInit.row(row) =
                sw * s.sens[save].row(term.state).tail(gp.model->stateCount());
        }
    }
}

AdjointOutcome cvodeInterpolatingAdjoint(const model::CompiledModel& m,
                                         const VecD& p,
                                         const VecD& u0,
                                         double t0,
                                         double t1,
                                         const objective::LeastSquaresLoss& loss,
                                         const ode::Method& solver,
                                         const ode::SolveOptions& baseOptions) {
    ode::CvodeAdjointSystem adjoint;
    adjoint.np = m.paramCount();
    auto model = std::make_shared<model::DoubleModel>(m);
    adjoint.vjp = [model, p](double t, const double* u, const double* w, double* gu, double* gp) {
        model->vjp(u, p.data(), w, t, gu, gp);
    };
    adjoint.jump = [&loss](std::size_t k, const Eigen::VectorXd& u) {
        return loss.stateGradientAt(k, u);
    };
    ode::SolveOptions options = baseOptions;
    options.saveat = loss.saveTimes();
    options.saveEverystep = false;
    options.dense = false;
    auto result = ode::cvodeAdjoint(systemOf(m, p), adjoint, kindOf(solver), u0, {t0, t1}, options);
    AdjointOutcome out;
    out.nfForward = result.forward.stats.nRhs;
    out.nfBackward = result.nRhsBackward;
    if (!result.forward.ok()) {
        out.ok = false;
        out.status = result.forward.status;
        out.message = result.forward.message;
        return out;
    }
    out.saved = std::move(result.forward.u);
    out.loss = loss.evaluate(out.saved);
    out.lambda0 = result.lambda0;
    out.mu0 = result.mu0;
    return out;
}

} // namespace dynfit::sens::detail
