// SPDX-License-Identifier: MIT
// Continuous adjoints: backsolve, interpolating and quadrature.
#include "sensitivity/adjoint.hpp"

#include "model/model_system.hpp"
#include "sensitivity/cvode_gradient.hpp"
#include "sensitivity/saved_solve.hpp"
#include "solvers/solve.hpp"

#include <algorithm>
#include <array>
#include <memory>

namespace dynfit::sens {

namespace {

using Vec = model::Vector<double>;

// wᵀ ∂f/∂u and wᵀ ∂f/∂p at (u, p, t), written to raw outputs, and f itself. Copies share the
// system: the solves that use them run one after another.
class Vjp {
  public:
    explicit Vjp(ode::DifferentiableSystem& system) : m_system(&system) {}
    void operator()(
        const double* u, const double* p, const double* w, double t, double* gu, double* gp) {
        m_system->vjp(u, p, w, t, gu, gp);
    }
    void rhs(const double* u, const double* p, double t, double* out) {
        m_system->rhs(u, p, t, out);
    }

  private:
    ode::DifferentiableSystem* m_system;
};

// Dense ∂f/∂u and ∂f/∂p at (u, p, t): the adjoint systems' own Jacobians, which the stiff
// methods use (the adjoint of a stiff problem is stiff too).
class DenseJacobians {
  public:
    explicit DenseJacobians(ode::DifferentiableSystem& system) : m_system(system) {}

    void
    operator()(const Vec& u, const Vec& p, double t, Eigen::MatrixXd& ju, Eigen::MatrixXd& jp) {
        m_system.jacobianU(u, p, t, ju);
        m_system.jacobianP(u, p, t, jp);
    }

  private:
    ode::DifferentiableSystem& m_system;
};

// z = [λ; μ]: λ' = −Jᵀλ, μ' = −f_pᵀλ with u(t) from the forward dense output.
struct InterpolatingRhs {
    const ode::DenseOutput<Vec>* forward;
    const Vec* params;
    int n, np;
    Vjp vjp;
    Vec u;
    std::shared_ptr<DenseJacobians> jacobians;
    const double* limit; ///< the upper end of the segment being solved (an event's left side)
    Eigen::MatrixXd ju, jp;

    void operator()(Vec& dz, const Vec& z, const Vec& /*unused*/, double t) {
        forward->evaluateBefore(t, *limit, u);
        vjp(u.data(), params->data(), z.data(), t, dz.data(), dz.data() + n);
        dz = -dz;
    }

    /// ∂(dz)/∂z = [[−Jᵀ, 0], [−f_pᵀ, 0]].
    void jacobian(Eigen::MatrixXd& jac, const Vec& /*z*/, const Vec& /*unused*/, double t) {
        forward->evaluateBefore(t, *limit, u);
        (*jacobians)(u, *params, t, ju, jp);
        jac.setZero(n + np, n + np);
        jac.topLeftCorner(n, n) = -ju.transpose();
        jac.bottomLeftCorner(np, n) = -jp.transpose();
    }
};

// z = [λ] only (quadrature adjoint); μ comes afterwards.
struct LambdaRhs {
    const ode::DenseOutput<Vec>* forward;
    const Vec* params;
    int n, np;
    Vjp vjp;
    Vec u, unusedP;
    std::shared_ptr<DenseJacobians> jacobians;
    const double* limit; ///< as in InterpolatingRhs
    Eigen::MatrixXd ju, jp;

    void operator()(Vec& dz, const Vec& z, const Vec& /*unused*/, double t) {
        forward->evaluateBefore(t, *limit, u);
        unusedP.resize(np);
        vjp(u.data(), params->data(), z.data(), t, dz.data(), unusedP.data());
        dz = -dz;
    }

    /// ∂(dz)/∂z = −Jᵀ.
    void jacobian(Eigen::MatrixXd& jac, const Vec& /*z*/, const Vec& /*unused*/, double t) {
        forward->evaluateBefore(t, *limit, u);
        (*jacobians)(u, *params, t, ju, jp);
        jac = -ju.transpose();
    }
};

// z = [u; λ; μ]: u re-solved backwards alongside (the neural-ODE paper's method).
struct BacksolveRhs {
    const Vec* params;
    int n, np;
    Vjp vjp;

    void operator()(Vec& dz, const Vec& z, const Vec& /*unused*/, double t) {
        vjp.rhs(z.data(), params->data(), t, dz.data());
        vjp(z.data(), params->data(), z.data() + n, t, dz.data() + n, dz.data() + 2 * n);
        dz.tail(n + np) = -dz.tail(n + np);
    }
};

// The three adjoint systems behind one right-hand-side type, so that the backward solves'
// integrators (every method) are compiled once rather than once per system. Copies share the
// system (and its scratch): the solves that use it run one after another.
class AdjointRhs {
  public:
    template<class System>
    explicit AdjointRhs(System system)
        : m_system(std::make_shared<Erased<System>>(std::move(system))) {}

    void operator()(Vec& dz, const Vec& z, const Vec& p, double t) { m_system->rhs(dz, z, p, t); }
    void jacobian(Eigen::MatrixXd& jac, const Vec& z, const Vec& p, double t) {
        m_system->jacobian(jac, z, p, t);
    }
    bool hasJacobian() const { return m_system->hasJacobian(); }

  private:
    struct Base {
        virtual ~Base() = default;
        virtual void rhs(Vec& dz, const Vec& z, const Vec& p, double t) = 0;
        virtual void jacobian(Eigen::MatrixXd& jac, const Vec& z, const Vec& p, double t) = 0;
        virtual bool hasJacobian() const = 0;
    };
    template<class System>
    struct Erased final : Base {
        explicit Erased(System s) : system(std::move(s)) {}
        void rhs(Vec& dz, const Vec& z, const Vec& p, double t) override { system(dz, z, p, t); }
        void jacobian(Eigen::MatrixXd& jac, const Vec& z, const Vec& p, double t) override {
            if constexpr (ode::ProvidesJacobian<System, Vec, Vec>) {
                system.jacobian(jac, z, p, t);
            }
        }
        bool hasJacobian() const override { return ode::ProvidesJacobian<System, Vec, Vec>; }
        System system;
    };
    std::shared_ptr<Base> m_system;
};

// A stop of the backward pass: a data time's jump ∂L/∂u added to λ, or an event's transposed
// jump (λ⁻ = Mᵀλ⁺, μ += mᵀλ⁺, and u back to its state before the event).
struct BackwardStop {
    double t = 0.0;
    const Vec* dataJump = nullptr;
    const ode::EventRecord<Vec>* event = nullptr;
};

// The stops latest first. At one time the forward pass fired the events (in log order), then
// saved the state after them: backwards, the data's jump comes first, then the events reversed.
std::vector<BackwardStop> backwardStops(const std::vector<double>& times,
                                        const std::vector<Vec>& jumps,
                                        const std::vector<ode::EventRecord<Vec>>& events) {
    std::vector<std::pair<std::pair<double, std::size_t>, BackwardStop>> ordered;
    for (std::size_t e = 0; e < events.size(); ++e) {
        ordered.push_back({{events[e].t, e}, {events[e].t, nullptr, &events[e]}});
    }
    for (std::size_t s = 0; s < times.size(); ++s) {
        ordered.push_back({{times[s], events.size() + s}, {times[s], &jumps[s], nullptr}});
    }
    std::sort(ordered.begin(), ordered.end(),
              [](const auto& a, const auto& b) { return a.first > b.first; });
    std::vector<BackwardStop> stops;
    for (const auto& entry : ordered) {
        stops.push_back(entry.second);
    }
    return stops;
}

// Where the blocks of z sit (−1: absent), and what an event's jump needs.
struct BackwardLayout {
    int uOffset = -1; ///< backsolve: u re-solved alongside
    int lambdaOffset = 0;
    int muOffset = -1; ///< interpolating and backsolve carry μ in z
    ode::DifferentiableSystem* system = nullptr;
    const Vec* p = nullptr;
    Vec* muFromEvents = nullptr; ///< μ's event terms when z has no μ block (quadrature)
    double* limit = nullptr;     ///< set to the upper end of each segment (dense output side)
};

void applyEventJump(const ode::EventRecord<Vec>& event, const BackwardLayout& layout, Vec& z) {
    Vec after;
    Eigen::MatrixXd M, m;
    layout.system->eventJump(event.event, event.t, event.before, *layout.p, after, M, m);
    const Eigen::Index n = M.rows();
    const Vec lambda = z.segment(layout.lambdaOffset, n);
    z.segment(layout.lambdaOffset, n) = M.transpose() * lambda;
    if (layout.muOffset >= 0) {
        z.segment(layout.muOffset, m.cols()) += m.transpose() * lambda;
    } else if (layout.muFromEvents != nullptr) {
        *layout.muFromEvents += m.transpose() * lambda;
    }
    if (layout.uOffset >= 0) {
        z.segment(layout.uOffset, n) = event.before;
    }
}

// Integrates z backwards from t1 to t0, stopping at each data time to add its jump ∂L/∂u to
// the λ block and at each event to apply its transposed jump. Returns false on a failure.
bool backwardWithJumps(const AdjointRhs& rhs,
                       Vec z,
                       const BackwardLayout& layout,
                       double t0,
                       double t1,
                       const std::vector<BackwardStop>& stops,
                       const ode::Method& solver,
                       const ode::SolveOptions& baseOptions,
                       AdjointOutcome& out,
                       Vec& zAtStart,
                       std::vector<std::unique_ptr<ode::Solution<Vec>>>* segments) {
    ode::SolveOptions options = baseOptions;
    options.saveat.clear();
    options.saveatStep = 0.0;
    options.saveEverystep = false;
    options.dense = segments != nullptr;
    double tc = t1;
    const auto segment = [&](double target) {
        if (layout.limit != nullptr) {
            *layout.limit = tc;
        }
        auto problem = ode::makeOdeProblem(rhs, z, {tc, target}, Vec());
        options.saveat = {target};
        auto sol = std::make_unique<ode::Solution<Vec>>(ode::solve(problem, solver, options));
        out.nfBackward += sol->stats.nRhs;
        if (!sol->ok()) {
            out.status = sol->status;
            out.message = "adjoint (backward) solve: " + sol->message;
            return false;
        }
        z = sol->u.back();
        if (segments != nullptr) {
            segments->push_back(std::move(sol));
        }
        tc = target;
        return true;
    };
    for (const BackwardStop& stop : stops) {
        if (stop.t < tc && !segment(stop.t)) {
            return false;
        }
        if (stop.dataJump != nullptr) {
            z.segment(layout.lambdaOffset, stop.dataJump->size()) += *stop.dataJump;
        } else {
            applyEventJump(*stop.event, layout, z);
        }
    }
    if (tc > t0 && !segment(t0)) {
        return false;
    }
    zAtStart = z;
    return true;
}

// μ = ∫ λᵀ f_p dt over the λ solution's steps, 5-point Gauss–Legendre on each (order 10).
Vec quadratureOfMu(ode::DifferentiableSystem& m,
                   const Vec& p,
                   const ode::DenseOutput<Vec>& forward,
                   const std::vector<std::unique_ptr<ode::Solution<Vec>>>& segments,
                   AdjointOutcome& out) {
    static constexpr std::array<double, 5> kNodes = {-0.9061798459386640, -0.5384693101056831, 0.0,
                                                     0.5384693101056831, 0.9061798459386640};
    static constexpr std::array<double, 5> kWeights = {0.2369268850561891, 0.4786286704993665,
                                                       0.5688888888888889, 0.4786286704993665,
                                                       0.2369268850561891};
    const int n = m.stateCount();
    const int np = m.paramCount();
    Vjp vjp(m);
    Vec mu = Vec::Zero(np), u(n), lambda(n), gu(n), gp(np);
    for (const auto& seg : segments) {
        const auto& dense = seg->dense;
        for (std::size_t k = 0; k < dense.steps(); ++k) {
            const double a = dense.stepStart(k);
            const double b = a + dense.stepSize(k);
            for (std::size_t q = 0; q < kNodes.size(); ++q) {
                const double t = 0.5 * (a + b) + 0.5 * (b - a) * kNodes[q];
                forward.evaluate(t, u);
                dense.evaluate(t, lambda);
                vjp(u.data(), p.data(), lambda.data(), t, gu.data(), gp.data());
                ++out.nfBackward;
                mu += (0.5 * std::abs(b - a) * kWeights[q]) * gp;
            }
        }
    }
    return mu;
}

// The model solved forward from u0 on [t0, t1]; a failure is recorded in `out`.
ode::Solution<Vec> forwardSolve(ode::DifferentiableSystem& m,
                                const Vec& p,
                                const Vec& u0,
                                double t0,
                                double t1,
                                const ode::Method& solver,
                                const ode::SolveOptions& options,
                                AdjointOutcome& out) {
    auto sol = m.solve(u0, {t0, t1}, p, solver, options);
    out.nfForward += sol.stats.nRhs;
    if (!sol.ok()) {
        out.status = sol.status;
        out.message = sol.message;
    }
    return sol;
}

// Interpolating adjoint with K checkpoints: the forward pass keeps u at K + 1 times only; each
// interval is re-solved forward with dense output just before the adjoint crosses it.
AdjointOutcome checkpointedInterpolating(const AdjointProblem& problem,
                                         const ode::Method& solver,
                                         const ode::SolveOptions& forwardOptions,
                                         const ode::SolveOptions& backwardOptions,
                                         int checkpoints) {
    // Plain references, not a structured binding: lambdas below capture them (clang 14 cannot
    // capture bindings).
    ode::DifferentiableSystem& m = problem.system;
    const Vec& p = problem.p;
    const Vec& u0 = problem.u0;
    const ode::TimeSpan span = problem.span;
    const objective::LeastSquaresLoss& loss = problem.loss;
    const double t0 = span.t0, t1 = span.t1;
    AdjointOutcome out;
    const int n = m.stateCount();
    const int np = m.paramCount();
    std::vector<double> cps(static_cast<std::size_t>(checkpoints) + 1);
    for (int j = 0; j <= checkpoints; ++j) {
        cps[static_cast<std::size_t>(j)] = t0 + (t1 - t0) * j / checkpoints;
    }
    cps.back() = t1;
    const auto& times = loss.saveTimes();
    ode::SolveOptions options = forwardOptions;
    options.saveat = times;
    options.saveat.insert(options.saveat.end(), cps.begin(), cps.end());
    std::sort(options.saveat.begin(), options.saveat.end());
    options.saveat.erase(std::unique(options.saveat.begin(), options.saveat.end()),
                         options.saveat.end());
    options.saveEverystep = false;
    options.dense = false;
    const auto stateAt = [&](const ode::Solution<Vec>& sol, double t) -> const Vec& {
        const auto it = std::lower_bound(sol.t.begin(), sol.t.end(), t);
        return sol.u[static_cast<std::size_t>(it - sol.t.begin())];
    };
    const auto forward = forwardSolve(m, p, u0, t0, t1, solver, options, out);
    if (!out.ok()) {
        return out;
    }
    std::vector<Vec> atDataTimes;
    for (double t : times) {
        atDataTimes.push_back(stateAt(forward, t));
    }
    out.loss = loss.evaluate(atDataTimes);
    const std::vector<Vec> jumps = loss.stateGradients(atDataTimes);
    out.saved = atDataTimes;

    Vec z = Vec::Zero(n + np);
    const auto jacobians = std::make_shared<DenseJacobians>(m);
    ode::SolveOptions segmentOptions = forwardOptions;
    segmentOptions.saveEverystep = false;
    segmentOptions.dense = true;
    for (int j = checkpoints - 1; j >= 0; --j) {
        const double start = cps[static_cast<std::size_t>(j)];
        const double end = cps[static_cast<std::size_t>(j) + 1];
        segmentOptions.saveat = {end};
        const auto segment =
            forwardSolve(m, p, stateAt(forward, start), start, end, solver, segmentOptions, out);
        out.peakStoredValues = std::max(out.peakStoredValues, segment.dense.storedValues());
        if (!out.ok()) {
            out.message = "re-solve between checkpoints: " + out.message;
            return out;
        }
        std::vector<double> segTimes;
        std::vector<Vec> segJumps;
        for (std::size_t s = 0; s < times.size(); ++s) {
            if ((times[s] > start || (j == 0 && times[s] == start)) && times[s] <= end) {
                segTimes.push_back(times[s]);
                segJumps.push_back(jumps[s]);
            }
        }
        double limit = end;
        InterpolatingRhs rhs{&segment.dense, &p, n, np, Vjp(m), Vec(n), jacobians, &limit};
        BackwardLayout layout;
        layout.muOffset = n;
        layout.limit = &limit;
        Vec zStart;
        if (!backwardWithJumps(AdjointRhs(rhs), z, layout, start, end,
                               backwardStops(segTimes, segJumps, {}), solver, backwardOptions, out,
                               zStart, nullptr)) {
            return out;
        }
        z = zStart;
    }
    out.lambda0 = z.head(n);
    out.mu0 = z.tail(np);
    return out;
}

} // namespace

AdjointOutcome continuousAdjoint(AdjointKind kind,
                                 const AdjointProblem& problem,
                                 const ode::Method& solver,
                                 const ode::SolveOptions& forwardOptions,
                                 const AdjointOptions& adjoint) {
    // Plain references, not a structured binding: lambdas below capture them (clang 14 cannot
    // capture bindings).
    ode::DifferentiableSystem& m = problem.system;
    const Vec& p = problem.p;
    const Vec& u0 = problem.u0;
    const ode::TimeSpan span = problem.span;
    const objective::LeastSquaresLoss& loss = problem.loss;
    const double t0 = span.t0, t1 = span.t1;
    if (detail::isCvode(solver)) {
        if (kind == AdjointKind::Interpolating) {
            // CVODES solves forward and backward with one set of options (per-state abstol
            // included, which the forward problem needs).
            return detail::cvodeInterpolatingAdjoint(problem, solver, forwardOptions);
        }
        if (kind == AdjointKind::Quadrature) {
            AdjointOutcome refused;
            refused.status = SolveStatus::InvalidInput;
            refused.message = "the quadrature adjoint needs the forward solution's dense output, "
                              "which CVODE does not keep here: use interpolating (CVODES's own "
                              "checkpointed adjoint) or forward with CVODE";
            return refused;
        }
    }
    ode::SolveOptions baseOptions = forwardOptions; // the backward solves' options
    if (adjoint.reltol > 0.0) {
        baseOptions.reltol = adjoint.reltol;
    }
    if (adjoint.abstol > 0.0) {
        baseOptions.abstol = adjoint.abstol;
    }
    // Per-state absolute tolerances do not carry over to λ and μ, whose scales are the loss's.
    baseOptions.abstolPerComponent.clear();
    if (kind == AdjointKind::Interpolating && adjoint.checkpoints > 0
        && problem.system.hasEvents()) {
        AdjointOutcome refused;
        refused.status = SolveStatus::InvalidInput;
        refused.message = "the checkpointed interpolating adjoint does not cross events yet: "
                          "use it without checkpoints, or quadrature, backsolve or forward";
        return refused;
    }
    if (kind == AdjointKind::Interpolating && adjoint.checkpoints > 0) {
        return checkpointedInterpolating(problem, solver, forwardOptions, baseOptions,
                                         adjoint.checkpoints);
    }
    AdjointOutcome out;
    const int n = m.stateCount();
    const int np = m.paramCount();
    ode::SolveOptions options = forwardOptions;
    options.saveat = loss.saveTimes();
    if (options.saveat.empty() || options.saveat.back() != t1) {
        options.saveat.push_back(t1); // backsolve starts from u(t1); the loss ignores it
    }
    options.saveEverystep = false;
    options.dense = kind != AdjointKind::Backsolve;
    const auto forward = forwardSolve(m, p, u0, t0, t1, solver, options, out);
    if (!out.ok()) {
        return out;
    }
    // A terminal event ends the solve early: the adjoint starts there, if the data allow it.
    const bool terminated = forward.status == SolveStatus::Terminated;
    const double tEnd = terminated ? forward.events.back().t : t1;
    if (!detail::allSavesReached(forward, loss.saveTimes().size(), out.status, out.message)) {
        return out;
    }
    out.loss = loss.evaluate(forward.u);
    out.peakStoredValues = forward.dense.storedValues();
    const auto& times = loss.saveTimes();
    const std::vector<Vec> jumps = loss.stateGradients(forward.u);
    out.saved.assign(forward.u.begin(),
                     forward.u.begin() + static_cast<std::ptrdiff_t>(times.size()));

    Vec zStart;
    const auto jacobians = std::make_shared<DenseJacobians>(m);
    const std::vector<BackwardStop> stops = backwardStops(times, jumps, forward.events);
    double limit = tEnd;
    BackwardLayout layout;
    layout.system = &m;
    layout.p = &p;
    layout.limit = &limit;
    switch (kind) {
    case AdjointKind::Interpolating: {
        InterpolatingRhs rhs{&forward.dense, &p, n, np, Vjp(m), Vec(n), jacobians, &limit};
        layout.muOffset = n;
        if (backwardWithJumps(AdjointRhs(rhs), Vec::Zero(n + np), layout, t0, tEnd, stops, solver,
                              baseOptions, out, zStart, nullptr)) {
            out.lambda0 = zStart.head(n);
            out.mu0 = zStart.tail(np);
        }
        break;
    }
    case AdjointKind::Quadrature: {
        LambdaRhs rhs{&forward.dense, &p, n, np, Vjp(m), Vec(n), Vec(np), jacobians, &limit};
        std::vector<std::unique_ptr<ode::Solution<Vec>>> segments;
        Vec muFromEvents = Vec::Zero(np);
        layout.muFromEvents = &muFromEvents;
        if (backwardWithJumps(AdjointRhs(rhs), Vec::Zero(n), layout, t0, tEnd, stops, solver,
                              baseOptions, out, zStart, &segments)) {
            out.lambda0 = zStart;
            out.mu0 = quadratureOfMu(m, p, forward.dense, segments, out) + muFromEvents;
        }
        break;
    }
    case AdjointKind::Backsolve: {
        BacksolveRhs rhs{&p, n, np, Vjp(m)};
        Vec z = Vec::Zero(2 * n + np);
        z.head(n) = terminated ? forward.events.back().after : forward.u.back(); // u at the end
        layout.uOffset = 0;
        layout.lambdaOffset = n;
        layout.muOffset = 2 * n;
        if (backwardWithJumps(AdjointRhs(rhs), z, layout, t0, tEnd, stops, solver, baseOptions, out,
                              zStart, nullptr)) {
            out.lambda0 = zStart.segment(n, n);
            out.mu0 = zStart.tail(np);
        }
        break;
    }
    }
    return out;
}

} // namespace dynfit::sens
