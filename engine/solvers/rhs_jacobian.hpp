// SPDX-License-Identifier: MIT
// What the stiff methods ask of a right-hand side: ∂f/∂u and ∂f/∂t, exact where the right-hand
// side provides them, by finite differences where it does not.
#pragma once

#include "core/scalar_traits.hpp"
#include "core/stats.hpp"

#include <Eigen/Core>
#include <cmath>
#include <concepts>
#include <limits>

namespace dynfit::ode {

/// The square matrix type of a state vector type (fixed or dynamic size).
template<class State>
using JacobianOf =
    Eigen::Matrix<typename State::Scalar, State::RowsAtCompileTime, State::RowsAtCompileTime>;

/// A right-hand side that gives its Jacobian: f.jacobian(J, u, p, t) writes ∂f/∂u.
template<class Rhs, class State, class Params>
concept ProvidesJacobian = requires(Rhs& f, JacobianOf<State>& J, const State& u, const Params& p) {
    f.jacobian(J, u, p, 0.0);
};

/// Whether `f` gives its Jacobian at run time: always when it has jacobian(), unless it also has
/// `bool hasJacobian() const` saying otherwise (a type-erased right-hand side that wraps systems
/// with and without one, so their solves share one compiled integrator).
template<class Rhs, class State, class Params>
bool jacobianProvided(const Rhs& f) {
    if constexpr (!ProvidesJacobian<Rhs, State, Params>) {
        return false;
    } else if constexpr (requires {
                             { f.hasJacobian() } -> std::convertible_to<bool>;
                         }) {
        return f.hasJacobian();
    } else {
        return true;
    }
}

/// A right-hand side that gives ∂f/∂t: f.timeDerivative(dt, u, p, t) returns false when f does
/// not depend on t (dt then unused).
template<class Rhs, class State, class Params>
concept ProvidesTimeDerivative = requires(Rhs& f, State& dt, const State& u, const Params& p) {
    { f.timeDerivative(dt, u, p, 0.0) } -> std::convertible_to<bool>;
};

/// ∂f/∂u at (t, u): the right-hand side's own, else forward differences (one f per column,
/// `fu` = f(t, u) given). `work` is scratch of the state's size.
template<class Rhs, class State, class Params>
void evaluateJacobian(Rhs& f,
                      JacobianOf<State>& J,
                      const State& u,
                      const State& fu,
                      const Params& p,
                      double t,
                      State& work,
                      State& fWork,
                      SolveStats& stats) {
    ++stats.nJac;
    if constexpr (ProvidesJacobian<Rhs, State, Params>) {
        if (jacobianProvided<Rhs, State, Params>(f)) {
            f.jacobian(J, u, p, t);
            return;
        }
    }
    using Real = RealOf<typename State::Scalar>;
    const Real eps = std::sqrt(std::numeric_limits<Real>::epsilon());
    J.resize(u.size(), u.size());
    work = u;
    for (Eigen::Index j = 0; j < u.size(); ++j) {
        const Real delta = eps * std::max(Real(1), Real(std::abs(primal(u[j]))));
        work[j] = u[j] + delta;
        f(fWork, work, p, t);
        ++stats.nRhs;
        J.col(j) = (fWork - fu) / delta;
        work[j] = u[j];
    }
}

/// ∂f/∂t at (t, u) into dt; false when f is known not to depend on t. Without the right-hand
/// side's own, a forward difference in t (one f).
template<class Rhs, class State, class Params>
bool evaluateTimeDerivative(Rhs& f,
                            State& dt,
                            const State& u,
                            const State& fu,
                            const Params& p,
                            double t,
                            SolveStats& stats) {
    if constexpr (ProvidesTimeDerivative<Rhs, State, Params>) {
        return f.timeDerivative(dt, u, p, t);
    } else {
        const double delta =
            std::sqrt(std::numeric_limits<double>::epsilon()) * std::max(1.0, std::abs(t));
        f(dt, u, p, t + delta);
        ++stats.nRhs;
        dt = (dt - fu) / RealOf<typename State::Scalar>(delta);
        return true;
    }
}

} // namespace dynfit::ode
