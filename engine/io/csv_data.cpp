// SPDX-License-Identifier: MIT
// Time-series data from CSV text.
#include "io/csv_data.hpp"

#include "core/number_text.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace dynfit::io {

namespace {

std::string trim(std::string_view s) {
    std::size_t b = 0, e = s.size();
    while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) {
        ++b;
    }
    while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) {
        --e;
    }
    std::string out(s.substr(b, e - b));
    if (out.size() >= 2 && out.front() == '"' && out.back() == '"') {
        out = out.substr(1, out.size() - 2);
    }
    return out;
}

std::vector<std::string> splitFields(std::string_view line, char delimiter) {
    std::vector<std::string> fields;
    std::size_t start = 0;
    while (true) {
        const std::size_t end = line.find(delimiter, start);
        fields.push_back(trim(
            line.substr(start, end == std::string_view::npos ? line.size() - start : end - start)));
        if (end == std::string_view::npos) {
            return fields;
        }
        start = end + 1;
    }
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

char detectDelimiter(std::string_view header) {
    char best = ',';
    long bestCount = -1;
    for (char c : {',', ';', '\t'}) {
        const long n = std::count(header.begin(), header.end(), c);
        if (n > bestCount) {
            best = c;
            bestCount = n;
        }
    }
    return best;
}

// A cell's value: NaN when missing; false when it is not a finite number.
bool parseCell(std::string cell, double& value, std::string& why, char decimal = '.') {
    const std::string l = lower(cell);
    if (cell.empty() || l == "na" || l == "nan") {
        value = std::numeric_limits<double>::quiet_NaN();
        return true;
    }
    if (decimal == ',') {
        if (cell.find('.') != std::string::npos) {
            why = "'" + cell + "' has a '.', but the decimal mark is ','";
            return false;
        }
        std::replace(cell.begin(), cell.end(), ',', '.');
    }
    char* end = nullptr;
    value = std::strtod(cell.c_str(), &end);
    if (end != cell.c_str() + cell.size()) {
        why = "'" + cell + "' is not a number";
        return false;
    }
    if (!std::isfinite(value)) {
        why = "'" + cell + "' is not finite (leave the cell empty for a missing value)";
        return false;
    }
    return true;
}

std::vector<std::string_view> splitLines(std::string_view text) {
    std::vector<std::string_view> lines;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        std::string_view line = text.substr(start, end - start);
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        lines.push_back(line);
        if (end == text.size()) {
            break;
        }
        start = end + 1;
    }
    return lines;
}

} // namespace

bool readCsv(std::string_view text,
             const CsvFormat& format,
             DataSet& data,
             std::vector<DataError>& errors) {
    data = DataSet{};
    if (text.substr(0, 3) == "\xEF\xBB\xBF") {
        text.remove_prefix(3);
    }
    if (text.size() >= 2
        && (static_cast<unsigned char>(text[0]) == 0xFF
            || static_cast<unsigned char>(text[0]) == 0xFE)) {
        errors.push_back({1, 0, "the file is UTF-16; save it as UTF-8"});
        return false;
    }
    const auto lines = splitLines(text);
    std::size_t headerLine = 0;
    while (headerLine < lines.size() && trim(lines[headerLine]).empty()) {
        ++headerLine;
    }
    if (headerLine == lines.size()) {
        errors.push_back({1, 0, "the file is empty: expected a header row such as t,x,y"});
        return false;
    }
    const char delimiter = format.delimiter;
    auto header = splitFields(lines[headerLine], delimiter);
    const int row0 = static_cast<int>(headerLine) + 1;
    if (!format.header) {
        for (std::size_t c = 0; c < header.size(); ++c) {
            header[c] = c == 0 ? "t" : "c";
            if (c > 0) {
                header[c] += std::to_string(c + 1);
            }
        }
        --headerLine; // the first row is data (wraps to npos; the loop below adds 1)
    }
    std::size_t timeIndex = 0;
    if (format.timeColumn >= 0 && static_cast<std::size_t>(format.timeColumn) < header.size()) {
        timeIndex = static_cast<std::size_t>(format.timeColumn);
    } else {
        for (std::size_t c = 0; c < header.size(); ++c) {
            const std::string l = lower(header[c]);
            if (l == "t" || l == "time") {
                timeIndex = c;
                break;
            }
        }
    }
    for (std::size_t c = 0; c < header.size(); ++c) {
        if (header[c].empty()) {
            errors.push_back({row0, static_cast<int>(c) + 1, "empty column name"});
        }
        for (std::size_t d = 0; d < c; ++d) {
            if (header[d] == header[c] && !header[c].empty()) {
                errors.push_back({row0, static_cast<int>(c) + 1,
                                  "duplicate column '" + header[c] + "' (also column "
                                      + std::to_string(d + 1) + ")"});
            }
        }
    }
    if (header.size() < 2) {
        errors.push_back({row0, 0, "expected a time column and at least one observed column"});
    }
    data.timeColumn = header[timeIndex];
    for (std::size_t c = 0; c < header.size(); ++c) {
        if (c != timeIndex) {
            data.columns.push_back(header[c]);
        }
    }
    data.values.assign(data.columns.size(), {});
    for (std::size_t l = headerLine + 1; l < lines.size(); ++l) {
        const int row = static_cast<int>(l) + 1;
        if (trim(lines[l]).empty()) {
            continue;
        }
        const auto fields = splitFields(lines[l], delimiter);
        if (fields.size() != header.size()) {
            errors.push_back({row, 0,
                              "expected " + std::to_string(header.size())
                                  + " fields like the header, found "
                                  + std::to_string(fields.size())});
            continue;
        }
        double t = 0.0;
        std::string why;
        if (!parseCell(fields[timeIndex], t, why, format.decimal) || std::isnan(t)) {
            errors.push_back({row, static_cast<int>(timeIndex) + 1,
                              why.empty() ? "the time is missing" : "time " + why});
            continue;
        }
        if (!data.times.empty() && t < data.times.back()) {
            errors.push_back(
                {row, static_cast<int>(timeIndex) + 1,
                 "times must not decrease (this row's time is before the previous one)"});
        }
        data.times.push_back(t);
        std::size_t k = 0;
        for (std::size_t c = 0; c < fields.size(); ++c) {
            if (c == timeIndex) {
                continue;
            }
            double v = 0.0;
            if (!parseCell(fields[c], v, why, format.decimal)) {
                errors.push_back({row, static_cast<int>(c) + 1, why});
            }
            data.values[k++].push_back(v);
        }
    }
    if (errors.empty() && data.times.empty()) {
        errors.push_back({row0, 0, "no data rows after the header"});
    }
    return errors.empty();
}

std::string formatDataErrors(const std::vector<DataError>& errors, std::string_view fileName) {
    std::string out;
    for (const DataError& e : errors) {
        out.append(fileName).append(1, ':').append(std::to_string(e.row));
        if (e.column > 0) {
            out.append(1, ':').append(std::to_string(e.column));
        }
        out.append(": error: ").append(e.message).append(1, '\n');
    }
    return out;
}

bool readCsv(std::string_view text, DataSet& data, std::vector<DataError>& errors) {
    return readCsv(text, detectCsvFormat(text), data, errors);
}

CsvFormat detectCsvFormat(std::string_view text) {
    CsvFormat format;
    if (text.substr(0, 3) == "\xEF\xBB\xBF") {
        text.remove_prefix(3);
    }
    std::vector<std::string_view> rows;
    for (const auto line : splitLines(text)) {
        if (!trim(line).empty()) {
            rows.push_back(line);
        }
        if (rows.size() >= 20) {
            break;
        }
    }
    if (rows.empty()) {
        return format;
    }
    format.delimiter = detectDelimiter(rows.front());
    // A comma between digits in the data, with another delimiter: a decimal comma.
    if (format.delimiter != ',') {
        for (std::size_t r = 1; r < rows.size(); ++r) {
            for (std::size_t i = 1; i + 1 < rows[r].size(); ++i) {
                if (rows[r][i] == ',' && std::isdigit(static_cast<unsigned char>(rows[r][i - 1]))
                    && std::isdigit(static_cast<unsigned char>(rows[r][i + 1]))) {
                    format.decimal = ',';
                }
            }
        }
    }
    bool allNumbers = true;
    for (const std::string& field : splitFields(rows.front(), format.delimiter)) {
        double value = 0.0;
        std::string why;
        allNumbers &= !field.empty() && parseCell(field, value, why, format.decimal);
    }
    format.header = !allNumbers;
    return format;
}

std::vector<std::vector<std::string>>
previewCsv(std::string_view text, const CsvFormat& format, int maxRows) {
    std::vector<std::vector<std::string>> rows;
    if (text.substr(0, 3) == "\xEF\xBB\xBF") {
        text.remove_prefix(3);
    }
    for (const auto line : splitLines(text)) {
        if (static_cast<int>(rows.size()) >= maxRows) {
            break;
        }
        if (!trim(line).empty()) {
            rows.push_back(splitFields(line, format.delimiter));
        }
    }
    return rows;
}

std::string writeCsv(const DataSet& data) {
    std::string out = "t";
    for (const auto& column : data.columns) {
        out += "," + column;
    }
    out += "\n";
    for (std::size_t k = 0; k < data.times.size(); ++k) {
        out += shortestText(data.times[k]);
        for (const auto& values : data.values) {
            out += ",";
            if (!std::isnan(values[k])) {
                out += shortestText(values[k]);
            }
        }
        out += "\n";
    }
    return out;
}

} // namespace dynfit::io
