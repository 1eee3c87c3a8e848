// SPDX-License-Identifier: MIT
// The residuals of a least-squares loss and their Jacobian, by forward-mode AD (for
// Levenberg–Marquardt).
#include "sensitivity/cvode_gradient.hpp"
#include "sensitivity/gradient.hpp"
#include "sensitivity/gradient_methods.hpp"
#include "sensitivity/saved_solve.hpp"

namespace dynfit::sens {

using namespace detail;

ResidualJacobian residualJacobian(const GradientProblem& problem,
                                  const ode::Method& solver,
                                  const ode::SolveOptions& options,
                                  bool initialDirections) {
    ResidualJacobian out;
    const model::CompiledModel& m = *problem.model;
    const int np = m.paramCount();
    const int directions = np + (initialDirections ? m.stateCount() : 0);
    const auto& terms = problem.loss->terms();
    const auto rows = static_cast<Eigen::Index>(terms.size());
    out.residuals.resize(rows);
    out.jacobian.resize(rows, np);
    out.jacobianInit.resize(rows, initialDirections ? m.stateCount() : 0);
    GradientResult status;
    if (!checkProblem(problem, status)) {
        out.status = status.status;
        out.message = status.message;
        return out;
    }
    if ((m.hasEvents() || !problem.doses.empty()) && isCvode(solver)) {
        out.status = SolveStatus::InvalidInput;
        out.message = "CVODE's gradients do not cross events yet: with events choose Rodas5P, "
                      "KenCarp4, Tsit5 or Auto";
        return out;
    }
    if (m.hasDelays() && isCvode(solver)) {
        out.status = SolveStatus::InvalidInput;
        out.message = "CVODE does not solve delay equations: choose Tsit5, Vern7, DP5, BS3, "
                      "Rodas5P or Rodas4";
        return out;
    }
    if (isCvode(solver)) {
        cvodeResidualJacobian(problem, solver, options, initialDirections, out);
        return out;
    }
    for (int first = 0; first < std::max(directions, 1); first += kChunk) {
        Vec<ChunkDual> p, u0;
        ChunkDual t0, t1;
        seedChunk(problem, first, p, u0, t0, t1);
        const auto saved = solveSaved(problem, p, u0, t0.val, t1.val, solver, options, status);
        out.nfForward = status.nfForward;
        if (!status.ok()) {
            out.status = status.status;
            out.message = status.message;
            return out;
        }
        for (std::size_t r = 0; r < terms.size(); ++r) {
            const auto& term = terms[r];
            const double sw = std::sqrt(term.weight);
            const ChunkDual& u = saved[static_cast<std::size_t>(term.save)][term.state];
            out.residuals[static_cast<Eigen::Index>(r)] = sw * (u.val - term.value);
            for (int d = 0; d < kChunk && first + d < directions; ++d) {
                const double value = sw * u.d[static_cast<std::size_t>(d)];
                if (first + d < np) {
                    out.jacobian(static_cast<Eigen::Index>(r), first + d) = value;
                } else {
                    out.jacobianInit(static_cast<Eigen::Index>(r), first + d - np) = value;
                }
            }
        }
    }
    return out;
}

} // namespace dynfit::sens
