// SPDX-License-Identifier: MIT
// The compiled model language against hand-written C++: one right-hand-side evaluation for
// Lotka–Volterra, ROBER and a 20-state linear chain, and a whole Lotka–Volterra solve.
#include "examples/lotka_volterra.hpp"
#include "model/model_rhs.hpp"
#include "solvers/solve.hpp"

#include <benchmark/benchmark.h>
#include <string>

using namespace dynfit;

namespace {

std::shared_ptr<const model::CompiledModel> compile(const std::string& text, bool native = false) {
    model::Diagnostics d;
    auto m = model::compileModel(text, d, {}, {.native = native});
    if (!m) {
        std::fprintf(stderr, "%s", model::formatDiagnostics(d, "bench", text).c_str());
        std::abort();
    }
    return m;
}

const char* kLotkaVolterra = "param α = 1.5\nparam β = 1\nparam γ = 3\nparam δ = 1\ninit x = 1\n"
                             "init y = 1\nd(x)/dt = α*x - β*x*y\nd(y)/dt = -γ*y + δ*x*y\n";
const char* kRober = "param k1 = 0.04\nparam k2 = 3e7\nparam k3 = 1e4\ninit y1 = 1\ninit y2 = 0\n"
                     "init y3 = 0\nd(y1)/dt = -k1*y1 + k3*y2*y3\n"
                     "d(y2)/dt = k1*y1 - k2*y2^2 - k3*y2*y3\nd(y3)/dt = k2*y2^2\n";

// x1' = −k1 x1, x_i' = k_{i−1} x_{i−1} − k_i x_i: a linear chain of 20 compartments.
std::string chainModel(int n) {
    std::string text;
    for (int i = 1; i <= n; ++i) {
        text += "param k" + std::to_string(i) + " = " + std::to_string(0.5 + 0.01 * i) + "\n";
    }
    text += "init x1 = 1\nd(x1)/dt = -k1*x1\n";
    for (int i = 2; i <= n; ++i) {
        const std::string s = std::to_string(i), r = std::to_string(i - 1);
        text += "d(x" + s + ")/dt = k" + r + "*x" + r + " - k" + s + "*x" + s + "\n";
    }
    return text;
}

void handLotkaVolterra(const double* u, const double* p, double* du) {
    du[0] = p[0] * u[0] - p[1] * u[0] * u[1];
    du[1] = -p[2] * u[1] + p[3] * u[0] * u[1];
}
void handRober(const double* y, const double* k, double* dy) {
    dy[0] = -k[0] * y[0] + k[2] * y[1] * y[2];
    dy[1] = k[0] * y[0] - k[1] * y[1] * y[1] - k[2] * y[1] * y[2];
    dy[2] = k[1] * y[1] * y[1];
}
void handChain(const double* x, const double* k, double* dx) {
    dx[0] = -k[0] * x[0];
    for (int i = 1; i < 20; ++i) {
        dx[i] = k[i - 1] * x[i - 1] - k[i] * x[i];
    }
}

template<class Fn>
void handLoop(benchmark::State& state, Fn fn, int n, int np) {
    std::vector<double> u(static_cast<std::size_t>(n), 0.5), p(static_cast<std::size_t>(np), 0.7),
        du(static_cast<std::size_t>(n));
    for (auto _ : state) {
        benchmark::DoNotOptimize(u.data());
        fn(u.data(), p.data(), du.data());
        benchmark::DoNotOptimize(du.data());
        benchmark::ClobberMemory();
    }
}

void compiledLoop(benchmark::State& state, const std::string& text) {
    const auto m = compile(text);
    model::ProgramEvaluator<double> eval(m->rhs);
    std::vector<double> u(static_cast<std::size_t>(m->stateCount()), 0.5),
        p(static_cast<std::size_t>(m->paramCount()), 0.7), du(u.size());
    for (auto _ : state) {
        benchmark::DoNotOptimize(u.data());
        eval(u.data(), p.data(), nullptr, 0.0, du.data());
        benchmark::DoNotOptimize(du.data());
        benchmark::ClobberMemory();
    }
    state.counters["instructions"] = static_cast<double>(m->rhs.instructionCount());
}

void nativeLoop(benchmark::State& state, const std::string& text) {
    const auto m = compile(text, true);
    if (!m->native) {
        state.SkipWithError("no C++ compiler for native code");
        return;
    }
    std::vector<double> u(static_cast<std::size_t>(m->stateCount()), 0.5),
        p(static_cast<std::size_t>(m->paramCount()), 0.7), du(u.size());
    for (auto _ : state) {
        benchmark::DoNotOptimize(u.data());
        m->native->rhs(u.data(), p.data(), nullptr, 0.0, du.data());
        benchmark::DoNotOptimize(du.data());
        benchmark::ClobberMemory();
    }
}

void BM_Rhs_LotkaVolterra_Hand(benchmark::State& s) {
    handLoop(s, handLotkaVolterra, 2, 4);
}
void BM_Rhs_LotkaVolterra_Compiled(benchmark::State& s) {
    compiledLoop(s, kLotkaVolterra);
}
void BM_Rhs_LotkaVolterra_Native(benchmark::State& s) {
    nativeLoop(s, kLotkaVolterra);
}
void BM_Rhs_Rober_Native(benchmark::State& s) {
    nativeLoop(s, kRober);
}
void BM_Rhs_Chain20_Native(benchmark::State& s) {
    nativeLoop(s, chainModel(20));
}
void BM_Rhs_Rober_Hand(benchmark::State& s) {
    handLoop(s, handRober, 3, 3);
}
void BM_Rhs_Rober_Compiled(benchmark::State& s) {
    compiledLoop(s, kRober);
}
void BM_Rhs_Chain20_Hand(benchmark::State& s) {
    handLoop(s, handChain, 20, 20);
}
void BM_Rhs_Chain20_Compiled(benchmark::State& s) {
    compiledLoop(s, chainModel(20));
}

ode::SolveOptions solveOptions() {
    ode::SolveOptions opts;
    opts.reltol = opts.abstol = 1e-6;
    opts.saveatStep = 0.1;
    return opts;
}

template<class Problem>
void solveLoop(benchmark::State& state, const Problem& problem) {
    const auto opts = solveOptions();
    ode::Solution<typename Problem::StateType> sol;
    for (auto _ : state) {
        sol = ode::solve(problem, ode::Tsit5{}, opts);
        benchmark::DoNotOptimize(sol.u.back());
    }
    state.counters["steps"] = static_cast<double>(sol.stats.nAccepted);
    state.counters["nf"] = static_cast<double>(sol.stats.nRhs);
}

void BM_Solve_LotkaVolterra_HandCoded(benchmark::State& s) {
    solveLoop(s, ode::makeOdeProblem(examples::LotkaVolterraRhs{},
                                     Eigen::VectorXd(Eigen::Vector2d(1.0, 1.0)), {0.0, 10.0},
                                     Eigen::VectorXd(Eigen::Vector4d(1.5, 1.0, 3.0, 1.0))));
}
void BM_Solve_LotkaVolterra_FromDyn(benchmark::State& s) {
    const auto m = compile(std::string(kLotkaVolterra));
    solveLoop(s,
              model::makeModelProblem<double>(m, Eigen::Vector4d(1.5, 1.0, 3.0, 1.0), {0.0, 10.0}));
}

void BM_Solve_LotkaVolterra_FromDynNative(benchmark::State& s) {
    const auto m = compile(std::string(kLotkaVolterra), true);
    solveLoop(s,
              model::makeModelProblem<double>(m, Eigen::Vector4d(1.5, 1.0, 3.0, 1.0), {0.0, 10.0}));
}

} // namespace

BENCHMARK(BM_Rhs_LotkaVolterra_Hand);
BENCHMARK(BM_Rhs_LotkaVolterra_Compiled);
BENCHMARK(BM_Rhs_LotkaVolterra_Native);
BENCHMARK(BM_Rhs_Rober_Hand);
BENCHMARK(BM_Rhs_Rober_Compiled);
BENCHMARK(BM_Rhs_Rober_Native);
BENCHMARK(BM_Rhs_Chain20_Hand);
BENCHMARK(BM_Rhs_Chain20_Compiled);
BENCHMARK(BM_Rhs_Chain20_Native);
BENCHMARK(BM_Solve_LotkaVolterra_HandCoded);
BENCHMARK(BM_Solve_LotkaVolterra_FromDyn);
BENCHMARK(BM_Solve_LotkaVolterra_FromDynNative);
BENCHMARK_MAIN();
