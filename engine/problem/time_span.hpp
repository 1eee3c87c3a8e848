// SPDX-License-Identifier: MIT
// Where an integration starts and ends.
#pragma once

namespace dynfit::ode {

/// Start and end of the integration; t1 < t0 integrates backwards in time.
struct TimeSpan {
    double t0 = 0.0;
    double t1 = 1.0;
};

} // namespace dynfit::ode
