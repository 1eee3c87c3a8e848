// SPDX-License-Identifier: MIT
// Reading and resolving dose tables.
#include "io/dose_table.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>

namespace dynfit::io {

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) {
        s.remove_prefix(1);
    }
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
        s.remove_suffix(1);
    }
    return s;
}

std::vector<std::string_view> split(std::string_view line, char delimiter) {
    std::vector<std::string_view> fields;
    std::size_t start = 0;
    for (;;) {
        const std::size_t end = line.find(delimiter, start);
        fields.push_back(trim(line.substr(start, end - start)));
        if (end == std::string_view::npos) {
            return fields;
        }
        start = end + 1;
    }
}

bool number(std::string_view field, double& value) {
    const std::string text(field);
    char* end = nullptr;
    value = std::strtod(text.c_str(), &end);
    return !text.empty() && end == text.c_str() + text.size() && std::isfinite(value);
}

// The column whose header is one of `names`, or −1.
int columnOf(const std::vector<std::string_view>& header,
             std::initializer_list<std::string_view> names) {
    for (std::size_t c = 0; c < header.size(); ++c) {
        if (std::find(names.begin(), names.end(), lower(header[c])) != names.end()) {
            return static_cast<int>(c);
        }
    }
    return -1;
}

} // namespace

bool readDoseTable(std::string_view text,
                   std::vector<DoseRow>& doses,
                   std::vector<DataError>& errors) {
    doses.clear();
    errors.clear();
    std::vector<std::pair<int, std::string_view>> lines;
    int lineNumber = 0;
    for (std::size_t start = 0; start < text.size();) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        ++lineNumber;
        std::string_view line = text.substr(start, end - start);
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        if (!trim(line).empty()) {
            lines.emplace_back(lineNumber, line);
        }
        start = end + 1;
    }
    if (lines.empty()) {
        errors.push_back({1, 0, "the dose table is empty (it needs a header: t, state, amount)"});
        return false;
    }
    const std::string_view head = lines.front().second;
    const char delimiter = head.find(';') != std::string_view::npos    ? ';'
                           : head.find('\t') != std::string_view::npos ? '\t'
                                                                       : ',';
    const auto header = split(head, delimiter);
    const int timeColumn = columnOf(header, {"t", "time"});
    const int targetColumn = columnOf(header, {"state", "target", "cmt", "compartment"});
    const int amountColumn = columnOf(header, {"amount", "dose", "amt"});
    const int headerRow = lines.front().first;
    if (timeColumn < 0) {
        errors.push_back({headerRow, 0, "no time column (name one t or time)"});
    }
    if (targetColumn < 0) {
        errors.push_back({headerRow, 0, "no target column (name one state, target or cmt)"});
    }
    if (amountColumn < 0) {
        errors.push_back({headerRow, 0, "no amount column (name one amount, dose or amt)"});
    }
    if (!errors.empty()) {
        return false;
    }
    for (std::size_t k = 1; k < lines.size(); ++k) {
        const auto [row, line] = lines[k];
        const auto fields = split(line, delimiter);
        if (fields.size() != header.size()) {
            errors.push_back({row, 0,
                              "has " + std::to_string(fields.size()) + " fields; the header has "
                                  + std::to_string(header.size())});
            continue;
        }
        DoseRow dose;
        dose.row = row;
        dose.target = std::string(fields[static_cast<std::size_t>(targetColumn)]);
        if (!number(fields[static_cast<std::size_t>(timeColumn)], dose.t)) {
            errors.push_back({row, timeColumn + 1, "the time is not a finite number"});
        }
        if (!number(fields[static_cast<std::size_t>(amountColumn)], dose.amount)) {
            errors.push_back({row, amountColumn + 1, "the amount is not a finite number"});
        }
        if (dose.target.empty()) {
            errors.push_back({row, targetColumn + 1, "no target state"});
        }
        doses.push_back(std::move(dose));
    }
    return errors.empty();
}

bool resolveDoses(const std::vector<DoseRow>& rows,
                  const std::vector<std::string>& states,
                  std::vector<ode::Bolus>& doses,
                  std::vector<DataError>& errors) {
    doses.clear();
    errors.clear();
    for (const DoseRow& row : rows) {
        const auto it = std::find(states.begin(), states.end(), row.target);
        if (it == states.end()) {
            errors.push_back({row.row, 0, "'" + row.target + "' is not a state of the model"});
            continue;
        }
        doses.push_back({row.t, static_cast<int>(it - states.begin()), row.amount});
    }
    std::stable_sort(doses.begin(), doses.end(),
                     [](const ode::Bolus& a, const ode::Bolus& b) { return a.t < b.t; });
    return errors.empty();
}

} // namespace dynfit::io
