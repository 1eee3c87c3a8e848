// SPDX-License-Identifier: MIT
// What a gradient method needs of a problem, apart from the language it was written in: f and
// its derivatives at double precision, u0(p) and tspan(p) with theirs, and forward solves. The
// model language implements it once (model::ModelSystem); another problem source (hand-written,
// a future problem kind) implements the same and gets every reverse and adjoint method.
#pragma once

#include "output/solution.hpp"
#include "problem/time_span.hpp"
#include "solvers/methods.hpp"
#include "solvers/solve_options.hpp"
#include "solvers/step_view.hpp"

#include <Eigen/Core>

namespace dynfit::ode {

/// u' = f(u, p, t), u(t0(p)) = u0(p), as the sensitivity methods see it. Outputs are
/// overwritten unless a method says it accumulates. An implementation keeps scratch space: use
/// one object per thread.
class DifferentiableSystem {
  public:
    using Vector = Eigen::VectorXd;
    using Matrix = Eigen::MatrixXd;

    virtual ~DifferentiableSystem() = default;

    [[nodiscard]] virtual int stateCount() const = 0;
    [[nodiscard]] virtual int paramCount() const = 0;

    /// du = f(u, p, t).
    virtual void rhs(const double* u, const double* p, double t, double* du) = 0;
    /// gu = wᵀ ∂f/∂u and gp = wᵀ ∂f/∂p (the VJP).
    virtual void
    vjp(const double* u, const double* p, const double* w, double t, double* gu, double* gp) = 0;
    /// out = (∂f/∂u) v (the JVP).
    virtual void jvp(const double* u, const double* p, const double* v, double t, double* out) = 0;
    /// ∂f/∂u, dense n × n.
    virtual void jacobianU(const Vector& u, const Vector& p, double t, Matrix& ju) = 0;
    /// ∂f/∂p, dense n × np.
    virtual void jacobianP(const Vector& u, const Vector& p, double t, Matrix& jp) = 0;
    /// dt = ∂f/∂t; false (dt untouched) when f does not depend on t.
    virtual bool timeDerivative(const Vector& u, const Vector& p, double t, Vector& dt) = 0;
    /// uBar += ∂/∂u (wᵀ (∂f/∂u) v) and pBar += ∂/∂p (wᵀ (∂f/∂u) v): second order, for the
    /// discrete adjoints of the stiff methods (whose steps contain the Jacobian).
    virtual void hessianVectorProduct(const Vector& u,
                                      const Vector& p,
                                      double t,
                                      const Vector& w,
                                      const Vector& v,
                                      Vector& uBar,
                                      Vector& pBar) = 0;
    /// uBar += wᵀ ∂(∂f/∂t)/∂u and pBar += wᵀ ∂(∂f/∂t)/∂p (only called when f depends on t).
    virtual void timeDerivativeVjp(const Vector& u,
                                   const Vector& p,
                                   double t,
                                   const Vector& w,
                                   Vector& uBar,
                                   Vector& pBar) = 0;

    /// u0(p).
    virtual void initialState(const Vector& p, Vector& u0) = 0;
    /// ∂u0/∂p, dense n × np.
    virtual void initialStateJacobian(const Vector& p, Matrix& jac) = 0;
    /// (t0, t1)(p); `fallback` when the problem does not define its span.
    virtual TimeSpan timeSpan(const Vector& p, TimeSpan fallback) = 0;
    /// dt0/dp (np values; zero when the span does not depend on p).
    virtual void startTimeGradient(const Vector& p, Vector& dt0) = 0;

    /// Whether solve() may log events (then the gradients apply eventJump() at each).
    [[nodiscard]] virtual bool hasEvents() const { return false; }

    /// The jump at an event the solve logged (Solution::events: its id, time and the state just
    /// before): the state after it, and its derivatives along the perturbed trajectory
    /// M = dx⁺/dx⁻ (n × n) and m = dx⁺/dp (n × np), the event time's shift included. The
    /// default is a system without events.
    virtual void eventJump(int /*event*/,
                           double /*t*/,
                           const Vector& before,
                           const Vector& /*p*/,
                           Vector& after,
                           Matrix& M,
                           Matrix& m) {
        after = before;
        M = Matrix::Identity(stateCount(), stateCount());
        m = Matrix::Zero(stateCount(), paramCount());
    }

    /// Solves u' = f from u0 on `span` with `method` (the forward passes of every method).
    virtual Solution<Vector> solve(const Vector& u0,
                                   TimeSpan span,
                                   const Vector& p,
                                   const Method& method,
                                   const SolveOptions& options,
                                   StepObserver<Vector> observer = {}) = 0;
};

/// A DifferentiableSystem as a solver's right-hand side (f and its Jacobian), for the places
/// that drive a stepper themselves (the recomputed ESDIRK steps of reverse mode).
class SystemRhs {
  public:
    explicit SystemRhs(DifferentiableSystem& system) : m_system(&system) {}
    void operator()(Eigen::VectorXd& du,
                    const Eigen::VectorXd& u,
                    const Eigen::VectorXd& p,
                    double t) const {
        du.resize(u.size());
        m_system->rhs(u.data(), p.data(), t, du.data());
    }
    void jacobian(Eigen::MatrixXd& jac,
                  const Eigen::VectorXd& u,
                  const Eigen::VectorXd& p,
                  double t) const {
        m_system->jacobianU(u, p, t, jac);
    }
    bool timeDerivative(Eigen::VectorXd& dt,
                        const Eigen::VectorXd& u,
                        const Eigen::VectorXd& p,
                        double t) const {
        return m_system->timeDerivative(u, p, t, dt);
    }

  private:
    DifferentiableSystem* m_system;
};

} // namespace dynfit::ode
