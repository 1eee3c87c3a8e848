// SPDX-License-Identifier: MIT
// The device query of a CUDA build: any runtime error means "no GPU", reported with its reason.
#include "cuda/device_query.hpp"

#include <cmath>
#include <cuda_runtime.h>
#include <string>

namespace dynfit::device {

namespace {

std::string describeError(const char* what, cudaError_t err) {
    return std::string(what) + ": " + cudaGetErrorString(err);
}

__global__ void axpyKernel(int n, float a, const float* x, float* y) {
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        y[i] = a * x[i] + y[i];
    }
}

} // namespace

DeviceReport queryDevices() {
    DeviceReport report;
    report.cudaCompiled = true;
    int count =
        0; // left unwritten by the runtime on failure (e.g. "driver version is insufficient")
    const cudaError_t err = cudaGetDeviceCount(&count);
    if (err != cudaSuccess) {
        report.reason = describeError("no GPU (cudaGetDeviceCount)", err);
        return report;
    }
    if (count == 0) {
        report.reason = "no GPU: the CUDA runtime found no device";
        return report;
    }
    for (int i = 0; i < count; ++i) {
        cudaDeviceProp prop{};
        if (cudaGetDeviceProperties(&prop, i) != cudaSuccess) {
            continue;
        }
        report.gpus.push_back({i, prop.name, prop.totalGlobalMem, prop.major, prop.minor});
    }
    if (report.gpus.empty()) {
        report.reason = "no GPU: no device answered a properties query";
    }
    return report;
}

bool runSelfTest(std::string& reason) {
    const DeviceReport report = queryDevices();
    if (!report.hasGpu()) {
        reason = report.reason;
        return false;
    }
    constexpr int n = 256;
    float hx[n], hy[n];
    for (int i = 0; i < n; ++i) {
        hx[i] = static_cast<float>(i);
        hy[i] = 1.0f;
    }
    float* dx = nullptr;
    float* dy = nullptr;
    cudaError_t err = cudaMalloc(&dx, n * sizeof(float));
    if (err == cudaSuccess) {
        err = cudaMalloc(&dy, n * sizeof(float));
    }
    if (err == cudaSuccess) {
        cudaMemcpy(dx, hx, n * sizeof(float), cudaMemcpyHostToDevice);
        cudaMemcpy(dy, hy, n * sizeof(float), cudaMemcpyHostToDevice);
        axpyKernel<<<(n + 127) / 128, 128>>>(n, 2.0f, dx, dy);
        err = cudaGetLastError();
    }
    if (err == cudaSuccess) {
        err = cudaMemcpy(hy, dy, n * sizeof(float), cudaMemcpyDeviceToHost);
    }
    cudaFree(dx);
    cudaFree(dy);
    if (err != cudaSuccess) {
        reason = describeError("CUDA self-test failed", err);
        return false;
    }
    for (int i = 0; i < n; ++i) {
        if (std::abs(hy[i] - (2.0f * i + 1.0f)) > 1e-5f) {
            reason = "CUDA self-test computed a wrong result at element " + std::to_string(i);
            return false;
        }
    }
    reason.clear();
    return true;
}

} // namespace dynfit::device
