// SPDX-License-Identifier: MIT
// Expressions of a model's states, params, lets and t, compiled in the model's scope: what a plot
// can show beyond the states (a total, a ratio, a let the equations use).
#pragma once

#include "model/diagnostic.hpp"
#include "model/program.hpp"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace dynfit::model {

/// Compiled expressions, evaluated on a solution's saved states.
struct Observables {
    std::vector<std::string> expressions; ///< as written, one per output
    Program program;                      ///< (u, p, t) → one output per expression

    /// values[k][j]: expression k at time t[j], from the states' columns (columns[i][j]: state i
    /// at t[j]) and the params. A NaN state gives NaN.
    std::vector<std::vector<double>> evaluate(const std::vector<double>& t,
                                              const std::vector<std::vector<double>>& columns,
                                              const std::vector<double>& params) const;
};

/// Compiles `expressions` (one per line of the text; blank lines and comments ignored) in the
/// scope of the model text `modelText`, which must compile. Errors are located by line and
/// column in `expressions`; on any error the result is null.
std::shared_ptr<const Observables> compileObservables(std::string_view modelText,
                                                      std::string_view expressions,
                                                      Diagnostics& diagnostics);

} // namespace dynfit::model
