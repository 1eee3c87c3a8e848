// SPDX-License-Identifier: MIT
// The shape of a stochastic problem (issue 16): du = f(u, p, t) dt + g(u, p, t) dW, with the
// structure of g that decides which methods apply.
#pragma once

#include "problem/time_span.hpp"

#include <vector>

namespace dynfit::ode {

/// How the noise enters: one Wiener process per state (g diagonal), one shared by all states,
/// or a general n × m matrix of named processes. Additive: g does not depend on u.
enum class NoiseShape { Diagonal, Scalar, General };
enum class Calculus { Ito, Stratonovich };

/// du = f dt + g ∘ dW. f(du, u, p, t) writes n values; g(gu, u, p, t) writes g's diagonal
/// (Diagonal: state i driven by process i) or its one column (Scalar: every state by process
/// 0), n values, or (General) the n × m matrix column-major, n·m values.
template<class State, class Drift, class Diffusion, class Params>
struct SdeProblem {
    Drift f;
    Diffusion g;
    State u0;
    TimeSpan span;
    Params p;
    NoiseShape shape = NoiseShape::Diagonal;
    bool additive = false; ///< g independent of u: the additive-noise methods (SRA1, SOSRA) apply
    Calculus calculus = Calculus::Ito;
    /// The process driving each state (−1: none, the state is deterministic); empty: state i
    /// by process i (Diagonal), every state by process 0 (Scalar).
    std::vector<int> processOf;
    /// The number of processes when `processOf` is given (its largest entry + 1 otherwise).
    int processCount = 0;

    int processes() const {
        if (shape == NoiseShape::General) {
            return processCount;
        }
        if (!processOf.empty()) {
            int most = processCount;
            for (const int m : processOf) {
                most = m + 1 > most ? m + 1 : most;
            }
            return most;
        }
        return shape == NoiseShape::Scalar ? 1 : static_cast<int>(u0.size());
    }

    /// processOf, or its default; General: the processes themselves (increments per process).
    std::vector<int> processMap() const {
        if (shape == NoiseShape::General) {
            std::vector<int> all(static_cast<std::size_t>(processCount));
            for (std::size_t m = 0; m < all.size(); ++m) {
                all[m] = static_cast<int>(m);
            }
            return all;
        }
        if (!processOf.empty()) {
            return processOf;
        }
        std::vector<int> map(static_cast<std::size_t>(u0.size()));
        for (std::size_t i = 0; i < map.size(); ++i) {
            map[i] = shape == NoiseShape::Scalar ? 0 : static_cast<int>(i);
        }
        return map;
    }
};

template<class State, class Drift, class Diffusion, class Params>
SdeProblem<State, Drift, Diffusion, Params>
makeSdeProblem(Drift f, Diffusion g, State u0, TimeSpan span, Params p) {
    return {std::move(f), std::move(g), std::move(u0), span, std::move(p)};
}

} // namespace dynfit::ode
