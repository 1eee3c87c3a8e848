// SPDX-License-Identifier: MIT
// Time-series data from CSV text: a time column and observed columns, with located errors.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace dynfit::io {

/// One table of observations. values[c][k] is column c at times[k]; NaN means "not observed".
struct DataSet {
    std::string timeColumn;
    std::vector<std::string> columns; ///< observed columns, in file order (time excluded)
    std::vector<double> times;        ///< non-decreasing
    std::vector<std::vector<double>> values;
};

/// A problem with the input, at a line of the file (1-based) and a field (1-based; 0 = the row).
struct DataError {
    int row = 0;
    int column = 0;
    std::string message;
};

/// Reads CSV text with a header row. The delimiter is ',' ';' or a tab (whichever the header
/// uses); the time column is `t` or `time` (any case), else the first; an empty cell (or NA,
/// NaN) is "not observed". Rejects ragged rows, non-numbers, infinities, duplicate or empty
/// headers, decreasing times: every problem is reported with its row and column. Returns
/// false if there was any.
bool readCsv(std::string_view text, DataSet& data, std::vector<DataError>& errors);

/// "file:row:column: message" for each error, one per line.
std::string formatDataErrors(const std::vector<DataError>& errors, std::string_view fileName);

} // namespace dynfit::io
