// SPDX-License-Identifier: MIT
// Kværnø's 7-stage ESDIRK 5(4) ("Kvaerno5"): stiffly accurate and L-stable.
#pragma once

#include <array>

namespace dynfit::ode {

/// Kvaerno5: ESDIRK with an explicit first stage, 7 stages, order 5 with an embedded order-4
/// estimate, stiffly accurate, L-stable; no interpolant of its own (the stepper uses cubic
/// Hermite, so dense output is only 3rd order). For stiff problems at tight tolerances (1e-6 …
/// 1e-10) when the Jacobian is expensive or approximate. Not for loose tolerances (KenCarp4 is
/// cheaper) nor where dense output must match the step accuracy (Rodas5P).
///
/// Stage i solves Z_i = y + h Σ_{j≤i} a_ij f(t + c_j h, Z_j) (a_00 = 0, a_ii = γ for i ≥ 1);
/// y_new = y + h Σ b_i f(Z_i) = Z_7; the error estimate is h Σ bErr_i f(Z_i) (bErr = b − b̂,
/// b̂ = the 6th row of a).
///
/// Reference: A. Kværnø, "Singly diagonally implicit Runge–Kutta methods with an explicit first
/// stage", BIT 44 (2004) 489–502, doi:10.1023/B:BITN.0000046811.70614.38. Digits: the
/// 17-decimal values of the paper's table as reproduced identically by SUNDIALS (KVAERNO_7_4_5),
/// OrdinaryDiffEq.jl and diffrax; c and bErr are the exact decimal row sums and differences of
/// those values.
struct Kvaerno5 {
    static constexpr const char* name = "Kvaerno5";
    static constexpr int stages = 7;
    static constexpr int order = 5;
    static constexpr int errorOrder = 4;
    static constexpr double gamma = 0.26;

    static constexpr std::array<std::array<double, stages>, stages> a = {{
        {},
        {0.26, 0.26},
        {0.13, 0.84033320996790809, 0.26},
        {0.22371961478320505, 0.47675532319799699, -0.06470895363112615, 0.26},
        {0.16648564323248321, 0.10450018841591720, 0.03631482272098715, -0.13090704451073998, 0.26},
        {0.13855640231268224, 0.0, -0.04245337201752043, 0.02446657898003141, 0.61943039072480676,
         0.26},
        {0.13659751177640291, 0.0, -0.05496908796538376, -0.04118626728321046, 0.62993304899016403,
         0.06962479448202728, 0.26},
    }};
    static constexpr std::array<double, stages> b = {
        0.13659751177640291, 0.0, -0.05496908796538376, -0.04118626728321046, 0.62993304899016403,
        0.06962479448202728, 0.26};
    static constexpr std::array<double, stages> bErr = {
        -0.00195889053627933, 0.0, -0.01251571594786333, -0.06565284626324187, 0.01050265826535727,
        -0.19037520551797272, 0.26};
    static constexpr std::array<double, stages> c = {
        0.0, 0.52, 1.23033320996790809, 0.89576598435007589, 0.43639360985864758, 1.0, 1.0};
    static constexpr bool stifflyAccurate = true;

    static constexpr int interpDegree = 0; ///< none: cubic Hermite, formed by the stepper
    static constexpr int denseOrder = 3;
    static constexpr std::array<std::array<double, 1>, stages> interpCoeffs = {};
};

} // namespace dynfit::ode
