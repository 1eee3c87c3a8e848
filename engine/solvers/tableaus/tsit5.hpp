// SPDX-License-Identifier: MIT
// Tsitouras' 5(4) pair with its free 4th-order interpolant (Tsit5).
#pragma once

#include "solvers/tableau.hpp"

namespace dynfit::ode {

/// Tsitouras 5(4), FSAL, 7 stages: the default for non-stiff problems at moderate tolerances
/// (1e-3 … 1e-8). Not for stiff problems (it stalls on tiny steps) nor for very tight tolerances,
/// where Vern7 needs fewer steps.
/// Reference: Ch. Tsitouras, "Runge–Kutta pairs of order 5(4) satisfying only the first column
/// simplifying assumption", Comput. Math. Appl. 62 (2011) 770–775, doi:10.1016/j.camwa.2011.06.002.
/// Digits: the 80-digit values published with OrdinaryDiffEq.jl, rounded to 20 significant digits;
/// interpolant weights in their expanded polynomial form from the same source.
struct Tsit5 {
    static constexpr const char* name = "Tsit5";
    static constexpr int stages = 7;
    static constexpr int order = 5;
    static constexpr int errorOrder = 4;
    static constexpr bool fsal = true;
    static constexpr InterpolantKind interpolant = InterpolantKind::Weights;
    static constexpr int denseOrder = 4;
    static constexpr int interpStages = 7;

    static constexpr std::array<double, stages> c = {0.0, 0.161, 0.327, 0.9, 0.98002554090450968573,
                                                     1.0, 1.0};
    static constexpr RkMatrix<stages> a = {{
        {},
        {0.161},
        {-0.0084806554923569885444, 0.33548065549235698854},
        {2.8971530571054934321, -6.3594484899750748431, 4.3622954328695814110},
        {5.3258648284392566044, -11.748883564062827878, 7.4955393428898362083,
         -0.092495066361755249257},
        {5.8614554429464200287, -12.920969317847109292, 8.1593678985761586432,
         -0.071584973281400997225, -0.028269050394068382909},
        {0.096460766818065229518, 0.01, 0.47988965041449957478, 1.3790085741037418932,
         -3.2900695154360806799, 2.3247105240997739824},
    }};
    static constexpr std::array<double, stages> b = {0.096460766818065229518,
                                                     0.01,
                                                     0.47988965041449957478,
                                                     1.3790085741037418932,
                                                     -3.2900695154360806799,
                                                     2.3247105240997739824,
                                                     0.0};
    static constexpr std::array<double, stages> bErr = {-0.0017800110522257714434,
                                                        -0.00081643445965674690322,
                                                        0.0078808780102619960103,
                                                        -0.14471100717326290754,
                                                        0.58235716545255522502,
                                                        -0.45808210592918694666,
                                                        1.0 / 66.0};

    static constexpr std::array<double, interpStages> cFull = c;
    static constexpr RkMatrix<interpStages> aFull = a;

    /// w_i(θ) = Σ_m interpCoeffs[i][m] θ^(m+1) (Tsitouras' interpolant, expanded form).
    static constexpr int interpDegree = 4;
    static constexpr std::array<std::array<double, interpDegree>, interpStages> interpCoeffs = {{
        {1.0, -2.763706197274826, 2.9132554618219126, -1.0530884977290216},
        {0.0, 0.13169999999999998, -0.2234, 0.1017},
        {0.0, 3.9302962368947516, -5.941033872131505, 2.490627285651253},
        {0.0, -12.411077166933676, 30.33818863028232, -16.548102889244902},
        {0.0, 37.50931341651104, -88.1789048947664, 47.37952196281928},
        {0.0, -27.896526289197286, 65.09189467479366, -34.87065786149661},
        {0.0, 1.5, -4.0, 2.5},
    }};
};
static_assert(isConsistent<Tsit5>(1e-14));

} // namespace dynfit::ode
