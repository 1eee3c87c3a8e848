// SPDX-License-Identifier: MIT
// The registry of methods.
#include "solvers/methods.hpp"

#include "solvers/esdirk.hpp"
#include "solvers/rosenbrock.hpp"

#include <cctype>
#include <string>

namespace dynfit::ode {

namespace {

template<RkTableau T>
MethodInfo infoOf() {
    return {T::name,       T::stages, T::order,
            T::errorOrder, T::fsal,   T::interpolant == InterpolantKind::Weights,
            T::denseOrder, T{}};
}

template<class... Ts>
std::vector<MethodInfo> allInfos(std::variant<Ts...>*) {
    return {infoOf<Ts>()...};
}

template<class T>
SolverInfo solverInfoOf() {
    if constexpr (RkTableau<T>) {
        return {T::name, MethodFamily::Explicit, T::order,
                false,   T::errorOrder > 0,      "explicit Runge–Kutta: non-stiff problems",
                T{}};
    } else if constexpr (RosenbrockTableau<T>) {
        return {T::name,  MethodFamily::Rosenbrock,
                T::order, true,
                true,     "Rosenbrock (linearly implicit, L-stable): stiff problems",
                T{}};
    } else if constexpr (EsdirkTableau<T>) {
        return {T::name,  MethodFamily::Esdirk,
                T::order, true,
                true,     "ESDIRK (implicit, L-stable, Newton): stiff problems",
                T{}};
    } else if constexpr (std::is_same_v<T, CvodeBdf>) {
        return {T::name, MethodFamily::Cvode,
                0,       true,
                true,    "SUNDIALS CVODE BDF (orders 1–5): stiff problems",
                T{}};
    } else if constexpr (std::is_same_v<T, CvodeAdams>) {
        return {T::name, MethodFamily::Cvode,
                0,       false,
                true,    "SUNDIALS CVODE Adams (orders 1–12): smooth non-stiff problems",
                T{}};
    } else {
        return {T::name, MethodFamily::Auto,
                5,       true,
                true,    "Tsit5, switching to Rodas5P while the problem is stiff",
                T{}};
    }
}

template<class... Ts>
std::vector<SolverInfo> allSolverInfos(std::variant<Ts...>*) {
    return {solverInfoOf<Ts>()...};
}

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i]))
            != std::tolower(static_cast<unsigned char>(b[i]))) {
            return false;
        }
    }
    return true;
}

} // namespace

const std::vector<MethodInfo>& explicitMethods() {
    static const std::vector<MethodInfo> infos = allInfos(static_cast<ExplicitMethod*>(nullptr));
    return infos;
}

std::optional<ExplicitMethod> explicitMethodByName(std::string_view name) {
    for (const MethodInfo& info : explicitMethods()) {
        if (equalsIgnoringCase(info.name, name)) {
            return info.method;
        }
    }
    return std::nullopt;
}

const MethodInfo& methodInfo(const ExplicitMethod& method) {
    return explicitMethods()[method.index()];
}

const std::vector<SolverInfo>& allMethods() {
    static const std::vector<SolverInfo> infos = allSolverInfos(static_cast<Method*>(nullptr));
    return infos;
}

std::optional<Method> methodByName(std::string_view name) {
    for (const SolverInfo& info : allMethods()) {
        if (equalsIgnoringCase(info.name, name)) {
            return info.method;
        }
    }
    return std::nullopt;
}

const SolverInfo& solverInfo(const Method& method) {
    return allMethods()[method.index()];
}

std::string methodNames() {
    std::string names;
    for (const SolverInfo& info : allMethods()) {
        if (!names.empty()) {
            names += ", ";
        }
        names += info.name;
    }
    return names;
}

} // namespace dynfit::ode
