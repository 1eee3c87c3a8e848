// SPDX-License-Identifier: MIT
// The seed's spiral neural ODE: time per training iteration (loss + gradient) by gradient method
// and tolerance, and the whole 300-iteration Adam run.
#include "fit/fitter.hpp"
#include "model/model_rhs.hpp"
#include "solvers/solve.hpp"

#include <benchmark/benchmark.h>
#include <cstdio>
#include <cstdlib>

using namespace dynfit;

namespace {

const char* kSpiral = "nn U = dense(2, 50, tanh) >> dense(50, 2)\ninit x = 2\ninit y = 0\n"
                      "d(x)/dt = U(x^3, y^3)[1]\nd(y)/dt = U(x^3, y^3)[2]\ntspan = 0 .. 1.5\n";

struct Spiral {
    std::shared_ptr<const model::CompiledModel> model;
    objective::LeastSquaresLoss loss;
};

// staged: networks as dense kernels (the default); else written out and compiled natively.
const Spiral& spiral(bool staged = true) {
    static const auto make = [](bool stagedNetworks) {
        Spiral sp;
        model::Diagnostics d;
        sp.model = model::compileModel(
            kSpiral, d, {}, {.native = true, .seed = 20190121, .stageNetworks = stagedNetworks});
        const auto truth =
            model::compileModel("init x = 2\ninit y = 0\nd(x)/dt = -0.1*x^3 - 2*y^3\n"
                                "d(y)/dt = 2*x^3 - 0.1*y^3\n",
                                d);
        ode::SolveOptions opts;
        opts.reltol = opts.abstol = 1e-12;
        for (int k = 0; k < 30; ++k) {
            opts.saveat.push_back(1.5 * k / 29);
        }
        const auto sol =
            ode::solve(model::makeModelProblem<double>(truth, Eigen::VectorXd(), {0.0, 1.5}),
                       ode::Vern7{}, opts);
        io::DataSet data;
        data.timeColumn = "t";
        data.columns = {"x", "y"};
        data.times = sol.t;
        data.values.assign(2, {});
        for (const auto& u : sol.u) {
            data.values[0].push_back(u[0]);
            data.values[1].push_back(u[1]);
        }
        std::string error;
        if (!objective::LeastSquaresLoss::build(sp.model->states, data, {}, sp.loss, error)) {
            std::fprintf(stderr, "bench_training: the loss did not build: %s\n", error.c_str());
            std::abort();
        }
        return sp;
    };
    static const Spiral stagedSpiral = make(true);
    static const Spiral writtenOut = make(false);
    return staged ? stagedSpiral : writtenOut;
}

// FLOPs of one f evaluation and of one VJP (which re-evaluates f) on the spiral: the network's
// multiply-adds (2 each) and activations, plus the inputs' cubes. The solver's own vector
// arithmetic (2 states) is left out: under 5% of the total.
constexpr double kNetworkForward = 2 * 100 + 50 + 50 + 2 * 100 + 2;
constexpr double kRhsFlops = kNetworkForward + 4;
constexpr double kVjpFlops = kRhsFlops + 2 * 50 + 4 * 100 + 50 + 2 * 2 + 4 * 100 + 2 + 4;
// A Dual<8> multiply-add with dual operands costs 1 + 2·8 products and 1 + 2·8 sums (34 for
// the plain 2): forward mode's f evaluations cost 17x.
constexpr double kDualFactor = 17.0;

double iterationFlops(sens::GradientMethod method, const sens::GradientResult& g) {
    if (method == sens::GradientMethod::Forward) {
        return static_cast<double>(g.nfForward) * kRhsFlops * kDualFactor;
    }
    return static_cast<double>(g.nfForward) * kRhsFlops
           + static_cast<double>(g.nfBackward) * kVjpFlops;
}

constexpr sens::GradientMethod kMethods[] = {
    sens::GradientMethod::Forward, sens::GradientMethod::Reverse,
    sens::GradientMethod::Interpolating, sens::GradientMethod::Quadrature,
    sens::GradientMethod::Backsolve};

// Args: method index, tight (1) or loose (0) tolerances, float (1) or double (0), networks as
// kernels (1) or written out natively (0).
void BM_SpiralIteration(benchmark::State& state) {
    const Spiral& s = spiral(state.range(3) != 0);
    const auto method = kMethods[state.range(0)];
    ode::SolveOptions opts;
    opts.reltol = state.range(1) != 0 ? 1e-7 : 1e-3;
    opts.abstol = state.range(1) != 0 ? 1e-9 : 1e-6;
    sens::GradientProblem problem{s.model.get(), s.model->defaultParams(), std::nullopt, &s.loss};
    const bool single = state.range(2) != 0;
    problem.precision = single ? sens::Precision::Single : sens::Precision::Double;
    sens::GradientResult g;
    for (auto _ : state) {
        g = sens::gradient(problem, ode::Tsit5{}, opts, method);
        benchmark::DoNotOptimize(g.dParams.data());
    }
    if (!g.ok()) {
        state.SkipWithError(g.message.c_str());
        return;
    }
    state.SetLabel(std::string(sens::gradientMethodName(method))
                   + (state.range(1) != 0 ? " 1e-7/1e-9" : " 1e-3/1e-6")
                   + (single ? " float" : " double") + (state.range(3) != 0 ? "" : " written-out"));
    state.counters["nf_fwd"] = static_cast<double>(g.nfForward);
    state.counters["nf_bwd"] = static_cast<double>(g.nfBackward);
    state.counters["FLOP"] = benchmark::Counter(iterationFlops(method, g),
                                                benchmark::Counter::kIsIterationInvariantRate);
    state.counters["flops_per_iter"] = iterationFlops(method, g);
}

void BM_SpiralTraining(benchmark::State& state) {
    const Spiral& s = spiral();
    fit::FitOptions o;
    o.optimizer = fit::Optimizer::Adam;
    o.adam.learningRate = 0.05;
    o.maxIterations = 300;
    o.gradient = sens::GradientMethod::Reverse;
    o.solve.reltol = 1e-7;
    o.solve.abstol = 1e-9;
    fit::FitOutcome out;
    for (auto _ : state) {
        out = fit::fitParameters(*s.model, s.model->defaultParams(), s.loss, o);
    }
    state.counters["loss_ratio"] = out.lossFinal / out.lossInitial;
}

} // namespace

BENCHMARK(BM_SpiralIteration)
    ->ArgsProduct({{0, 1, 2, 3, 4}, {1, 0}, {0}, {1}})
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SpiralIteration) // float: forward mode only
    ->ArgsProduct({{0}, {1, 0}, {1}, {1}})
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SpiralIteration) // the networks written out and compiled natively
    ->ArgsProduct({{0, 1}, {1, 0}, {0}, {0}})
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SpiralTraining)->Unit(benchmark::kSecond)->Iterations(1);
BENCHMARK_MAIN();
