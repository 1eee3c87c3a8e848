// SPDX-License-Identifier: MIT
// Splits a model text into tokens, line by line, with locations in code points.
#pragma once

#include "model/diagnostic.hpp"
#include "model/token.hpp"

#include <string_view>
#include <vector>

namespace dynfit::model {

/// Tokenises the whole text. Comments (# to end of line) are dropped; each line ends with a
/// Newline token and the text with End. Identifiers may contain any non-ASCII code point
/// (α, β, k₁). Bad characters become Invalid tokens and an error in `diagnostics`.
std::vector<Token> tokenize(std::string_view text, Diagnostics& diagnostics);

} // namespace dynfit::model
