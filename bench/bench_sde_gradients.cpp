// SPDX-License-Identifier: MIT
// SDE gradients (issue 16). (1) The pathwise gradient on one path by forward mode (dual chunks
// of 8 directions) and reverse mode (back through the recorded steps), on the seed's stochastic
// Lotka–Volterra (4 params + 2 initial values) and on a neural SDE (a 2-16-2 tanh network in
// the drift, 82 params), SOSRI at 1e-2 with saves every 0.1 on [0, 5]. (2) The moments loss:
// mean and variance of 256 trajectories with their exact derivatives (forward mode per
// trajectory), on 1 and 2 threads. Median of repeated runs, microseconds.
#include "ensemble/moment_gradients.hpp"
#include "model/model.hpp"
#include "objective/least_squares_loss.hpp"
#include "sensitivity/gradient.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <vector>

using namespace dynfit;

namespace {

const char* const kSeedSde = "param α = 2.2\nparam β = 1.0\nparam δ = 2.0\nparam γ = 0.4\n"
                             "param σ = 0.1\ninit x = 1\ninit y = 1\nd(x)/dt = (α - β*y)*x\n"
                             "d(y)/dt = (δ*x - γ)*y\nnoise x = σ*x\nnoise y = σ*y\n"
                             "tspan = 0 .. 5\n";
const char* const kNeuralSde = "nn U = dense(2, 16, tanh) >> dense(16, 2)\ninit x = 1\n"
                               "init y = 1\nd(x)/dt = U(x, y)[1]\nd(y)/dt = U(x, y)[2]\n"
                               "noise x = 0.1*x\nnoise y = 0.1*y\ntspan = 0 .. 5\n";

std::shared_ptr<const model::CompiledModel> compile(const char* text) {
    model::Diagnostics d;
    auto m = model::compileModel(text, d, {}, {.native = true, .seed = 1});
    if (!m) {
        std::fprintf(stderr, "bench_sde_gradients: a model does not compile\n");
        std::abort();
    }
    return m;
}

// The median of `repeats` timed calls, in microseconds.
double medianMicros(int repeats, const std::function<void()>& call) {
    std::vector<double> times;
    for (int r = 0; r < repeats; ++r) {
        const auto start = std::chrono::steady_clock::now();
        call();
        times.push_back(
            std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
                .count());
    }
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
}

// Data at 0.1 … 5 (the model's own path at seed 2: what is fitted does not change the cost).
objective::LeastSquaresLoss lossFor(const model::CompiledModel& m) {
    io::DataSet data;
    data.timeColumn.push_back('t');
    data.columns = m.states;
    data.values.assign(m.states.size(), {});
    for (int k = 1; k <= 50; ++k) {
        data.times.push_back(0.1 * k);
        for (auto& column : data.values) {
            column.push_back(1.0);
        }
    }
    objective::LeastSquaresLoss loss;
    std::string error;
    if (!objective::LeastSquaresLoss::build(m.states, data, {}, loss, error)) {
        std::fprintf(stderr, "bench_sde_gradients: %s\n", error.c_str());
        std::abort();
    }
    return loss;
}

void pathwise(const char* title, const std::shared_ptr<const model::CompiledModel>& m) {
    const auto loss = lossFor(*m);
    sens::GradientProblem gp{m.get(), m->defaultParams(), std::nullopt, &loss};
    gp.sde = sens::SdePath{ode::SOSRI{}, {}, 1.0 / 6.0};
    gp.sde->noise.seed = 2;
    ode::SolveOptions opts;
    opts.reltol = opts.abstol = 1e-2;
    double value[2] = {0, 0};
    const sens::GradientMethod methods[2] = {sens::GradientMethod::Forward,
                                             sens::GradientMethod::Reverse};
    double times[2] = {0, 0};
    for (int k = 0; k < 2; ++k) {
        times[k] = medianMicros(31, [&] {
            const auto g = sens::gradient(gp, ode::Tsit5{}, opts, methods[k]);
            if (!g.ok()) {
                std::fprintf(stderr, "bench_sde_gradients: %s\n", g.message.c_str());
                std::abort();
            }
            value[k] = g.dParams[0];
        });
    }
    std::printf("%-34s %6d params  forward %10.1f us  reverse %10.1f us  (%.2fx)  dL/dp0 %.12g"
                " / %.12g\n",
                title, m->paramCount(), times[0], times[1], times[0] / times[1], value[0],
                value[1]);
}

void moments(const std::shared_ptr<const model::CompiledModel>& m) {
    ode::SolveOptions opts;
    opts.reltol = opts.abstol = 1e-2;
    for (int k = 1; k <= 50; ++k) {
        opts.saveat.push_back(0.1 * k);
    }
    for (const int threads : {1, 2}) {
        ensemble::EnsembleOptions e;
        e.trajectories = 256;
        e.threads = threads;
        const double us = medianMicros(5, [&] {
            const auto r = ensemble::ensembleMomentGradients(
                m, {{0.0, 5.0}, m->defaultParams(), {}}, ode::SOSRI{}, opts, e);
            if (!r.ok()) {
                std::fprintf(stderr, "bench_sde_gradients: %s\n", r.message.c_str());
                std::abort();
            }
        });
        std::printf("moments of 256 trajectories with d/dp (5 params), %d thread(s): %.1f ms "
                    "(%.1f us per trajectory per core)\n",
                    threads, us / 1000, us * threads / 256);
    }
}

} // namespace

int main() {
    const auto seed = compile(kSeedSde);
    pathwise("seed SDE (pathwise, one path)", seed);
    pathwise("neural SDE 2-16-2 (pathwise)", compile(kNeuralSde));
    moments(seed);
    return 0;
}
