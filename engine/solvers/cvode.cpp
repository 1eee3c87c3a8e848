// SPDX-License-Identifier: MIT
// CVODES (SUNDIALS 6) behind our types: setup, the stepping loop, forward sensitivities.
#include "solvers/cvode.hpp"

#include "core/status.hpp"
#include "output/save_at.hpp"
#include "solvers/cvode_session.hpp"

#include <cstdlib>
#include <limits>
#include <optional>

namespace dynfit::ode {

namespace detail {

namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;

int rhsFn(sunrealtype t, N_Vector u, N_Vector du, void* user) {
    Callbacks& cb = callbacks(user);
    return guarded(cb, [&] {
        cb.system->rhs(t, data(u), data(du));
        return allFinite(data(du), cb.system->n);
    });
}

int jacobianFn(sunrealtype t,
               N_Vector u,
               N_Vector /*fu*/,
               SUNMatrix jac,
               void* user,
               N_Vector /*tmp1*/,
               N_Vector /*tmp2*/,
               N_Vector /*tmp3*/) {
    Callbacks& cb = callbacks(user);
    const long n = cb.system->n;
    return guarded(cb, [&] {
        cb.system->jacobian(t, data(u), SUNDenseMatrix_Data(jac));
        return allFinite(SUNDenseMatrix_Data(jac), n * n);
    });
}

int sensRhsFn(int /*ns*/,
              sunrealtype t,
              N_Vector u,
              N_Vector /*du*/,
              int k,
              N_Vector s,
              N_Vector ds,
              void* user,
              N_Vector /*tmp1*/,
              N_Vector /*tmp2*/) {
    Callbacks& cb = callbacks(user);
    return guarded(cb, [&] {
        cb.sens->rhs(t, data(u), k, data(s), data(ds));
        return allFinite(data(ds), cb.system->n);
    });
}

SolveStatus statusOf(int flag) {
    switch (flag) {
    case CV_TOO_MUCH_WORK:
        return SolveStatus::MaxIters;
    case CV_TOO_MUCH_ACC:
    case CV_ERR_FAILURE:
    case CV_CONV_FAILURE:
    case CV_LSETUP_FAIL:
    case CV_LSOLVE_FAIL:
    case CV_NLS_SETUP_FAIL:
    case CV_NLS_FAIL:
    case CV_FWD_FAIL:
    case CV_REIFWD_FAIL:
        return SolveStatus::DtLessThanMin;
    case CV_RHSFUNC_FAIL:
    case CV_FIRST_RHSFUNC_ERR:
    case CV_REPTD_RHSFUNC_ERR:
    case CV_UNREC_RHSFUNC_ERR:
    case CV_QRHSFUNC_FAIL:
    case CV_FIRST_QRHSFUNC_ERR:
    case CV_REPTD_QRHSFUNC_ERR:
    case CV_UNREC_QRHSFUNC_ERR:
    case CV_SRHSFUNC_FAIL:
    case CV_FIRST_SRHSFUNC_ERR:
    case CV_REPTD_SRHSFUNC_ERR:
    case CV_UNREC_SRHSFUNC_ERR:
        return SolveStatus::Unstable;
    default: // CV_ILL_INPUT, CV_BAD_T, CV_TOO_CLOSE, CV_MEM_FAIL, ...: what we handed CVODE
        return SolveStatus::InvalidInput;
    }
}

bool createContext(Session& s, SetupLog& log) {
    SUNContext ctx = nullptr;
    const bool ok =
        log(SUNContext_Create(nullptr, &ctx) == 0 ? 0 : CV_MEM_FAIL, "SUNContext_Create");
    s.context.reset(ctx);
    return ok;
}

// Newton + dense LU for BDF, fixed-point iteration for Adams.
bool attachSolvers(Session& s, SetupLog& log) {
    void* mem = s.mem.get();
    if (s.kind == CvodeKind::Adams) {
        s.nonlinearSolver.reset(SUNNonlinSol_FixedPoint(s.u.get(), 0, s.ctx()));
        return log(s.nonlinearSolver.get(), "SUNNonlinSol_FixedPoint")
               && log(CVodeSetNonlinearSolver(mem, s.nonlinearSolver.get()),
                      "CVodeSetNonlinearSolver");
    }
    s.matrix.reset(SUNDenseMatrix(s.n(), s.n(), s.ctx()));
    if (!log(s.matrix.get(), "SUNDenseMatrix")) {
        return false;
    }
    s.linearSolver.reset(SUNLinSol_Dense(s.u.get(), s.matrix.get(), s.ctx()));
    return log(s.linearSolver.get(), "SUNLinSol_Dense")
           && log(CVodeSetLinearSolver(mem, s.linearSolver.get(), s.matrix.get()),
                  "CVodeSetLinearSolver")
           && (!s.cb.system->jacobian || log(CVodeSetJacFn(mem, jacobianFn), "CVodeSetJacFn"));
}

bool setTolerances(Session& s, const SolveOptions& o, SetupLog& log) {
    void* mem = s.mem.get();
    if (o.abstolPerComponent.empty()) {
        return log(CVodeSStolerances(mem, o.reltol, o.abstol), "CVodeSStolerances");
    }
    s.abstol = newVector(s, Eigen::Map<const VectorXd>(o.abstolPerComponent.data(), s.n()));
    return log(s.abstol.get(), "N_VNew_Serial")
           && log(CVodeSVtolerances(mem, o.reltol, s.abstol.get()), "CVodeSVtolerances");
}

bool setUpSensitivities(Session& s, const CvodeSensitivity& sens, SetupLog& log) {
    s.ns = sens.ns;
    s.sens = VectorArray(N_VCloneVectorArray(s.ns, s.u.get()), VectorArrayFree{s.ns});
    s.sensWork = VectorArray(N_VCloneVectorArray(s.ns, s.u.get()), VectorArrayFree{s.ns});
    if (!log(s.sens.get(), "N_VCloneVectorArray")
        || !log(s.sensWork.get(), "N_VCloneVectorArray")) {
        return false;
    }
    for (int k = 0; k < s.ns; ++k) {
        VectorMap(data(s.sens.get()[k]), s.n()) = sens.initial.col(k);
    }
    void* mem = s.mem.get();
    if (!log(CVodeSensInit1(mem, s.ns, CV_SIMULTANEOUS, sensRhsFn, s.sens.get()), "CVodeSensInit1")
        || !log(CVodeSensEEtolerances(mem), "CVodeSensEEtolerances")
        || !log(CVodeSetSensErrCon(mem, SUNTRUE), "CVodeSetSensErrCon")) {
        return false;
    }
    if (s.kind == CvodeKind::Bdf) {
        return true; // CVodeSensInit1 made a Newton solver for the combined system
    }
    s.sensSolver.reset(SUNNonlinSol_FixedPointSens(s.ns + 1, s.u.get(), 0, s.ctx()));
    return log(s.sensSolver.get(), "SUNNonlinSol_FixedPointSens")
           && log(CVodeSetNonlinearSolverSensSim(mem, s.sensSolver.get()),
                  "CVodeSetNonlinearSolverSensSim");
}

long stepAttempts(void* mem) {
    long steps = 0, errorFails = 0, convergenceFails = 0;
    CVodeGetNumSteps(mem, &steps);
    CVodeGetNumErrTestFails(mem, &errorFails);
    CVodeGetNumNonlinSolvConvFails(mem, &convergenceFails);
    return steps + errorFails + convergenceFails;
}

constexpr double kUlpsOfT = 4.0; // the smallest step, in ulps of t, as in RkIntegrator

// Saves at ts in the step just taken: the step's end state, or CVODE's interpolant inside it.
int save(Session& s, Output& out, double ts, bool atStepEnd) {
    void* mem = s.mem.get();
    const int flag = atStepEnd ? CV_SUCCESS : CVodeGetDky(mem, ts, 0, s.work.get());
    if (flag < 0) {
        return flag;
    }
    out.solution.t.push_back(ts);
    out.solution.u.emplace_back(VectorMap(data(atStepEnd ? s.u.get() : s.work.get()), s.n()));
    if (out.sensitivities != nullptr) {
        const int sflag = s.ns > 0 ? CVodeGetSensDky(mem, ts, 0, s.sensWork.get()) : 0;
        if (sflag < 0) {
            return sflag;
        }
        MatrixXd m(s.n(), s.ns);
        for (int k = 0; k < s.ns; ++k) {
            m.col(k) = VectorMap(data(s.sensWork.get()[k]), s.n());
        }
        out.sensitivities->push_back(std::move(m));
    }
    return CV_SUCCESS;
}

int saveAfterStep(Session& s, Output& out, double t, double dir) {
    int flag = CV_SUCCESS;
    while (flag >= 0 && out.next < out.times.size() && dir * (out.times[out.next] - t) <= 0.0) {
        const double ts = out.times[out.next++];
        flag = save(s, out, ts, ts == t);
    }
    if (flag >= 0 && out.everyStep && (out.solution.t.empty() || out.solution.t.back() != t)) {
        flag = save(s, out, t, true);
    }
    return flag;
}

std::string validateSensitivity(const CvodeSensitivity& sens, int n) {
    if (sens.ns < 0 || (sens.ns > 0 && !sens.rhs)) {
        return "sensitivities need ns >= 0 and a right-hand side";
    }
    if (sens.initial.rows() != n || sens.initial.cols() != sens.ns) {
        return "the initial sensitivities must be " + std::to_string(n) + " × "
               + std::to_string(sens.ns);
    }
    return sens.initial.allFinite() ? "" : "the initial sensitivities contain NaN or Inf";
}

} // namespace

// Warnings (such as "t + h = t") leave the solve running and are dropped.
void recordError(int code, const char* /*module*/, const char* function, char* msg, void* out) {
    if (code != CV_WARNING) {
        *static_cast<std::string*>(out) = std::string(function) + ": " + msg;
    }
}

std::string flagName(int flag) {
    char* name = CVodeGetReturnFlagName(flag);
    std::string out = name != nullptr ? name : "unknown flag " + std::to_string(flag);
    std::free(name);
    return out;
}

Vector newVector(const Session& s, const VectorXd& values) {
    Vector v(N_VNew_Serial(values.size(), s.ctx()));
    if (v) {
        VectorMap(data(v.get()), values.size()) = values;
    }
    return v;
}

bool setUp(Session& s, const VectorXd& u0, TimeSpan span, const SolveOptions& o, SetupLog& log) {
    if (!createContext(s, log)) {
        return false;
    }
    s.u = newVector(s, u0);
    s.work = newVector(s, u0);
    s.mem.reset(CVodeCreate(s.kind == CvodeKind::Bdf ? CV_BDF : CV_ADAMS, s.ctx()));
    void* mem = s.mem.get();
    const double dir = span.t1 >= span.t0 ? 1.0 : -1.0;
    // maxiters counts step attempts and is enforced by march(): CV_ONE_STEP returns after each
    // step, so CVODE's per-call mxstep never binds there. It is set for consistency only.
    return log(s.u.get(), "N_VNew_Serial") && log(s.work.get(), "N_VNew_Serial")
           && log(mem, "CVodeCreate")
           && log(CVodeSetErrHandlerFn(mem, recordError, &s.cb.cvodeError), "CVodeSetErrHandlerFn")
           && log(CVodeInit(mem, rhsFn, span.t0, s.u.get()), "CVodeInit")
           && log(CVodeSetUserData(mem, &s.cb), "CVodeSetUserData") && setTolerances(s, o, log)
           && log(CVodeSetMaxNumSteps(mem, o.maxiters), "CVodeSetMaxNumSteps")
           && log(CVodeSetStopTime(mem, span.t1), "CVodeSetStopTime")
           && (o.dtInitial <= 0.0
               || log(CVodeSetInitStep(mem, dir * o.dtInitial), "CVodeSetInitStep"))
           && (o.dtmin <= 0.0 || log(CVodeSetMinStep(mem, o.dtmin), "CVodeSetMinStep"))
           && (o.dtmax <= 0.0 || log(CVodeSetMaxStep(mem, o.dtmax), "CVodeSetMaxStep"))
           && attachSolvers(s, log);
}

SolveStats readStats(const Session& s) {
    void* mem = s.mem.get();
    SolveStats stats;
    long errorFails = 0, convergenceFails = 0, newtonIters = 0;
    CVodeGetNumSteps(mem, &stats.nAccepted);
    CVodeGetNumErrTestFails(mem, &errorFails);
    CVodeGetNumNonlinSolvConvFails(mem, &convergenceFails);
    stats.nRejected = errorFails + convergenceFails;
    stats.nNewtonFailures = s.kind == CvodeKind::Bdf ? convergenceFails : 0;
    CVodeGetNumRhsEvals(mem, &stats.nRhs);
    if (s.kind == CvodeKind::Bdf) {
        long dqRhs = 0;
        CVodeGetNumLinRhsEvals(mem, &dqRhs); // f calls of the difference-quotient Jacobian
        stats.nRhs += dqRhs;
        CVodeGetNumJacEvals(mem, &stats.nJac);
        CVodeGetNumLinSolvSetups(mem, &stats.nFactorizations);
        // One back-substitution per Newton iteration and block (state + ns sensitivities, the
        // simultaneous corrector solving each block with the state's LU factors).
        CVodeGetNumNonlinSolvIters(mem, &newtonIters);
        stats.nLinearSolves = newtonIters * (1 + s.ns);
    }
    return stats;
}

void fail(
    Solution<VectorXd>& sol, SolveStatus status, double t, double h, const std::string& what) {
    sol.status = status;
    sol.message = failureMessage(status, t, h, what);
}

void failWithFlag(Session& s, Solution<VectorXd>& sol, int flag, void* mem, const char* who) {
    SolveStatus status = statusOf(flag);
    std::string detail = std::string(who) + ": " + flagName(flag) + ": "
                         + (s.cb.cvodeError.empty() ? "(no message)" : s.cb.cvodeError);
    if (!s.cb.thrown.empty()) {
        status = SolveStatus::Unstable;
        detail += "; a callback threw: " + s.cb.thrown;
    } else if (s.cb.cancelled) {
        status = SolveStatus::Cancelled;
        detail = std::string(who) + ": cancelled from outside";
    }
    double t = 0.0, h = 0.0;
    CVodeGetCurrentTime(mem, &t);
    CVodeGetCurrentStep(mem, &h);
    fail(sol, status, t, h, detail);
}

void saveInitial(Output& out, double t0, const VectorXd& u0, const MatrixXd* s0) {
    const auto push = [&] {
        out.solution.t.push_back(t0);
        out.solution.u.push_back(u0);
        if (out.sensitivities != nullptr) {
            out.sensitivities->push_back(*s0);
        }
    };
    if (out.everyStep) {
        push();
    }
    for (; out.next < out.times.size() && out.times[out.next] == t0; ++out.next) {
        if (!out.everyStep) {
            push();
        }
    }
}

void march(Session& s,
           Output& out,
           const SolveOptions& o,
           TimeSpan span,
           const std::function<int(double& t)>& step,
           CvodeEventRunner* events) {
    const double dir = span.t1 >= span.t0 ? 1.0 : -1.0;
    void* mem = s.mem.get();
    Solution<VectorXd>& sol = out.solution;
    double t = span.t0, h = 0.0;
    while (dir * (span.t1 - t) > 0.0) {
        if (o.cancel != nullptr && o.cancel->load(std::memory_order_relaxed)) {
            return fail(sol, SolveStatus::Cancelled, t, h, "CVODE: cancelled from outside");
        }
        if (stepAttempts(mem) >= o.maxiters) {
            return fail(sol, SolveStatus::MaxIters, t, h,
                        "CVODE: CV_TOO_MUCH_WORK: maxiters = " + std::to_string(o.maxiters)
                            + " step attempts (accepted + rejected) taken before reaching t1");
        }
        const long nonFiniteBefore = s.cb.nonFinite;
        const double tPrev = t;
        int flag = step(t);
        if (flag >= 0 && events != nullptr) {
            flag = events->scanStep(tPrev, t, flag);
        }
        if (flag < 0) {
            return failWithFlag(s, sol, flag, mem, "CVODE");
        }
        if (!allFinite(data(s.u.get()), s.n())) {
            return fail(sol, SolveStatus::Unstable, t, h, "CVODE: the state became NaN or Inf");
        }
        if (const int sflag = saveAfterStep(s, out, t, dir); sflag < 0) {
            return failWithFlag(s, sol, sflag, mem, "CVODE (saving)");
        }
        if (flag == CV_TSTOP_RETURN && t == span.t1) {
            if (const int r = events ? events->afterStep(flag, t) : 0; r < 0) { // a dose at t1
                failWithFlag(s, sol, r, mem, "CVODE (events)");
            }
            break;
        }
        // With dtmin = 0 CVODE would creep on with steps that no longer move t (it only warns
        // "t + h = t"); stop as our own loop does at a few ulps of t.
        CVodeGetCurrentStep(mem, &h);
        if (std::abs(h) <= kUlpsOfT * std::numeric_limits<double>::epsilon() * std::abs(t)) {
            const bool nan = s.cb.nonFinite > nonFiniteBefore;
            return fail(sol, nan ? SolveStatus::Unstable : SolveStatus::DtLessThanMin, t, h,
                        nan ? "CVODE: f gave NaN or Inf and the step fell to a few ulps of t"
                            : "CVODE: the step size fell to a few ulps of t");
        }
        // Events last: a restart after a reset leaves CVODE with no step size yet.
        if (events != nullptr) {
            if (const int r = events->afterStep(flag, t); r != 0) {
                if (r < 0) {
                    failWithFlag(s, sol, r, mem, "CVODE (events)");
                }
                return;
            }
        }
    }
}

bool validate(const CvodeSystem& system,
              const VectorXd& u0,
              TimeSpan span,
              const SolveOptions& o,
              std::vector<double>& times,
              std::string& error) {
    const auto nonNegative = [](double x) { return x >= 0.0 && std::isfinite(x); };
    const auto& perComponent = o.abstolPerComponent;
    if (system.n <= 0 || !system.rhs) {
        error = "the system needs n > 0 and a right-hand side";
    } else if (u0.size() != system.n) {
        error = "u0 has " + std::to_string(u0.size()) + " components but the system has "
                + std::to_string(system.n);
    } else if (!o.tstops.empty()) {
        // CVODE steps past any time it is not stopped at; landing on each needs
        // CVodeSetStopTime per stop (and CVodeReInit after a reset): not wired up yet.
        error = "CVODE does not honour tstops yet: use a native method (Rodas5P, Tsit5, ...)";
    } else if (!u0.allFinite()) {
        error = "the initial state contains NaN or Inf";
    } else if (!std::isfinite(span.t0) || !std::isfinite(span.t1)) {
        error = "the time span must be finite";
    } else if (!nonNegative(o.reltol) || !nonNegative(o.abstol)
               || (o.reltol == 0.0 && o.abstol == 0.0 && perComponent.empty())) {
        error = "tolerances must be non-negative and not both 0";
    } else if (!perComponent.empty()
               && (perComponent.size() != static_cast<std::size_t>(system.n)
                   || !std::all_of(perComponent.begin(), perComponent.end(), nonNegative))) {
        error = "abstolPerComponent needs " + std::to_string(system.n) + " non-negative numbers";
    } else if (o.dt != 0.0) {
        error = "CVODE chooses its own steps: a fixed step dt is not supported";
    } else if (o.dense) {
        error = "CVODE keeps no dense output here: use saveat";
    } else if (o.maxiters <= 0) {
        error = "maxiters must be positive";
    } else if (!nonNegative(o.dtmin) || !nonNegative(o.dtmax) || !nonNegative(o.dtInitial)) {
        error = "dtmin, dtmax and dtInitial must be non-negative numbers";
    } else {
        resolveSaveTimes(o.saveat, o.saveatStep, span.t0, span.t1, times, error);
    }
    return error.empty();
}

} // namespace detail

using namespace detail;

CvodeResult solveCvode(const CvodeSystem& system,
                       CvodeKind kind,
                       const VectorXd& u0,
                       TimeSpan span,
                       const SolveOptions& options,
                       const CvodeSensitivity* sens,
                       const CvodeEvents* events) {
    CvodeResult result;
    Solution<VectorXd>& sol = result.solution;
    std::vector<double> times;
    std::string error;
    if (validate(system, u0, span, options, times, error) && sens != nullptr) {
        error = events != nullptr ? "CVODES sensitivities do not cross events"
                                  : validateSensitivity(*sens, system.n);
    }
    if (!error.empty()) {
        fail(sol, SolveStatus::InvalidInput, span.t0, 0.0, error);
        return result;
    }
    Output out{sol, sens != nullptr ? &result.sensitivities : nullptr, times,
               options.saveEverystep.value_or(times.empty())};
    Session s;
    std::optional<CvodeEventRunner> runner;
    VectorXd start = u0;
    if (events != nullptr) {
        runner.emplace(s, out, *events, span, options.maxEvents);
        runner->applyAtStart(start); // a dose at t0: the save there holds the state after it
    }
    saveInitial(out, span.t0, start, sens != nullptr ? &sens->initial : nullptr);
    if (span.t0 == span.t1) {
        return result;
    }
    s.kind = kind;
    s.cb.system = &system;
    s.cb.sens = sens;
    SetupLog log;
    if (!setUp(s, start, span, options, log)
        || (sens != nullptr && sens->ns > 0 && !setUpSensitivities(s, *sens, log))
        || (runner && !runner->setUp(log))) {
        fail(sol, SolveStatus::InvalidInput, span.t0, 0.0,
             "CVODE setup: " + log.failed + ": " + s.cb.cvodeError);
        return result;
    }
    march(
        s, out, options, span,
        [&](double& t) { return CVode(s.mem.get(), span.t1, s.u.get(), &t, CV_ONE_STEP); },
        runner ? &*runner : nullptr);
    sol.stats = readStats(s);
    return result;
}

} // namespace dynfit::ode
