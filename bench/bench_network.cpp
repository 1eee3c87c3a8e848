// SPDX-License-Identifier: MIT
// One network evaluation with its VJP (what a reverse-mode step does per stage): the dense
// kernels in double and float, batched and not, against the same network written out scalar by
// scalar in native code; and a large matrix product as the ceiling of one core.
#include "model/model_system.hpp"
#include "nn/dense_network.hpp"

#include <benchmark/benchmark.h>
#include <random>

using namespace dynfit;

namespace {

const nn::DenseNetwork& spiralNetwork() {
    static const nn::DenseNetwork net({{2, 50, nn::Activation::Tanh}, {50, 2}});
    return net;
}

template<class S>
Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic> random(int rows, int cols) {
    std::mt19937 rng(42);
    std::uniform_real_distribution<double> u(-0.5, 0.5);
    Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic> m(rows, cols);
    for (Eigen::Index k = 0; k < m.size(); ++k) {
        m.data()[k] = static_cast<S>(u(rng));
    }
    return m;
}

// Forward and VJP (inputs and weights) of the spiral's network on `batch` columns.
template<class S>
void BM_KernelForwardVjp(benchmark::State& state) {
    const auto& net = spiralNetwork();
    const int batch = static_cast<int>(state.range(0));
    const auto w = random<S>(net.weightCount(), 1);
    const auto x = random<S>(2, batch);
    const auto yBar = random<S>(2, batch);
    Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic> y(2, batch), xBar(2, batch);
    Eigen::Matrix<S, Eigen::Dynamic, 1> wBar =
        Eigen::Matrix<S, Eigen::Dynamic, 1>::Zero(net.weightCount());
    nn::Workspace<S> ws;
    ws.resize(net, batch);
    for (auto _ : state) {
        nn::forward(net, w.data(), x, ws, y);
        nn::vjp(net, w.data(), x, yBar, ws, xBar, wBar.data());
        benchmark::DoNotOptimize(wBar.data());
    }
    const double flops = static_cast<double>(net.forwardFlops() + net.vjpFlops()) * batch;
    state.counters["FLOP"] =
        benchmark::Counter(flops, benchmark::Counter::kIsIterationInvariantRate);
    state.counters["samples"] = benchmark::Counter(static_cast<double>(batch),
                                                   benchmark::Counter::kIsIterationInvariantRate);
}

const char* kSpiralModel = "nn U = dense(2, 50, tanh) >> dense(50, 2)\ninit x = 2\ninit y = 0\n"
                           "d(x)/dt = U(x^3, y^3)[1]\nd(y)/dt = U(x^3, y^3)[2]\n";

// f, then wᵀ∂f/∂u and wᵀ∂f/∂p, as the solvers call them (the inputs are x^3, y^3 here: a few
// more FLOPs than the kernel's). staged: the networks as dense kernels between two small
// programs; else written out scalar by scalar in the DAG and compiled natively.
void modelForwardVjp(benchmark::State& state, bool staged) {
    model::Diagnostics d;
    const auto m = model::compileModel(kSpiralModel, d, {},
                                       {.native = true, .seed = 1, .stageNetworks = staged});
    if (!m || (!staged && !m->native)) {
        state.SkipWithError("no native code (no C++ compiler?)");
        return;
    }
    model::ModelSystem f(*m);
    const auto p = m->defaultParams();
    const double u[2] = {0.3, -0.2}, w[2] = {0.7, 0.1};
    double out[2], gu[2];
    std::vector<double> gp(p.size());
    for (auto _ : state) {
        f.rhs(u, p.data(), 0.0, out);
        f.vjp(u, p.data(), w, 0.0, gu, gp.data());
        benchmark::DoNotOptimize(gp.data());
    }
    const auto& net = spiralNetwork();
    state.counters["FLOP"] =
        benchmark::Counter(static_cast<double>(2 * net.forwardFlops() + net.vjpFlops()),
                           benchmark::Counter::kIsIterationInvariantRate);
}

void BM_StagedModel(benchmark::State& state) {
    modelForwardVjp(state, true);
}

void BM_WrittenOutNative(benchmark::State& state) {
    modelForwardVjp(state, false);
}

// A 256 × 256 matrix product: about what one core sustains on dense arithmetic.
template<class S>
void BM_GemmCeiling(benchmark::State& state) {
    const int n = 256;
    const auto a = random<S>(n, n), b = random<S>(n, n);
    Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic> c(n, n);
    for (auto _ : state) {
        c.noalias() = a * b;
        benchmark::DoNotOptimize(c.data());
    }
    state.counters["FLOP"] =
        benchmark::Counter(2.0 * n * n * n, benchmark::Counter::kIsIterationInvariantRate);
}

} // namespace

BENCHMARK(BM_KernelForwardVjp<double>)->Arg(1)->Arg(32);
BENCHMARK(BM_KernelForwardVjp<float>)->Arg(1)->Arg(32);
BENCHMARK(BM_StagedModel);
BENCHMARK(BM_WrittenOutNative);
BENCHMARK(BM_GemmCeiling<double>)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_GemmCeiling<float>)->Unit(benchmark::kMicrosecond);
BENCHMARK_MAIN();
