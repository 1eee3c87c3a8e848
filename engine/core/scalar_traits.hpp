// SPDX-License-Identifier: MIT
// What the solvers need to know about a state scalar: its real type and its primal value.
#pragma once

#include <Eigen/Core>
#include <cmath>

namespace dynfit {

/// For a plain floating-point scalar the real type is itself. Custom scalars (Dual) specialise it.
template<class Scalar>
struct ScalarTraits {
    using Real = Scalar;
    static double primal(const Scalar& x) { return static_cast<double>(x); }
};

/// The floating-point type underneath a scalar: double for double and Dual<double, N>.
template<class Scalar>
using RealOf = typename ScalarTraits<Scalar>::Real;

/// The value without derivative parts; step-size control only ever looks at this.
template<class Scalar>
double primal(const Scalar& x) {
    return ScalarTraits<Scalar>::primal(x);
}

/// True when every component's primal value is finite.
template<class Vector>
bool allFinite(const Vector& v) {
    for (Eigen::Index i = 0; i < v.size(); ++i) {
        if (!std::isfinite(primal(v[i]))) {
            return false;
        }
    }
    return true;
}

} // namespace dynfit
