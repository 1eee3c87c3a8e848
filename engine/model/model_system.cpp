// SPDX-License-Identifier: MIT
// A compiled model's programs behind ode::DifferentiableSystem.
#include "model/model_system.hpp"

#include "model/event_jump.hpp"
#include "model/model_solve.hpp"

namespace dynfit::model {

void ModelSystem::Routine::operator()(
    const double* u, const double* p, const double* aux, double t, double* out) {
    if (native != nullptr) {
        native(u, p, aux, t, out);
    } else {
        bytecode(u, p, aux, t, out);
    }
}

ModelSystem::ModelSystem(const CompiledModel& model)
    : m_model(model),
      m_borrowed(&model, [](const CompiledModel*) {}), m_rhs{ProgramEvaluator<double>(model.rhs),
                                                             model.native ? model.native->rhs
                                                                          : nullptr},
      m_vjpU{ProgramEvaluator<double>(model.vjpU), model.native ? model.native->vjpU : nullptr},
      m_vjpP{ProgramEvaluator<double>(model.vjpP), model.native ? model.native->vjpP : nullptr},
      m_solverRhs(m_borrowed) {
    if (model.stage) {
        m_staged.emplace(model);
    }
}

void ModelSystem::rhs(const double* u, const double* p, double t, double* du) {
    if (m_staged) {
        m_staged->rhs(u, p, t, du);
    } else {
        m_rhs(u, p, nullptr, t, du);
    }
}

void ModelSystem::vjp(
    const double* u, const double* p, const double* w, double t, double* gu, double* gp) {
    if (m_staged) {
        m_staged->vjp(u, p, w, t, gu, gp);
    } else {
        m_vjpU(u, p, w, t, gu);
        m_vjpP(u, p, w, t, gp);
    }
}

void ModelSystem::jvp(const double* u, const double* p, const double* v, double t, double* out) {
    if (!m_jvp) {
        m_jvp.emplace(m_model.jvp);
    }
    (*m_jvp)(u, p, v, t, out);
}

void ModelSystem::jacobianU(const Vector& u, const Vector& p, double t, Matrix& ju) {
    m_solverRhs.jacobian(ju, u, p, t);
}

void ModelSystem::jacobianP(const Vector& u, const Vector& p, double t, Matrix& jp) {
    if (!m_jacP) {
        m_jacP.emplace(m_model.jacobianP);
    }
    const auto& entries = m_model.patternP.entries;
    m_jacPValues.resize(static_cast<Eigen::Index>(entries.size()));
    (*m_jacP)(u.data(), p.data(), nullptr, t, m_jacPValues.data());
    jp.setZero(stateCount(), paramCount());
    for (std::size_t e = 0; e < entries.size(); ++e) {
        jp(entries[e].first, entries[e].second) = m_jacPValues[static_cast<Eigen::Index>(e)];
    }
}

bool ModelSystem::timeDerivative(const Vector& u, const Vector& p, double t, Vector& dt) {
    return m_solverRhs.timeDerivative(dt, u, p, t);
}

// The VJP programs evaluated with dual numbers seeded along v: forward over reverse (the
// Hessian is symmetric).
void ModelSystem::hessianVectorProduct(const Vector& u,
                                       const Vector& p,
                                       double t,
                                       const Vector& w,
                                       const Vector& v,
                                       Vector& uBar,
                                       Vector& pBar) {
    if (!m_hvpU) {
        m_hvpU.emplace(m_model.vjpU);
        m_hvpP.emplace(m_model.vjpP);
    }
    const int n = stateCount();
    const int np = paramCount();
    m_uDual.resize(n);
    m_wDual.resize(n);
    m_pDual.resize(np);
    m_outU.resize(n);
    m_outP.resize(np);
    for (int i = 0; i < n; ++i) {
        m_uDual[i] = D1(u[i], {v[i]});
        m_wDual[i] = D1(w[i]);
    }
    for (int k = 0; k < np; ++k) {
        m_pDual[k] = D1(p[k]);
    }
    (*m_hvpU)(m_uDual.data(), m_pDual.data(), m_wDual.data(), t, m_outU.data());
    (*m_hvpP)(m_uDual.data(), m_pDual.data(), m_wDual.data(), t, m_outP.data());
    for (int i = 0; i < n; ++i) {
        uBar[i] += m_outU[i].d[0];
    }
    for (int k = 0; k < np; ++k) {
        pBar[k] += m_outP[k].d[0];
    }
}

void ModelSystem::timeDerivativeVjp(
    const Vector& u, const Vector& p, double t, const Vector& w, Vector& uBar, Vector& pBar) {
    if (!m_dtVjpU) {
        m_dtVjpU.emplace(m_model.timeDerivativeVjpU);
        m_dtVjpP.emplace(m_model.timeDerivativeVjpP);
    }
    m_scratchU.resize(stateCount());
    m_scratchP.resize(paramCount());
    (*m_dtVjpU)(u.data(), p.data(), w.data(), t, m_scratchU.data());
    (*m_dtVjpP)(u.data(), p.data(), w.data(), t, m_scratchP.data());
    uBar += m_scratchU;
    pBar += m_scratchP;
}

void ModelSystem::initialState(const Vector& p, Vector& u0) {
    u0.resize(stateCount());
    ProgramEvaluator<double> init(m_model.initial);
    init(nullptr, p.data(), nullptr, 0.0, u0.data());
}

void ModelSystem::initialStateJacobian(const Vector& p, Matrix& jac) {
    const int n = stateCount();
    const int np = paramCount();
    std::vector<double> rowMajor(static_cast<std::size_t>(n * np));
    ProgramEvaluator<double> eval(m_model.initialJacobianP);
    eval(nullptr, p.data(), nullptr, 0.0, rowMajor.data());
    jac.resize(n, np);
    for (int i = 0; i < n; ++i) {
        for (int k = 0; k < np; ++k) {
            jac(i, k) = rowMajor[static_cast<std::size_t>(i * np + k)];
        }
    }
}

ode::TimeSpan ModelSystem::timeSpan(const Vector& p, ode::TimeSpan fallback) {
    if (!m_model.hasTimeSpan) {
        return fallback;
    }
    double ends[2];
    ProgramEvaluator<double> eval(m_model.timeSpan);
    eval(nullptr, p.data(), nullptr, 0.0, ends);
    return {ends[0], ends[1]};
}

void ModelSystem::startTimeGradient(const Vector& p, Vector& dt0) {
    const int np = paramCount();
    dt0.setZero(np);
    if (!m_model.hasTimeSpan) {
        return;
    }
    ProgramEvaluator<D1> times(m_model.timeSpan);
    model::Vector<D1> dual(np);
    for (int k = 0; k < np; ++k) {
        for (int j = 0; j < np; ++j) {
            dual[j] = j == k ? D1::variable(p[j], 0) : D1(p[j]);
        }
        D1 ends[2];
        times(nullptr, dual.data(), nullptr, 0.0, ends);
        dt0[k] = ends[0].d[0];
    }
}

void ModelSystem::eventJump(int event,
                            double t,
                            const Vector& before,
                            const Vector& p,
                            Vector& after,
                            Matrix& M,
                            Matrix& m) {
    const auto modelEvents = static_cast<int>(m_model.events.size());
    if (event >= modelEvents) { // a dose from the data: its time and amount carry no parameter
        const ode::Bolus& dose = m_doses[static_cast<std::size_t>(event - modelEvents)];
        after = before;
        after[dose.state] += dose.amount;
        M = Matrix::Identity(stateCount(), stateCount());
        m = Matrix::Zero(stateCount(), paramCount());
        return;
    }
    const CompiledEvent& e = m_model.events[static_cast<std::size_t>(event)];
    const int occurrence =
        e.trigger == CompiledEvent::Trigger::Crossing ? 0 : occurrenceAt(m_model, event, p, t);
    EventJump jump = model::eventJump(m_model, event, occurrence, before, p, t);
    after = std::move(jump.after);
    M = std::move(jump.M);
    m = std::move(jump.m);
}

ode::Solution<ModelSystem::Vector> ModelSystem::solve(const Vector& u0,
                                                      ode::TimeSpan span,
                                                      const Vector& p,
                                                      const ode::Method& method,
                                                      const ode::SolveOptions& options,
                                                      ode::StepObserver<Vector> observer) {
    return solveModel(fixedStartProblem<double>(m_borrowed, u0, span, p, m_doses), method, options,
                      std::move(observer));
}

} // namespace dynfit::model
