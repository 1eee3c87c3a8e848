// SPDX-License-Identifier: MIT
// The engine's version string.
#pragma once

namespace dynfit {

/// "MAJOR.MINOR.PATCH" of this build.
const char* versionString();

} // namespace dynfit
