// SPDX-License-Identifier: MIT
// Numbers as text: the shortest form that reads back to the same double.
#pragma once

#include <string>

namespace dynfit {

/// The shortest decimal text that parses back to exactly `value` (std::to_chars' shortest
/// round-trip form): 0.025 for 0.025, not 0.025000000000000001. Use it wherever a number goes
/// into text a user reads or a program reads back (model texts, CSV, exported parameters).
/// Exponents are written as people write them: 3e7, 1e-7.
/// Non-finite values give "inf", "-inf" and "nan".
std::string shortestText(double value);

} // namespace dynfit
