// SPDX-License-Identifier: MIT
// Names, advice and message formatting for SolveStatus.
#include "core/status.hpp"

#include <cstdio>

namespace dynfit {

std::string_view statusName(SolveStatus status) {
    switch (status) {
#define DYNFIT_NAME_CASE(id, name, advice)                                                         \
    case SolveStatus::id:                                                                          \
        return name;
        DYNFIT_SOLVE_STATUSES(DYNFIT_NAME_CASE)
#undef DYNFIT_NAME_CASE
    }
    return "Unknown";
}

std::string_view describe(SolveStatus status) {
    switch (status) {
#define DYNFIT_ADVICE_CASE(id, name, advice)                                                       \
    case SolveStatus::id:                                                                          \
        return advice;
        DYNFIT_SOLVE_STATUSES(DYNFIT_ADVICE_CASE)
#undef DYNFIT_ADVICE_CASE
    }
    return "";
}

std::string failureMessage(SolveStatus status, double t, double dt, std::string_view detail) {
    char where[96];
    std::snprintf(where, sizeof where, " at t = %.10g (dt = %.3g)", t, dt);
    std::string message(statusName(status));
    message += where;
    if (!detail.empty()) {
        message += ": ";
        message += detail;
    }
    const std::string_view advice = describe(status);
    if (!advice.empty()) {
        message += "; ";
        message += advice;
    }
    return message;
}

} // namespace dynfit
