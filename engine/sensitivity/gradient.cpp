// SPDX-License-Identifier: MIT
// The gradient methods' dispatch, the continuous adjoints' entry and central finite differences;
// forward and reverse mode have their own files (each one heavy compilation unit).
#include "sensitivity/gradient.hpp"

#include "model/model_system.hpp"
#include "sensitivity/adjoint.hpp"
#include "sensitivity/cvode_gradient.hpp"
#include "sensitivity/gradient_methods.hpp"
#include "sensitivity/saved_solve.hpp"

#include <chrono>
#include <cmath>

namespace dynfit::sens {

using namespace detail;

namespace {

constexpr struct {
    GradientMethod method;
    const char* name;
    bool available;
} kMethods[] = {{GradientMethod::Forward, "forward", true},
                {GradientMethod::Reverse, "reverse", true},
                {GradientMethod::Backsolve, "backsolve", true},
                {GradientMethod::Interpolating, "interpolating", true},
                {GradientMethod::Quadrature, "quadrature", true},
                {GradientMethod::FiniteDiff, "finite-diff", true}};

void adjointMode(AdjointKind kind,
                 const GradientProblem& gp,
                 const ode::Method& solver,
                 const ode::SolveOptions& options,
                 const AdjointOptions& adjoint,
                 GradientResult& result) {
    model::ModelSystem system(*gp.model);
    system.setDoses(gp.doses);
    const Vec<double> p = Eigen::Map<const Eigen::VectorXd>(gp.params.data(), system.paramCount());
    Vec<double> u0;
    double t0 = 0.0, t1 = 0.0;
    initialConditions(gp, p, u0, t0, t1);
    const AdjointOutcome out =
        continuousAdjoint(kind, {system, p, u0, {t0, t1}, *gp.loss}, solver, options, adjoint);
    result.nfForward += out.nfForward;
    result.nfBackward += out.nfBackward;
    if (!out.ok()) {
        result.status = out.status;
        result.message = out.message;
        return;
    }
    result.loss = out.loss;
    keepSaved(out.saved, result);
    assembleGradient(gp, system, p, u0, t0, out.lambda0, out.mu0, result);
}

// Loss at parameters p, with u0 = u0(p) shifted by `initShift` (init direction i, size h).
double lossAt(const GradientProblem& gp,
              const std::vector<double>& params,
              int initShift,
              double h,
              const ode::Method& solver,
              const ode::SolveOptions& options,
              GradientResult& result) {
    const model::CompiledModel& m = *gp.model;
    const Vec<double> p = Eigen::Map<const Eigen::VectorXd>(params.data(), m.paramCount());
    Vec<double> u0;
    double t0 = 0.0, t1 = 0.0;
    initialConditions(gp, p, u0, t0, t1);
    if (initShift >= 0) {
        u0[initShift] += h;
    }
    return solveLoss(gp, p, u0, t0, t1, solver, options, result);
}

void finiteDifferences(const GradientProblem& gp,
                       const ode::Method& solver,
                       const ode::SolveOptions& options,
                       GradientResult& result) {
    const model::CompiledModel& m = *gp.model;
    result.loss = lossAt(gp, gp.params, -1, 0.0, solver, options, result);
    const auto saved = result.saved;
    const auto step = [](double x) { return 1e-5 * std::max(1.0, std::abs(x)); };
    for (int k = 0; k < m.paramCount() && result.ok(); ++k) {
        std::vector<double> plus = gp.params, minus = gp.params;
        const double h = step(gp.params[static_cast<std::size_t>(k)]);
        plus[static_cast<std::size_t>(k)] += h;
        minus[static_cast<std::size_t>(k)] -= h;
        const double lp = lossAt(gp, plus, -1, 0.0, solver, options, result);
        const double lm = lossAt(gp, minus, -1, 0.0, solver, options, result);
        result.dParams[static_cast<std::size_t>(k)] = (lp - lm) / (2 * h);
    }
    Vec<double> u0;
    double t0 = 0.0, t1 = 0.0;
    initialConditions(
        gp, Vec<double>(Eigen::Map<const Eigen::VectorXd>(gp.params.data(), m.paramCount())), u0,
        t0, t1);
    for (int i = 0; i < m.stateCount() && result.ok(); ++i) {
        const double h = step(u0[i]);
        const double lp = lossAt(gp, gp.params, i, h, solver, options, result);
        const double lm = lossAt(gp, gp.params, i, -h, solver, options, result);
        result.dInit[static_cast<std::size_t>(i)] = (lp - lm) / (2 * h);
    }
    result.saved = saved;
}

} // namespace

std::string_view gradientMethodName(GradientMethod method) {
    for (const auto& m : kMethods) {
        if (m.method == method) {
            return m.name;
        }
    }
    return "?";
}

std::optional<GradientMethod> gradientMethodByName(std::string_view name) {
    for (const auto& m : kMethods) {
        if (name == m.name) {
            return m.method;
        }
    }
    return std::nullopt;
}

bool isAvailable(GradientMethod method) {
    for (const auto& m : kMethods) {
        if (m.method == method) {
            return m.available;
        }
    }
    return false;
}

namespace {

// A delay model's gradients: forward and reverse mode (the lags' terms and jumps included) and
// finite differences, on a native method. Says why not otherwise.
bool delaysSupported(GradientMethod method,
                     const ode::Method& solver,
                     const std::vector<ode::Bolus>& doses,
                     std::string& why) {
    if (isCvode(solver)) {
        why = "CVODE does not solve delay equations: choose Tsit5, Vern7, DP5, BS3, Rodas5P or "
              "Rodas4";
        return false;
    }
    if (method != GradientMethod::Forward && method != GradientMethod::Reverse
        && method != GradientMethod::FiniteDiff) {
        why = "the " + std::string(gradientMethodName(method))
              + " adjoint does not carry a delay model's history (the advanced-argument term) "
                "yet: use forward or reverse (exact, lags included) or finite-diff";
        return false;
    }
    if (method == GradientMethod::Reverse && !doses.empty()) {
        why = "reverse mode does not carry doses through a delay model's past yet: use forward";
        return false;
    }
    return true;
}

// A model with noise: the pathwise gradient on one fixed path, by forward mode (the seed's way),
// reverse mode through the steps, or finite differences on the same path. Says why not otherwise.
bool noiseSupported(const GradientProblem& gp, GradientMethod method, std::string& why) {
    if (!gp.sde) {
        why = "the model has noise lines: its gradient needs an SDE method and a path (seed, "
              "trajectory)";
        return false;
    }
    if (method != GradientMethod::Forward && method != GradientMethod::Reverse
        && method != GradientMethod::FiniteDiff) {
        why = "the " + std::string(gradientMethodName(method))
              + " adjoint is not available for SDE models yet: use forward or reverse "
                "(pathwise, exact on the path) or finite-diff";
        return false;
    }
    if (gp.precision == Precision::Single) {
        why = "SDE gradients are computed in double precision only";
        return false;
    }
    return true;
}

} // namespace

GradientResult gradient(const GradientProblem& problem,
                        const ode::Method& solver,
                        const ode::SolveOptions& options,
                        GradientMethod method,
                        const AdjointOptions& adjoint) {
    GradientResult result;
    const auto start = std::chrono::steady_clock::now();
    result.dParams.assign(static_cast<std::size_t>(problem.model->paramCount()), 0.0);
    result.dInit.assign(static_cast<std::size_t>(problem.model->stateCount()), 0.0);
    if (!checkProblem(problem, result)) {
        return result;
    }
    if (!isAvailable(method)) {
        result.status = SolveStatus::InvalidInput;
        result.message = "the gradient method '" + std::string(gradientMethodName(method))
                         + "' is not available yet; use forward, reverse or finite-diff";
        return result;
    }
    if (problem.precision == Precision::Single && method != GradientMethod::Forward) {
        result.status = SolveStatus::InvalidInput;
        result.message = "single precision is available with the forward method only";
        return result;
    }
    if ((problem.model->hasEvents() || !problem.doses.empty()) && isCvode(solver)
        && method != GradientMethod::FiniteDiff) { // CVODES's sensitivities would miss the jumps
        result.status = SolveStatus::InvalidInput;
        result.message = "CVODE's gradients do not cross events yet: with events choose "
                         "Rodas5P, KenCarp4, Tsit5 or Auto (every gradient method), or "
                         "finite-diff with CVODE";
        return result;
    }
    if (problem.model->hasDelays()
        && !delaysSupported(method, solver, problem.doses, result.message)) {
        result.status = SolveStatus::InvalidInput;
        return result;
    }
    if (problem.model->hasNoise() && !noiseSupported(problem, method, result.message)) {
        result.status = SolveStatus::InvalidInput;
        return result;
    }
    if (problem.model->hasNoise()) { // pathwise, through the SDE solver on the one path
        if (method == GradientMethod::Forward) {
            forwardModeGradient(problem, solver, options, result);
        } else if (method == GradientMethod::Reverse) {
            reverseSdeGradient(problem, options, result);
        } else {
            finiteDifferences(problem, solver, options, result);
        }
    } else if (method == GradientMethod::Forward && isCvode(solver)
               && problem.precision == Precision::Double) {
        cvodeForwardGradient(problem, solver, options, result);
    } else if (method == GradientMethod::Forward) {
        forwardModeGradient(problem, solver, options, result);
    } else if (method == GradientMethod::Backsolve) {
        adjointMode(AdjointKind::Backsolve, problem, solver, options, adjoint, result);
    } else if (method == GradientMethod::Interpolating) {
        adjointMode(AdjointKind::Interpolating, problem, solver, options, adjoint, result);
    } else if (method == GradientMethod::Quadrature) {
        adjointMode(AdjointKind::Quadrature, problem, solver, options, adjoint, result);
    } else if (method == GradientMethod::Reverse) {
        reverseModeGradient(problem, solver, options, result);
    } else {
        finiteDifferences(problem, solver, options, result);
    }
    result.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

} // namespace dynfit::sens
