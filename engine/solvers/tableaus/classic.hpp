// SPDX-License-Identifier: MIT
// Low-order classical methods: Euler, explicit midpoint, Heun and the classical RK4.
#pragma once

#include "solvers/tableau.hpp"

namespace dynfit::ode {

/// Forward Euler, order 1, fixed step only. For teaching and for checking (the ResNet analogy of
/// the seed); never for accuracy. Reference: Hairer–Nørsett–Wanner, Solving ODEs I, II.1.
struct Euler {
    static constexpr const char* name = "Euler";
    static constexpr int stages = 1;
    static constexpr int order = 1;
    static constexpr int errorOrder = 0;
    static constexpr bool fsal = false;
    static constexpr InterpolantKind interpolant = InterpolantKind::Hermite;
    static constexpr int denseOrder = 3;
    static constexpr std::array<double, stages> c = {0.0};
    static constexpr RkMatrix<stages> a = {{{}}};
    static constexpr std::array<double, stages> b = {1.0};
    static constexpr std::array<double, stages> bErr = {0.0};
};

/// Explicit midpoint, order 2, with Euler embedded for an error estimate (order 2(1)).
/// Reference: Hairer–Nørsett–Wanner, Solving ODEs I, II.1 (Runge 1895).
struct Midpoint {
    static constexpr const char* name = "Midpoint";
    static constexpr int stages = 2;
    static constexpr int order = 2;
    static constexpr int errorOrder = 1;
    static constexpr bool fsal = false;
    static constexpr InterpolantKind interpolant = InterpolantKind::Hermite;
    static constexpr int denseOrder = 3;
    static constexpr std::array<double, stages> c = {0.0, 0.5};
    static constexpr RkMatrix<stages> a = {{{}, {0.5}}};
    static constexpr std::array<double, stages> b = {0.0, 1.0};
    static constexpr std::array<double, stages> bErr = {-1.0, 1.0}; // b − (1, 0)
};

/// Heun's method (explicit trapezoid), order 2, with Euler embedded (order 2(1)).
/// Reference: Hairer–Nørsett–Wanner, Solving ODEs I, II.1.
struct Heun {
    static constexpr const char* name = "Heun";
    static constexpr int stages = 2;
    static constexpr int order = 2;
    static constexpr int errorOrder = 1;
    static constexpr bool fsal = false;
    static constexpr InterpolantKind interpolant = InterpolantKind::Hermite;
    static constexpr int denseOrder = 3;
    static constexpr std::array<double, stages> c = {0.0, 1.0};
    static constexpr RkMatrix<stages> a = {{{}, {1.0}}};
    static constexpr std::array<double, stages> b = {0.5, 0.5};
    static constexpr std::array<double, stages> bErr = {-0.5, 0.5}; // b − (1, 0)
};

/// The classical Runge–Kutta method, order 4, fixed step only (no embedded estimate).
/// Reference: Kutta 1901; Hairer–Nørsett–Wanner, Solving ODEs I, Table II.1.2.
struct RK4 {
    static constexpr const char* name = "RK4";
    static constexpr int stages = 4;
    static constexpr int order = 4;
    static constexpr int errorOrder = 0;
    static constexpr bool fsal = false;
    static constexpr InterpolantKind interpolant = InterpolantKind::Hermite;
    static constexpr int denseOrder = 3;
    static constexpr std::array<double, stages> c = {0.0, 0.5, 0.5, 1.0};
    static constexpr RkMatrix<stages> a = {{{}, {0.5}, {0.0, 0.5}, {0.0, 0.0, 1.0}}};
    static constexpr std::array<double, stages> b = {1.0 / 6.0, 1.0 / 3.0, 1.0 / 3.0, 1.0 / 6.0};
    static constexpr std::array<double, stages> bErr = {0.0, 0.0, 0.0, 0.0};
};

static_assert(isConsistent<Euler>() && isConsistent<Midpoint>() && isConsistent<Heun>()
              && isConsistent<RK4>());

} // namespace dynfit::ode
