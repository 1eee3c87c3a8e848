// SPDX-License-Identifier: MIT
// The registry of SDE methods: by name for the CLI, projects and the app, with what each needs
// (a fixed step, additive noise) and one step of any of them.
#pragma once

#include "core/stats.hpp"
#include "solvers/sde_implicit.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace dynfit::ode {

/// Every SDE method; adding one here adds it to every data-driven SDE test.
using SdeMethod = std::variant<EM, EulerHeun, SRIW1, SOSRI, SRA1, SOSRA, ImplicitEM>;

inline std::string sdeMethodName(const SdeMethod& m) {
    return std::visit([](auto tag) { return std::string(decltype(tag)::name); }, m);
}

/// Calls visit(tag) for a default-constructed tag of every SDE method, in the variant's order.
template<class Visit>
void forEachSdeMethod(Visit&& visit) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        (visit(std::variant_alternative_t<I, SdeMethod>{}), ...);
    }
    (std::make_index_sequence<std::variant_size_v<SdeMethod>>{});
}

inline std::optional<SdeMethod> sdeMethodByName(std::string_view name) {
    std::optional<SdeMethod> found;
    forEachSdeMethod([&](auto tag) {
        if (!found && name == decltype(tag)::name) {
            found = tag;
        }
    });
    return found;
}

inline std::vector<std::string> sdeMethodNames() {
    std::vector<std::string> names;
    forEachSdeMethod([&](auto tag) { names.emplace_back(decltype(tag)::name); });
    return names;
}

/// Whether a method has an embedded error estimate (the others need a fixed dt).
template<class Tag>
constexpr bool Adaptive =
    !std::is_same_v<Tag, EM> && !std::is_same_v<Tag, EulerHeun> && !std::is_same_v<Tag, ImplicitEM>;

/// The methods with an embedded error estimate (the others need a fixed dt).
inline bool sdeMethodAdaptive(const SdeMethod& m) {
    return std::visit([](auto tag) { return Adaptive<decltype(tag)>; }, m);
}
inline bool sdeMethodAdditiveOnly(const SdeMethod& m) {
    return std::holds_alternative<SRA1>(m) || std::holds_alternative<SOSRA>(m);
}
/// One step of `method`: uNew, and the error estimate's parts e1 (drift) and e2 (noise) for the
/// adaptive methods (zero for the others). Counts the evaluations.
template<class Problem, class State>
void sdeStep(const SdeMethod& method,
             Problem& pr,
             double t,
             double h,
             const State& u,
             const StepNoise& noise,
             State& uNew,
             State& e1,
             State& e2,
             SdeWork<State>& w,
             SolveStats& stats) {
    std::visit(
        [&](auto tag) {
            using Tag = decltype(tag);
            if constexpr (std::is_same_v<Tag, EM>) {
                emStep(pr, t, h, u, noise, uNew, w);
                stats.nRhs += 1;
                stats.nNoise += 1;
            } else if constexpr (std::is_same_v<Tag, ImplicitEM>) {
                implicitEmStep(pr, t, h, u, noise, uNew, w, stats);
            } else if constexpr (std::is_same_v<Tag, EulerHeun>) {
                eulerHeunStep(pr, t, h, u, noise, uNew, w);
                stats.nRhs += 2;
                stats.nNoise += 2;
            } else if constexpr (std::is_same_v<Tag, SRA1> || std::is_same_v<Tag, SOSRA>) {
                sraStep(Tag::tableau, pr, t, h, u, noise, uNew, e1, e2, w);
                stats.nRhs += Tag::tableau.stages;
                stats.nNoise += Tag::tableau.stages;
            } else {
                sriStep(Tag::tableau, pr, t, h, u, noise, uNew, e1, e2, w);
                stats.nRhs += Tag::tableau.stages;
                stats.nNoise += Tag::tableau.stages;
            }
            if constexpr (!Adaptive<Tag>) {
                e1.setZero(u.size());
                e2.setZero(u.size());
            }
        },
        method);
}

} // namespace dynfit::ode
