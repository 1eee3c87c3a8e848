// SPDX-License-Identifier: MIT
// The registry of methods: choose one by name at run time, list them all for tests and the UI.
#pragma once

#include "solvers/tableaus/bs3.hpp"
#include "solvers/tableaus/classic.hpp"
#include "solvers/tableaus/dp5.hpp"
#include "solvers/tableaus/tsit5.hpp"
#include "solvers/tableaus/vern7.hpp"

#include <optional>
#include <string_view>
#include <variant>
#include <vector>

namespace dynfit::ode {

/// Every explicit method; adding one here adds it to every data-driven test.
using ExplicitMethod = std::variant<Euler, Midpoint, Heun, RK4, BS3, DP5, Tsit5, Vern7>;

/// What the UI and the tests need to know about a method without instantiating its stepper.
struct MethodInfo {
    std::string_view name;
    int stages;
    int order;
    int errorOrder; ///< 0: fixed step only
    bool fsal;
    bool ownInterpolant; ///< false: cubic Hermite
    int denseOrder;
    ExplicitMethod method;
};

/// All methods, in registry order.
const std::vector<MethodInfo>& explicitMethods();

/// A method by its name, case-insensitively ("tsit5", "DP5", ...); nullopt if unknown.
std::optional<ExplicitMethod> methodByName(std::string_view name);

/// The info of one method.
const MethodInfo& methodInfo(const ExplicitMethod& method);

} // namespace dynfit::ode
