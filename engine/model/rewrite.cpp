// SPDX-License-Identifier: MIT
// Writing values back into a model text.
#include "model/rewrite.hpp"

#include "core/number_text.hpp"

namespace dynfit::model {

namespace {

// Byte offset of 1-based code-point column `column` in `line`.
std::size_t byteOffset(std::string_view line, int column) {
    std::size_t i = 0;
    for (int c = 1; c < column && i < line.size(); ++c) {
        ++i;
        while (i < line.size() && (static_cast<unsigned char>(line[i]) & 0xC0) == 0x80) {
            ++i;
        }
    }
    return i;
}

// Where a param's value expression ends: before " in [", a trailing " log", a comment or EOL.
std::size_t valueEnd(std::string_view line, std::size_t from) {
    std::size_t end = line.size();
    if (const std::size_t hash = line.find('#', from); hash != std::string_view::npos) {
        end = hash;
    }
    std::string_view rest = line.substr(from, end - from);
    for (const char* marker : {" in ", "\tin "}) {
        if (const std::size_t at = rest.find(marker); at != std::string_view::npos) {
            return from + at;
        }
    }
    while (!rest.empty() && (rest.back() == ' ' || rest.back() == '\t' || rest.back() == '\r')) {
        rest.remove_suffix(1);
    }
    if (rest.size() >= 4 && rest.substr(rest.size() - 4) == " log") {
        rest.remove_suffix(4);
    }
    return from + rest.size();
}

std::vector<std::string> splitLines(std::string_view text) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t nl = text.find('\n', start);
        lines.emplace_back(
            text.substr(start, nl == std::string_view::npos ? text.size() - start : nl - start));
        if (nl == std::string_view::npos) {
            break;
        }
        start = nl + 1;
    }
    return lines;
}

std::string joinLines(const std::vector<std::string>& lines) {
    std::string out;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        out += lines[i];
        if (i + 1 < lines.size()) {
            out += '\n';
        }
    }
    return out;
}

} // namespace

std::string withParameterBounds(std::string_view text,
                                const CompiledModel& model,
                                int param,
                                std::optional<std::pair<double, double>> bounds) {
    std::vector<std::string> lines = splitLines(text);
    if (param < 0 || param >= model.paramCount()) {
        return std::string(text);
    }
    const ParamInfo& p = model.params[static_cast<std::size_t>(param)];
    if (!p.network.empty() || p.where.line < 1
        || static_cast<std::size_t>(p.where.line) > lines.size()) {
        return std::string(text);
    }
    std::string& line = lines[static_cast<std::size_t>(p.where.line) - 1];
    const std::size_t equals = line.find('=', byteOffset(line, p.where.column));
    if (equals == std::string::npos) {
        return std::string(text);
    }
    const std::size_t valueStop = valueEnd(line, equals + 1);
    // The old bounds run from " in [" to the matching "]"; the value ends where they start.
    std::size_t boundsStop = valueStop;
    const std::size_t comment = line.find('#', equals);
    const std::size_t in = line.find(" in ", valueStop);
    if (in == valueStop || (in != std::string::npos && in < comment)) {
        const std::size_t close = line.find(']', in);
        boundsStop = close == std::string::npos ? in : close + 1;
    }
    const std::string replacement =
        bounds ? " in [" + shortestText(bounds->first) + ", " + shortestText(bounds->second) + "]"
               : std::string();
    line.replace(valueStop, boundsStop - valueStop, replacement);
    return joinLines(lines);
}

std::string withParameterValues(std::string_view text,
                                const CompiledModel& model,
                                const std::vector<double>& values) {
    std::vector<std::string> lines = splitLines(text);
    for (std::size_t k = 0; k < model.params.size() && k < values.size(); ++k) {
        const ParamInfo& p = model.params[k];
        if (!p.network.empty()) {
            continue; // network weights go into their own `weights` line below
        }
        if (values[k] == p.value) {
            continue; // unchanged: the text stays as the user wrote it (3.0 stays 3.0)
        }
        if (p.where.line < 1 || static_cast<std::size_t>(p.where.line) > lines.size()) {
            continue;
        }
        std::string& line = lines[static_cast<std::size_t>(p.where.line) - 1];
        const std::size_t equals = line.find('=', byteOffset(line, p.where.column));
        if (equals == std::string::npos) {
            continue;
        }
        const std::size_t end = valueEnd(line, equals + 1);
        std::string value = " "; // (not " " + text: g++ 12 warns falsely on that, -Wrestrict)
        value += shortestText(values[k]);
        line.replace(equals + 1, end - equals - 1, value);
    }
    // Networks: replace each `weights NAME = [...]` line, or add one after the `nn` line. Insert
    // from the bottom up so that earlier line numbers stay valid.
    for (auto net = model.networks.rbegin(); net != model.networks.rend(); ++net) {
        std::string line = "weights " + net->name + " = [";
        for (int w = 0; w < net->weightCount; ++w) {
            const std::size_t k = static_cast<std::size_t>(net->firstParam + w);
            if (w > 0) {
                line += ", ";
            }
            line += shortestText(k < values.size() ? values[k] : 0.0);
        }
        line += "]";
        bool replaced = false;
        for (std::string& existing : lines) {
            const std::size_t indent = existing.find_first_not_of(" \t");
            if (indent != std::string::npos && existing.compare(indent, 8, "weights ") == 0) {
                const std::size_t nameStart = existing.find_first_not_of(" \t", indent + 8);
                if (nameStart != std::string::npos
                    && existing.compare(nameStart, net->name.size(), net->name) == 0
                    && existing.find('=', nameStart) != std::string::npos) {
                    existing = line;
                    replaced = true;
                    break;
                }
            }
        }
        if (!replaced && net->where.line >= 1
            && static_cast<std::size_t>(net->where.line) <= lines.size()) {
            lines.insert(lines.begin() + net->where.line, line);
        }
    }
    return joinLines(lines);
}

} // namespace dynfit::model
