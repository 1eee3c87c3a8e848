// SPDX-License-Identifier: MIT
// The start of every gradient: u0(p) and t0(p) (with forward mode's seeded directions), and the
// chain back through them, dL/dp = p̄ + (∂u0/∂p)ᵀ ū0 − (ū0ᵀ f0) ∂t0/∂p.
#pragma once

#include "core/dual.hpp"
#include "model/model_rhs.hpp"
#include "sensitivity/gradient.hpp"
#include "solvers/differentiable_system.hpp"

#include <algorithm>
#include <vector>

namespace dynfit::sens::detail {

// Directions of one forward-mode pass; more parameters take several passes (chunks).
constexpr int kChunk = 8;
using ChunkDual = Dual<double, kChunk>;
using ChunkDualF = Dual<float, kChunk>;

template<class S>
using Vec = model::Vector<S>;

// u0(p) (with the problem's fixed initial values) and t0(p), t1(p), for any scalar type.
template<class S>
void initialConditions(const GradientProblem& gp, const Vec<S>& p, Vec<S>& u0, S& t0, S& t1) {
    const model::CompiledModel& m = *gp.model;
    const auto& span = gp.span;
    u0.resize(m.stateCount());
    model::ProgramEvaluator<S> init(m.initial);
    init(nullptr, p.data(), nullptr, 0.0, u0.data());
    for (const auto& [state, value] : gp.initialValues) {
        u0[state] = S(value);
    }
    if (span) {
        t0 = S(span->t0);
        t1 = S(span->t1);
    } else {
        S ends[2];
        model::ProgramEvaluator<S> times(m.timeSpan);
        times(nullptr, p.data(), nullptr, 0.0, ends);
        t0 = ends[0];
        t1 = ends[1];
    }
}

// Dual inputs for the directions first … first + kChunk − 1: parameters 0..np−1, then initial
// values np..np+n−1; u0(p) and t0(p) are chained through.
template<class D>
void seedChunk(const GradientProblem& gp, int first, Vec<D>& p, Vec<D>& u0, D& t0, D& t1) {
    using Real = decltype(D{}.val);
    const model::CompiledModel& m = *gp.model;
    const int np = m.paramCount();
    const int n = m.stateCount();
    p.resize(np);
    for (int k = 0; k < np; ++k) {
        p[k] = D(static_cast<Real>(gp.params[static_cast<std::size_t>(k)]));
        if (k >= first && k < first + kChunk) {
            p[k].d[static_cast<std::size_t>(k - first)] = 1.0;
        }
    }
    initialConditions(gp, p, u0, t0, t1);
    for (int i = 0; i < n; ++i) {
        const int dir = np + i - first;
        if (dir >= 0 && dir < kChunk) {
            u0[i].d[static_cast<std::size_t>(dir)] += 1.0;
        }
    }
    // A start time that depends on p moves the solution: ∂u(t)/∂t0 = −Φ(t, t0) f(u0, t0).
    if (std::any_of(t0.d.begin(), t0.d.end(), [](Real x) { return x != Real(0); })) {
        Vec<double> u0v(n), pv(np), f0(n);
        for (int i = 0; i < n; ++i) {
            u0v[i] = u0[i].val;
        }
        for (int k = 0; k < np; ++k) {
            pv[k] = p[k].val;
        }
        model::ProgramEvaluator<double> rhs(m.rhs);
        rhs(u0v.data(), pv.data(), nullptr, t0.val, f0.data());
        for (int i = 0; i < n; ++i) {
            for (int d = 0; d < kChunk; ++d) {
                u0[i].d[static_cast<std::size_t>(d)] -=
                    static_cast<Real>(f0[i]) * t0.d[static_cast<std::size_t>(d)];
            }
        }
    }
}

/// dt0/dp_k from the problem's tspan(p) (zero when the span is given from outside).
Vec<double> startTimeDerivative(const GradientProblem& gp, ode::DifferentiableSystem& system);

/// dL/du0 = ū0 and dL/dp = p̄ + (∂u0/∂p)ᵀ ū0 − (ū0ᵀ f(u0, t0)) ∂t0/∂p: the chain through the
/// initial state and the start time, shared by reverse mode and the adjoints.
void assembleGradient(const GradientProblem& gp,
                      ode::DifferentiableSystem& system,
                      const Vec<double>& p,
                      const Vec<double>& u0,
                      double t0,
                      const Vec<double>& uBar,
                      const Vec<double>& pBar,
                      GradientResult& result);

} // namespace dynfit::sens::detail
