// SPDX-License-Identifier: MIT
// Writing values back into a model text, keeping everything else as the user wrote it.
#pragma once

#include "model/model.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dynfit::model {

/// The text with each `param name = value` line whose value differs from `values` rewritten to
/// it (the shortest text that reads back to the same double; unchanged values keep their text),
/// bounds, `log`, comments and every other line untouched.
std::string withParameterValues(std::string_view text,
                                const CompiledModel& model,
                                const std::vector<double>& values);

/// The text with the bounds of the scalar param `param` (an index into model.params) set to
/// `in [lower, upper]`, or removed when `bounds` is empty; its value, `log`, comments and every
/// other line untouched.
std::string withParameterBounds(std::string_view text,
                                const CompiledModel& model,
                                int param,
                                std::optional<std::pair<double, double>> bounds);

} // namespace dynfit::model
