// SPDX-License-Identifier: MIT
// Hairer and Wanner's RODAS4: a stiffly accurate, L-stable 4(3) Rosenbrock method with dense
// output.
#pragma once

#include <array>

namespace dynfit::ode {

/// RODAS4, 6 stages, order 4 with an embedded order-3 estimate; stiffly accurate, L-stable (the
/// embedded method too), with a 3rd-order dense output. A robust choice for stiff problems at
/// moderate tolerances (1e-3 … 1e-7). Not for tight tolerances (Rodas5P needs fewer steps there),
/// nor for non-stiff problems (an explicit method is cheaper), nor where the Jacobian is poor:
/// a Rosenbrock method needs the exact ∂f/∂u (and ∂f/∂t) at every step, or loses its order.
///
/// Stored in the transformed form (Hairer–Wanner IV, eq. (7.25)). With W = I/(hγ) − J, stage i
/// (0-based) solves
///   W U_i = f(t + c_i h, y + Σ_{j<i} a_ij U_j) + Σ_{j<i} (C_ij / h) U_j + d_i h ∂f/∂t,
/// then y_new = y + Σ m_j U_j, the error estimate is Σ mErr_j U_j (mErr = m − m̂) and the dense
/// output is u(θ) = (1−θ) y + θ (y_new + (1−θ)(K_0 + θ K_1)) with K_r = Σ_j H_rj U_j.
/// Here a = αΓ⁻¹, C = diag(1/γ) − Γ⁻¹, m = bᵀΓ⁻¹, c_i = Σ_j α_ij, d_i = Σ_j γ_ij (γ_ii included).
///
/// Reference: E. Hairer, G. Wanner, Solving Ordinary Differential Equations II, 2nd ed.,
/// Springer 1996, Sect. IV.7 (construction parameters c = (0.386, 0.21, 0.63), β'_2 = 0.0317,
/// β'_3 = 0.0635, β'_4 = 0.3438). Digits: the 16 significant digits of Hairer's code RODAS
/// (ROCOE, METH = 1), as also used by OrdinaryDiffEq.jl's Rodas4Tableau; d_4 keeps Hairer's
/// −0.03620000000000023.
struct Rodas4 {
    static constexpr const char* name = "Rodas4";
    static constexpr int stages = 6;
    static constexpr int order = 4;
    static constexpr int errorOrder = 3;
    static constexpr double gamma = 0.25;

    static constexpr std::array<std::array<double, stages>, stages> a = {{
        {},
        {1.544},
        {0.9466785280815826, 0.2557011698983284},
        {3.314825187068521, 2.896124015972201, 0.9986419139977817},
        {1.221224509226641, 6.019134481288629, 12.53708332932087, -0.6878860361058950},
        {1.221224509226641, 6.019134481288629, 12.53708332932087, -0.6878860361058950, 1.0},
    }};
    static constexpr std::array<std::array<double, stages>, stages> C = {{
        {},
        {-5.6688},
        {-2.430093356833875, -0.2063599157091915},
        {-0.1073529058151375, -9.594562251023355, -20.47028614809616},
        {7.496443313967647, -10.24680431464352, -33.99990352819905, 11.70890893206160},
        {8.083246795921522, -7.981132988064893, -31.52159432874371, 16.31930543123136,
         -6.058818238834054},
    }};
    static constexpr std::array<double, stages> c = {0.0, 0.386, 0.21, 0.63, 1.0, 1.0};
    static constexpr std::array<double, stages> d = {0.25, -0.1043, 0.1035, -0.03620000000000023,
                                                     0.0,  0.0};
    /// Stiffly accurate: y_new is the last stage's argument plus U_6, the error estimate is U_6.
    static constexpr std::array<double, stages> m = {
        1.221224509226641, 6.019134481288629, 12.53708332932087, -0.6878860361058950, 1.0, 1.0};
    static constexpr std::array<double, stages> mErr = {0.0, 0.0, 0.0, 0.0, 0.0, 1.0};

    static constexpr int denseVectors = 2;
    static constexpr int denseOrder = 3;
    static constexpr std::array<std::array<double, stages>, denseVectors> H = {{
        {10.12623508344586, -7.487995877610167, -34.80091861555747, -7.992771707568823,
         1.025137723295662, 0.0},
        {-0.6762803392801253, 6.087714651680015, 16.43084320892478, 24.76722511418386,
         -6.594389125716872, 0.0},
    }};
};

} // namespace dynfit::ode
