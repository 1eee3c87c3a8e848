// SPDX-License-Identifier: MIT
// The registry of methods.
#include "solvers/methods.hpp"

#include <cctype>

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

std::optional<ExplicitMethod> methodByName(std::string_view name) {
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

} // namespace dynfit::ode
