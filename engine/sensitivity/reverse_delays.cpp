// SPDX-License-Identifier: MIT
// Reverse mode through the steps of a delay model (issue 15): the transpose of forward mode's
// method of steps. Each stage's f reads delayed values from the past; their adjoints travel
// back into it — onto an earlier step's interpolant (as a save point inside that step), onto
// the history's parameters, onto u0 — and onto the lags through −x'(t − τ), plus the jump term
// (f⁻ − f⁺)·λ at each first breakpoint t0 + τ (model/model_delays.hpp has the forward side).
#include "model/model_delays.hpp"
#include "model/model_system.hpp"
#include "sensitivity/gradient_methods.hpp"
#include "sensitivity/recorded_solve.hpp"

#include <cassert>
#include <cstdlib>
#include <memory>

namespace dynfit::sens::detail {

namespace {

using model::ProgramEvaluator;

// f of a delay model and its VJPs, the delayed values read from a finished solve's dense output
// in the context the forward solve read them in; the adjoints of those values are sent back.
class DelayedDerivatives {
  public:
    DelayedDerivatives(const model::CompiledModel& model,
                       const ode::DenseOutput<Vec<double>>& dense,
                       const Vec<double>& u0,
                       const Vec<double>& p,
                       double t0,
                       double t1,
                       int order,
                       std::vector<std::vector<TapeSave>>& interior)
        : m_model(model), m_dense(dense), m_memory(std::shared_ptr<const model::CompiledModel>(
                                              &model, [](const model::CompiledModel*) {})),
          m_rhs(model.rhs), m_vjpU(model.vjpU), m_vjpP(model.vjpP), m_vjpDelayed(model.vjpDelayed),
          m_historyJacobian(model.historyJacobianP), m_interior(interior), m_n(model.stateCount()),
          m_np(model.paramCount()) {
        m_memory.attach(&dense, t0, u0, p);
        m_memory.stops(t1, order);
        lagBar.setZero(static_cast<Eigen::Index>(m_memory.lagCount()));
        initBar.setZero(m_n);
    }

    bool isStop(double t) const { return m_memory.isStop(t); }
    const model::DelayMemory<double>& memory() const { return m_memory; }

    /// The step about to be reversed, [ta, tb] (step `index` of the dense output), and whether
    /// its first stage is the previous step's last evaluation (FSAL, or Hermite's f(u_new)), made
    /// while that step was the one being taken: it read the past as that step did.
    void beginStep(std::size_t index, double ta, double tb, bool firstStageFromPrevious) {
        m_step = index;
        m_ta = ta;
        m_tb = tb;
        m_firstFromPrevious = firstStageFromPrevious && index > 0;
        if (m_firstFromPrevious) {
            m_prevTa = m_dense.stepStart(index - 1);
        }
    }

    void atStage(int i) {
        if (i == 0 && m_firstFromPrevious) {
            m_memory.enterStep(m_prevTa, m_ta);
        } else {
            m_memory.enterStep(m_ta, m_tb);
        }
    }

    void rhs(const Vec<double>& u, const Vec<double>& p, double t, Vec<double>& out) {
        m_memory.fill(u, t, m_ext);
        out.resize(m_n);
        m_rhs(m_ext.data(), p.data(), nullptr, t, out.data());
        ++evaluations;
    }

    /// uBar += wᵀ ∂f/∂u, pBar += wᵀ ∂f/∂p, and wᵀ ∂f/∂(delayed values) sent into the past.
    void vjp(const Vec<double>& u,
             const Vec<double>& p,
             double t,
             const Vec<double>& w,
             Vec<double>& uBar,
             Vec<double>& pBar) {
        m_memory.fill(u, t, m_ext);
        m_scratchU.resize(m_n);
        m_scratchP.resize(m_np);
        m_delayedBar.resize(m_model.delayCount());
        m_vjpU(m_ext.data(), p.data(), w.data(), t, m_scratchU.data());
        m_vjpP(m_ext.data(), p.data(), w.data(), t, m_scratchP.data());
        m_vjpDelayed(m_ext.data(), p.data(), w.data(), t, m_delayedBar.data());
        uBar += m_scratchU;
        pBar += m_scratchP;
        ++evaluations;
        for (std::size_t g = 0; g < m_memory.lagCount(); ++g) {
            intoThePast(g, t, p, pBar);
        }
    }

    /// At a first breakpoint t0 + τ the forward solve moved the sensitivities by (f⁻ − f⁺)·τ_θ:
    /// its transpose, with λ = ∂L/∂u just after t. The past is read as the step before did.
    void
    acrossStop(double t, const Vec<double>& u, const Vec<double>& p, const Vec<double>& lambda) {
        m_memory.enterStep(m_dense.stepStart(m_step - 1), t);
        m_memory.lagJumps(
            u, t, [&](Vec<double>& du, const Vec<double>& x, double at) { rhs(x, p, at, du); },
            m_jumps);
        for (const auto& jump : m_jumps) {
            lagBar[static_cast<Eigen::Index>(jump.group)] += lambda.dot(jump.delta);
        }
    }

    long evaluations = 0;
    Eigen::VectorXd lagBar;  ///< ∂L/∂τ_g per lag
    Eigen::VectorXd initBar; ///< ∂L/∂u0 through the history of states that declare none

  private:
    // The adjoint of lag g's delayed values at t: onto the lag, and onto what they were read from.
    void intoThePast(std::size_t g, double t, const Vec<double>& p, Vec<double>& pBar) {
        m_adjoint.setZero(m_n);
        bool any = false;
        for (const int slot : m_memory.lagSlots(g)) {
            const double bar = m_delayedBar[slot];
            m_adjoint[m_model.delays[static_cast<std::size_t>(slot)].state] += bar;
            any = any || bar != 0.0;
        }
        if (!any) {
            return;
        }
        lagBar[static_cast<Eigen::Index>(g)] -= m_memory.rateOf(g, t).dot(m_adjoint);
        const auto source = m_memory.sourceOf(g, t);
        if (!source.history) {
            assert(source.step < m_step); // a step is never longer than the shortest lag
            const double theta =
                (source.s - m_dense.stepStart(source.step)) / m_dense.stepSize(source.step);
            m_interior[source.step].push_back({theta, m_adjoint});
            return;
        }
        m_historyJacobianValues.resize(m_n * m_np);
        m_historyJacobian(nullptr, p.data(), nullptr, source.s, m_historyJacobianValues.data());
        for (int i = 0; i < m_n; ++i) {
            if (m_adjoint[i] == 0.0) {
                continue;
            }
            if (m_model.historyDeclared[static_cast<std::size_t>(i)] == 0) {
                initBar[i] += m_adjoint[i];
                continue;
            }
            for (int k = 0; k < m_np; ++k) {
                pBar[k] += m_adjoint[i] * m_historyJacobianValues[i * m_np + k];
            }
        }
    }

    const model::CompiledModel& m_model;
    const ode::DenseOutput<Vec<double>>& m_dense;
    model::DelayMemory<double> m_memory;
    ProgramEvaluator<double> m_rhs, m_vjpU, m_vjpP, m_vjpDelayed, m_historyJacobian;
    std::vector<std::vector<TapeSave>>& m_interior;
    int m_n, m_np;
    std::size_t m_step = 0;
    double m_ta = 0.0, m_tb = 0.0, m_prevTa = 0.0;
    bool m_firstFromPrevious = false;
    std::vector<model::DelayMemory<double>::LagJump> m_jumps;
    Vec<double> m_ext, m_scratchU, m_scratchP, m_delayedBar, m_adjoint, m_historyJacobianValues;
};

// dτ_g/dp from the lags' Jacobian (a lag's slots share it).
Eigen::MatrixXd lagJacobian(const model::CompiledModel& model,
                            const model::DelayMemory<double>& memory,
                            const Vec<double>& p) {
    const int np = model.paramCount();
    Vec<double> values(model.delayCount() * np);
    ProgramEvaluator<double>(model.lagsJacobianP)(nullptr, p.data(), nullptr, 0.0, values.data());
    Eigen::MatrixXd jac(static_cast<Eigen::Index>(memory.lagCount()), np);
    for (std::size_t g = 0; g < memory.lagCount(); ++g) {
        const int slot = memory.lagSlots(g).front();
        for (int k = 0; k < np; ++k) {
            jac(static_cast<Eigen::Index>(g), k) = values[slot * np + k];
        }
    }
    return jac;
}

// Whether the forward solve's first stage of a step reused the previous step's last evaluation:
// FSAL methods, and Hermite-interpolated ones (whose f(u_new) the dense output computes).
template<ode::RkTableau T>
constexpr bool firstStageReused() {
    return T::fsal || T::interpolant != ode::InterpolantKind::Weights;
}

template<ode::RkTableau T>
void reverseDelayMode(const GradientProblem& gp,
                      model::ModelSystem& system,
                      const ode::SolveOptions& baseOptions,
                      GradientResult& result) {
    const model::CompiledModel& model = *gp.model;
    const int n = model.stateCount();
    const int np = model.paramCount();
    const Vec<double> p = Eigen::Map<const Eigen::VectorXd>(gp.params.data(), np);
    Vec<double> u0;
    double t0 = 0.0, t1 = 0.0;
    initialConditions(gp, p, u0, t0, t1);

    ode::SolveOptions options = baseOptions;
    options.dense = true; // the whole past, read again backwards
    std::vector<TapeStep> tape;
    ode::Solution<Vec<double>> sol;
    if (!recordedSolve(gp, system, u0, t0, t1, p, ode::Method(T{}), options, tape, sol, result)) {
        return;
    }

    const auto& times = gp.loss->saveTimes();
    const std::vector<Vec<double>> saveAdjoint = gp.loss->stateGradients(sol.u);
    std::vector<std::vector<TapeSave>> interior(tape.size());
    std::vector<Vec<double>> atEnd(tape.size(), Vec<double>::Zero(n));
    Vec<double> uBar = Vec<double>::Zero(n);
    std::size_t step = 0;
    for (std::size_t s = 0; s < times.size(); ++s) {
        if (times[s] == t0 || tape.empty()) {
            uBar += saveAdjoint[s];
            continue;
        }
        while (step + 1 < tape.size() && times[s] > tape[step + 1].t) {
            ++step;
        }
        const double end = step + 1 < tape.size() ? tape[step + 1].t : t1;
        if (times[s] == end) {
            atEnd[step] += saveAdjoint[s];
        } else {
            interior[step].push_back({(times[s] - tape[step].t) / tape[step].h, saveAdjoint[s]});
        }
    }

    DelayedDerivatives f(model, sol.dense, u0, p, t0, t1, T::order, interior);
    // Mutation check (tests/engine/solvers/tst_delays.cpp), as in forward mode.
    static const bool dropJump = std::getenv("DYNFIT_MUTATE_DROP_DELAY_JUMP") != nullptr;
    ReverseWorkspace work;
    Vec<double> uBarStep = Vec<double>::Zero(n), pBar = Vec<double>::Zero(np);
    for (std::size_t j = tape.size(); j-- > 0;) {
        uBarStep += atEnd[j];
        const bool afterStop = j > 0 && f.isStop(tape[j].t);
        f.beginStep(j, tape[j].t, tape[j].t + tape[j].h, firstStageReused<T>() && !afterStop);
        reverseStep<T>(tape[j], interior[j], p, f, work, uBarStep, pBar);
        interior[j] = {}; // read: its memory goes
        if (afterStop && !dropJump) {
            f.acrossStop(tape[j].t, tape[j].u, p, uBarStep);
        }
    }
    uBar += uBarStep + f.initBar;
    pBar += lagJacobian(model, f.memory(), p).transpose() * f.lagBar;
    result.nfBackward += f.evaluations;
    assembleGradient(gp, system, p, u0, t0, uBar, pBar, result);
}

} // namespace

void reverseDelayGradient(const GradientProblem& problem,
                          const ode::Method& solver,
                          const ode::SolveOptions& options,
                          GradientResult& result) {
    std::visit(
        [&](auto tag) {
            using Tag = decltype(tag);
            if constexpr (ode::RkTableau<Tag>) {
                model::ModelSystem system(*problem.model);
                system.setDoses(problem.doses);
                reverseDelayMode<Tag>(problem, system, options, result);
            } else {
                result.status = SolveStatus::InvalidInput;
                result.message = std::string("reverse mode through a delay model's steps replays "
                                             "the explicit methods (Tsit5, Vern7, DP5, BS3, "
                                             "RK4); with ")
                                 + Tag::name + " use forward (exact, lags included)";
            }
        },
        solver);
}

} // namespace dynfit::sens::detail
