// SPDX-License-Identifier: MIT
// One iteration's loss, as the fit's worker reports it and the loss plot draws it.
#pragma once

namespace dynfit::ui {

struct LossPoint {
    int iteration = 0;
    double loss = 0.0;
    double gradientNorm = 0.0;
    double seconds = 0.0;
};

} // namespace dynfit::ui
