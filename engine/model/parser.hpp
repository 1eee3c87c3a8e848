// SPDX-License-Identifier: MIT
// Parses a model text into statements, reporting every syntax error with its location.
#pragma once

#include "model/ast.hpp"
#include "model/diagnostic.hpp"

#include <string_view>
#include <vector>

namespace dynfit::model {

/// Parses the text; a line with a syntax error is reported and skipped, so one pass finds the
/// errors of every line. Later features (noise, nn, when, observe, delays) are recognised and
/// reported as not supported yet.
ModelAst parse(std::string_view text, Diagnostics& diagnostics);

/// Parses one expression per non-empty line (comments allowed), located by line and column in
/// `text`; a line with a syntax error is reported and left out.
std::vector<ExprPtr> parseExpressions(std::string_view text, Diagnostics& diagnostics);

} // namespace dynfit::model
