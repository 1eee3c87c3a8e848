// SPDX-License-Identifier: MIT
// Numbers as text.
#include "core/number_text.hpp"

#include <charconv>
#include <system_error>

namespace dynfit {

std::string shortestText(double value) {
    char buffer[32]; // the longest shortest form is 24 characters (-2.2250738585072014e-308)
    const auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
    if (error != std::errc()) {
        return "nan";
    }
    std::string text(buffer, end);
    // 3e+07 → 3e7, 1e-07 → 1e-7: as people write them, and they read back the same.
    if (const auto e = text.find('e'); e != std::string::npos) {
        std::size_t digits = e + 1;
        if (text[digits] == '+') {
            text.erase(digits, 1);
        } else if (text[digits] == '-') {
            ++digits;
        }
        while (digits + 1 < text.size() && text[digits] == '0') {
            text.erase(digits, 1);
        }
    }
    return text;
}

} // namespace dynfit
