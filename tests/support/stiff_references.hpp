// SPDX-License-Identifier: MIT
// Published reference solutions of stiff test problems (the Bari/CWI Test Set for IVP Solvers).
#pragma once

namespace dynfit::test {

/// ROBER (Robertson's chemical kinetics), Test Set for IVP Solvers, problem rober.f (revision
/// rober.F 1.2, 2006/10/02; http://www.dm.uniba.it/~testset/src/problems/rober.f):
///   y1' = −0.04 y1 + 1e4 y2 y3,  y2' = 0.04 y1 − 1e4 y2 y3 − 3e7 y2²,  y3' = 3e7 y2²,
///   y(0) = (1, 0, 0), t ∈ [0, 1e11].
/// Reference at t = 1e11 (subroutine solut): "computed using double precision RADAU on an
/// Alphaserver DS20E ... uround = 1.01d-19, rtol = atol = h0 = 1.1d-18". The same values are
/// in Hairer's test set (unige.ch/~hairer/testset) used by ODE.jl.
struct RoberReference {
    /// The problem in the model language (params k1..k3 at the published values).
    static constexpr const char* model = "param k1 = 0.04\nparam k2 = 3e7\nparam k3 = 1e4\n"
                                         "init y1 = 1\ninit y2 = 0\ninit y3 = 0\n"
                                         "d(y1)/dt = -k1*y1 + k3*y2*y3\n"
                                         "d(y2)/dt = k1*y1 - k2*y2^2 - k3*y2*y3\n"
                                         "d(y3)/dt = k2*y2^2\n"
                                         "tspan = 0 .. 1e11\n";
    static constexpr double k1 = 0.04, k2 = 3e7, k3 = 1e4;
    static constexpr double y0[3] = {1.0, 0.0, 0.0};
    static constexpr double t1 = 1e11;
    static constexpr double yT1[3] = {0.2083340149701255e-07, 0.8333360770334713e-13,
                                      0.9999999791665050e+00};
};

/// VDPOL (van der Pol in the stiff scaling), Test Set for IVP Solvers, problem vdpol.f
/// (revision vdpol.F 1.2, 2006/10/02; http://www.dm.uniba.it/~testset/src/problems/vdpol.f):
///   y1' = y2,  y2' = ((1 − y1²) y2 − y1) / ε,  ε = 1e-6 (μ = 1e6 in t/μ time),
///   y(0) = (2, 0), t ∈ [0, 2].
/// Note y2(0) = 0, not the −0.66 of Hairer's RADAU5 driver (dr_radau5.f), which starts near the
/// slow manifold but has no published reference. Reference at t = 2 (subroutine solut): RADAU
/// in quadruple-like precision as for ROBER (uround = 1.01d-19, rtol = atol = h0 = 1.1d-18).
struct VanDerPolReference {
    static constexpr double epsilon = 1e-6;
    static constexpr double y0[2] = {2.0, 0.0};
    static constexpr double t1 = 2.0;
    static constexpr double yT1[2] = {0.1706167732170483e+01, -0.8928097010247975e+00};
};

} // namespace dynfit::test
