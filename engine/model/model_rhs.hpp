// SPDX-License-Identifier: MIT
// A compiled model as the right-hand side of an OdeProblem, and the problem built from it.
#pragma once

#include "model/model.hpp"
#include "problem/ode_problem.hpp"

#include <Eigen/Core>
#include <memory>
#include <type_traits>

namespace dynfit::model {

template<class S>
using Vector = Eigen::Matrix<S, Eigen::Dynamic, 1>;

/// Evaluates a program with its own register file (one per copy: copies are independent, so a
/// solver may copy it per thread). No allocation per call.
template<class S>
class ProgramEvaluator {
  public:
    ProgramEvaluator() = default;
    explicit ProgramEvaluator(const Program& program) : m_program(&program) {
        program.prepare(m_regs);
    }

    void operator()(const S* u, const S* p, const S* aux, double t, S* out) {
        m_program->evaluate(m_regs, u, p, aux, t, out);
    }

  private:
    const Program* m_program = nullptr;
    std::vector<S> m_regs;
};

/// A double-precision program that runs the model's native code when it has some (f and the
/// VJPs), else the bytecode: the same values either way.
class DoubleProgram {
  public:
    DoubleProgram(const Program& program, NativeFn native) : m_eval(program), m_native(native) {}

    void operator()(const double* u, const double* p, const double* aux, double t, double* out) {
        if (m_native != nullptr) {
            m_native(u, p, aux, t, out);
        } else {
            m_eval(u, p, aux, t, out);
        }
    }

  private:
    ProgramEvaluator<double> m_eval;
    NativeFn m_native;
};

/// The model's f, wᵀ∂f/∂u and wᵀ∂f/∂p as DoublePrograms.
inline DoubleProgram nativeOrBytecodeRhs(const CompiledModel& m) {
    return {m.rhs, m.native ? m.native->rhs : nullptr};
}
inline DoubleProgram nativeOrBytecodeVjpU(const CompiledModel& m) {
    return {m.vjpU, m.native ? m.native->vjpU : nullptr};
}
inline DoubleProgram nativeOrBytecodeVjpP(const CompiledModel& m) {
    return {m.vjpP, m.native ? m.native->vjpP : nullptr};
}

/// f(u, p, t) of a compiled model, for the solvers.
template<class S>
class ModelRhs {
  public:
    explicit ModelRhs(std::shared_ptr<const CompiledModel> model)
        : m_model(std::move(model)), m_eval(m_model->rhs),
          m_native(m_model->native ? m_model->native->rhs : nullptr) {}

    void operator()(Vector<S>& du, const Vector<S>& u, const Vector<S>& p, double t) {
        if constexpr (std::is_same_v<S, double>) {
            if (m_native != nullptr) {
                m_native(u.data(), p.data(), nullptr, t, du.data());
                return;
            }
        } else if constexpr (std::is_same_v<S, Dual8>) {
            if (m_model->native) {
                m_model->native->rhsDual8(u.data(), p.data(), nullptr, t, du.data());
                return;
            }
        }
        m_eval(u.data(), p.data(), nullptr, t, du.data());
    }

    const CompiledModel& model() const { return *m_model; }

  private:
    std::shared_ptr<const CompiledModel> m_model; // keeps the programs alive
    ProgramEvaluator<S> m_eval;
    NativeFn m_native = nullptr; // the model's native f, when compiled with CompileOptions::native
};

/// The problem of a compiled model at parameters p: u0(p) and tspan(p) come from the model
/// (tspan from `fallbackSpan` when the model declares none).
template<class S = double>
ode::OdeProblem<Vector<S>, ModelRhs<S>, Vector<S>> makeModelProblem(
    std::shared_ptr<const CompiledModel> model, Vector<S> p, ode::TimeSpan fallbackSpan) {
    auto initial = [model](const Vector<S>& params) {
        Vector<S> u0(model->stateCount());
        ProgramEvaluator<S> eval(model->initial);
        eval(nullptr, params.data(), nullptr, 0.0, u0.data());
        return u0;
    };
    auto span = [model, fallbackSpan](const Vector<S>& params) {
        if (!model->hasTimeSpan) {
            return fallbackSpan;
        }
        S ends[2];
        ProgramEvaluator<S> eval(model->timeSpan);
        eval(nullptr, params.data(), nullptr, 0.0, ends);
        return ode::TimeSpan{primal(ends[0]), primal(ends[1])};
    };
    return ode::makeOdeProblem<Vector<S>>(
        ModelRhs<S>(model), std::function<Vector<S>(const Vector<S>&)>(initial),
        std::function<ode::TimeSpan(const Vector<S>&)>(span), std::move(p));
}

} // namespace dynfit::model
