// SPDX-License-Identifier: MIT
// Located errors and warnings about a model text.
#include "model/diagnostic.hpp"

#include <algorithm>

namespace dynfit::model {

bool Diagnostics::hasErrors() const {
    return std::any_of(items.begin(), items.end(),
                       [](const Diagnostic& d) { return d.severity == Severity::Error; });
}

void Diagnostics::error(SourceLocation where, std::string message) {
    items.push_back({Severity::Error, where, std::move(message)});
}

void Diagnostics::warning(SourceLocation where, std::string message) {
    items.push_back({Severity::Warning, where, std::move(message)});
}

void Diagnostics::sortBySource() {
    std::stable_sort(items.begin(), items.end(), [](const Diagnostic& a, const Diagnostic& b) {
        return a.where.line != b.where.line ? a.where.line < b.where.line
                                            : a.where.column < b.where.column;
    });
    // One report per place and message, however many uses led to it.
    items.erase(std::unique(items.begin(), items.end(),
                            [](const Diagnostic& a, const Diagnostic& b) {
                                return a.where.line == b.where.line
                                       && a.where.column == b.where.column
                                       && a.message == b.message;
                            }),
                items.end());
}

namespace {

std::string_view lineOf(std::string_view text, int line) {
    std::size_t start = 0;
    for (int l = 1; l < line; ++l) {
        const std::size_t nl = text.find('\n', start);
        if (nl == std::string_view::npos) {
            return {};
        }
        start = nl + 1;
    }
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) {
        end = text.size();
    }
    if (end > start && text[end - 1] == '\r') {
        --end;
    }
    return text.substr(start, end - start);
}

} // namespace

std::string
formatDiagnostic(const Diagnostic& d, std::string_view fileName, std::string_view text) {
    std::string out(fileName);
    out += ':' + std::to_string(d.where.line) + ':' + std::to_string(d.where.column) + ": ";
    out += d.severity == Severity::Error ? "error: " : "warning: ";
    out += d.message;
    out += '\n';
    const std::string_view source = lineOf(text, d.where.line);
    if (d.where.line > 0 && !source.empty()) {
        out += "    ";
        out += source;
        out += "\n    ";
        // Tabs stay tabs so the caret lines up in a terminal; other code points become spaces.
        int column = 1;
        for (std::size_t i = 0; i < source.size() && column < d.where.column; ++i) {
            const auto c = static_cast<unsigned char>(source[i]);
            if ((c & 0xC0) == 0x80) {
                continue;
            }
            out += c == '\t' ? '\t' : ' ';
            ++column;
        }
        out += "^\n";
    }
    return out;
}

std::string
formatDiagnostics(const Diagnostics& ds, std::string_view fileName, std::string_view text) {
    std::string out;
    for (const Diagnostic& d : ds.items) {
        out += formatDiagnostic(d, fileName, text);
    }
    return out;
}

} // namespace dynfit::model
