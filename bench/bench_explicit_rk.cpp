// SPDX-License-Identifier: MIT
// Solver cost on the seed's Lotka–Volterra: the generic stepper against a hand-written DP5 loop.
#include "examples/lotka_volterra.hpp"
#include "hand_written_dp5.hpp"
#include "solvers/solve.hpp"

#include <benchmark/benchmark.h>

using namespace dynfit;

namespace {

constexpr double kTol = 1e-6;
constexpr double kSaveStep = 0.1;

ode::SolveOptions benchOptions() {
    ode::SolveOptions opts;
    opts.reltol = opts.abstol = kTol;
    opts.saveatStep = kSaveStep;
    return opts;
}

template<class Method, class Problem>
void solveLoop(benchmark::State& state, const Problem& problem) {
    const auto opts = benchOptions();
    ode::Solution<typename Problem::StateType> sol;
    for (auto _ : state) {
        sol = ode::solve(problem, Method{}, opts);
        benchmark::DoNotOptimize(sol.u.back());
    }
    if (!sol.ok() || sol.t.size() != 101) {
        state.SkipWithError("solve failed");
    }
    state.counters["steps"] = static_cast<double>(sol.stats.nAccepted);
    state.counters["rejected"] = static_cast<double>(sol.stats.nRejected);
    state.counters["nf"] = static_cast<double>(sol.stats.nRhs);
}

void BM_LotkaVolterra_Tsit5(benchmark::State& state) {
    solveLoop<ode::Tsit5>(state, examples::lotkaVolterraProblem());
}
void BM_LotkaVolterra_DP5(benchmark::State& state) {
    solveLoop<ode::DP5>(state, examples::lotkaVolterraProblem());
}
// The same with heap-allocated (dynamic-size) state vectors, as a model of unknown size has.
void BM_LotkaVolterra_DP5_DynamicState(benchmark::State& state) {
    auto problem = ode::makeOdeProblem(examples::LotkaVolterraRhs{},
                                       Eigen::VectorXd(Eigen::Vector2d(1.0, 1.0)), {0.0, 10.0},
                                       Eigen::VectorXd(Eigen::Vector4d(1.5, 1.0, 3.0, 1.0)));
    solveLoop<ode::DP5>(state, problem);
}
void BM_LotkaVolterra_DP5_HandWritten(benchmark::State& state) {
    bench::HandWrittenResult result;
    for (auto _ : state) {
        bench::handWrittenDp5(kTol, kTol, kSaveStep, result);
        benchmark::DoNotOptimize(result.x.back());
    }
    state.counters["steps"] = static_cast<double>(result.steps);
    state.counters["rejected"] = static_cast<double>(result.rejected);
    state.counters["nf"] = static_cast<double>(result.nf);
}

} // namespace

BENCHMARK(BM_LotkaVolterra_Tsit5);
BENCHMARK(BM_LotkaVolterra_DP5);
BENCHMARK(BM_LotkaVolterra_DP5_DynamicState);
BENCHMARK(BM_LotkaVolterra_DP5_HandWritten);
BENCHMARK_MAIN();
