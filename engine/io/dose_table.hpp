// SPDX-License-Identifier: MIT
// An experiment's dose table: which amount goes into which state at which time, read from CSV
// like the observations (every problem located by row and column).
#pragma once

#include "io/csv_data.hpp"
#include "problem/events.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace dynfit::io {

struct DoseRow {
    double t = 0.0;
    std::string target; ///< a state's name
    double amount = 0.0;
    int row = 0; ///< of the file (1-based), for errors found later
};

/// Reads a dose table: a header naming a time column (t or time), a target column (state,
/// target, cmt or compartment) and an amount column (amount, dose or amt), any case, in any
/// order, delimited by ',' ';' or a tab; rows in any time order. Rejects a missing column, a
/// non-number or infinite time or amount, an empty target, ragged rows; returns false if any.
bool readDoseTable(std::string_view text,
                   std::vector<DoseRow>& doses,
                   std::vector<DataError>& errors);

/// The doses for a model with these states, in time order (stable); an unknown target is an
/// error at its row.
bool resolveDoses(const std::vector<DoseRow>& rows,
                  const std::vector<std::string>& states,
                  std::vector<ode::Bolus>& doses,
                  std::vector<DataError>& errors);

} // namespace dynfit::io
