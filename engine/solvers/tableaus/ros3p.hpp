// SPDX-License-Identifier: MIT
// Lang and Verwer's ROS3P: a 3-stage, A-stable 3(2) Rosenbrock method designed for parabolic PDEs.
#pragma once

#include <array>

namespace dynfit::ode {

/// ROS3P, 3 stages, order 3 with an embedded order-2 estimate; A-stable but not L-stable
/// (R(∞) = 1 − √3 ≈ −0.732, for the embedded method too), no own dense output (the stepper uses
/// cubic Hermite). Designed to avoid order reduction on semi-discretised parabolic problems.
/// Not for very stiff problems with fast transients, where |R(∞)| = 0.73 lets stiff components
/// ring (use Rodas4), nor for tight tolerances. Caveat for step-size control: b and b̂ have the
/// same stability function, so on linear constant-coefficient problems y' = Ay the error
/// estimate is zero (up to round-off) whatever the step.
///
/// Transformed form as in rodas4.hpp: with W = I/(hγ) − J, stage i (0-based) solves
///   W U_i = f(t + c_i h, y + Σ_{j<i} a_ij U_j) + Σ_{j<i} (C_ij / h) U_j + d_i h ∂f/∂t,
/// y_new = y + Σ m_j U_j, error estimate Σ mErr_j U_j (mErr = m − m̂).
///
/// Reference: J. Lang, J. Verwer, "ROS3P — an accurate third-order Rosenbrock solver designed
/// for parabolic problems", BIT 41 (2001) 731–738, doi:10.1023/A:1021900219772. In classical
/// form (recovered by back-transforming the values below) γ = 1/2 + √3/6,
/// α_21 = α_31 = 1, γ_21 = −1, γ_31 = −γ, γ_32 = −(1/2 + 1/√3), b = (2/3, 0, 1/3) and
/// b̂ = (1/3, 1/3, 1/3). Digits: the transformed coefficients in closed form (each next to its
/// value) evaluated to 20 significant digits; they agree with the 16-digit values used by
/// OrdinaryDiffEq.jl (ROS3PTableau) and other implementations of the paper's table.
struct ROS3P {
    static constexpr const char* name = "ROS3P";
    static constexpr int stages = 3;
    static constexpr int order = 3;
    static constexpr int errorOrder = 2;
    static constexpr double gamma = 0.78867513459481288225; // 1/2 + √3/6

    static constexpr std::array<std::array<double, stages>, stages> a = {{
        {},
        {1.2679491924311227065},      // 1/γ = 3 − √3
        {1.2679491924311227065, 0.0}, // 1/γ, 0
    }};
    static constexpr std::array<std::array<double, stages>, stages> C = {{
        {},
        {-1.6076951545867362388},                         // −1/γ² = 6√3 − 12
        {-3.4641016151377545871, -1.7320508075688772935}, // −2√3, −√3
    }};
    static constexpr std::array<double, stages> c = {0.0, 1.0, 1.0};
    static constexpr std::array<double, stages> d = {0.78867513459481288225,  // γ
                                                     -0.21132486540518711775, // γ − 1
                                                     -1.0773502691896257645}; // −(1/2 + 1/√3)
    static constexpr std::array<double, stages> m = {2.0, 0.57735026918962576451,
                                                     0.42264973081037423549}; // 2, 1/√3, 1 − 1/√3
    /// m − m̂ with m̂ = (5 − 5/√3, 1, 1 − 1/√3).
    static constexpr std::array<double, stages> mErr = {
        -0.11324865405187117745, -0.42264973081037423549, 0.0}; // 5/√3 − 3, 1/√3 − 1, 0

    static constexpr int denseVectors = 0;
    static constexpr int denseOrder = 3; ///< cubic Hermite, formed by the stepper
    static constexpr std::array<std::array<double, stages>, 1> H = {};
};

} // namespace dynfit::ode
