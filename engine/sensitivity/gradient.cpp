// SPDX-License-Identifier: MIT
// Gradient methods: forward-mode AD (chunked dual numbers) and central finite differences.
#include "sensitivity/gradient.hpp"

#include "core/dual.hpp"
#include "model/model_rhs.hpp"
#include "sensitivity/adjoint.hpp"
#include "sensitivity/cvode_gradient.hpp"
#include "sensitivity/gradient_support.hpp"
#include "sensitivity/reverse_stiff.hpp"
#include "sensitivity/reverse_tape.hpp"
#include "solvers/solve.hpp"

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

// Directions 0..np−1 are the parameters, np..np+n−1 the initial values. D: the dual number of
// the chosen precision.
template<class D>
void forwardMode(const GradientProblem& gp,
                 const ode::Method& solver,
                 const ode::SolveOptions& options,
                 GradientResult& result) {
    const model::CompiledModel& m = *gp.model;
    const int np = m.paramCount();
    const int n = m.stateCount();
    const int directions = np + n;
    for (int first = 0; first < std::max(directions, 1); first += kChunk) {
        Vec<D> p, u0;
        D t0, t1;
        seedChunk(gp, first, p, u0, t0, t1);
        // Every chunk solves the same trajectory: keep its states once.
        const D loss = solveLoss(gp, p, u0, t0.val, t1.val, solver, options, result, first == 0);
        if (!result.ok()) {
            return;
        }
        result.loss = loss.val;
        for (int d = 0; d < kChunk && first + d < directions; ++d) {
            const double g = loss.d[static_cast<std::size_t>(d)];
            if (first + d < np) {
                result.dParams[static_cast<std::size_t>(first + d)] = g;
            } else {
                result.dInit[static_cast<std::size_t>(first + d - np)] = g;
            }
        }
    }
}

void adjointMode(AdjointKind kind,
                 const GradientProblem& gp,
                 const ode::Method& solver,
                 const ode::SolveOptions& options,
                 const AdjointOptions& adjoint,
                 GradientResult& result) {
    const model::CompiledModel& m = *gp.model;
    const Vec<double> p = Eigen::Map<const Eigen::VectorXd>(gp.params.data(), m.paramCount());
    Vec<double> u0;
    double t0 = 0.0, t1 = 0.0;
    initialConditions(gp, p, u0, t0, t1);
    const AdjointOutcome out =
        continuousAdjoint(kind, m, p, u0, t0, t1, *gp.loss, solver, options, adjoint);
    result.nfForward += out.nfForward;
    result.nfBackward += out.nfBackward;
    if (!out.ok) {
        result.status = out.status;
        result.message = out.message;
        return;
    }
    result.loss = out.loss;
    keepSaved(out.saved, result);
    assembleGradient(gp, p, u0, t0, out.lambda0, out.mu0, result);
}

// Reverse mode: a forward solve that records its accepted steps, then one backward sweep.
template<class T>
void reverseMode(const GradientProblem& gp,
                 const ode::SolveOptions& baseOptions,
                 GradientResult& result) {
    const model::CompiledModel& m = *gp.model;
    const int n = m.stateCount();
    const int np = m.paramCount();
    const Vec<double> p = Eigen::Map<const Eigen::VectorXd>(gp.params.data(), np);
    Vec<double> u0;
    double t0 = 0.0, t1 = 0.0;
    initialConditions(gp, p, u0, t0, t1);

    ode::SolveOptions options = baseOptions;
    options.saveat = gp.loss->saveTimes();
    options.saveEverystep = false;
    options.dense = false;
    std::vector<TapeStep> tape;
    std::shared_ptr<const model::CompiledModel> shared(gp.model,
                                                       [](const model::CompiledModel*) {});
    const auto problem = ode::makeOdeProblem(model::ModelRhs<double>(shared), u0, {t0, t1}, p);
    const auto sol =
        ode::solve(problem, T{}, options, [&tape](const ode::StepView<Vec<double>>& s) {
            tape.push_back({s.t0, s.t1 - s.t0, s.u0});
            return true;
        });
    result.nfForward += sol.stats.nRhs;
    if (!sol.ok()) {
        result.status = sol.status;
        result.message = sol.message;
        return;
    }
    result.loss = gp.loss->evaluate(sol.u);
    keepSaved(sol.u, result);

    // ∂L/∂u(t_s) at each save time, then each save assigned to the step that holds it.
    const auto& times = gp.loss->saveTimes();
    std::vector<Vec<double>> saveAdjoint(times.size(), Vec<double>::Zero(n));
    for (const auto& term : gp.loss->terms()) {
        const double r = sol.u[static_cast<std::size_t>(term.save)][term.state] - term.value;
        saveAdjoint[static_cast<std::size_t>(term.save)][term.state] += 2.0 * term.weight * r;
    }
    std::vector<std::vector<TapeSave>> interior(tape.size());
    std::vector<Vec<double>> atEnd(tape.size(), Vec<double>::Zero(n));
    Vec<double> uBar = Vec<double>::Zero(n);
    std::size_t step = 0;
    for (std::size_t s = 0; s < times.size(); ++s) {
        if (times[s] == t0 || tape.empty()) {
            uBar += saveAdjoint[s]; // data at the start time: straight onto u0
            continue;
        }
        while (step + 1 < tape.size()
               && (times[s] - (tape[step].t + tape[step].h)) * tape[step].h > 0) {
            ++step;
        }
        const double theta = (times[s] - tape[step].t) / tape[step].h;
        const bool end = step + 1 == tape.size() ? times[s] == t1 : times[s] == tape[step + 1].t;
        if (end) {
            atEnd[step] += saveAdjoint[s];
        } else {
            interior[step].push_back({theta, saveAdjoint[s]});
        }
    }

    ModelDerivatives f(m);
    Vec<double> uBarStep = Vec<double>::Zero(n);
    Vec<double> pBar = Vec<double>::Zero(np);
    if constexpr (ode::RkTableau<T>) {
        ReverseWorkspace work;
        for (std::size_t j = tape.size(); j-- > 0;) {
            uBarStep += atEnd[j];
            reverseStep<T>(tape[j], interior[j], p, f, work, uBarStep, pBar);
        }
    } else if constexpr (ode::RosenbrockTableau<T>) {
        StiffReverseWorkspace work;
        for (std::size_t j = tape.size(); j-- > 0;) {
            uBarStep += atEnd[j];
            reverseRosenbrockStep<T>(tape[j], interior[j], p, f, work, uBarStep, pBar);
        }
    } else {
        StiffReverseWorkspace work;
        model::ModelRhs<double> rhs(shared);
        ode::Esdirk<T, Vec<double>> stepper;
        stepper.init(u0);
        stepper.setTolerances({options.reltol, options.abstol, &options.abstolPerComponent});
        SolveStats stats;
        for (std::size_t j = tape.size(); j-- > 0;) {
            uBarStep += atEnd[j];
            if (!reverseEsdirkStep<T>(tape[j], interior[j], p, f, rhs, stepper, work, uBarStep,
                                      pBar, stats)) {
                result.status = SolveStatus::DtLessThanMin;
                result.message = std::string("reverse mode: a recomputed ") + T::name
                                 + " step failed to converge at t = " + std::to_string(tape[j].t);
                return;
            }
        }
        result.nfBackward += stats.nRhs;
    }
    uBar += uBarStep;
    result.nfBackward += f.evaluations;
    assembleGradient(gp, p, u0, t0, uBar, pBar, result);
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
    if (method == GradientMethod::Forward && isCvode(solver)
        && problem.precision == Precision::Double) {
        cvodeForwardGradient(problem, solver, options, result);
    } else if (method == GradientMethod::Forward) {
        if (problem.precision == Precision::Single) {
            forwardMode<ChunkDualF>(problem, solver, options, result);
        } else {
            forwardMode<ChunkDual>(problem, solver, options, result);
        }
    } else if (method == GradientMethod::Backsolve) {
        adjointMode(AdjointKind::Backsolve, problem, solver, options, adjoint, result);
    } else if (method == GradientMethod::Interpolating) {
        adjointMode(AdjointKind::Interpolating, problem, solver, options, adjoint, result);
    } else if (method == GradientMethod::Quadrature) {
        adjointMode(AdjointKind::Quadrature, problem, solver, options, adjoint, result);
    } else if (method == GradientMethod::Reverse) {
        std::visit(
            [&](auto tag) {
                using Tag = decltype(tag);
                if constexpr (ode::RkTableau<
                                  Tag> || ode::RosenbrockTableau<Tag> || ode::EsdirkTableau<Tag>) {
                    reverseMode<Tag>(problem, options, result);
                } else {
                    result.status = SolveStatus::InvalidInput;
                    result.message = std::string("reverse mode replays the steps of a "
                                                 "native method; with ")
                                     + Tag::name
                                     + " use the forward or interpolating gradient, or a "
                                       "native method (Tsit5, Rodas5P, KenCarp4, ...)";
                }
            },
            solver);
    } else {
        finiteDifferences(problem, solver, options, result);
    }
    result.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

} // namespace dynfit::sens
