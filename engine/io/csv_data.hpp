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

/// How a CSV text is laid out. detectCsvFormat() guesses it; an import dialog lets the user
/// correct the guess.
struct CsvFormat {
    char delimiter = ','; ///< ',' ';' or '\t'
    char decimal = '.';   ///< '.' or ',' (with ';' or tab delimiters, as many locales write)
    bool header = true;   ///< false: columns are named t, c2, c3, ...
    int timeColumn = -1;  ///< 0-based; −1: the column named t or time, else the first
};

/// The delimiter from the first non-empty row, the decimal mark from the data rows, and whether
/// that first row is a header (it is unless every field is a number).
CsvFormat detectCsvFormat(std::string_view text);

/// Reads CSV text laid out as `format`, with the same checks and located errors as below.
bool readCsv(std::string_view text,
             const CsvFormat& format,
             DataSet& data,
             std::vector<DataError>& errors);

/// The raw fields of the first `maxRows` non-empty rows (header included), for a preview.
std::vector<std::vector<std::string>>
previewCsv(std::string_view text, const CsvFormat& format, int maxRows);

/// The data as canonical CSV: "t" first, ',' and '.', 17 significant digits, empty cells where
/// not observed (what a project embeds).
std::string writeCsv(const DataSet& data);

/// Reads CSV text with a header row. The delimiter is ',' ';' or a tab (whichever the header
/// uses); the time column is `t` or `time` (any case), else the first; an empty cell (or NA,
/// NaN) is "not observed". Rejects ragged rows, non-numbers, infinities, duplicate or empty
/// headers, decreasing times: every problem is reported with its row and column. Returns
/// false if there was any.
bool readCsv(std::string_view text, DataSet& data, std::vector<DataError>& errors);

/// "file:row:column: message" for each error, one per line.
std::string formatDataErrors(const std::vector<DataError>& errors, std::string_view fileName);

} // namespace dynfit::io
