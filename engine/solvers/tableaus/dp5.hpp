// SPDX-License-Identifier: MIT
// Dormand–Prince 5(4) ("dopri5") with Shampine's 4th-order continuous extension (DP5).
#pragma once

#include "solvers/tableau.hpp"

namespace dynfit::ode {

/// Dormand–Prince 5(4), FSAL, 7 stages: the classic (MATLAB ode45, torchdiffeq dopri5). Tsit5 is
/// usually a little cheaper at equal error; use DP5 to compare with other tools. Not for stiff
/// problems.
/// References: J.R. Dormand, P.J. Prince, "A family of embedded Runge–Kutta formulae", J. Comput.
/// Appl. Math. 6 (1980) 19–26; dense output: L.F. Shampine, "Some practical Runge–Kutta formulas",
/// Math. Comp. 46 (1986) 135–150, in the form of Hairer–Nørsett–Wanner, Solving ODEs I, II.6
/// (the d_i of DOPRI5's CONTD5). Coefficients are the exact rationals.
struct DP5 {
    static constexpr const char* name = "DP5";
    static constexpr int stages = 7;
    static constexpr int order = 5;
    static constexpr int errorOrder = 4;
    static constexpr bool fsal = true;
    static constexpr InterpolantKind interpolant = InterpolantKind::Weights;
    static constexpr int denseOrder = 4;
    static constexpr int interpStages = 7;

    static constexpr std::array<double, stages> c = {0.0, 0.2, 0.3, 0.8, 8.0 / 9.0, 1.0, 1.0};
    static constexpr RkMatrix<stages> a = {{
        {},
        {0.2},
        {3.0 / 40.0, 9.0 / 40.0},
        {44.0 / 45.0, -56.0 / 15.0, 32.0 / 9.0},
        {19372.0 / 6561.0, -25360.0 / 2187.0, 64448.0 / 6561.0, -212.0 / 729.0},
        {9017.0 / 3168.0, -355.0 / 33.0, 46732.0 / 5247.0, 49.0 / 176.0, -5103.0 / 18656.0},
        {35.0 / 384.0, 0.0, 500.0 / 1113.0, 125.0 / 192.0, -2187.0 / 6784.0, 11.0 / 84.0},
    }};
    static constexpr std::array<double, stages> b = {
        35.0 / 384.0, 0.0, 500.0 / 1113.0, 125.0 / 192.0, -2187.0 / 6784.0, 11.0 / 84.0, 0.0};
    static constexpr std::array<double, stages> bErr = {
        71.0 / 57600.0,      0.0,          -71.0 / 16695.0, 71.0 / 1920.0,
        -17253.0 / 339200.0, 22.0 / 525.0, -1.0 / 40.0};

    static constexpr std::array<double, interpStages> cFull = c;
    static constexpr RkMatrix<interpStages> aFull = a;

    /// Shampine's interpolant: with Δ = Σ b_i k_i,
    /// u(θ) = u0 + h[θΔ + θ(1−θ)(k1 − Δ) + θ²(1−θ)(2Δ − k1 − k7) + θ²(1−θ)² Σ d_i k_i],
    /// expanded at compile time into w_i(θ) = Σ_m interpCoeffs[i][m] θ^(m+1).
    static constexpr int interpDegree = 4;
    static constexpr std::array<std::array<double, interpDegree>, interpStages> interpCoeffs = [] {
        constexpr std::array<double, stages> d = {
            -12715105075.0 / 11282082432.0,  0.0,
            87487479700.0 / 32700410799.0,   -10690763975.0 / 1880347072.0,
            701980252875.0 / 199316789632.0, -1453857185.0 / 822651844.0,
            69997945.0 / 29380423.0};
        std::array<std::array<double, interpDegree>, interpStages> r{};
        for (int i = 0; i < stages; ++i) {
            const double first = (i == 0) ? 1.0 : 0.0;
            const double last = (i == stages - 1) ? 1.0 : 0.0;
            r[i] = {first, 3.0 * b[i] - 2.0 * first - last + d[i],
                    -(2.0 * b[i] - first - last) - 2.0 * d[i], d[i]};
        }
        return r;
    }();
};
static_assert(isConsistent<DP5>(1e-14));

} // namespace dynfit::ode
