// SPDX-License-Identifier: MIT
// Steinebach's Rodas5P: a stiffly accurate, L-stable 5(4) Rosenbrock method with dense output.
#pragma once

#include <array>

namespace dynfit::ode {

/// Rodas5P, 8 stages, order 5 with an embedded order-4 estimate; stiffly accurate, L-stable (the
/// embedded method too), with a 4th-order dense output. The stiff default at tight tolerances
/// (1e-6 … 1e-10). Not for loose tolerances, where Rodas4 takes fewer stages per step, nor for
/// non-stiff problems, nor where the Jacobian is poor: a Rosenbrock method needs the exact
/// ∂f/∂u (and ∂f/∂t) at every step, or loses its order.
///
/// Transformed form as in rodas4.hpp: with W = I/(hγ) − J, stage i (0-based) solves
///   W U_i = f(t + c_i h, y + Σ_{j<i} a_ij U_j) + Σ_{j<i} (C_ij / h) U_j + d_i h ∂f/∂t,
/// y_new = y + Σ m_j U_j, error estimate Σ mErr_j U_j, and the dense output is
///   u(θ) = (1−θ) y + θ (y_new + (1−θ)(K_0 + θ (K_1 + θ K_2))),  K_r = Σ_j H_rj U_j.
///
/// Reference: G. Steinebach, "Construction of Rosenbrock–Wanner method Rodas5P and numerical
/// benchmarks within the Julia Differential Equations package", BIT Numer. Math. 63 (2023) 27,
/// doi:10.1007/s10543-023-00967-x. Digits: the transformed coefficients as published with
/// OrdinaryDiffEq.jl (Rodas5PTableau), 16–17 significant digits (double round-trip values).
struct Rodas5P {
    static constexpr const char* name = "Rodas5P";
    static constexpr int stages = 8;
    static constexpr int order = 5;
    static constexpr int errorOrder = 4;
    static constexpr double gamma = 0.21193756319429014;

    static constexpr std::array<std::array<double, stages>, stages> a = {{
        {},
        {3.0},
        {2.849394379747939, 0.45842242204463923},
        {-6.954028509809101, 2.489845061869568, -10.358996098473584},
        {2.8029986275628964, 0.5072464736228206, -0.3988312541770524, -0.04721187230404641},
        {-7.502846399306121, 2.561846144803919, -11.627539656261098, -0.18268767659942256,
         0.030198172008377946},
        {-7.502846399306121, 2.561846144803919, -11.627539656261098, -0.18268767659942256,
         0.030198172008377946, 1.0},
        {-7.502846399306121, 2.561846144803919, -11.627539656261098, -0.18268767659942256,
         0.030198172008377946, 1.0, 1.0},
    }};
    static constexpr std::array<std::array<double, stages>, stages> C = {{
        {},
        {-14.155112264123755},
        {-17.97296035885952, -2.859693295451294},
        {147.12150275711716, -1.41221402718213, 71.68940251302358},
        {165.43517024871676, -0.4592823456491126, 42.90938336958603, -5.961986721573306},
        {24.854864614690072, -3.0009227002832186, 47.4931110020768, 5.5814197821558125,
         -0.6610691825249471},
        {30.91273214028599, -3.1208243349937974, 77.79954646070892, 34.28646028294783,
         -19.097331116725623, -28.087943162872662},
        {37.80277123390563, -3.2571969029072276, 112.26918849496327, 66.9347231244047,
         -40.06618937091002, -54.66780262877968, -9.48861652309627},
    }};
    static constexpr std::array<double, stages> c = {0.0,
                                                     0.6358126895828704,
                                                     0.4095798393397535,
                                                     0.9769306725060716,
                                                     0.4288403609558664,
                                                     1.0,
                                                     1.0,
                                                     1.0};
    static constexpr std::array<double, stages> d = {0.21193756319429014,
                                                     -0.42387512638858027,
                                                     -0.3384627126235924,
                                                     1.8046452872882734,
                                                     2.325825639765069,
                                                     0.0,
                                                     0.0,
                                                     0.0};
    /// Stiffly accurate: y_new is the last stage's argument plus U_8, the error estimate is U_8.
    static constexpr std::array<double, stages> m = {-7.502846399306121,
                                                     2.561846144803919,
                                                     -11.627539656261098,
                                                     -0.18268767659942256,
                                                     0.030198172008377946,
                                                     1.0,
                                                     1.0,
                                                     1.0};
    static constexpr std::array<double, stages> mErr = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0};

    static constexpr int denseVectors = 3;
    static constexpr int denseOrder = 4;
    static constexpr std::array<std::array<double, stages>, denseVectors> H = {{
        {25.948786856663858, -2.5579724845846235, 10.433815404888879, -2.3679251022685204,
         0.524948541321073, 1.1241088310450404, 0.4272876194431874, -0.17202221070155493},
        {-9.91568850695171, -0.9689944594115154, 3.0438037242978453, -24.495224566215796,
         20.176138334709044, 15.98066361424651, -6.789040303419874, -6.710236069923372},
        {11.419903575922262, 2.8879645146136994, 72.92137995996029, 80.12511834622643,
         -52.072871366152654, -59.78993625266729, -0.15582684282751913, 4.883087185713722},
    }};
};

} // namespace dynfit::ode
