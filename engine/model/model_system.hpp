// SPDX-License-Identifier: MIT
// A compiled model as the problem the gradient methods differentiate (the one implementation of
// ode::DifferentiableSystem for the model language).
#pragma once

#include "core/dual.hpp"
#include "model/model.hpp"
#include "model/model_rhs.hpp"
#include "model/staged_evaluator.hpp"
#include "solvers/differentiable_system.hpp"

#include <memory>
#include <optional>

namespace dynfit::model {

/// f and its derivatives at double precision by the fastest route the model has (networks as
/// dense kernels, native code, or the bytecode: the same values every way), u0(p), tspan(p) and
/// forward solves through solveModel. Holds scratch: one per thread.
class ModelSystem final : public ode::DifferentiableSystem {
  public:
    /// `model` must outlive this object.
    explicit ModelSystem(const CompiledModel& model);

    [[nodiscard]] int stateCount() const override { return m_model.stateCount(); }
    [[nodiscard]] int paramCount() const override { return m_model.paramCount(); }
    [[nodiscard]] const CompiledModel& model() const { return m_model; }

    void rhs(const double* u, const double* p, double t, double* du) override;
    void vjp(const double* u, const double* p, const double* w, double t, double* gu, double* gp)
        override;
    void jvp(const double* u, const double* p, const double* v, double t, double* out) override;
    void jacobianU(const Vector& u, const Vector& p, double t, Matrix& ju) override;
    void jacobianP(const Vector& u, const Vector& p, double t, Matrix& jp) override;
    bool timeDerivative(const Vector& u, const Vector& p, double t, Vector& dt) override;
    void hessianVectorProduct(const Vector& u,
                              const Vector& p,
                              double t,
                              const Vector& w,
                              const Vector& v,
                              Vector& uBar,
                              Vector& pBar) override;
    void timeDerivativeVjp(const Vector& u,
                           const Vector& p,
                           double t,
                           const Vector& w,
                           Vector& uBar,
                           Vector& pBar) override;

    void initialState(const Vector& p, Vector& u0) override;
    void initialStateJacobian(const Vector& p, Matrix& jac) override;
    ode::TimeSpan timeSpan(const Vector& p, ode::TimeSpan fallback) override;
    void startTimeGradient(const Vector& p, Vector& dt0) override;

    [[nodiscard]] bool hasEvents() const override {
        return m_model.hasEvents() || !m_doses.empty();
    }
    /// The data's doses every solve() applies (an experiment's dose table).
    void setDoses(std::vector<ode::Bolus> doses) { m_doses = std::move(doses); }
    void eventJump(int event,
                   double t,
                   const Vector& before,
                   const Vector& p,
                   Vector& after,
                   Matrix& M,
                   Matrix& m) override;

    ode::Solution<Vector> solve(const Vector& u0,
                                ode::TimeSpan span,
                                const Vector& p,
                                const ode::Method& method,
                                const ode::SolveOptions& options,
                                ode::StepObserver<Vector> observer = {}) override;

  private:
    using D1 = Dual<double, 1>;
    // One program with its registers, run natively when the model has native code for it.
    struct Routine {
        ProgramEvaluator<double> bytecode;
        NativeFn native = nullptr;
        void operator()(const double* u, const double* p, const double* aux, double t, double* out);
    };

    const CompiledModel& m_model;
    std::shared_ptr<const CompiledModel> m_borrowed; // for ModelRhs, which shares ownership
    Routine m_rhs, m_vjpU, m_vjpP;
    std::vector<ode::Bolus> m_doses;
    ModelRhs<double> m_solverRhs; // ∂f/∂u and ∂f/∂t as the solvers take them
    std::optional<StagedEvaluator<double>> m_staged; // networks as dense kernels
    std::optional<ProgramEvaluator<double>> m_jvp, m_jacP, m_dtVjpU, m_dtVjpP; // on first use
    std::optional<ProgramEvaluator<D1>> m_hvpU, m_hvpP;
    Vector m_jacPValues, m_scratchU, m_scratchP;
    model::Vector<D1> m_uDual, m_pDual, m_wDual, m_outU, m_outP;
};

} // namespace dynfit::model
