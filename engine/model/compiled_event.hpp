// SPDX-License-Identifier: MIT
// An event of a model text compiled: its condition or times, its reset, and their derivatives
// (what the jump conditions of the sensitivities need).
#pragma once

#include "core/source_location.hpp"
#include "model/program.hpp"

#include <vector>

namespace dynfit::model {

/// `when lhs < rhs: x = ...`, `at t = a, b: ...` or `every P from A to B: ...`. The programs read
/// (u, p, t) with n states and np params; dense Jacobians are row-major.
struct CompiledEvent {
    enum class Trigger { Crossing, Times, Every };
    Trigger trigger = Trigger::Crossing;
    char comparison = '<';    ///< '<': g crosses zero downwards, '>': upwards
    bool stop = false;        ///< the solve ends at the crossing (status Terminated)
    bool hasReset = false;    ///< false: the crossing is only recorded
    SourceLocation where;     ///< of the keyword
    std::vector<int> targets; ///< the states the reset sets

    Program condition;         ///< g = lhs − rhs (Crossing)
    Program conditionGradient; ///< [∂g/∂u (n) | ∂g/∂p (np) | ∂g/∂t]
    Program reset;             ///< h(u, p, t): the whole state after the event (n outputs)
    Program resetJacobian;     ///< [∂h/∂u (n × n) | ∂h/∂p (n × np) | ∂h/∂t (n)]
    Program times;             ///< Times: τ_k(p); Every: (period, first, last)(p)
    Program timesJacobian;     ///< ∂(times outputs)/∂p (k × np)

    /// "when", "at" or "every", for the event log.
    const char* keyword() const {
        return trigger == Trigger::Crossing ? "when" : trigger == Trigger::Times ? "at" : "every";
    }
};

} // namespace dynfit::model
