// SPDX-License-Identifier: MIT
// The shape of a stochastic problem (issue 16): du = f(u, p, t) dt + g(u, p, t) dW, with the
// structure of g that decides which methods apply.
#pragma once

#include <functional>

namespace dynfit::ode {

/// How the noise enters: one Wiener process per state (g diagonal), one shared by all states,
/// or a general n × m matrix of named processes. Additive: g does not depend on u.
enum class NoiseShape { Diagonal, Scalar, General };
enum class Calculus { Ito, Stratonovich };

/// g and its structure. `g` writes the n diagonal entries (Diagonal), the n entries of the one
/// column (Scalar) or the n × m matrix, column-major (General), to `out`.
template<class State, class Params>
struct NoiseSpec {
    NoiseShape shape = NoiseShape::Diagonal;
    bool additive = false; ///< g independent of u: the additive-noise methods (SRA1, SOSRA) apply
    Calculus calculus = Calculus::Ito;
    int processes = 0; ///< m, the number of Wiener processes
    std::function<void(double* out, const State& u, const Params& p, double t)> g;
};

} // namespace dynfit::ode
