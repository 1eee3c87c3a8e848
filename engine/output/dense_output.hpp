// SPDX-License-Identifier: MIT
// Stored per-step interpolants: the solution at any time of the span after the solve.
#pragma once

#include <algorithm>
#include <cstddef>
#include <limits>
#include <vector>

namespace dynfit::ode {

/// The steps of a solve with what each one's interpolant needs (u0, u1, f1 and the stages), and
/// the method's interpolation rule. Filled only when SolveOptions::dense is set.
template<class State>
class DenseOutput {
  public:
    /// Evaluates the interpolant of one step: (θ, h, u0, u1, stages, f1, out).
    using InterpolateFn =
        void (*)(double, double, const State&, const State&, const State*, const State&, State&);

    void setMethod(InterpolateFn fn, int stagesPerStep) {
        m_interpolate = fn;
        m_stagesPerStep = stagesPerStep;
    }

    template<class Stages>
    void append(
        double t0, double h, const State& u0, const State& u1, const Stages& k, const State& f1) {
        const std::size_t at = m_t0.size() * stride();
        m_t0.push_back(t0);
        m_h.push_back(h);
        if (m_vectors.size() < at + stride()) {
            m_vectors.resize(at + stride());
        }
        // Into the slots of steps dropped before, when there are: no allocation once warm.
        m_vectors[at] = u0;
        m_vectors[at + 1] = u1;
        m_vectors[at + 2] = f1;
        for (int i = 0; i < m_stagesPerStep; ++i) {
            m_vectors[at + 3 + static_cast<std::size_t>(i)] = k[static_cast<std::size_t>(i)];
        }
    }

    bool empty() const { return m_t0.empty(); }
    std::size_t steps() const { return m_t0.size(); }
    double stepStart(std::size_t k) const { return m_t0[k]; }
    /// Numbers held (states and stages of every step): the memory the dense output costs.
    std::size_t storedValues() const {
        return m_t0.empty() ? 0
                            : steps() * stride() * static_cast<std::size_t>(m_vectors[0].size());
    }
    double stepSize(std::size_t k) const { return m_h[k]; } ///< signed

    /// u(t) for t within the solved span (clamped to it otherwise); `out` is resized as needed.
    void evaluate(double t, State& out) const {
        const double beyond = std::numeric_limits<double>::infinity();
        evaluateBefore(t, m_h.front() > 0 ? beyond : -beyond, out);
    }

    /// The same from the steps that start before `limit` only: at an event's time `limit`, the
    /// state just before the event (its left limit), not the one after.
    void evaluateBefore(double t, double limit, State& out) const {
        std::size_t i = stepIndex(t);
        const bool forward = m_h.front() > 0;
        while (i > 0 && (forward ? m_t0[i] >= limit : m_t0[i] <= limit)) {
            --i;
        }
        const double h = m_h[i];
        const double theta = std::clamp((t - m_t0[i]) / h, 0.0, 1.0);
        const State* v = &m_vectors[i * stride()];
        m_interpolate(theta, h, v[0], v[1], v + 3, v[2], out);
    }

    /// Forgets the steps that end before t (a delay model's history needs only what its longest
    /// lag can reach). Amortised: the front is erased once it is at least as long as the rest;
    /// its vectors move behind the kept ones, to be filled again by append() without allocating.
    void dropBefore(double t) {
        if (m_t0.empty() || m_h.front() < 0) {
            return; // forward solves only (delay models)
        }
        const std::size_t old = stepIndex(t); // the steps before it end at or before t
        if (old < 64 || old < m_t0.size() - old) {
            return;
        }
        const auto dropped = static_cast<std::ptrdiff_t>(old);
        const auto width = static_cast<std::ptrdiff_t>(stride());
        std::rotate(m_vectors.begin(), m_vectors.begin() + dropped * width,
                    m_vectors.begin() + static_cast<std::ptrdiff_t>(steps()) * width);
        m_t0.erase(m_t0.begin(), m_t0.begin() + dropped);
        m_h.erase(m_h.begin(), m_h.begin() + dropped);
    }

    /// The step whose interval holds t (the later one at a boundary between two steps).
    std::size_t stepAt(double t) const { return stepIndex(t); }

    /// Step i's interpolant at t, without clamping to the step: the polynomial continues
    /// smoothly past the step's ends (a difference quotient across them needs it).
    void evaluateInStep(std::size_t i, double t, State& out) const {
        const State* v = &m_vectors[i * stride()];
        m_interpolate((t - m_t0[i]) / m_h[i], m_h[i], v[0], v[1], v + 3, v[2], out);
    }

  private:
    std::size_t stride() const { return static_cast<std::size_t>(m_stagesPerStep) + 3; }

    // The step whose interval holds t, for either direction of integration.
    std::size_t stepIndex(double t) const {
        const bool forward = m_h.front() > 0;
        const auto before = [forward](double start, double x) {
            return forward ? start <= x : start >= x;
        };
        auto it = std::partition_point(m_t0.begin(), m_t0.end(),
                                       [&](double start) { return before(start, t); });
        const auto idx =
            static_cast<std::size_t>(std::max<std::ptrdiff_t>(it - m_t0.begin() - 1, 0));
        return idx;
    }

    std::vector<double> m_t0;
    std::vector<double> m_h;
    std::vector<State> m_vectors;
    InterpolateFn m_interpolate = nullptr;
    int m_stagesPerStep = 0;
};

} // namespace dynfit::ode
