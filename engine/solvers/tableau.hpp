// SPDX-License-Identifier: MIT
// The shape every explicit Runge–Kutta tableau type has, and compile-time consistency checks.
#pragma once

#include <array>
#include <cmath>
#include <concepts>

namespace dynfit::ode {

/// Square coefficient matrix of an explicit method: only the strictly lower triangle is used.
template<int S>
using RkMatrix = std::array<std::array<double, S>, S>;

/// How a method's dense output is formed.
enum class InterpolantKind {
    Hermite, ///< cubic Hermite on (u0, u1, f0, f1): for methods without an interpolant of their own
    Weights  ///< the method's own: u(t0 + θh) = u0 + h Σ_i w_i(θ) k_i over `interpStages` stages
};

/// A tableau type is a plain struct of constexpr data (see tableaus/tsit5.hpp for an example):
///  - name, stages, order, errorOrder (0 = no embedded estimate), fsal;
///  - c, b, a (strictly lower triangular), bErr = b − b̂ (error weights; all zero when errorOrder =
///  0);
///  - interpolant, denseOrder and, for InterpolantKind::Weights, interpStages (≥ stages) with
///    cFull/aFull covering the extra stages (rows ≥ stages are computed only when interpolating)
///    and `static void weights(double theta, std::array<double, interpStages>& w)`.
template<class T>
concept RkTableau = requires {
    { T::name } -> std::convertible_to<const char*>;
    { T::stages } -> std::convertible_to<int>;
    { T::order } -> std::convertible_to<int>;
    { T::errorOrder } -> std::convertible_to<int>;
    { T::fsal } -> std::convertible_to<bool>;
    { T::interpolant } -> std::convertible_to<InterpolantKind>;
    { T::denseOrder } -> std::convertible_to<int>;
    T::c;
    T::b;
    T::a;
    T::bErr;
};

/// Number of stages the dense output needs (the method's own stages for Hermite).
template<RkTableau T>
constexpr int interpolationStages() {
    if constexpr (T::interpolant == InterpolantKind::Weights) {
        return T::interpStages;
    } else {
        return T::stages;
    }
}

namespace detail {

constexpr double constexprAbs(double x) {
    return x < 0 ? -x : x;
}

template<class Array>
constexpr double sum(const Array& v) {
    double s = 0;
    for (double x : v) {
        s += x;
    }
    return s;
}

} // namespace detail

/// The dense-output weights w_i(θ) = Σ_m interpCoeffs[i][m] θ^(m+1) of a method's own interpolant.
template<RkTableau T>
constexpr void interpolationWeights(double theta, std::array<double, T::interpStages>& w) {
    for (int i = 0; i < T::interpStages; ++i) {
        double p = 0.0;
        for (int m = T::interpDegree - 1; m >= 0; --m) {
            p = p * theta + T::interpCoeffs[i][m];
        }
        w[i] = theta * p;
    }
}

/// Row sums of A equal c, Σb = 1 and Σ(b − b̂) = 0 within `tol` (checked by static_assert per
/// method).
template<RkTableau T>
constexpr bool isConsistent(double tol = 1e-13) {
    for (int i = 0; i < T::stages; ++i) {
        double row = 0;
        for (int j = 0; j < i; ++j) {
            row += T::a[i][j];
        }
        if (detail::constexprAbs(row - T::c[i]) > tol) {
            return false;
        }
    }
    return detail::constexprAbs(detail::sum(T::b) - 1.0) <= tol
           && detail::constexprAbs(detail::sum(T::bErr)) <= tol;
}

} // namespace dynfit::ode
