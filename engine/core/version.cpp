// SPDX-License-Identifier: MIT
// The engine's version string.
#include "core/version.hpp"

namespace dynfit {

const char* versionString() {
    return DYNFIT_VERSION;
}

} // namespace dynfit
