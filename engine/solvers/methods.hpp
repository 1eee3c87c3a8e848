// SPDX-License-Identifier: MIT
// The registry of methods: choose one by name at run time, list them all for tests and the UI.
#pragma once

#include "solvers/tableaus/bs3.hpp"
#include "solvers/tableaus/classic.hpp"
#include "solvers/tableaus/dp5.hpp"
#include "solvers/tableaus/kencarp4.hpp"
#include "solvers/tableaus/kvaerno5.hpp"
#include "solvers/tableaus/rodas4.hpp"
#include "solvers/tableaus/rodas5p.hpp"
#include "solvers/tableaus/ros3p.hpp"
#include "solvers/tableaus/tsit5.hpp"
#include "solvers/tableaus/vern7.hpp"

#include <optional>
#include <string_view>
#include <variant>
#include <vector>

namespace dynfit::ode {

/// Every explicit method; adding one here adds it to every data-driven test.
using ExplicitMethod = std::variant<Euler, Midpoint, Heun, RK4, BS3, DP5, Tsit5, Vern7>;

/// SUNDIALS CVODE's variable-order BDF (Newton with a dense LU on our Jacobian): stiff problems.
struct CvodeBdf {
    static constexpr const char* name = "CVODE_BDF";
};
/// SUNDIALS CVODE's variable-order Adams–Moulton with fixed-point iteration: non-stiff only.
struct CvodeAdams {
    static constexpr const char* name = "CVODE_Adams";
};
/// Tsit5 while the problem is non-stiff, Rodas5P while it is stiff: switches detected from an
/// estimate of the dominant eigenvalue (Hairer's DOPRI5 test) and counted in the stats.
struct AutoSwitch {
    static constexpr const char* name = "Auto";
};

/// Every method a solve can use.
using Method = std::variant<Euler,
                            Midpoint,
                            Heun,
                            RK4,
                            BS3,
                            DP5,
                            Tsit5,
                            Vern7,
                            Rodas5P,
                            Rodas4,
                            ROS3P,
                            KenCarp4,
                            Kvaerno5,
                            CvodeBdf,
                            CvodeAdams,
                            AutoSwitch>;

/// What the UI and the tests need to know about an explicit method without its stepper.
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

/// An explicit method as a Method.
inline Method toMethod(const ExplicitMethod& method) {
    return std::visit([](auto tag) -> Method { return tag; }, method);
}

/// All explicit methods, in registry order.
const std::vector<MethodInfo>& explicitMethods();

/// An explicit method by its name, case-insensitively ("tsit5", "DP5", ...); nullopt if unknown.
std::optional<ExplicitMethod> explicitMethodByName(std::string_view name);

/// The info of one explicit method.
const MethodInfo& methodInfo(const ExplicitMethod& method);

/// How a method steps.
enum class MethodFamily { Explicit, Rosenbrock, Esdirk, Cvode, Auto };

/// Any method, for pickers and help texts.
struct SolverInfo {
    std::string_view name;
    MethodFamily family;
    int order;     ///< 0: variable order (CVODE)
    bool stiff;    ///< suited to stiff problems
    bool adaptive; ///< has an error estimate (else needs a fixed dt)
    std::string_view summary;
    Method method;
};

/// All methods, explicit first, in registry order.
const std::vector<SolverInfo>& allMethods();

/// Any method by its name, case-insensitively ("Rodas5P", "cvode_bdf", "auto"); nullopt if
/// unknown.
std::optional<Method> methodByName(std::string_view name);

/// The info of any method.
const SolverInfo& solverInfo(const Method& method);

/// The names of all methods, comma separated (for error messages).
std::string methodNames();

} // namespace dynfit::ode
