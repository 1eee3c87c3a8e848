// SPDX-License-Identifier: MIT
// Forward-mode AD through the solver: chunks of 8 directions carried by dual numbers.
#include "sensitivity/gradient_methods.hpp"
#include "sensitivity/saved_solve.hpp"

namespace dynfit::sens::detail {

namespace {

// Directions 0..np−1 are the parameters, np..np+n−1 the initial values. D: the dual number of
// the chosen precision.
template<class D>
void forwardMode(const GradientProblem& gp,
                 const ode::Method& solver,
                 const ode::SolveOptions& options,
                 GradientResult& result) {
    const model::CompiledModel& m = *gp.model;
    const int np = m.paramCount();
    const int n = m.stateCount();
    const int directions = np + n;
    for (int first = 0; first < std::max(directions, 1); first += kChunk) {
        Vec<D> p, u0;
        D t0, t1;
        seedChunk(gp, first, p, u0, t0, t1);
        // Every chunk solves the same trajectory: keep its states once.
        const D loss = solveLoss(gp, p, u0, t0.val, t1.val, solver, options, result, first == 0);
        if (!result.ok()) {
            return;
        }
        result.loss = loss.val;
        for (int d = 0; d < kChunk && first + d < directions; ++d) {
            const double g = loss.d[static_cast<std::size_t>(d)];
            if (first + d < np) {
                result.dParams[static_cast<std::size_t>(first + d)] = g;
            } else {
                result.dInit[static_cast<std::size_t>(first + d - np)] = g;
            }
        }
    }
}

} // namespace

void forwardModeGradient(const GradientProblem& problem,
                         const ode::Method& solver,
                         const ode::SolveOptions& options,
                         GradientResult& result) {
    if (problem.precision == Precision::Single) {
        forwardMode<ChunkDualF>(problem, solver, options, result);
    } else {
        forwardMode<ChunkDual>(problem, solver, options, result);
    }
}

} // namespace dynfit::sens::detail
