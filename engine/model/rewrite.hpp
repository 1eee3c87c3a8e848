// SPDX-License-Identifier: MIT
// Writing values back into a model text, keeping everything else as the user wrote it.
#pragma once

#include "model/model.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace dynfit::model {

/// The text with each `param name = value` line's value replaced by `values` (17 significant
/// digits), bounds, `log`, comments and every other line untouched.
std::string withParameterValues(std::string_view text,
                                const CompiledModel& model,
                                const std::vector<double>& values);

} // namespace dynfit::model
