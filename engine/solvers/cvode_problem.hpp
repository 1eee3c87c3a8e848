// SPDX-License-Identifier: MIT
// An OdeProblem handed to SUNDIALS CVODE: our right-hand side and Jacobian as its callbacks.
#pragma once

#include "output/solution.hpp"
#include "solvers/cvode.hpp"
#include "solvers/rhs_jacobian.hpp"
#include "solvers/solve_options.hpp"
#include "solvers/step_view.hpp"

#include <Eigen/Core>
#include <memory>
#include <type_traits>

namespace dynfit::ode {

/// The CVODE view of a problem with double states: f (and ∂f/∂u when the right-hand side has
/// it) read and write through scratch states. The returned system refers to `f` and `p`.
template<class Rhs, class State, class Params>
CvodeSystem cvodeSystemOf(Rhs& f, const Params& p, Eigen::Index n) {
    CvodeSystem system;
    system.n = static_cast<int>(n);
    auto scratch = std::make_shared<std::pair<State, State>>(State::Zero(n), State::Zero(n));
    system.rhs = [&f, &p, scratch, n](double t, const double* u, double* du) {
        scratch->first = Eigen::Map<const State>(u, n);
        f(scratch->second, scratch->first, p, t);
        Eigen::Map<State>(du, n) = scratch->second;
    };
    if constexpr (ProvidesJacobian<Rhs, State, Params>) {
        if (!jacobianProvided<Rhs, State, Params>(f)) {
            return system;
        }
        auto jac = std::make_shared<JacobianOf<State>>(n, n);
        system.jacobian = [&f, &p, scratch, jac, n](double t, const double* u, double* out) {
            scratch->first = Eigen::Map<const State>(u, n);
            f.jacobian(*jac, scratch->first, p, t);
            Eigen::Map<Eigen::MatrixXd>(out, n, n) = *jac;
        };
    }
    return system;
}

/// Solves with CVODE's BDF (`bdf`) or Adams method. Double states only; no step observer (CVODE
/// steps internally) and no dense output.
template<class Problem>
Solution<typename Problem::StateType>
solveWithCvode(const Problem& problem,
               bool bdf,
               const SolveOptions& options,
               const StepObserver<typename Problem::StateType>& observer) {
    using State = typename Problem::StateType;
    Solution<State> out;
    const auto refuse = [&out](const std::string& why) {
        out.status = SolveStatus::InvalidInput;
        out.message = failureMessage(SolveStatus::InvalidInput, 0.0, 0.0, why);
        return out;
    };
    if constexpr (!std::is_same_v<typename State::Scalar, double>) {
        return refuse("CVODE solves in double precision only: its gradients come from CVODES "
                      "itself (the forward and interpolating gradient methods)");
    } else {
        if (observer) {
            return refuse("CVODE steps internally and reports no steps: use a native method "
                          "(Rodas5P, KenCarp4, ...) for step-by-step output");
        }
        if (options.dense) {
            return refuse("CVODE keeps no dense output here: use a native method (Rodas5P, "
                          "KenCarp4, ...) or save at the times needed");
        }
        auto f = problem.f;
        const State u0 = problem.initialState();
        const CvodeSystem system = cvodeSystemOf<decltype(f), State>(f, problem.p, u0.size());
        CvodeResult result = solveCvode(system, bdf ? CvodeKind::Bdf : CvodeKind::Adams,
                                        Eigen::VectorXd(u0), problem.timeSpan(), options);
        out.t = std::move(result.solution.t);
        out.u.reserve(result.solution.u.size());
        for (auto& u : result.solution.u) {
            out.u.emplace_back(std::move(u));
        }
        out.status = result.solution.status;
        out.message = std::move(result.solution.message);
        out.stats = result.solution.stats;
        return out;
    }
}

} // namespace dynfit::ode
