// SPDX-License-Identifier: MIT
// The device query of a build without CUDA: there is never a GPU.
#include "cuda/device_query.hpp"

namespace dynfit::device {

DeviceReport queryDevices() {
    DeviceReport report;
    report.reason =
        "no GPU: this build has no CUDA support (configure with DYNFIT_ENABLE_CUDA=ON and nvcc)";
    return report;
}

bool runSelfTest(std::string& reason) {
    reason = queryDevices().reason;
    return false;
}

} // namespace dynfit::device
