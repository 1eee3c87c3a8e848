// SPDX-License-Identifier: MIT
// SDEs (issue 16). (1) Work–precision: the strong error E|X_T − X_ref| over 200 paths against
// the time per path, for EM (fixed steps), SRIW1 and SOSRI (fixed steps and adaptive), on
// geometric Brownian motion (X_ref exact on the same path) and on the seed's stochastic
// Lotka–Volterra (X_ref: SRIW1 with 2^16 steps on the same path). (2) Ensemble throughput of the
// seed's SDE at its settings (SOSRI, reltol = abstol = 1e-2, saveat 0.1 on [0, 10]) on 1 and 2
// threads. (3) The method's overhead around f and g: the time of one SOSRI trajectory against
// the time its f and g evaluations alone take (the same counts, evaluated in a loop).
#include "ensemble/sde_ensemble.hpp"
#include "model/model.hpp"
#include "model/model_sde.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

using namespace dynfit;

namespace {

const char* const kGbm = "param mu = 1.5\nparam s = 0.8\ninit x = 1\nd(x)/dt = mu*x\n"
                         "noise x = s*x\ntspan = 0 .. 1\n";
const char* const kSeedSde = "param α = 2.2\nparam β = 1.0\nparam δ = 2.0\nparam γ = 0.4\n"
                             "init x = 1\ninit y = 1\nd(x)/dt = (α - β*y)*x\n"
                             "d(y)/dt = (δ*x - γ)*y\nnoise x = 0.1*x\nnoise y = 0.1*y\n"
                             "tspan = 0 .. 10\n";

std::shared_ptr<const model::CompiledModel> compile(const char* text) {
    model::Diagnostics d;
    auto m = model::compileModel(text, d, {}, {.native = true});
    if (!m) {
        std::fprintf(stderr, "bench_sde: the model does not compile\n");
        std::abort();
    }
    return m;
}

double seconds(std::chrono::steady_clock::time_point since) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

model::SdeStart startOf(const model::CompiledModel& m, ode::TimeSpan span) {
    const auto p = m.defaultParams();
    Eigen::VectorXd u0(m.stateCount());
    model::ProgramEvaluator<double> init(m.initial);
    init(nullptr, p.data(), nullptr, 0.0, u0.data());
    return {u0, span,
            Eigen::Map<const Eigen::VectorXd>(p.data(), static_cast<Eigen::Index>(p.size()))};
}

ode::SdeSettings runOf(std::uint32_t trajectory) {
    ode::SdeSettings run;
    run.noise.seed = 1;
    run.noise.trajectory = trajectory;
    return run;
}

struct Point {
    double error, secondsPerPath, steps;
};

// One setting over `paths` paths: mean error at t1 (largest component) and time per path.
template<class Reference>
Point measure(const std::shared_ptr<const model::CompiledModel>& m,
              const model::SdeStart& start,
              const ode::SdeMethod& method,
              const ode::SolveOptions& opts,
              int paths,
              Reference&& reference) {
    double error = 0.0, steps = 0.0, total = 0.0;
    for (int j = 0; j < paths; ++j) {
        const auto began = std::chrono::steady_clock::now();
        const auto sol =
            model::solveModelSde(m, start, method, opts, runOf(static_cast<std::uint32_t>(j)));
        total += seconds(began);
        if (!sol.ok()) {
            std::fprintf(stderr, "bench_sde: %s\n", sol.message.c_str());
            std::abort();
        }
        error += (sol.u.back() - reference(j)).cwiseAbs().maxCoeff();
        steps += static_cast<double>(sol.stats.nAccepted);
    }
    return {error / paths, total / paths, steps / paths};
}

template<class Reference>
void workPrecision(const char* title,
                   const std::shared_ptr<const model::CompiledModel>& m,
                   const model::SdeStart& start,
                   Reference&& reference) {
    std::printf("\n%s: strong error at t1 over 200 paths\n", title);
    std::printf("%-8s %-14s %12s %10s %14s\n", "method", "setting", "error", "steps",
                "us per path");
    const double length = start.span.t1 - start.span.t0;
    const auto row = [&](const char* name, const ode::SdeMethod& method, const char* setting,
                         const ode::SolveOptions& opts) {
        const Point p = measure(m, start, method, opts, 200, reference);
        std::printf("%-8s %-14s %12.3e %10.0f %14.1f\n", name, setting, p.error, p.steps,
                    1e6 * p.secondsPerPath);
    };
    for (const int k : {6, 8, 10, 12}) {
        ode::SolveOptions opts;
        opts.dt = length / (1 << k);
        opts.saveEverystep = false;
        char setting[32];
        std::snprintf(setting, sizeof setting, "dt = T/2^%d", k);
        row("EM", ode::EM{}, setting, opts);
        row("SRIW1", ode::SRIW1{}, setting, opts);
        row("SOSRI", ode::SOSRI{}, setting, opts);
    }
    for (const double tol : {1e-2, 1e-3, 1e-4, 1e-5}) {
        ode::SolveOptions opts;
        opts.reltol = opts.abstol = tol;
        opts.saveEverystep = false;
        char setting[32];
        std::snprintf(setting, sizeof setting, "tol %.0e", tol);
        row("SRIW1", ode::SRIW1{}, setting, opts);
        row("SOSRI", ode::SOSRI{}, setting, opts);
    }
}

void throughput(const std::shared_ptr<const model::CompiledModel>& m) {
    const auto start = startOf(*m, {0.0, 10.0});
    ode::SolveOptions opts;
    opts.reltol = opts.abstol = 1e-2;
    opts.saveatStep = 0.1;
    std::printf("\nseed SDE ensemble, SOSRI 1e-2, saveat 0.1 on [0, 10], 4000 trajectories\n");
    std::printf("%-8s %12s %22s %16s\n", "threads", "seconds", "trajectories/s/core", "steps/traj");
    for (const int threads : {1, 2}) {
        ensemble::EnsembleOptions e;
        e.trajectories = 4000;
        e.seed = 1;
        e.threads = threads;
        const auto began = std::chrono::steady_clock::now();
        const auto r = ensemble::runEnsemble(m, start, ode::SOSRI{}, opts, e);
        const double s = seconds(began);
        std::printf("%-8d %12.3f %22.0f %16.1f\n", threads, s, 4000.0 / s / threads,
                    static_cast<double>(r.stats.nAccepted) / 4000.0);
    }
}

// f and g of the seed's SDE evaluated alone as often as one trajectory evaluates them.
void overhead(const std::shared_ptr<const model::CompiledModel>& m) {
    const auto start = startOf(*m, {0.0, 10.0});
    ode::SolveOptions opts;
    opts.reltol = opts.abstol = 1e-2;
    opts.saveatStep = 0.1;
    const int paths = 400;
    long nf = 0, ng = 0;
    const auto began = std::chrono::steady_clock::now();
    for (int j = 0; j < paths; ++j) {
        const auto sol = model::solveModelSde(m, start, ode::SOSRI{}, opts,
                                              runOf(static_cast<std::uint32_t>(j)));
        nf += sol.stats.nRhs;
        ng += sol.stats.nNoise;
    }
    const double whole = seconds(began) / paths;
    model::ModelRhs<double> f(m);
    model::ModelNoise<double> g(m);
    Eigen::VectorXd u = start.u0, out(2);
    const auto alone = std::chrono::steady_clock::now();
    for (long k = 0; k < nf; ++k) {
        u[0] = 1.0 + 1e-9 * static_cast<double>(k % 7);
        f(out, u, start.p, 0.1);
    }
    for (long k = 0; k < ng; ++k) {
        u[1] = 1.0 + 1e-9 * static_cast<double>(k % 7);
        g(out, u, start.p, 0.1);
    }
    const double fg = seconds(alone) / paths;
    std::printf("\nseed SDE, one SOSRI trajectory: %.1f us, of which f and g alone %.1f us "
                "(%ld f, %ld g per trajectory): the method and the noise cost %.1fx f and g\n",
                1e6 * whole, 1e6 * fg, nf / paths, ng / paths, (whole - fg) / fg);
}

} // namespace

int main() {
    const auto gbm = compile(kGbm);
    const auto gbmStart = startOf(*gbm, {0.0, 1.0});
    workPrecision("GBM (mu 1.5, sigma 0.8, T = 1)", gbm, gbmStart, [&](int j) {
        ode::WienerPaths w(runOf(static_cast<std::uint32_t>(j)).noise, 1, gbmStart.span);
        Eigen::VectorXd wT;
        w.values(1.0, wT);
        return Eigen::VectorXd::Constant(1, std::exp((1.5 - 0.32) + 0.8 * wT[0]));
    });
    const auto seed = compile(kSeedSde);
    const auto seedStart = startOf(*seed, {0.0, 10.0});
    std::vector<Eigen::VectorXd> references;
    ode::SolveOptions fine;
    fine.dt = 10.0 / (1 << 16);
    fine.saveEverystep = false;
    for (int j = 0; j < 200; ++j) {
        references.push_back(model::solveModelSde(seed, seedStart, ode::SRIW1{}, fine,
                                                  runOf(static_cast<std::uint32_t>(j)))
                                 .u.back());
    }
    workPrecision("seed stochastic Lotka-Volterra (T = 10)", seed, seedStart,
                  [&](int j) { return references[static_cast<std::size_t>(j)]; });
    throughput(seed);
    overhead(seed);
    return 0;
}
