// SPDX-License-Identifier: MIT
// Bogacki–Shampine 3(2) with its cubic Hermite interpolant (BS3, MATLAB's ode23).
#pragma once

#include "solvers/tableau.hpp"

namespace dynfit::ode {

/// Bogacki–Shampine 3(2), FSAL, 4 stages: cheap steps for loose tolerances (1e-2 … 1e-4) and
/// mildly stiff problems. Not for tight tolerances (low order means many steps).
/// Reference: P. Bogacki, L.F. Shampine, "A 3(2) pair of Runge–Kutta formulas", Appl. Math. Lett.
/// 2 (1989) 321–325. Its interpolant is the cubic Hermite through (u0, f0, u1, f1), which for this
/// FSAL pair (k4 = f1) is a fixed combination of the stages, given here as weights.
struct BS3 {
    static constexpr const char* name = "BS3";
    static constexpr int stages = 4;
    static constexpr int order = 3;
    static constexpr int errorOrder = 2;
    static constexpr bool fsal = true;
    static constexpr InterpolantKind interpolant = InterpolantKind::Weights;
    static constexpr int denseOrder = 3;
    static constexpr int interpStages = 4;

    static constexpr std::array<double, stages> c = {0.0, 0.5, 0.75, 1.0};
    static constexpr RkMatrix<stages> a = {{
        {},
        {0.5},
        {0.0, 0.75},
        {2.0 / 9.0, 1.0 / 3.0, 4.0 / 9.0},
    }};
    static constexpr std::array<double, stages> b = {2.0 / 9.0, 1.0 / 3.0, 4.0 / 9.0, 0.0};
    static constexpr std::array<double, stages> bErr = {5.0 / 72.0, -1.0 / 12.0, -1.0 / 9.0,
                                                        1.0 / 8.0};

    static constexpr std::array<double, interpStages> cFull = c;
    static constexpr RkMatrix<interpStages> aFull = a;

    /// Hermite basis: u(θ) = u0 + h[(3θ²−2θ³)Δ + (θ−2θ²+θ³)k1 + (θ³−θ²)k4], Δ = Σ b_i k_i,
    /// expanded into w_i(θ) = Σ_m interpCoeffs[i][m] θ^(m+1).
    static constexpr int interpDegree = 3;
    static constexpr std::array<std::array<double, interpDegree>, interpStages> interpCoeffs = [] {
        std::array<std::array<double, interpDegree>, interpStages> r{};
        for (int i = 0; i < stages; ++i) {
            const double first = (i == 0) ? 1.0 : 0.0;
            const double last = (i == stages - 1) ? 1.0 : 0.0;
            r[i] = {first, 3.0 * b[i] - 2.0 * first - last, -2.0 * b[i] + first + last};
        }
        return r;
    }();
};
static_assert(isConsistent<BS3>(1e-15));

} // namespace dynfit::ode
