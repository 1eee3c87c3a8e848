// SPDX-License-Identifier: MIT
// Time per gradient for each method as the number of parameters grows, and the memory of the
// interpolating adjoint with and without checkpoints.
#include "model/model_system.hpp"
#include "sensitivity/gradient.hpp"

#include <benchmark/benchmark.h>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <string>

using namespace dynfit;

namespace {

struct Case {
    std::shared_ptr<const model::CompiledModel> model;
    objective::LeastSquaresLoss loss;
};

std::shared_ptr<const model::CompiledModel> compile(const std::string& text) {
    model::Diagnostics d;
    auto m = model::compileModel(text, d, {}, {.native = true});
    if (!m) {
        std::fprintf(stderr, "%s", model::formatDiagnostics(d, "bench", text).c_str());
        std::abort();
    }
    return m;
}

// Every state observed at `count` evenly spaced times in (0, t1].
objective::LeastSquaresLoss observeAll(const model::CompiledModel& m, double t1, int count) {
    io::DataSet data;
    data.timeColumn = "t";
    data.columns = m.states;
    data.values.assign(m.states.size(), {});
    for (int k = 1; k <= count; ++k) {
        data.times.push_back(t1 * k / count);
        for (auto& column : data.values) {
            column.push_back(0.5);
        }
    }
    objective::LeastSquaresLoss loss;
    std::string error;
    if (!objective::LeastSquaresLoss::build(m.states, data, {}, loss, error)) {
        std::fprintf(stderr, "bench_gradient: the loss did not build: %s\n", error.c_str());
        std::abort();
    }
    return loss;
}

// u' = A u with every entry of the n × n matrix A a parameter: n² parameters, dense coupling.
Case denseLinear(int n) {
    std::mt19937 rng(1);
    std::uniform_real_distribution<double> off(-0.3, 0.3);
    std::string text;
    for (int i = 0; i < n; ++i) {
        for (int j = 0; j < n; ++j) {
            const double value = i == j ? -1.0 : off(rng) / n;
            text += "param a" + std::to_string(i) + "_" + std::to_string(j) + " = "
                    + std::to_string(value) + "\n";
        }
        text += "init x" + std::to_string(i) + " = " + std::to_string(1.0 + 0.1 * i) + "\n";
    }
    for (int i = 0; i < n; ++i) {
        text += "d(x" + std::to_string(i) + ")/dt = 0";
        for (int j = 0; j < n; ++j) {
            text += " + a" + std::to_string(i) + "_" + std::to_string(j) + "*x" + std::to_string(j);
        }
        text += "\n";
    }
    Case c;
    c.model = compile(text);
    c.loss = observeAll(*c.model, 1.0, 10);
    return c;
}

Case lotkaVolterra() {
    Case c;
    c.model =
        compile("param α = 1.5\nparam β = 1\nparam γ = 3\nparam δ = 1\ninit x = 1\ninit y = 1\n"
                "d(x)/dt = α*x - β*x*y\nd(y)/dt = -γ*y + δ*x*y\ntspan = 0 .. 10\n");
    c.loss = observeAll(*c.model, 10.0, 100);
    return c;
}

void runGradient(benchmark::State& state, const Case& c, sens::GradientMethod method, double t1) {
    ode::SolveOptions opts;
    opts.reltol = opts.abstol = 1e-8;
    const sens::GradientProblem problem{c.model.get(), c.model->defaultParams(),
                                        ode::TimeSpan{0.0, t1}, &c.loss};
    sens::GradientResult g;
    for (auto _ : state) {
        g = sens::gradient(problem, ode::Tsit5{}, opts, method);
        benchmark::DoNotOptimize(g.dParams.data());
    }
    if (!g.ok()) {
        state.SkipWithError(g.message.c_str());
    }
    state.counters["params"] = c.model->paramCount();
    state.counters["nf_fwd"] = static_cast<double>(g.nfForward);
    state.counters["nf_bwd"] = static_cast<double>(g.nfBackward);
}

constexpr sens::GradientMethod kMethods[] = {
    sens::GradientMethod::Forward, sens::GradientMethod::Reverse,
    sens::GradientMethod::Interpolating, sens::GradientMethod::Quadrature,
    sens::GradientMethod::Backsolve};

void BM_Gradient_LotkaVolterra(benchmark::State& state) {
    static const Case c = lotkaVolterra();
    runGradient(state, c, kMethods[state.range(0)], 10.0);
    state.SetLabel(std::string(sens::gradientMethodName(kMethods[state.range(0)])));
}

void BM_Gradient_DenseLinear(benchmark::State& state) {
    static std::map<int, Case> cases;
    const int n = static_cast<int>(state.range(1));
    if (cases.count(n) == 0) {
        cases[n] = denseLinear(n);
    }
    runGradient(state, cases[n], kMethods[state.range(0)], 1.0);
    state.SetLabel(std::string(sens::gradientMethodName(kMethods[state.range(0)])));
}

// Memory of the interpolating adjoint on a long solve (Lotka–Volterra over [0, 1000]).
void BM_InterpolatingMemory(benchmark::State& state) {
    static const Case c = [] {
        Case k = lotkaVolterra();
        k.loss = observeAll(*k.model, 1000.0, 1000);
        return k;
    }();
    const int checkpoints = static_cast<int>(state.range(0));
    ode::SolveOptions opts;
    opts.reltol = opts.abstol = 1e-8;
    const auto p = c.model->defaultParams();
    const model::Vector<double> pv = Eigen::Map<const Eigen::VectorXd>(p.data(), 4);
    const model::Vector<double> u0 = Eigen::Vector2d(1.0, 1.0);
    model::ModelSystem system(*c.model);
    const sens::AdjointProblem problem{system, pv, u0, {0.0, 1000.0}, c.loss};
    sens::AdjointOutcome out;
    for (auto _ : state) {
        out = sens::continuousAdjoint(sens::AdjointKind::Interpolating, problem, ode::Tsit5{}, opts,
                                      {.checkpoints = checkpoints});
        benchmark::DoNotOptimize(out.mu0.data());
    }
    state.counters["stored_MB"] = static_cast<double>(out.peakStoredValues) * 8.0 / 1e6;
    state.counters["nf_fwd"] = static_cast<double>(out.nfForward);
}

} // namespace

BENCHMARK(BM_Gradient_LotkaVolterra)->DenseRange(0, 4)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Gradient_DenseLinear)
    ->ArgsProduct({{0, 1, 2, 3, 4}, {3, 10, 32}})
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_InterpolatingMemory)->Arg(0)->Arg(10)->Arg(100)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
