// SPDX-License-Identifier: MIT
// DP5 on Lotka–Volterra as one plain C++ loop: the yardstick for the generic stepper.
#include "hand_written_dp5.hpp"

#include <algorithm>
#include <cmath>

namespace dynfit::bench {

namespace {

inline void lv(double x, double y, double& dx, double& dy) {
    dx = 1.5 * x - x * y;
    dy = -3.0 * y + x * y;
}

inline double scaled(double e, double a, double b, double rtol, double atol) {
    return e / (atol + rtol * std::max(std::abs(a), std::abs(b)));
}

} // namespace

void handWrittenDp5(double rtol, double atol, double saveStep, HandWrittenResult& out) {
    constexpr double a21 = 0.2, a31 = 3.0 / 40, a32 = 9.0 / 40, a41 = 44.0 / 45, a42 = -56.0 / 15,
                     a43 = 32.0 / 9, a51 = 19372.0 / 6561, a52 = -25360.0 / 2187,
                     a53 = 64448.0 / 6561, a54 = -212.0 / 729, a61 = 9017.0 / 3168,
                     a62 = -355.0 / 33, a63 = 46732.0 / 5247, a64 = 49.0 / 176,
                     a65 = -5103.0 / 18656, b1 = 35.0 / 384, b3 = 500.0 / 1113, b4 = 125.0 / 192,
                     b5 = -2187.0 / 6784, b6 = 11.0 / 84, e1 = 71.0 / 57600, e3 = -71.0 / 16695,
                     e4 = 71.0 / 1920, e5 = -17253.0 / 339200, e6 = 22.0 / 525, e7 = -1.0 / 40,
                     d1 = -12715105075.0 / 11282082432, d3 = 87487479700.0 / 32700410799,
                     d4 = -10690763975.0 / 1880347072, d5 = 701980252875.0 / 199316789632,
                     d6 = -1453857185.0 / 822651844, d7 = 69997945.0 / 29380423;
    const double t1 = 10.0;
    double t = 0, x = 1, y = 1;
    const long nSave = static_cast<long>(std::floor(t1 / saveStep + 1e-9)) + 1;
    out.t.resize(static_cast<std::size_t>(nSave));
    out.x.resize(out.t.size());
    out.y.resize(out.t.size());
    out.t[0] = 0, out.x[0] = x, out.y[0] = y;
    long saved = 1;
    out.steps = out.rejected = 0;

    double k1x, k1y;
    lv(x, y, k1x, k1y);
    // HNW initial step.
    const double d0 = std::sqrt(
        0.5
        * (std::pow(scaled(x, x, x, rtol, atol), 2) + std::pow(scaled(y, y, y, rtol, atol), 2)));
    const double dd1 = std::sqrt(0.5
                                 * (std::pow(scaled(k1x, x, x, rtol, atol), 2)
                                    + std::pow(scaled(k1y, y, y, rtol, atol), 2)));
    double h0 = (d0 < 1e-5 || dd1 < 1e-5) ? 1e-6 : 0.01 * d0 / dd1;
    h0 = std::min(h0, t1);
    double fx, fy;
    lv(x + h0 * k1x, y + h0 * k1y, fx, fy);
    const double dd2 = std::sqrt(0.5
                                 * (std::pow(scaled(fx - k1x, x, x, rtol, atol), 2)
                                    + std::pow(scaled(fy - k1y, y, y, rtol, atol), 2)))
                       / h0;
    const double dmax = std::max(dd1, dd2);
    const double h1 = dmax <= 1e-15 ? std::max(1e-6, h0 * 1e-3) : std::pow(0.01 / dmax, 1.0 / 6);
    double h = std::min({100 * h0, h1, t1});
    long nf = 2;

    const double beta1 = 0.7 / 5, beta2 = 0.4 / 5;
    double errPrev = 1e-4;
    bool lastRejected = false;
    while (t < t1) {
        const bool last = h >= (t1 - t) * (1 - 1e-12);
        if (last) {
            h = t1 - t;
        }
        double k2x, k2y, k3x, k3y, k4x, k4y, k5x, k5y, k6x, k6y, k7x, k7y;
        lv(x + h * a21 * k1x, y + h * a21 * k1y, k2x, k2y);
        lv(x + h * (a31 * k1x + a32 * k2x), y + h * (a31 * k1y + a32 * k2y), k3x, k3y);
        lv(x + h * (a41 * k1x + a42 * k2x + a43 * k3x), y + h * (a41 * k1y + a42 * k2y + a43 * k3y),
           k4x, k4y);
        lv(x + h * (a51 * k1x + a52 * k2x + a53 * k3x + a54 * k4x),
           y + h * (a51 * k1y + a52 * k2y + a53 * k3y + a54 * k4y), k5x, k5y);
        lv(x + h * (a61 * k1x + a62 * k2x + a63 * k3x + a64 * k4x + a65 * k5x),
           y + h * (a61 * k1y + a62 * k2y + a63 * k3y + a64 * k4y + a65 * k5y), k6x, k6y);
        const double xn = x + h * (b1 * k1x + b3 * k3x + b4 * k4x + b5 * k5x + b6 * k6x);
        const double yn = y + h * (b1 * k1y + b3 * k3y + b4 * k4y + b5 * k5y + b6 * k6y);
        lv(xn, yn, k7x, k7y);
        nf += 6;
        const double ex = h * (e1 * k1x + e3 * k3x + e4 * k4x + e5 * k5x + e6 * k6x + e7 * k7x);
        const double ey = h * (e1 * k1y + e3 * k3y + e4 * k4y + e5 * k5y + e6 * k6y + e7 * k7y);
        const double err = std::sqrt(0.5
                                     * (std::pow(scaled(ex, x, xn, rtol, atol), 2)
                                        + std::pow(scaled(ey, y, yn, rtol, atol), 2)));
        double q = err > 0 ? 0.9 * std::pow(err, -beta1) * std::pow(errPrev, beta2) : 10.0;
        if (err > 1.0) {
            ++out.rejected;
            lastRejected = true;
            h *= std::clamp(q, 0.2, 1.0);
            continue;
        }
        q = std::clamp(q, 0.2, lastRejected ? 1.0 : 10.0);
        errPrev = std::max(err, 1e-4);
        lastRejected = false;
        const double tn = last ? t1 : t + h;
        while (saved < nSave && saved * saveStep <= tn + 1e-12) {
            const double ts = saved == nSave - 1 && std::abs(saved * saveStep - t1) < 1e-9
                                  ? t1
                                  : saved * saveStep;
            const double th = (ts - t) / h, s = 1 - th;
            const double dx = xn - x, dy = yn - y;
            const double r3x = h * k1x - dx, r3y = h * k1y - dy;
            const double r4x = dx - h * k7x - r3x, r4y = dy - h * k7y - r3y;
            const double r5x =
                h * (d1 * k1x + d3 * k3x + d4 * k4x + d5 * k5x + d6 * k6x + d7 * k7x);
            const double r5y =
                h * (d1 * k1y + d3 * k3y + d4 * k4y + d5 * k5y + d6 * k6y + d7 * k7y);
            out.t[static_cast<std::size_t>(saved)] = ts;
            out.x[static_cast<std::size_t>(saved)] =
                x + th * (dx + s * (r3x + th * (r4x + s * r5x)));
            out.y[static_cast<std::size_t>(saved)] =
                y + th * (dy + s * (r3y + th * (r4y + s * r5y)));
            ++saved;
        }
        t = tn;
        x = xn, y = yn;
        k1x = k7x, k1y = k7y;
        ++out.steps;
        h *= q;
    }
    out.nf = nf;
}

} // namespace dynfit::bench
