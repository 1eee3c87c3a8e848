// SPDX-License-Identifier: MIT
// Stochastic Runge–Kutta tableaus of Rößler's classes (A. Rößler, Runge–Kutta methods for the
// strong approximation of solutions of stochastic differential equations, SIAM J. Numer. Anal.
// 48(3):922–952, 2010) and their stability-optimised members (C. Rackauckas, Q. Nie, Stability-
// optimized high order methods and stiffness detection for pathwise stiff stochastic differential
// equations, arXiv 1804.04344). tests/engine/solvers/tst_sde_tableaus.cpp checks each against
// its class's strong order 1.5 conditions.
//
// SRI (diagonal or scalar Itô noise), with χ1 = I(1,1)/√h, χ2 = I(1,0)/h, χ3 = I(1,1,1)/h:
//   H0_i = u + h Σ A0_ij f(H0_j) + χ2 Σ B0_ij g(H1_j)
//   H1_i = u + h Σ A1_ij f(H0_j) + √h Σ B1_ij g(H1_j)
//   u⁺ = u + h Σ α_i f(H0_i) + Σ (β1_i ΔW + β2_i χ1) g(H1_i) + E2,
//   E2 = Σ (β3_i χ2 + β4_i χ3) g(H1_i);  E1 = h (Σ α_i f(H0_i) − f(u))
// SRA (additive noise: g depends on t only):
//   H0_i = u + h Σ A0_ij f(H0_j) + χ2 Σ B0_ij g(t + c1_j h)
//   u⁺ = u + h Σ α_i f(H0_i) + Σ β1_i ΔW g(t + c1_i h) + E2,  E2 = χ2 Σ β2_i g(t + c1_i h)
// The embedded error estimate is δ·E1 + E2 (δ weights the drift's part, 1/6 by default): E1 the
// drift's and E2 the noise's difference to the embedded order 1.0 scheme (Euler's drift and the
// β1/β2 noise terms). χ2 = I(1,0)/h is read from the Brownian path itself (noise/).
#pragma once

namespace dynfit::ode {

template<int S>
struct SriTableau {
    static constexpr int stages = S;
    double c0[S], c1[S];
    double A0[S][S], A1[S][S], B0[S][S], B1[S][S];
    double alpha[S], beta1[S], beta2[S], beta3[S], beta4[S];
};

template<int S>
struct SraTableau {
    static constexpr int stages = S;
    double c0[S], c1[S];
    double A0[S][S], B0[S][S];
    double alpha[S], beta1[S], beta2[S];
};

/// Rößler's SRIW1: strong order 1.5, weak order 2 (Rößler 2010, Table 5.2 / SRI1W1).
struct SRIW1 {
    static constexpr const char* name = "SRIW1";
    static constexpr SriTableau<4> tableau = {
        {0, 3.0 / 4, 0, 0},
        {0, 1.0 / 4, 1, 1.0 / 4},
        {{0, 0, 0, 0}, {3.0 / 4, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}},
        {{0, 0, 0, 0}, {1.0 / 4, 0, 0, 0}, {1, 0, 0, 0}, {0, 0, 1.0 / 4, 0}},
        {{0, 0, 0, 0}, {3.0 / 2, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}},
        {{0, 0, 0, 0}, {1.0 / 2, 0, 0, 0}, {-1, 0, 0, 0}, {-5, 3, 1.0 / 2, 0}},
        {1.0 / 3, 2.0 / 3, 0, 0},
        {-1, 4.0 / 3, 2.0 / 3, 0},
        {-1, 4.0 / 3, -1.0 / 3, 0},
        {2, -4.0 / 3, -2.0 / 3, 0},
        {-2, 5.0 / 3, -2.0 / 3, 1},
    };
};

/// SOSRI: the stability-optimised SRI of Rackauckas & Nie, strong order 1.5 — the first choice
/// for diagonal or scalar Itô noise. c0 = A0·1, c1 = A1·1.
struct SOSRI {
    static constexpr const char* name = "SOSRI";
    static constexpr SriTableau<4> tableau = {
        {0, -0.04199224421316468, 0.7898405466170333, 3.7504010171562823},
        {0, 0.26204282091330466, 0.05879875232001766, 0.758661169101175},
        {{0, 0, 0, 0},
         {-0.04199224421316468, 0, 0, 0},
         {2.842612915017106, -2.0527723684000727, 0, 0},
         {4.338237071435815, -2.8895936137439793, 2.3017575594644466, 0}},
        {{0, 0, 0, 0},
         {0.26204282091330466, 0, 0, 0},
         {0.20903646383505375, -0.1502377115150361, 0, 0},
         {0.05836595312746999, 0.6149440396332373, 0.08535117634046772, 0}},
        {{0, 0, 0, 0},
         {-0.21641093549612528, 0, 0, 0},
         {1.5336352863679572, 0.26066223492647056, 0, 0},
         {-1.0536037558179159, 1.7015284721089472, -0.20725685784180017, 0}},
        {{0, 0, 0, 0},
         {-0.5119011827621657, 0, 0, 0},
         {2.67767339866713, -4.9395031322250995, 0, 0},
         {0.15580956238299215, 3.2361551006624674, -1.4223118283355949, 0}},
        {1.140099274172029, -0.6401334255743456, 0.4736296532772559, 0.026404498125060714},
        {-1.8453464565104432, 2.688764531100726, -0.2523866501071323, 0.40896857551684956},
        {0.4969658141589478, -0.5771202869753592, -0.12919702470322217, 0.2093514975196336},
        {2.8453464565104425, -2.688764531100725, 0.2523866501071322, -0.40896857551684945},
        {0.11522663875443433, -0.57877086147738, 0.2857851028163886, 0.17775911990655704},
    };
};

/// Rößler's SRA1: additive noise, strong order 1.5 (Rößler 2010, SRA1).
struct SRA1 {
    static constexpr const char* name = "SRA1";
    static constexpr SraTableau<2> tableau = {
        {0, 3.0 / 4}, {1, 0},  {{0, 0}, {3.0 / 4, 0}}, {{0, 0}, {3.0 / 2, 0}}, {1.0 / 3, 2.0 / 3},
        {1, 0},       {-1, 1},
    };
};

/// SOSRA: the stability-optimised SRA of Rackauckas & Nie — the first choice for additive noise.
struct SOSRA {
    static constexpr const char* name = "SOSRA";
    static constexpr SraTableau<3> tableau = {
        {0, 0.6923962376159507, 1},
        {0, 0.041248171110700504, 1},
        {{0, 0, 0}, {0.6923962376159507, 0, 0}, {-3.1609142252828395, 4.1609142252828395, 0}},
        {{0, 0, 0}, {1.3371632704399763, 0, 0}, {1.442371048468624, 1.8632741501139225, 0}},
        {0.2889874966892885, 0.6859880440839937, 0.025024459226717772},
        {-16.792534242221663, 17.514995785380226, 0.27753845684143835},
        {0.4237535769069274, 0.6010381474428539, -1.0247917243497813},
    };
};

/// Euler–Maruyama: any noise, Itô, fixed step; strong order 0.5 (1 for additive noise).
struct EM {
    static constexpr const char* name = "EM";
};

/// Drift-implicit Euler–Maruyama (θ = 1; Kloeden & Platen §12.2): u⁺ = u + h f(u⁺) + g(u) ΔW,
/// by Newton's method on the drift. Itô, fixed step; strong order 0.5 (1 for additive noise);
/// L-stable in the drift, for stiff drift that makes the explicit methods blow up. (SciML's
/// ImplicitEM defaults to θ = 1/2, the trapezoid, which does not damp the stiffest modes.)
struct ImplicitEM {
    static constexpr const char* name = "ImplicitEM";
};

/// Euler–Heun: any noise, Stratonovich, fixed step; strong order 0.5.
struct EulerHeun {
    static constexpr const char* name = "EulerHeun";
};

} // namespace dynfit::ode
