// SPDX-License-Identifier: MIT
// Animated GIFs of a fit (giflib): each frame quantised to its own 256-colour palette.
#pragma once

#include <QImage>
#include <QString>
#include <vector>

namespace dynfit::ui {

/// Writes `frames` (all the size of the first) as a looping animation, `delay` hundredths of a
/// second apart (the last frame held 2 s). False with the reason on failure.
bool writeAnimatedGif(const QString& path,
                      const std::vector<QImage>& frames,
                      int delay,
                      QString* error = nullptr);

} // namespace dynfit::ui
