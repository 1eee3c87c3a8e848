// SPDX-License-Identifier: MIT
// The jump of the state and of its sensitivities at an event (the one place every gradient
// method takes it from): x⁺ = h(x⁻, p, τ), and with D = g_x f⁻ + g_t, c = h_x f⁻ + h_t − f⁺,
//   s⁺ = M s⁻ + m ṗ,  M = h_x − c g_x / D,  m = h_p − c g_p / D,
// the event time's dependence τ_p = −(g_x s⁻ + g_p)/D folded in. A time event at τ(p) is the
// condition g = t − τ(p): D = 1, g_x = 0, g_p = −τ_p (a dose lag). Adjoints apply Mᵀ, mᵀ.
#pragma once

#include "model/model.hpp"

#include <Eigen/Core>

namespace dynfit::model {

struct EventJump {
    Eigen::VectorXd after; ///< x⁺
    Eigen::MatrixXd M;     ///< ∂x⁺/∂x⁻ along the perturbed trajectory (n × n)
    Eigen::MatrixXd m;     ///< ∂x⁺/∂p along the perturbed trajectory (n × np)
    double D = 1.0;        ///< g's rate along the flow at the crossing (near 0: grazing)
};

/// The occurrence of time event `event` at time t: its index k in the event's times.
int occurrenceAt(const CompiledModel& model, int event, const Eigen::VectorXd& p, double t);

/// The event's times at p (a schedule expanded), or an error message naming the event's line.
std::vector<double>
eventTimes(const CompiledModel& model, int event, const Eigen::VectorXd& p, std::string& error);

/// The jump at event `event` (an index into model.events) at time t from state x⁻; for a time
/// event, `occurrence` is which of its times t is.
EventJump eventJump(const CompiledModel& model,
                    int event,
                    int occurrence,
                    const Eigen::VectorXd& before,
                    const Eigen::VectorXd& p,
                    double t);

} // namespace dynfit::model
