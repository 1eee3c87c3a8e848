// SPDX-License-Identifier: MIT
// Gradient times with events, by method: the bundled bouncing ball (about 8 bounces located in
// [0, 3]) and oral-dosing model (7 doses, one of them a fitted lag), against their own data.
#include "io/csv_data.hpp"
#include "sensitivity/gradient.hpp"

#include <benchmark/benchmark.h>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

using namespace dynfit;

namespace {

struct Case {
    std::shared_ptr<const model::CompiledModel> model;
    objective::LeastSquaresLoss loss;
};

std::string readFile(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) {
        std::fprintf(stderr, "bench_event_gradients: cannot read %s\n", path.c_str());
        std::abort();
    }
    return text.str();
}

Case load(const std::string& name) {
    const std::string dir = DYNFIT_PROJECTS_DIR "/";
    const std::string text = readFile(dir + name + ".dyn");
    Case c;
    model::Diagnostics d;
    c.model = model::compileModel(text, d, {}, {.native = true});
    io::DataSet data;
    std::vector<io::DataError> errors;
    const std::string csv = readFile(dir + name + "_data.csv");
    std::string error;
    if (!c.model || !io::readCsv(csv, data, errors)
        || !objective::LeastSquaresLoss::build(c.model->states, data, {}, c.loss, error)) {
        std::fprintf(stderr, "bench_event_gradients: %s does not load\n", name.c_str());
        std::abort();
    }
    return c;
}

const Case& bundled(int which) {
    static const Case ball = load("bouncing_ball");
    static const Case dosing = load("oral_dosing");
    return which == 0 ? ball : dosing;
}

void BM_EventGradient(benchmark::State& state) {
    const Case& c = bundled(static_cast<int>(state.range(0)));
    const auto method = static_cast<sens::GradientMethod>(state.range(1));
    ode::SolveOptions opts;
    opts.reltol = 1e-8;
    opts.abstol = 1e-10;
    const sens::GradientProblem problem{c.model.get(), c.model->defaultParams(), std::nullopt,
                                        &c.loss};
    sens::GradientResult r;
    for (auto _ : state) {
        r = sens::gradient(problem, ode::Tsit5{}, opts, method);
        benchmark::DoNotOptimize(r.dParams.data());
    }
    if (!r.ok()) {
        state.SkipWithError(r.message.c_str());
        return;
    }
    state.SetLabel(std::string(state.range(0) == 0 ? "ball " : "dosing ")
                   + std::string(sens::gradientMethodName(method)));
    state.counters["nf_fwd"] = static_cast<double>(r.nfForward);
    state.counters["nf_bwd"] = static_cast<double>(r.nfBackward);
}

void methods(benchmark::internal::Benchmark* b) {
    for (int model : {0, 1}) {
        for (const auto m : {sens::GradientMethod::Forward, sens::GradientMethod::Reverse,
                             sens::GradientMethod::Backsolve, sens::GradientMethod::Interpolating,
                             sens::GradientMethod::Quadrature, sens::GradientMethod::FiniteDiff}) {
            b->Args({model, static_cast<int>(m)});
        }
    }
}

} // namespace

BENCHMARK(BM_EventGradient)->Apply(methods)->Unit(benchmark::kMicrosecond);
BENCHMARK_MAIN();
