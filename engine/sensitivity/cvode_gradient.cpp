// SPDX-License-Identifier: MIT
// Gradients through SUNDIALS CVODE.
#include "sensitivity/cvode_gradient.hpp"

#include "model/model_system.hpp"
#include "sensitivity/gradient_methods.hpp"
#include "sensitivity/saved_solve.hpp"
#include "solvers/cvode.hpp"

#include <memory>

namespace dynfit::sens::detail {

namespace {

using VecD = model::Vector<double>;

ode::CvodeKind kindOf(const ode::Method& solver) {
    return std::holds_alternative<ode::CvodeBdf>(solver) ? ode::CvodeKind::Bdf
                                                         : ode::CvodeKind::Adams;
}

// f and ∂f/∂u of a problem as CVODE callbacks (`system` must outlive the solve).
ode::CvodeSystem systemOf(ode::DifferentiableSystem& system, const VecD& p) {
    ode::CvodeSystem out;
    const int n = system.stateCount();
    out.n = n;
    out.rhs = [&system, p](double t, const double* u, double* du) {
        system.rhs(u, p.data(), t, du);
    };
    auto scratch = std::make_shared<std::pair<VecD, Eigen::MatrixXd>>(VecD(n), Eigen::MatrixXd());
    out.jacobian = [&system, scratch, p, n](double t, const double* u, double* jac) {
        scratch->first = Eigen::Map<const VecD>(u, n);
        system.jacobianU(scratch->first, p, t, scratch->second);
        Eigen::Map<Eigen::MatrixXd>(jac, n, n) = scratch->second;
    };
    return out;
}

// s' = J s + ∂f/∂p_k (k < np; initial-value directions have no forcing). ∂f/∂p is evaluated
// once per (t, u): CVODES asks for every direction at the same point in turn.
class SensitivityRhs {
  public:
    SensitivityRhs(ode::DifferentiableSystem& system, const VecD& p)
        : m_system(system), m_p(p), m_n(system.stateCount()) {}

    void operator()(double t, const double* u, int k, const double* s, double* out) {
        m_system.jvp(u, m_p.data(), s, t, out);
        if (k >= m_system.paramCount()) {
            return;
        }
        const VecD state = Eigen::Map<const VecD>(u, m_n);
        if (!m_cached || t != m_t || state != m_u) {
            m_system.jacobianP(state, m_p, t, m_jacP);
            m_t = t;
            m_u = state;
            m_cached = true;
        }
        Eigen::Map<VecD>(out, m_n) += m_jacP.col(k);
    }

  private:
    ode::DifferentiableSystem& m_system;
    VecD m_p;
    int m_n;
    Eigen::MatrixXd m_jacP;
    VecD m_u;
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
    model::ModelSystem system(*gp.model);
    const int n = system.stateCount();
    const int np = system.paramCount();
    const VecD p = Eigen::Map<const Eigen::VectorXd>(gp.params.data(), np);
    VecD u0;
    double t0 = 0.0, t1 = 0.0;
    initialConditions(gp, p, u0, t0, t1);

    ode::CvodeSensitivity sens;
    sens.ns = np + (initialDirections ? n : 0);
    sens.initial = Eigen::MatrixXd::Zero(n, sens.ns);
    Eigen::MatrixXd jac;
    system.initialStateJacobian(p, jac);
    std::vector<char> fixed(static_cast<std::size_t>(n), 0);
    for (const auto& given : gp.initialValues) {
        fixed[static_cast<std::size_t>(given.first)] = 1;
    }
    VecD f0(n);
    system.rhs(u0.data(), p.data(), t0, f0.data());
    const VecD dt0 = startTimeDerivative(gp, system);
    for (int k = 0; k < np; ++k) {
        for (int i = 0; i < n; ++i) {
            if (!fixed[static_cast<std::size_t>(i)]) {
                sens.initial(i, k) = jac(i, k);
            }
        }
        sens.initial.col(k) -= f0 * dt0[k];
    }
    for (int i = 0; initialDirections && i < n; ++i) {
        sens.initial(i, np + i) = 1.0;
    }
    auto rhs = std::make_shared<SensitivityRhs>(system, p);
    sens.rhs = [rhs](double t, const double* u, int k, const double* s, double* out) {
        (*rhs)(t, u, k, s, out);
    };
    ode::SolveOptions options = baseOptions;
    options.saveat = gp.loss->saveTimes();
    options.saveEverystep = false;
    options.dense = false;
    auto result =
        ode::solveCvode(systemOf(system, p), kindOf(solver), u0, {t0, t1}, options, &sens);
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

AdjointOutcome cvodeInterpolatingAdjoint(const AdjointProblem& problem,
                                         const ode::Method& solver,
                                         const ode::SolveOptions& baseOptions) {
    // Plain references, not a structured binding: lambdas below capture them (clang 14 cannot
    // capture bindings).
    ode::DifferentiableSystem& system = problem.system;
    const VecD& p = problem.p;
    const VecD& u0 = problem.u0;
    const ode::TimeSpan span = problem.span;
    const objective::LeastSquaresLoss& loss = problem.loss;
    ode::CvodeAdjointSystem adjoint;
    adjoint.np = system.paramCount();
    adjoint.vjp = [&system, p](double t, const double* u, const double* w, double* gu, double* gp) {
        system.vjp(u, p.data(), w, t, gu, gp);
    };
    adjoint.jump = [&loss](std::size_t k, const Eigen::VectorXd& u) {
        return loss.stateGradientAt(k, u);
    };
    ode::SolveOptions options = baseOptions;
    options.saveat = loss.saveTimes();
    options.saveEverystep = false;
    options.dense = false;
    auto result =
        ode::cvodeAdjoint(systemOf(system, p), adjoint, kindOf(solver), u0, span, options);
    AdjointOutcome out;
    out.nfForward = result.forward.stats.nRhs;
    out.nfBackward = result.nRhsBackward;
    if (!result.forward.ok()) {
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
