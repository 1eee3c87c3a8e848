// SPDX-License-Identifier: MIT
// A delay model's memory during one solve (issue 15): the delayed values x(t − lag) that f reads
// after the states, from the history before t0 and from the solve's own dense output after it.
// For dual numbers the lags carry their derivatives: d/dθ x(t − τ) = s_x(t − τ) − x'(t − τ)·τ_θ.
#pragma once

#include "core/dual.hpp"
#include "model/model.hpp"
#include "model/model_events.hpp"
#include "model/program_evaluator.hpp"
#include "output/dense_output.hpp"
#include "problem/delay.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <memory>
#include <vector>

namespace dynfit::model {

template<class S>
class DelayMemory {
  public:
    using State = Vector<S>;

    explicit DelayMemory(std::shared_ptr<const CompiledModel> model) : m_model(std::move(model)) {}

    /// Connects to a solve starting at (t0, u0) with parameters p; `dense` is its dense output,
    /// filled step by step (the method of steps: every step is at most the shortest lag, so
    /// each delayed time lies in a finished step or before t0).
    void attach(const ode::DenseOutput<State>* dense, double t0, const State& u0, const State& p) {
        m_dense = dense;
        m_t0 = t0;
        m_u0 = u0;
        m_p = p;
        m_inStep = false;
        m_historyEval = ProgramEvaluator<S>(m_model->history);
        m_rhsPrimal = ProgramEvaluator<double>(m_model->rhs);
        m_pPrimal.resize(p.size());
        for (Eigen::Index k = 0; k < p.size(); ++k) {
            m_pPrimal[k] = primal(p[k]);
        }
        State lags(m_model->delayCount());
        ProgramEvaluator<S>(m_model->lags)(nullptr, p.data(), nullptr, 0.0, lags.data());
        m_groups.clear();
        for (int k = 0; k < m_model->delayCount(); ++k) {
            const double value = primal(lags[k]);
            std::size_t g = 0;
            while (g < m_groups.size() && !sameLag(m_groups[g].lag, lags[k])) {
                ++g;
            }
            if (g == m_groups.size()) {
                m_groups.push_back({value, lags[k], {}});
            }
            m_groups[g].members.push_back(k);
        }
        m_at = u0;
        m_rate.resize(u0.size());
    }

    /// The step being attempted: each delayed time is read from the piece of the past (history,
    /// or one step of the dense output) that the step's middle, shifted by the lag, lies in.
    void enterStep(double ta, double tb) {
        m_ta = ta;
        m_tb = tb;
        m_inStep = true;
    }

    /// ext = [u | the delayed values at t].
    void fill(const State& u, double t, State& ext) {
        const Eigen::Index n = u.size();
        ext.resize(n + m_model->delayCount());
        ext.head(n) = u;
        if (m_dense == nullptr) { // never attached to a solve: no past to read
            ext.tail(m_model->delayCount())
                .setConstant(S(std::numeric_limits<double>::quiet_NaN()));
            return;
        }
        for (Group& g : m_groups) {
            readPast(g, t, lagMoves(g.lag));
            for (const int k : g.members) {
                const int i = m_model->delays[static_cast<std::size_t>(k)].state;
                S value = m_at[i];
                if constexpr (detail::IsDual<S>::value) {
                    value -= S(m_rate[i]) * (g.lag - S(primal(g.lag))); // − x'(t − τ)·τ_θ
                }
                ext[n + k] = value;
            }
        }
    }

    /// The times in (t0, t1] where the solution may lose smoothness, up to `order`: the
    /// solve's must-hit times (kept for crossStop).
    const std::vector<double>& stops(double t1, int order) {
        std::vector<double> lags;
        for (const Group& g : m_groups) {
            lags.push_back(g.value);
        }
        m_stops = ode::discontinuityTimes(m_t0, t1, lags, order);
        return m_stops;
    }

    double longestLag() const {
        double longest = 0.0;
        for (const Group& g : m_groups) {
            longest = std::max(longest, g.value);
        }
        return longest;
    }

    double shortestLag() const {
        double shortest = std::numeric_limits<double>::infinity();
        for (const Group& g : m_groups) {
            shortest = std::min(shortest, g.value);
        }
        return shortest;
    }

    /// At a stop: whether t is one of the breakpoints. At t0 + τ, where f jumps when the history
    /// ends elsewhere than the initial state, the sensitivities jump by (f⁻ − f⁺)·τ_θ; `rhs`
    /// evaluates f at (u, t) with the memory as it stands.
    template<class Rhs>
    bool crossStop(State& u, double t, Rhs&& rhs) {
        // Mutation check (tests/engine/solvers/tst_delays.cpp): without the jump the lag
        // gradients must fail.
        static const bool dropJump = std::getenv("DYNFIT_MUTATE_DROP_DELAY_JUMP") != nullptr;
        if constexpr (detail::IsDual<S>::value) {
            if (!dropJump) {
                lagJumps(u, t, rhs, m_jumps);
                for (const LagJump& jump : m_jumps) {
                    const S& lag = m_groups[jump.group].lag;
                    const S move = lag - S(primal(lag));
                    for (Eigen::Index i = 0; i < u.size(); ++i) {
                        u[i] += S(jump.delta[i]) * move;
                    }
                }
            }
        }
        return isStop(t);
    }

    /// f's jump f⁻ − f⁺ at t (in double) for each lag whose first breakpoint t0 + τ is t, in
    /// group order, each with the groups before it already on their right side.
    struct LagJump {
        std::size_t group;
        Eigen::VectorXd delta;
    };
    template<class Rhs>
    void lagJumps(const State& u, double t, Rhs&& rhs, std::vector<LagJump>& out) {
        out.clear();
        bool any = false;
        for (Group& g : m_groups) { // every group whose first breakpoint this is: left
            g.side = sameTime(m_t0 + g.value, t) ? -1 : 0;
            any = any || g.side != 0;
        }
        if (any) {
            State before(u.size()), after(u.size());
            rhs(before, u, t);
            for (std::size_t k = 0; k < m_groups.size(); ++k) {
                if (m_groups[k].side == -1) {
                    m_groups[k].side = 1;
                    rhs(after, u, t);
                    LagJump& jump = out.emplace_back(LagJump{k, Eigen::VectorXd(u.size())});
                    for (Eigen::Index i = 0; i < u.size(); ++i) {
                        jump.delta[i] = primal(before[i]) - primal(after[i]);
                    }
                    before = after;
                }
            }
        }
        for (Group& g : m_groups) {
            g.side = 0;
        }
    }

    /// Whether t is one of the breakpoints (the solve lands there and restarts its stepper).
    bool isStop(double t) const {
        return std::any_of(m_stops.begin(), m_stops.end(),
                           [t](double stop) { return sameTime(stop, t); });
    }

    // --- Reading the past backwards (reverse mode through the steps, in double).
    /// Where one lag's delayed value at t (in the current step) is read: the history, or the
    /// dense output's step `step`, at s = t − lag.
    struct Source {
        bool history = false;
        std::size_t step = 0;
        double s = 0.0;
    };
    std::size_t lagCount() const { return m_groups.size(); }
    double lagValue(std::size_t g) const { return m_groups[g].value; }
    /// The delay slots (CompiledModel::delays) that read lag g.
    const std::vector<int>& lagSlots(std::size_t g) const { return m_groups[g].members; }
    Source sourceOf(std::size_t g, double t) const {
        const double s = t - m_groups[g].value;
        const double anchor = anchorOf(m_groups[g], t);
        if (anchor < m_t0 || m_dense == nullptr || m_dense->empty()) {
            return {true, 0, s};
        }
        return {false, m_dense->stepAt(anchor), s};
    }
    /// x'(t − lag g) as the forward solve's lag term takes it.
    const Eigen::VectorXd& rateOf(std::size_t g, double t) {
        readPast(m_groups[g], t, true);
        return m_rate;
    }

  private:
    struct Group {
        double value;             // the lag
        S lag;                    // with its derivatives for dual numbers
        std::vector<int> members; // the slots reading this lag
        int side = 0; // −1 / +1: read from just before / after the delayed time (at a stop)
    };

    // One group per lag with its derivatives: two params of equal value stay apart.
    static bool sameLag(const S& a, const S& b) {
        if constexpr (detail::IsDual<S>::value) {
            return a.val == b.val && a.d == b.d;
        } else {
            return a == b;
        }
    }
    static bool sameTime(double a, double b) {
        return std::abs(a - b) <= 1e-12 * std::max(1.0, std::abs(b));
    }

    // Which piece of the past the delayed value at t is read from: around a stop the side asked
    // for, inside a step the step's middle shifted by the lag (one polynomial for all stages).
    double anchorOf(const Group& g, double t) const {
        const double s = t - g.value;
        const double tiny =
            16 * std::numeric_limits<double>::epsilon() * std::max(1.0, std::abs(s));
        const bool inStep = m_inStep && t >= m_ta - tiny && t <= m_tb + tiny;
        return g.side != 0 ? s + g.side * tiny : inStep ? 0.5 * (m_ta + m_tb) - g.value : s;
    }

    // m_at = the state at t − lag (and m_rate its time derivative, for lags that move).
    void readPast(const Group& g, double t, bool wantRate) {
        const double s = t - g.value;
        const double anchor = anchorOf(g, t);
        if (anchor < m_t0) {
            historyAt(s, wantRate); // at s = t0 too: the history's end, not the initial state
            return;
        }
        if (m_dense == nullptr || m_dense->empty()) { // a first step-size guess only
            m_at = m_u0;
            m_rate.setZero();
            return;
        }
        const std::size_t step = m_dense->stepAt(anchor);
        m_dense->evaluateInStep(step, s, m_at);
        if (wantRate) {
            rateFromModel(s, anchor);
        }
    }

    // m_rate = x'(s) = f(x(s), x(s − τ_j), p, s) in double, from the model itself: exact where
    // the interpolant's own derivative is an order less accurate than its values. Each x(s − τ_j)
    // from the piece of the past that `anchor` − τ_j lies in (at s = t0 + τ: the history's end).
    void rateFromModel(double s, double anchor) {
        const Eigen::Index n = m_at.size();
        m_pastInputs.resize(n + m_model->delayCount());
        for (Eigen::Index i = 0; i < n; ++i) {
            m_pastInputs[i] = primal(m_at[i]);
        }
        for (const Group& g : m_groups) {
            const double earlier = s - g.value;
            if (anchor - g.value < m_t0) {
                evaluateHistory(earlier, m_plus);
            } else {
                m_dense->evaluateInStep(m_dense->stepAt(anchor - g.value), earlier, m_plus);
            }
            for (const int k : g.members) {
                const int i = m_model->delays[static_cast<std::size_t>(k)].state;
                m_pastInputs[n + k] = primal(m_plus[i]);
            }
        }
        m_rhsPrimal(m_pastInputs.data(), m_pPrimal.data(), nullptr, s, m_rate.data());
    }

    // The history at s (up to t0).
    void historyAt(double s, bool moves) {
        evaluateHistory(s, m_at);
        if (moves) {
            const double delta = 1e-6 * std::max(1.0, std::abs(s));
            evaluateHistory(s + delta, m_plus);
            evaluateHistory(s - delta, m_minus);
            for (Eigen::Index i = 0; i < m_rate.size(); ++i) {
                m_rate[i] = (primal(m_plus[i]) - primal(m_minus[i])) / (2 * delta);
            }
        }
    }

    void evaluateHistory(double s, State& out) {
        out.resize(m_u0.size());
        m_historyEval(nullptr, m_p.data(), nullptr, s, out.data());
        for (Eigen::Index i = 0; i < out.size(); ++i) {
            if (m_model->historyDeclared[static_cast<std::size_t>(i)] == 0) {
                out[i] = m_u0[i];
            }
        }
    }

    static bool lagMoves(const S& lag) {
        if constexpr (detail::IsDual<S>::value) {
            for (const auto d : lag.d) {
                if (d != 0) {
                    return true;
                }
            }
        }
        return false;
    }

    std::shared_ptr<const CompiledModel> m_model;
    const ode::DenseOutput<State>* m_dense = nullptr;
    double m_t0 = 0.0, m_ta = 0.0, m_tb = 0.0;
    bool m_inStep = false;
    State m_u0, m_p;
    ProgramEvaluator<S> m_historyEval;
    std::vector<Group> m_groups;
    std::vector<double> m_stops;
    std::vector<LagJump> m_jumps;
    State m_at, m_plus, m_minus; // scratch: the state at a delayed time (and next to it)
    Eigen::VectorXd m_rate;
    ProgramEvaluator<double> m_rhsPrimal;    // f in double, for x'(s)
    Eigen::VectorXd m_pPrimal, m_pastInputs; // p, and [x(s) | x(s − τ_j)] for f
};

} // namespace dynfit::model
