// SPDX-License-Identifier: MIT
// Gradient methods: forward-mode AD (chunked dual numbers) and central finite differences.
#include "sensitivity/gradient.hpp"

#include "core/dual.hpp"
#include "model/model_rhs.hpp"
#include "solvers/solve.hpp"

#include <chrono>
#include <cmath>

namespace dynfit::sens {

namespace {

constexpr struct {
    GradientMethod method;
    const char* name;
    bool available;
} kMethods[] = {{GradientMethod::Forward, "forward", true},
                {GradientMethod::Reverse, "reverse", false},
                {GradientMethod::Backsolve, "backsolve", false},
                {GradientMethod::Interpolating, "interpolating", false},
                {GradientMethod::Quadrature, "quadrature", false},
                {GradientMethod::FiniteDiff, "finite-diff", true}};

// Directions of one forward-mode pass; more parameters take several passes (chunks).
constexpr int kChunk = 8;
using ChunkDual = Dual<double, kChunk>;

template<class S>
using Vec = model::Vector<S>;

// u0(p) and t0(p), t1(p) for parameters of any scalar type.
template<class S>
void initialConditions(const model::CompiledModel& m,
                       const Vec<S>& p,
                       Vec<S>& u0,
                       S& t0,
                       S& t1,
                       const std::optional<ode::TimeSpan>& span) {
    u0.resize(m.stateCount());
    model::ProgramEvaluator<S> init(m.initial);
    init(nullptr, p.data(), nullptr, 0.0, u0.data());
    if (span) {
        t0 = S(span->t0);
        t1 = S(span->t1);
    } else {
        S ends[2];
        model::ProgramEvaluator<S> times(m.timeSpan);
        times(nullptr, p.data(), nullptr, 0.0, ends);
        t0 = ends[0];
        t1 = ends[1];
    }
}

// One solve of the model from (u0, p) on [t0, t1], returning the loss; fills status on failure.
template<class S>
S solveLoss(const GradientProblem& gp,
            const Vec<S>& p,
            const Vec<S>& u0,
            double t0,
            double t1,
            const ode::ExplicitMethod& solver,
            ode::SolveOptions options,
            GradientResult& result) {
    options.saveat = gp.loss->saveTimes();
    options.saveEverystep = false;
    options.dense = false;
    std::shared_ptr<const model::CompiledModel> shared(gp.model,
                                                       [](const model::CompiledModel*) {});
    const auto problem = ode::makeOdeProblem(model::ModelRhs<S>(shared), u0, {t0, t1}, p);
    const auto sol = ode::solve(problem, solver, options);
    result.nfForward += sol.stats.nRhs;
    if (!sol.ok()) {
        result.status = sol.status;
        result.message = sol.message;
        return S(std::nan(""));
    }
    return gp.loss->evaluate(sol.u);
}

bool checkProblem(const GradientProblem& gp, GradientResult& result) {
    if (!gp.span && !gp.model->hasTimeSpan) {
        result.status = SolveStatus::InvalidInput;
        result.message = "no time span: give one or write 'tspan = T0 .. T1' in the model";
        return false;
    }
    return true;
}

// Directions 0..np−1 are the parameters, np..np+n−1 the initial values.
void forwardMode(const GradientProblem& gp,
                 const ode::ExplicitMethod& solver,
                 const ode::SolveOptions& options,
                 GradientResult& result) {
    const model::CompiledModel& m = *gp.model;
    const int np = m.paramCount();
    const int n = m.stateCount();
    const int directions = np + n;
    for (int first = 0; first < std::max(directions, 1); first += kChunk) {
        Vec<ChunkDual> p(np);
        for (int k = 0; k < np; ++k) {
            p[k] = ChunkDual(gp.params[static_cast<std::size_t>(k)]);
            if (k >= first && k < first + kChunk) {
                p[k].d[static_cast<std::size_t>(k - first)] = 1.0;
            }
        }
        Vec<ChunkDual> u0;
        ChunkDual t0, t1;
        initialConditions(m, p, u0, t0, t1, gp.span);
        for (int i = 0; i < n; ++i) {
            const int dir = np + i - first;
            if (dir >= 0 && dir < kChunk) {
                u0[i].d[static_cast<std::size_t>(dir)] += 1.0;
            }
        }
        // A start time that depends on p moves the solution: ∂u(t)/∂t0 = −Φ(t, t0) f(u0, t0).
        if (std::any_of(t0.d.begin(), t0.d.end(), [](double x) { return x != 0.0; })) {
            Vec<double> u0v(n), pv(np), f0(n);
            for (int i = 0; i < n; ++i) {
                u0v[i] = u0[i].val;
            }
            for (int k = 0; k < np; ++k) {
                pv[k] = p[k].val;
            }
            model::ProgramEvaluator<double> rhs(m.rhs);
            rhs(u0v.data(), pv.data(), nullptr, t0.val, f0.data());
            for (int i = 0; i < n; ++i) {
                for (int d = 0; d < kChunk; ++d) {
                    u0[i].d[static_cast<std::size_t>(d)] -=
                        f0[i] * t0.d[static_cast<std::size_t>(d)];
                }
            }
        }
        const ChunkDual loss = solveLoss(gp, p, u0, t0.val, t1.val, solver, options, result);
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

// Loss at parameters p, with u0 = u0(p) shifted by `initShift` (init direction i, size h).
double lossAt(const GradientProblem& gp,
              const std::vector<double>& params,
              int initShift,
              double h,
              const ode::ExplicitMethod& solver,
              const ode::SolveOptions& options,
              GradientResult& result) {
    const model::CompiledModel& m = *gp.model;
    const Vec<double> p = Eigen::Map<const Eigen::VectorXd>(params.data(), m.paramCount());
    Vec<double> u0;
    double t0 = 0.0, t1 = 0.0;
    initialConditions(m, p, u0, t0, t1, gp.span);
    if (initShift >= 0) {
        u0[initShift] += h;
    }
    return solveLoss(gp, p, u0, t0, t1, solver, options, result);
}

void finiteDifferences(const GradientProblem& gp,
                       const ode::ExplicitMethod& solver,
                       const ode::SolveOptions& options,
                       GradientResult& result) {
    const model::CompiledModel& m = *gp.model;
    result.loss = lossAt(gp, gp.params, -1, 0.0, solver, options, result);
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
        m, Vec<double>(Eigen::Map<const Eigen::VectorXd>(gp.params.data(), m.paramCount())), u0, t0,
        t1, gp.span);
    for (int i = 0; i < m.stateCount() && result.ok(); ++i) {
        const double h = step(u0[i]);
        const double lp = lossAt(gp, gp.params, i, h, solver, options, result);
        const double lm = lossAt(gp, gp.params, i, -h, solver, options, result);
        result.dInit[static_cast<std::size_t>(i)] = (lp - lm) / (2 * h);
    }
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
                        const ode::ExplicitMethod& solver,
                        const ode::SolveOptions& options,
                        GradientMethod method) {
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
                         + "' is not available yet; use forward or finite-diff";
        return result;
    }
    if (method == GradientMethod::Forward) {
        forwardMode(problem, solver, options, result);
    } else {
        finiteDifferences(problem, solver, options, result);
    }
    result.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

} // namespace dynfit::sens
