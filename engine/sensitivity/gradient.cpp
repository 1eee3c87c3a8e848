// SPDX-License-Identifier: MIT
// Gradient methods: forward-mode AD (chunked dual numbers) and central finite differences.
#include "sensitivity/gradient.hpp"

#include "core/dual.hpp"
#include "model/model_rhs.hpp"
#include "sensitivity/adjoint.hpp"
#include "sensitivity/reverse_tape.hpp"
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
                {GradientMethod::Reverse, "reverse", true},
                {GradientMethod::Backsolve, "backsolve", true},
                {GradientMethod::Interpolating, "interpolating", true},
                {GradientMethod::Quadrature, "quadrature", true},
                {GradientMethod::FiniteDiff, "finite-diff", true}};

// Directions of one forward-mode pass; more parameters take several passes (chunks).
constexpr int kChunk = 8;
using ChunkDual = Dual<double, kChunk>;
using ChunkDualF = Dual<float, kChunk>;

template<class S>
using Vec = model::Vector<S>;

// u0(p) (with the problem's fixed initial values) and t0(p), t1(p), for any scalar type.
template<class S>
void initialConditions(const GradientProblem& gp, const Vec<S>& p, Vec<S>& u0, S& t0, S& t1) {
    const model::CompiledModel& m = *gp.model;
    const auto& span = gp.span;
    u0.resize(m.stateCount());
    model::ProgramEvaluator<S> init(m.initial);
    init(nullptr, p.data(), nullptr, 0.0, u0.data());
    for (const auto& [state, value] : gp.initialValues) {
        u0[state] = S(value);
    }
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

template<class State>
void keepSaved(const std::vector<State>& saved, GradientResult& result) {
    result.saved.clear();
    for (const auto& u : saved) {
        auto& row = result.saved.emplace_back(static_cast<std::size_t>(u.size()));
        for (Eigen::Index i = 0; i < u.size(); ++i) {
            row[static_cast<std::size_t>(i)] = primal(u[i]);
        }
    }
}

// One solve of the model from (u0, p) on [t0, t1], returning the states at the loss's save
// times; fills status on failure.
template<class S>
std::vector<Vec<S>> solveSaved(const GradientProblem& gp,
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
    auto sol = ode::solve(problem, solver, options);
    result.nfForward += sol.stats.nRhs;
    if (!sol.ok()) {
        result.status = sol.status;
        result.message = sol.message;
        return {};
    }
    return std::move(sol.u);
}

// One solve of the model from (u0, p) on [t0, t1], returning the loss; fills status on failure.
template<class S>
S solveLoss(const GradientProblem& gp,
            const Vec<S>& p,
            const Vec<S>& u0,
            double t0,
            double t1,
            const ode::ExplicitMethod& solver,
            const ode::SolveOptions& options,
            GradientResult& result,
            bool keepStates = true) {
    const auto saved = solveSaved(gp, p, u0, t0, t1, solver, options, result);
    if (!result.ok()) {
        return S(std::nan(""));
    }
    if (keepStates) {
        keepSaved(saved, result);
    }
    return gp.loss->evaluate(saved);
}

bool checkProblem(const GradientProblem& gp, GradientResult& result) {
    if (!gp.span && !gp.model->hasTimeSpan) {
        result.status = SolveStatus::InvalidInput;
        result.message = "no time span: give one or write 'tspan = T0 .. T1' in the model";
        return false;
    }
    return true;
}

// Dual inputs for the directions first … first + kChunk − 1: parameters 0..np−1, then initial
// values np..np+n−1; u0(p) and t0(p) are chained through.
template<class D>
void seedChunk(const GradientProblem& gp, int first, Vec<D>& p, Vec<D>& u0, D& t0, D& t1) {
    using Real = decltype(D{}.val);
    const model::CompiledModel& m = *gp.model;
    const int np = m.paramCount();
    const int n = m.stateCount();
    p.resize(np);
    for (int k = 0; k < np; ++k) {
        p[k] = D(static_cast<Real>(gp.params[static_cast<std::size_t>(k)]));
        if (k >= first && k < first + kChunk) {
            p[k].d[static_cast<std::size_t>(k - first)] = 1.0;
        }
    }
    initialConditions(gp, p, u0, t0, t1);
    for (int i = 0; i < n; ++i) {
        const int dir = np + i - first;
        if (dir >= 0 && dir < kChunk) {
            u0[i].d[static_cast<std::size_t>(dir)] += 1.0;
        }
    }
    // A start time that depends on p moves the solution: ∂u(t)/∂t0 = −Φ(t, t0) f(u0, t0).
    if (std::any_of(t0.d.begin(), t0.d.end(), [](Real x) { return x != Real(0); })) {
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
                    static_cast<Real>(f0[i]) * t0.d[static_cast<std::size_t>(d)];
            }
        }
    }
}

// Directions 0..np−1 are the parameters, np..np+n−1 the initial values. D: the dual number of
// the chosen precision.
template<class D>
void forwardMode(const GradientProblem& gp,
                 const ode::ExplicitMethod& solver,
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

void adjointMode(AdjointKind kind,
                 const GradientProblem& gp,
                 const ode::ExplicitMethod& solver,
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
template<ode::RkTableau T>
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
    ReverseWorkspace work;
    Vec<double> uBarStep = Vec<double>::Zero(n);
    Vec<double> pBar = Vec<double>::Zero(np);
    for (std::size_t j = tape.size(); j-- > 0;) {
        uBarStep += atEnd[j];
        reverseStep<T>(tape[j], interior[j], p, f, work, uBarStep, pBar);
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
              const ode::ExplicitMethod& solver,
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
                       const ode::ExplicitMethod& solver,
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
                        const ode::ExplicitMethod& solver,
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
    if (method == GradientMethod::Forward) {
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
        std::visit([&](auto tag) { reverseMode<decltype(tag)>(problem, options, result); }, solver);
    } else {
        finiteDifferences(problem, solver, options, result);
    }
    result.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

ResidualJacobian residualJacobian(const GradientProblem& problem,
                                  const ode::ExplicitMethod& solver,
                                  const ode::SolveOptions& options,
                                  bool initialDirections) {
    ResidualJacobian out;
    const model::CompiledModel& m = *problem.model;
    const int np = m.paramCount();
    const int directions = np + (initialDirections ? m.stateCount() : 0);
    const auto& terms = problem.loss->terms();
    const auto rows = static_cast<Eigen::Index>(terms.size());
    out.residuals.resize(rows);
    out.jacobian.resize(rows, np);
    out.jacobianInit.resize(rows, initialDirections ? m.stateCount() : 0);
    GradientResult status;
    if (!checkProblem(problem, status)) {
        out.status = status.status;
        out.message = status.message;
        return out;
    }
    for (int first = 0; first < std::max(directions, 1); first += kChunk) {
        Vec<ChunkDual> p, u0;
        ChunkDual t0, t1;
        seedChunk(problem, first, p, u0, t0, t1);
        const auto saved = solveSaved(problem, p, u0, t0.val, t1.val, solver, options, status);
        out.nfForward = status.nfForward;
        if (!status.ok()) {
            out.status = status.status;
            out.message = status.message;
            return out;
        }
        for (std::size_t r = 0; r < terms.size(); ++r) {
            const auto& term = terms[r];
            const double sw = std::sqrt(term.weight);
            const ChunkDual& u = saved[static_cast<std::size_t>(term.save)][term.state];
            out.residuals[static_cast<Eigen::Index>(r)] = sw * (u.val - term.value);
            for (int d = 0; d < kChunk && first + d < directions; ++d) {
                const double value = sw * u.d[static_cast<std::size_t>(d)];
                if (first + d < np) {
                    out.jacobian(static_cast<Eigen::Index>(r), first + d) = value;
                } else {
                    out.jacobianInit(static_cast<Eigen::Index>(r), first + d - np) = value;
                }
            }
        }
    }
    return out;
}

} // namespace dynfit::sens
