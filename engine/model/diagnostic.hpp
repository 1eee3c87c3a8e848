// SPDX-License-Identifier: MIT
// Located errors and warnings about a model text, formatted with a caret excerpt.
#pragma once

#include "core/source_location.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace dynfit::model {

enum class Severity { Error, Warning };

/// One finding about a model text, at a line and column.
struct Diagnostic {
    Severity severity = Severity::Error;
    SourceLocation where;
    std::string message;
};

/// All findings about one text, in source order.
struct Diagnostics {
    std::vector<Diagnostic> items;

    bool hasErrors() const;
    void error(SourceLocation where, std::string message);
    void warning(SourceLocation where, std::string message);
    void sortBySource();
};

/// "file:line:column: error: message" followed by the source line and a caret under the column.
std::string formatDiagnostic(const Diagnostic& d, std::string_view fileName, std::string_view text);

/// Every diagnostic formatted, one after the other.
std::string
formatDiagnostics(const Diagnostics& ds, std::string_view fileName, std::string_view text);

} // namespace dynfit::model
