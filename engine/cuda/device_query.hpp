// SPDX-License-Identifier: MIT
// Which GPUs this process can use, asked without ever failing.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace dynfit::device {

struct GpuInfo {
    int index = 0;
    std::string name;
    std::size_t memoryBytes = 0;
    int computeMajor = 0;
    int computeMinor = 0;
};

/// The outcome of asking the CUDA runtime. With no CUDA build, no driver or no device, `gpus` is
/// empty and `reason` says why in one line (never an exception, never a crash).
struct DeviceReport {
    bool cudaCompiled = false;
    std::vector<GpuInfo> gpus;
    std::string reason;

    bool hasGpu() const { return !gpus.empty(); }
};

DeviceReport queryDevices();

/// Runs a tiny kernel (y = a·x + y on a few elements) and checks the result; false with a reason
/// when there is no GPU. Proves the CUDA toolchain and runtime work end to end.
bool runSelfTest(std::string& reason);

} // namespace dynfit::device
