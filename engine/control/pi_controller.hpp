// SPDX-License-Identifier: MIT
// The PI step-size controller: accept/reject and the next step, apart from any stepper.
#pragma once

#include <algorithm>
#include <cmath>

namespace dynfit::ode {

/// Proportional–integral step control (Gustafsson 1991; Hairer–Wanner, Solving ODEs II, IV.2):
/// h_new = h · safety · err^(−β1) · err_prev^(β2), clamped to [qmin, qmax] (and to ≤ 1 right after
/// a rejection, which keeps the controller from oscillating).
class PiController {
  public:
    /// `estimateOrder` is the order of the local error estimate: the embedded order + 1.
    explicit PiController(int estimateOrder)
        : m_beta1(0.7 / estimateOrder), m_beta2(0.4 / estimateOrder) {}

    static bool accepts(double errorNorm) { return errorNorm <= 1.0; }

    /// The factor for the next step after an error estimate; call once per attempted step.
    double nextFactor(double errorNorm) {
        if (!std::isfinite(errorNorm)) {
            m_lastRejected = true;
            return kQmin;
        }
        const bool accepted = accepts(errorNorm);
        double factor = kQmax;
        if (errorNorm > 0.0) {
            factor = kSafety * std::pow(errorNorm, -m_beta1) * std::pow(m_errPrev, m_beta2);
        }
        factor = std::clamp(factor, kQmin, (m_lastRejected && accepted) ? 1.0 : kQmax);
        if (accepted) {
            m_errPrev = std::max(errorNorm, kErrFloor);
            m_lastRejected = false;
        } else {
            factor = std::min(factor, 1.0);
            m_lastRejected = true;
        }
        return factor;
    }

    /// The factor after an attempt that produced no result (a failed Newton iteration or a
    /// singular linear system): the smallest cut, as a rejection.
    double afterFailedStep() {
        m_lastRejected = true;
        return kQmin;
    }

    static constexpr double kSafety = 0.9;
    static constexpr double kQmin = 0.2;
    static constexpr double kQmax = 10.0;

  private:
    static constexpr double kErrFloor = 1e-4;
    double m_beta1;
    double m_beta2;
    double m_errPrev = 1e-4;
    bool m_lastRejected = false;
};

} // namespace dynfit::ode
