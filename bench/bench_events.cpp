// SPDX-License-Identifier: MIT
// The cost of locating continuous events: a solve with 100 events against the same trajectory
// solved as 100 separate solves between the (then known) event times.
#include "solvers/solve.hpp"

#include <benchmark/benchmark.h>
#include <cmath>

using namespace dynfit;

namespace {

using Vec1 = Eigen::Matrix<double, 1, 1>;

// x' = 1 + ½ sin t, reset to 0 whenever x reaches 1: about 100 resets on [0, 100].
struct Ramp {
    void operator()(Vec1& du, const Vec1&, const Eigen::VectorXd&, double t) const {
        du[0] = 1.0 + 0.5 * std::sin(t);
    }
};

using Event = ode::ContinuousEvent<Vec1, Eigen::VectorXd>;

const std::vector<Event>& rampEvents() {
    static const std::vector<Event> events = {
        {[](const Vec1& u, const Eigen::VectorXd&, double) { return u[0] - 1.0; },
         ode::Crossing::Upward, [](Vec1& u, const Eigen::VectorXd&, double) { u[0] = 0.0; }}};
    return events;
}

ode::SolveOptions benchOptions() {
    ode::SolveOptions opts;
    opts.reltol = opts.abstol = 1e-8;
    opts.saveEverystep = false;
    return opts;
}

ode::Solution<Vec1> solveWithEvents() {
    const auto problem = ode::makeOdeProblem(Ramp{}, Vec1(0.0), {0.0, 100.0}, Eigen::VectorXd());
    const auto opts = benchOptions();
    ode::Integrator<ode::ExplicitRk<ode::Tsit5, Vec1>, decltype(problem)> integrator(problem, opts);
    integrator.setEvents(&rampEvents());
    integrator.init();
    integrator.run();
    return std::move(integrator.solution());
}

void BM_HundredEvents_Located(benchmark::State& state) {
    ode::Solution<Vec1> sol;
    for (auto _ : state) {
        sol = solveWithEvents();
        benchmark::DoNotOptimize(sol.events.data());
    }
    state.counters["events"] = static_cast<double>(sol.events.size());
    state.counters["steps"] = static_cast<double>(sol.stats.nAccepted);
    state.counters["nf"] = static_cast<double>(sol.stats.nRhs);
}

void BM_HundredEvents_SplitByHand(benchmark::State& state) {
    const auto located = solveWithEvents();
    std::vector<double> ends = {0.0};
    for (const auto& e : located.events) {
        ends.push_back(e.t);
    }
    const auto opts = benchOptions();
    long steps = 0, nf = 0;
    for (auto _ : state) {
        steps = nf = 0;
        for (std::size_t k = 0; k + 1 < ends.size(); ++k) {
            const auto piece =
                ode::makeOdeProblem(Ramp{}, Vec1(0.0), {ends[k], ends[k + 1]}, Eigen::VectorXd());
            const auto sol = ode::solve(piece, ode::Tsit5{}, opts);
            benchmark::DoNotOptimize(sol.u.back());
            steps += sol.stats.nAccepted;
            nf += sol.stats.nRhs;
        }
    }
    state.counters["solves"] = static_cast<double>(ends.size() - 1);
    state.counters["steps"] = static_cast<double>(steps);
    state.counters["nf"] = static_cast<double>(nf);
}

} // namespace

BENCHMARK(BM_HundredEvents_Located)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_HundredEvents_SplitByHand)->Unit(benchmark::kMicrosecond);
BENCHMARK_MAIN();
