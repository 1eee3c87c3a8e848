// SPDX-License-Identifier: MIT
// The ESDIRK half of Kennedy and Carpenter's ARK4(3)6L[2]SA ("KenCarp4"), used on its own.
#pragma once

#include <array>

namespace dynfit::ode {

/// KenCarp4: the implicit (ESDIRK) part of ARK4(3)6L[2]SA, 6 stages with an explicit first
/// stage, order 4 with an embedded order-3 estimate, stage order 2, stiffly accurate and
/// L-stable, with a 3rd-order dense output. A good stiff method when the Jacobian is expensive
/// or only approximate (Newton tolerates a stale one, unlike a Rosenbrock method) and for large
/// systems at moderate tolerances (1e-3 … 1e-7). Not for non-stiff problems (each stage is a
/// nonlinear solve) nor for tight tolerances (Kvaerno5 or Rodas5P).
///
/// Stage i solves Z_i = y + h Σ_{j≤i} a_ij f(t + c_j h, Z_j) (a_00 = 0, a_ii = γ for i ≥ 1);
/// y_new = y + h Σ b_i f(Z_i) = Z_6; the error estimate is h Σ bErr_i f(Z_i) (bErr = b − b̂); the
/// dense output is u(t + θh) = y + h Σ_i w_i(θ) f(Z_i), w_i(θ) = Σ_m interpCoeffs[i][m] θ^(m+1).
///
/// Reference: C. A. Kennedy, M. H. Carpenter, "Additive Runge–Kutta schemes for
/// convection–diffusion–reaction equations", Appl. Numer. Math. 44 (2003) 139–181,
/// doi:10.1016/S0168-9274(02)00138-1 (ARK4(3)6L[2]SA, its ESDIRK tableau, b̂ and the dense-output
/// coefficients b*_ij), as reproduced identically by PETSc (TSARKIMEX4), SUNDIALS and
/// OrdinaryDiffEq.jl. Digits: the paper's exact rationals, evaluated in double at compile time;
/// bErr = b − b̂ formed exactly in rational arithmetic.
struct KenCarp4 {
    static constexpr const char* name = "KenCarp4";
    static constexpr int stages = 6;
    static constexpr int order = 4;
    static constexpr int errorOrder = 3;
    static constexpr double gamma = 1.0 / 4.0;

    static constexpr std::array<std::array<double, stages>, stages> a = {{
        {},
        {1.0 / 4.0, 1.0 / 4.0},
        {8611.0 / 62500.0, -1743.0 / 31250.0, 1.0 / 4.0},
        {5012029.0 / 34652500.0, -654441.0 / 2922500.0, 174375.0 / 388108.0, 1.0 / 4.0},
        {15267082809.0 / 155376265600.0, -71443401.0 / 120774400.0, 730878875.0 / 902184768.0,
         2285395.0 / 8070912.0, 1.0 / 4.0},
        {82889.0 / 524892.0, 0.0, 15625.0 / 83664.0, 69875.0 / 102672.0, -2260.0 / 8211.0,
         1.0 / 4.0},
    }};
    static constexpr std::array<double, stages> b = {82889.0 / 524892.0, 0.0,
                                                     15625.0 / 83664.0,  69875.0 / 102672.0,
                                                     -2260.0 / 8211.0,   1.0 / 4.0};
    /// b − b̂ with b̂ = (4586570599/29645900160, 0, 178811875/945068544, 814220225/1159782912,
    /// −3700637/11593932, 61727/225920).
    static constexpr std::array<double, stages> bErr = {
        31666707.0 / 9881966720.0, 0.0,
        -256875.0 / 105007616.0,   -2768025.0 / 128864768.0,
        169839.0 / 3864644.0,      -5247.0 / 225920.0};
    static constexpr std::array<double, stages> c = {0.0,         1.0 / 2.0,   83.0 / 250.0,
                                                     31.0 / 50.0, 17.0 / 20.0, 1.0};
    static constexpr bool stifflyAccurate = true;

    /// Kennedy and Carpenter's third-order dense output: interpCoeffs[i][m] = b*_{i,m+1}.
    static constexpr int interpDegree = 3;
    static constexpr int denseOrder = 3;
    static constexpr std::array<std::array<double, interpDegree>, stages> interpCoeffs = {{
        {6943876665148.0 / 7220017795957.0, -54480133.0 / 30881146.0,
         6818779379841.0 / 7100303317025.0},
        {0.0, 0.0, 0.0},
        {7640104374378.0 / 9702883013639.0, -11436875.0 / 14766696.0,
         2173542590792.0 / 12501825683035.0},
        {-20649996744609.0 / 7521556579894.0, 174696575.0 / 18121608.0,
         -31592104683404.0 / 5083833661969.0},
        {8854892464581.0 / 2390941311638.0, -12120380.0 / 966161.0,
         61146701046299.0 / 7138195549469.0},
        {-11397109935349.0 / 6675773540249.0, 3843.0 / 706.0, -17219254887155.0 / 4939391667607.0},
    }};
};

} // namespace dynfit::ode
