// SPDX-License-Identifier: MIT
// The scaled RMS norm of a local error estimate (Hairer–Nørsett–Wanner II.4).
#pragma once

#include "core/scalar_traits.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace dynfit::ode {

/// Per-component tolerances resolved once per solve.
struct Tolerances {
    double reltol = 1e-3;
    double abstol = 1e-6;
    const std::vector<double>* abstolPerComponent = nullptr; ///< used when non-empty

    double abstolAt(Eigen::Index i) const {
        return (abstolPerComponent != nullptr && !abstolPerComponent->empty())
                   ? (*abstolPerComponent)[static_cast<std::size_t>(i)]
                   : abstol;
    }
};

/// sqrt(mean_i (e_i / (atol_i + rtol·max(|u_i|, |v_i|)))²) on primal values. An estimate ≤ 1 is
/// accepted. Returns NaN when the estimate or the state is not finite.
template<class Vector>
double errorNorm(const Vector& err, const Vector& u, const Vector& v, const Tolerances& tol) {
    const Eigen::Index n = err.size();
    if (n == 0) {
        return 0.0;
    }
    double sum = 0.0;
    for (Eigen::Index i = 0; i < n; ++i) {
        const double scale =
            tol.abstolAt(i) + tol.reltol * std::max(std::abs(primal(u[i])), std::abs(primal(v[i])));
        const double e = primal(err[i]) / scale;
        sum += e * e;
    }
    return std::sqrt(sum / static_cast<double>(n));
}

/// sqrt(mean_i (x_i / (atol_i + rtol·|u_i|))²): the norm used by the initial-step heuristic.
template<class Vector>
double scaledNorm(const Vector& x, const Vector& u, const Tolerances& tol) {
    return errorNorm(x, u, u, tol);
}

} // namespace dynfit::ode
