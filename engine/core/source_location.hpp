// SPDX-License-Identifier: MIT
// Where something is in a text: file, line and column (1-based, columns in code points).
#pragma once

#include <string>

namespace dynfit {

struct SourceLocation {
    int line = 0;   ///< 1-based; 0 = unknown
    int column = 0; ///< 1-based, counted in Unicode code points
};

} // namespace dynfit
