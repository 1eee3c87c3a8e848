// SPDX-License-Identifier: MIT
// The continuous adjoint through CVODES: checkpointed forward pass, λ and μ backwards.
#include "core/status.hpp"
#include "solvers/cvode.hpp"
#include "solvers/cvode_session.hpp"

namespace dynfit::ode {

namespace {

using namespace detail;
using Eigen::MatrixXd;
using Eigen::VectorXd;

// The adjoint's VJP at (t, u, w) into cb.gu and cb.gp.
bool vjp(Callbacks& cb, double t, N_Vector u, const double* w) {
    ++cb.nVjp;
    cb.adjoint->vjp(t, data(u), w, cb.gu.data(), cb.gp.data());
    return cb.gu.allFinite() && cb.gp.allFinite();
}

// λ' = −Jᵀλ. The cancel flag is polled here: the backward pass has no step loop of ours.
int adjointRhsFn(sunrealtype t, N_Vector u, N_Vector lambda, N_Vector dlambda, void* user) {
    Callbacks& cb = callbacks(user);
    if (cb.cancel != nullptr && cb.cancel->load(std::memory_order_relaxed)) {
        cb.cancelled = true;
        return -1;
    }
    return guarded(cb, [&] {
        const bool finite = vjp(cb, t, u, data(lambda));
        VectorMap(data(dlambda), cb.system->n) = -cb.gu;
        return finite;
    });
}

// μ' = −f_pᵀλ.
int adjointQuadratureFn(sunrealtype t, N_Vector u, N_Vector lambda, N_Vector dmu, void* user) {
    Callbacks& cb = callbacks(user);
    return guarded(cb, [&] {
        const bool finite = vjp(cb, t, u, data(lambda));
        VectorMap(data(dmu), cb.adjoint->np) = -cb.gp;
        return finite;
    });
}

// ∂(−Jᵀλ)/∂λ = −Jᵀ: from the forward Jacobian when there is one, else column by column from
// VJPs with unit vectors (exact, unlike CVODE's difference quotients).
int adjointJacobianFn(sunrealtype t,
                      N_Vector u,
                      N_Vector /*lambda*/,
                      N_Vector /*dlambda*/,
                      SUNMatrix jb,
                      void* user,
                      N_Vector unit,
                      N_Vector /*tmp2*/,
                      N_Vector /*tmp3*/) {
    Callbacks& cb = callbacks(user);
    const int n = cb.system->n;
    Eigen::Map<MatrixXd> out(SUNDenseMatrix_Data(jb), n, n);
    return guarded(cb, [&] {
        if (cb.system->jacobian) {
            cb.system->jacobian(t, data(u), cb.jac.data());
            out = -cb.jac.transpose();
            return out.allFinite();
        }
        VectorMap e(data(unit), n);
        e.setZero();
        bool finite = true;
        for (int j = 0; j < n; ++j) {
            e[j] = 1.0;
            finite = vjp(cb, t, u, e.data()) && finite;
            out.col(j) = -cb.gu;
            e[j] = 0.0;
        }
        return finite;
    });
}

// Newton + dense LU (on −Jᵀ) for BDF, fixed-point iteration for Adams, on λ.
bool attachBackwardSolvers(Session& s, SetupLog& log) {
    void* mem = s.mem.get();
    if (s.kind == CvodeKind::Adams) {
        s.nonlinearSolverB.reset(SUNNonlinSol_FixedPoint(s.lambda.get(), 0, s.ctx()));
        return log(s.nonlinearSolverB.get(), "SUNNonlinSol_FixedPoint")
               && log(CVodeSetNonlinearSolverB(mem, s.which, s.nonlinearSolverB.get()),
                      "CVodeSetNonlinearSolverB");
    }
    s.matrixB.reset(SUNDenseMatrix(s.n(), s.n(), s.ctx()));
    if (!log(s.matrixB.get(), "SUNDenseMatrix")) {
        return false;
    }
    s.linearSolverB.reset(SUNLinSol_Dense(s.lambda.get(), s.matrixB.get(), s.ctx()));
    return log(s.linearSolverB.get(), "SUNLinSol_Dense")
           && log(CVodeSetLinearSolverB(mem, s.which, s.linearSolverB.get(), s.matrixB.get()),
                  "CVodeSetLinearSolverB")
           && log(CVodeSetJacFnB(mem, s.which, adjointJacobianFn), "CVodeSetJacFnB");
}

// The backward problem at (tB, λ, μ = 0): CVodeCreateB/InitB, quadrature, solvers.
bool setUpBackward(Session& s, const SolveOptions& o, double tB, SetupLog& log) {
    void* mem = s.mem.get();
    const int np = s.cb.adjoint->np;
    if (!log(CVodeCreateB(mem, s.kind == CvodeKind::Bdf ? CV_BDF : CV_ADAMS, &s.which),
             "CVodeCreateB")
        || !log(
            CVodeSetErrHandlerFn(CVodeGetAdjCVodeBmem(mem, s.which), recordError, &s.cb.cvodeError),
            "CVodeSetErrHandlerFn")
        || !log(CVodeInitB(mem, s.which, adjointRhsFn, tB, s.lambda.get()), "CVodeInitB")
        || !log(CVodeSetUserDataB(mem, s.which, &s.cb), "CVodeSetUserDataB")
        || !log(CVodeSetMaxNumStepsB(mem, s.which, o.maxiters), "CVodeSetMaxNumStepsB")) {
        return false;
    }
    const bool tolerances =
        s.abstol
            ? log(CVodeSVtolerancesB(mem, s.which, o.reltol, s.abstol.get()), "CVodeSVtolerancesB")
            : log(CVodeSStolerancesB(mem, s.which, o.reltol, o.abstol), "CVodeSStolerancesB");
    const double abstolMu =
        o.abstolPerComponent.empty()
            ? o.abstol
            : *std::min_element(o.abstolPerComponent.begin(), o.abstolPerComponent.end());
    return tolerances
           && (o.dtmax <= 0.0 || log(CVodeSetMaxStepB(mem, s.which, o.dtmax), "CVodeSetMaxStepB"))
           && (o.dtmin <= 0.0 || log(CVodeSetMinStepB(mem, s.which, o.dtmin), "CVodeSetMinStepB"))
           && (np == 0
               || (log(CVodeQuadInitB(mem, s.which, adjointQuadratureFn, s.mu.get()),
                       "CVodeQuadInitB")
                   && log(CVodeQuadSStolerancesB(mem, s.which, o.reltol, abstolMu),
                          "CVodeQuadSStolerancesB")
                   && log(CVodeSetQuadErrConB(mem, s.which, SUNTRUE), "CVodeSetQuadErrConB")))
           && attachBackwardSolvers(s, log);
}

/// The backward pass: from the last save time after t0 down to t0, λ and μ integrated by
/// CVodeB between save times; at each save time λ gets its jump and the backward problem
/// restarts there.
class Backward {
  public:
    Backward(Session& s, const SolveOptions& o, CvodeAdjointResult& r) : m_s(s), m_o(o), m_r(r) {}

    void run(TimeSpan span, const std::vector<double>& times, const std::vector<VectorXd>& jumps);

  private:
    bool advanceTo(double target);
    bool failed(int flag) {
        void* memB = m_s.which >= 0 ? CVodeGetAdjCVodeBmem(m_s.mem.get(), m_s.which) : nullptr;
        failWithFlag(m_s, m_r.forward, flag, memB != nullptr ? memB : m_s.mem.get(),
                     "CVODE backward");
        return false;
    }

    Session& m_s;
    const SolveOptions& m_o;
    CvodeAdjointResult& m_r;
    double m_tB = 0.0;
    bool m_restart = false; // λ got a jump: reinitialise before integrating on
};

bool Backward::advanceTo(double target) {
    if (target == m_tB) {
        return true;
    }
    void* mem = m_s.mem.get();
    const bool quadrature = m_s.cb.adjoint->np > 0;
    if (m_o.cancel != nullptr && m_o.cancel->load(std::memory_order_relaxed)) {
        m_s.cb.cancelled = true;
        return failed(CV_SUCCESS);
    }
    if (m_restart) {
        if (const int flag = CVodeReInitB(mem, m_s.which, m_tB, m_s.lambda.get()); flag < 0) {
            return failed(flag);
        }
        if (const int flag = quadrature ? CVodeQuadReInitB(mem, m_s.which, m_s.mu.get()) : 0;
            flag < 0) {
            return failed(flag);
        }
        m_restart = false;
    }
    double t = 0.0;
    int flag = CVodeB(mem, target, CV_NORMAL);
    if (flag >= 0) {
        flag = CVodeGetB(mem, m_s.which, &t, m_s.lambda.get());
    }
    if (flag >= 0 && quadrature) {
        flag = CVodeGetQuadB(mem, m_s.which, &t, m_s.mu.get());
    }
    m_tB = target;
    return flag >= 0 || failed(flag);
}

void Backward::run(TimeSpan span,
                   const std::vector<double>& times,
                   const std::vector<VectorXd>& jumps) {
    const int n = m_s.n();
    VectorXd atT0 = VectorXd::Zero(n); // jumps at t0 itself need no integration
    std::size_t first = 0;
    for (; first < times.size() && times[first] == span.t0; ++first) {
        atT0 += jumps[first];
    }
    m_r.lambda0 = atT0;
    m_r.mu0 = VectorXd::Zero(m_s.cb.adjoint->np);
    if (first == times.size()) {
        return;
    }
    m_tB = times.back();
    m_s.lambda = newVector(m_s, jumps.back());
    m_s.mu = newVector(m_s, m_r.mu0);
    SetupLog log;
    if (!log(m_s.lambda.get(), "N_VNew_Serial") || !log(m_s.mu.get(), "N_VNew_Serial")
        || !setUpBackward(m_s, m_o, m_tB, log)) {
        return fail(m_r.forward, SolveStatus::InvalidInput, m_tB, 0.0,
                    "CVODE backward setup: " + log.failed + ": " + m_s.cb.cvodeError);
    }
    VectorMap lambda(data(m_s.lambda.get()), n);
    for (std::size_t k = times.size() - 1; k-- > first;) {
        if (!advanceTo(times[k])) {
            return;
        }
        lambda += jumps[k];
        m_restart = true;
    }
    if (!advanceTo(span.t0)) {
        return;
    }
    m_r.lambda0 = lambda + atT0;
    m_r.mu0 = VectorMap(data(m_s.mu.get()), m_s.cb.adjoint->np);
}

// ∂L/∂u(t_k) at every save time; false (InvalidInput) on a wrong size or NaN.
bool collectJumps(const CvodeAdjointSystem& adjoint,
                  Solution<VectorXd>& sol,
                  std::vector<VectorXd>& jumps) {
    for (std::size_t k = 0; k < sol.u.size(); ++k) {
        jumps.push_back(adjoint.jump(k, sol.u[k]));
        if (jumps.back().size() != sol.u[k].size() || !jumps.back().allFinite()) {
            fail(sol, SolveStatus::InvalidInput, sol.t[k], 0.0,
                 "jump " + std::to_string(k) + " must have " + std::to_string(sol.u[k].size())
                     + " finite components");
            return false;
        }
    }
    return true;
}

} // namespace

CvodeAdjointResult cvodeAdjoint(const CvodeSystem& system,
                                const CvodeAdjointSystem& adjoint,
                                CvodeKind kind,
                                const VectorXd& u0,
                                TimeSpan span,
                                const SolveOptions& options,
                                int checkpointSteps) {
    CvodeAdjointResult result;
    Solution<VectorXd>& sol = result.forward;
    std::vector<double> times;
    std::string error;
    if (validate(system, u0, span, options, times, error)
        && (adjoint.np < 0 || !adjoint.vjp || !adjoint.jump || checkpointSteps < 1)) {
        error = "the adjoint needs np >= 0, a VJP, a jump function and checkpointSteps >= 1";
    }
    if (!error.empty()) {
        fail(sol, SolveStatus::InvalidInput, span.t0, 0.0, error);
        return result;
    }
    Output out{sol, nullptr, times, false};
    saveInitial(out, span.t0, u0, nullptr);
    Session s;
    s.kind = kind;
    s.cb.system = &system;
    s.cb.adjoint = &adjoint;
    s.cb.cancel = options.cancel;
    s.cb.gu.resize(system.n);
    s.cb.gp.resize(adjoint.np);
    s.cb.jac.resize(system.n, system.n);
    if (span.t0 != span.t1) {
        SetupLog log;
        if (!setUp(s, u0, span, options, log)
            || !log(CVodeAdjInit(s.mem.get(), checkpointSteps, CV_HERMITE), "CVodeAdjInit")) {
            fail(sol, SolveStatus::InvalidInput, span.t0, 0.0,
                 "CVODE setup: " + log.failed + ": " + s.cb.cvodeError);
            return result;
        }
        int checkpoints = 0;
        march(s, out, options, span, [&](double& t) {
            return CVodeF(s.mem.get(), span.t1, s.u.get(), &t, CV_ONE_STEP, &checkpoints);
        });
        // Read now: the backward pass re-integrates from checkpoints with CVodeReInit, which
        // resets these counters.
        sol.stats = readStats(s);
    }
    std::vector<VectorXd> jumps;
    if (sol.ok() && collectJumps(adjoint, sol, jumps)) {
        Backward(s, options, result).run(span, times, jumps);
        result.nRhsBackward = s.cb.nVjp;
    }
    return result;
}

} // namespace dynfit::ode
