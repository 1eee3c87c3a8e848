// SPDX-License-Identifier: MIT
// Internal to cvode.cpp and cvode_adjoint.cpp: one CVODES instance, its RAII and its plumbing.
#pragma once

#include "solvers/cvode.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cvodes/cvodes.h>
#include <exception>
#include <functional>
#include <memory>
#include <nvector/nvector_serial.h>
#include <string>
#include <sundials/sundials_context.h>
#include <sunlinsol/sunlinsol_dense.h>
#include <sunmatrix/sunmatrix_dense.h>
#include <sunnonlinsol/sunnonlinsol_fixedpoint.h>
#include <type_traits>
#include <vector>

namespace dynfit::ode::detail {

using VectorMap = Eigen::Map<Eigen::VectorXd>;

// RAII for every SUNDIALS object.
template<auto Destroy>
struct Free {
    template<class Handle>
    void operator()(Handle h) const {
        Destroy(h);
    }
};
struct ContextFree {
    void operator()(SUNContext c) const { SUNContext_Free(&c); }
};
struct CvodeFree {
    void operator()(void* mem) const { CVodeFree(&mem); }
};
struct VectorArrayFree {
    int count = 0;
    void operator()(N_Vector* v) const { N_VDestroyVectorArray(v, count); }
};
template<class Handle, class Deleter>
using Owned = std::unique_ptr<std::remove_pointer_t<Handle>, Deleter>;
using Vector = Owned<N_Vector, Free<N_VDestroy>>;
using VectorArray = std::unique_ptr<N_Vector, VectorArrayFree>;
using Matrix = Owned<SUNMatrix, Free<SUNMatDestroy>>;
using LinearSolver = Owned<SUNLinearSolver, Free<SUNLinSolFree>>;
using NonlinearSolver = Owned<SUNNonlinearSolver, Free<SUNNonlinSolFree>>;

inline double* data(N_Vector v) {
    return N_VGetArrayPointer(v);
}

inline bool allFinite(const double* x, long n) {
    return std::all_of(x, x + n, [](double v) { return std::isfinite(v); });
}

/// What the C callbacks reach through user_data, and what they leave behind for the messages.
struct Callbacks {
    const CvodeSystem* system = nullptr;
    const CvodeSensitivity* sens = nullptr;
    const CvodeAdjointSystem* adjoint = nullptr;
    const CvodeEvents* events = nullptr;
    const std::atomic<bool>* cancel = nullptr; // polled by the backward RHS
    bool cancelled = false;                    // the backward RHS saw the cancel flag
    std::string thrown;                        // what a user callback threw
    std::string cvodeError;                    // CVODE's last error message (recordError)
    long nonFinite = 0;                        // callbacks that returned NaN/Inf
    Eigen::VectorXd gu, gp;                    // VJP outputs
    Eigen::MatrixXd jac;                       // the forward Jacobian, for the backward one
    long nVjp = 0;
};

inline Callbacks& callbacks(void* user) {
    return *static_cast<Callbacks*>(user);
}

/// Runs a user callback: 0 = fine; 1 = NaN/Inf in its output, recoverable, so CVODE retries
/// with a smaller step; -1 = it threw, unrecoverable (no exception may cross CVODE's C frames).
template<class Body>
int guarded(Callbacks& cb, Body&& body) {
    try {
        if (body()) {
            return 0;
        }
        ++cb.nonFinite;
        return 1;
    } catch (const std::exception& e) {
        cb.thrown = e.what();
    } catch (...) {
        cb.thrown = "an unknown exception";
    }
    return -1;
}

/// The error handler installed on every CVODE memory: records, never prints.
void recordError(int code, const char* module, const char* function, char* msg, void* out);

std::string flagName(int flag);

/// Setup calls chained with &&: the first failure stops the chain and is remembered.
struct SetupLog {
    std::string failed;
    bool operator()(int flag, const char* call) {
        if (flag < 0) {
            failed = std::string(call) + " returned " + flagName(flag);
        }
        return flag >= 0;
    }
    bool operator()(const void* created, const char* call) {
        return (*this)(created != nullptr ? 0 : CV_MEM_FAIL, call);
    }
};

/// One CVODES instance with all it owns. Members are destroyed in reverse order: the CVODE
/// memory first (it refers to the solvers and vectors), the context last.
struct Session {
    Owned<SUNContext, ContextFree> context;
    Vector u, work, abstol;
    Matrix matrix;
    LinearSolver linearSolver;
    NonlinearSolver nonlinearSolver, sensSolver;
    VectorArray sens, sensWork;
    Vector lambda, mu; // the backward problem's
    Matrix matrixB;
    LinearSolver linearSolverB;
    NonlinearSolver nonlinearSolverB;
    Callbacks cb;
    std::unique_ptr<void, CvodeFree> mem;
    CvodeKind kind = CvodeKind::Bdf;
    int ns = 0;
    int which = -1; // the backward problem's index

    int n() const { return cb.system->n; }
    SUNContext ctx() const { return context.get(); }
};

Vector newVector(const Session& s, const Eigen::VectorXd& values);

/// Checks what CVODE would reject or misread and resolves the save times; says why not.
bool validate(const CvodeSystem& system,
              const Eigen::VectorXd& u0,
              TimeSpan span,
              const SolveOptions& o,
              std::vector<double>& times,
              std::string& error);

/// CVODE for `s.kind` at (t0, u0), with the options' tolerances and limits and a stop at t1.
bool setUp(
    Session& s, const Eigen::VectorXd& u0, TimeSpan span, const SolveOptions& o, SetupLog& log);

/// The work counters of the forward problem (see CvodeResult for what each one counts).
SolveStats readStats(const Session& s);

void fail(Solution<Eigen::VectorXd>& sol,
          SolveStatus status,
          double t,
          double h,
          const std::string& what);

/// A failed CVODE call: the status from the flag (or from what our callbacks saw), located at
/// `mem`'s current time and step.
void failWithFlag(Session& s, Solution<Eigen::VectorXd>& sol, int flag, void* mem, const char* who);

/// Where the stepping loop saves: the save times, every step, the sensitivities.
struct Output {
    Solution<Eigen::VectorXd>& solution;
    std::vector<Eigen::MatrixXd>* sensitivities;
    const std::vector<double>& times;
    bool everyStep;
    std::size_t next = 0;
};

void saveInitial(Output& out, double t0, const Eigen::VectorXd& u0, const Eigen::MatrixXd* s0);

class CvodeEventRunner;

/// Steps from t0 to t1 one CVODE step at a time (`step` is CVode or CVodeF in CV_ONE_STEP mode;
/// the stop time makes CVODE land on t1 exactly), saving as it goes. The cancel flag and the
/// step attempts (maxiters) are checked between steps. `events`, when given, may end a step
/// early at a crossing CVODE missed (scanStep, before the saves) and runs after each step's
/// saves (afterStep).
void march(Session& s,
           Output& out,
           const SolveOptions& o,
           TimeSpan span,
           const std::function<int(double& t)>& step,
           CvodeEventRunner* events = nullptr);

/// A solve's events between CVODE steps (solvers/cvode_events.cpp).
class CvodeEventRunner {
  public:
    CvodeEventRunner(
        Session& s, Output& out, const CvodeEvents& events, TimeSpan span, int maxEvents);
    /// The time events at t0, applied to u0 before CVODE starts.
    void applyAtStart(Eigen::VectorXd& u0);
    /// CVodeRootInit and CVodeSetRootDirection, and the first stop time.
    bool setUp(SetupLog& log);
    /// What march() calls after each step, before saving: CVODE tests the conditions' signs at
    /// its step ends only, so a crossing there and back inside one step (a ball's ever shorter
    /// bounces) is sampled for on the step's interpolant; one found ends the step at its root
    /// (t and the state moved there) and is reported as CV_ROOT_RETURN.
    int scanStep(double tPrev, double& t, int flag);
    /// What march() calls after each step's saves: 0 goes on, 1 ends the solve as it stands (a
    /// terminal event or too many events), a negative CVODE flag fails it.
    int afterStep(int flag, double t);

  private:
    int fireRoots(double t, bool& changed);
    void fireTimed(double t, bool& changed);
    void replaceSave(double t);
    int restart(double t);
    int conditionsAt(double t, std::vector<double>& g);
    bool againstRate(std::size_t k, double t, const double* u);
    std::string name(std::size_t k) const;
    int accumulation(double t, const std::string& detail);

    Session& m_s;
    Output& m_out;
    const CvodeEvents& m_events;
    TimeSpan m_span;
    int m_maxEvents;
    std::size_t m_nextTimed = 0;
    std::vector<int> m_found;
    int m_missed = -1;               // the condition scanStep found crossed, else -1
    std::vector<double> m_gA, m_gB;  // scratch: the conditions at two consecutive samples
    std::vector<double> m_lastFired; // per condition: its last crossing time (NaN: none yet)
    Eigen::VectorXd m_du, m_shifted; // scratch for againstRate
};

} // namespace dynfit::ode::detail
