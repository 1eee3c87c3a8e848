// SPDX-License-Identifier: MIT
// A compiled model as the right-hand side of an OdeProblem, and the problem built from it.
#pragma once

#include "model/model.hpp"
#include "model/model_delays.hpp"
#include "model/model_events.hpp"
#include "model/program_evaluator.hpp"
#include "model/staged_evaluator.hpp"
#include "problem/ode_problem.hpp"

#include <Eigen/Core>
#include <memory>
#include <optional>
#include <type_traits>

namespace dynfit::model {

/// f(u, p, t) of a compiled model, for the solvers.
template<class S>
class ModelRhs {
  public:
    explicit ModelRhs(std::shared_ptr<const CompiledModel> model)
        : m_model(std::move(model)), m_eval(m_model->rhs),
          m_native(m_model->native ? m_model->native->rhs : nullptr) {
        if (m_model->stage) {
            m_staged.emplace(*m_model);
        }
        if (m_model->hasDelays()) {
            m_delays = std::make_shared<DelayMemory<S>>(m_model);
        }
    }

    const CompiledModel& model() const { return *m_model; }

    void operator()(Vector<S>& du, const Vector<S>& u, const Vector<S>& p, double t) {
        if (m_delays) {
            m_delays->fill(u, t, m_ext);
            evaluate(du, m_ext, p, t);
            return;
        }
        evaluate(du, u, p, t);
    }

    // --- The memory of a delay model (the integrator's protocol for a right-hand side that
    // reads its own past; docs/ARCHITECTURE.md). Each integrator attaches its own copy.
    bool hasMemory() const { return m_delays != nullptr; }
    void attachHistory(const ode::DenseOutput<Vector<S>>* dense,
                       double t0,
                       const Vector<S>& u0,
                       const Vector<S>& p) {
        m_delays = std::make_shared<DelayMemory<S>>(m_model); // this copy's own, not shared
        m_delays->attach(dense, t0, u0, p);
    }
    std::vector<double> memoryStops(double t1, int order) { return m_delays->stops(t1, order); }
    double shortestLag() const { return m_delays->shortestLag(); }
    double longestLag() const { return m_delays->longestLag(); }
    void enterStep(double ta, double tb) { m_delays->enterStep(ta, tb); }
    bool crossStop(Vector<S>& u, const Vector<S>& p, double t) {
        return m_delays->crossStop(
            u, t, [&](Vector<S>& du, const Vector<S>& x, double at) { (*this)(du, x, p, at); });
    }

  private:
    // f at u, or at [u | delayed values] for a delay model.
    void evaluate(Vector<S>& du, const Vector<S>& u, const Vector<S>& p, double t) {
        if (m_staged) {
            m_staged->rhs(u.data(), p.data(), t, du.data());
            return;
        }
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

  public:
    /// ∂f/∂u at (u, p, t) into a dense matrix (the stiff solvers' Jacobian); for a delay model
    /// with the delayed values held (they do not move with u(t)).
    template<class Matrix>
    void jacobian(Matrix& jac, const Vector<S>& x, const Vector<S>& p, double t) {
        const Vector<S>* input = &x;
        if (m_delays) {
            m_delays->fill(x, t, m_ext);
            input = &m_ext;
        }
        const Vector<S>& u = *input;
        const auto& entries = m_model->patternU.entries;
        m_jacValues.resize(static_cast<Eigen::Index>(entries.size()));
        if (!m_jacEval) {
            m_jacEval.emplace(m_model->jacobianU);
        }
        bool done = false;
        if constexpr (std::is_same_v<S, double>) {
            if (m_model->native && m_model->native->jacobianU != nullptr) {
                m_model->native->jacobianU(u.data(), p.data(), nullptr, t, m_jacValues.data());
                done = true;
            }
        }
        if (!done) {
            (*m_jacEval)(u.data(), p.data(), nullptr, t, m_jacValues.data());
        }
        jac.setZero(x.size(), x.size());
        for (std::size_t e = 0; e < entries.size(); ++e) {
            jac(entries[e].first, entries[e].second) = m_jacValues[static_cast<Eigen::Index>(e)];
        }
    }

    /// ∂f/∂t at (u, p, t); false (and `dt` untouched) when f does not depend on t.
    bool timeDerivative(Vector<S>& dt, const Vector<S>& u, const Vector<S>& p, double t) {
        if (m_model->autonomous) {
            return false;
        }
        if (m_delays) { // the delayed values move with t: a central difference of the whole f
            const double delta = 6e-6 * std::max(1.0, std::abs(t)); // ≈ cbrt(eps): the
            // central difference's truncation and round-off errors balance near 1e-11
            m_plus.resize(u.size());
            (*this)(m_plus, u, p, t + delta);
            (*this)(dt, u, p, t - delta);
            dt = (m_plus - dt) / S(2 * delta);
            return true;
        }
        if (!m_timeEval) {
            m_timeEval.emplace(m_model->timeDerivative);
        }
        dt.resize(u.size());
        (*m_timeEval)(u.data(), p.data(), nullptr, t, dt.data());
        return true;
    }

    /// The nonzero pattern of ∂f/∂u (the sparse linear solver's structure).
    const SparsityPattern& jacobianPattern() const { return m_model->patternU; }

  private:
    std::shared_ptr<const CompiledModel> m_model; // keeps the programs alive
    ProgramEvaluator<S> m_eval;
    std::optional<ProgramEvaluator<S>> m_jacEval, m_timeEval; // built on first use
    Vector<S> m_jacValues;
    NativeFn m_native = nullptr; // the model's native f, when compiled with CompileOptions::native
    std::optional<StagedEvaluator<S>> m_staged; // networks as dense kernels
    std::shared_ptr<DelayMemory<S>> m_delays;   // a delay model's past, once attached
    Vector<S> m_ext, m_plus;                    // scratch: [u | delayed values], f(t + δ)
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
    auto problem = ode::makeOdeProblem<Vector<S>>(
        ModelRhs<S>(model), std::function<Vector<S>(const Vector<S>&)>(initial),
        std::function<ode::TimeSpan(const Vector<S>&)>(span), std::move(p));
    problem.events = modelEvents<S>(model, problem.p);
    return problem;
}

} // namespace dynfit::model
