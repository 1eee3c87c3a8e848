// SPDX-License-Identifier: MIT
// Delay equations (issue 15). Work–precision on Mackey–Glass,
//     x' = 2 x(t − 2) / (1 + x(t − 2)^9.65) − x,   x = 0.5 before 0, t in [0, 40]
// (chaotic-looking, so errors grow along the span): each method at several tolerances, the
// error the largest over t = 1, 2, ..., 40 against Vern7 at reltol 1e-13, the time the median of
// repeated solves. Then the gradient of the bundled delayed Lotka–Volterra fit (five params, one
// of them the lag) by forward mode and by finite differences, timed the same way.
#include "io/csv_data.hpp"
#include "model/model_solve.hpp"
#include "sensitivity/gradient.hpp"
#include "solvers/methods.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace dynfit;

namespace {

const char* const kMackeyGlass = "param beta = 2\nparam gamma = 1\nparam n = 9.65\n"
                                 "param tau = 2\ninit x = 0.5\nhistory x = 0.5\n"
                                 "d(x)/dt = beta*x(t - tau)/(1 + x(t - tau)^n) - gamma*x\n"
                                 "tspan = 0 .. 40\n";

std::string readFile(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) {
        std::fprintf(stderr, "bench_delays: cannot read %s\n", path.c_str());
        std::abort();
    }
    return text.str();
}

std::shared_ptr<const model::CompiledModel> compile(const std::string& text) {
    model::Diagnostics d;
    auto m = model::compileModel(text, d, {}, {.native = true});
    if (!m) {
        std::fprintf(stderr, "bench_delays: the model does not compile\n");
        std::abort();
    }
    return m;
}

template<class F>
double medianSeconds(F&& run, int repeats) {
    std::vector<double> times;
    for (int r = 0; r < repeats; ++r) {
        const auto start = std::chrono::steady_clock::now();
        run();
        times.push_back(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
}

ode::Solution<model::Vector<double>> solveMg(const std::shared_ptr<const model::CompiledModel>& m,
                                             const ode::Method& method,
                                             double reltol) {
    ode::SolveOptions opts;
    opts.reltol = reltol;
    opts.abstol = reltol * 1e-2;
    opts.saveatStep = 1.0;
    opts.saveEverystep = false;
    const auto p = m->defaultParams();
    return model::solveModel(model::makeModelProblem<double>(
                                 m, Eigen::Map<const Eigen::VectorXd>(p.data(), p.size()), {}),
                             method, opts);
}

void workPrecision() {
    const auto m = compile(kMackeyGlass);
    const auto reference = solveMg(m, ode::Vern7{}, 1e-13);
    std::printf("Mackey-Glass, t in [0, 40], error = max |x - x_ref| over t = 1..40\n");
    std::printf("%-8s %-8s %12s %8s %12s\n", "method", "reltol", "error", "steps", "time (ms)");
    for (const char* name : {"BS3", "Tsit5", "DP5", "Vern7", "Rodas5P"}) {
        const ode::Method method = *ode::methodByName(name);
        for (const double reltol : {1e-4, 1e-6, 1e-8, 1e-10}) {
            if (std::string(name) == "BS3" && reltol < 1e-8) {
                continue; // order 3: hundreds of thousands of steps
            }
            ode::Solution<model::Vector<double>> sol;
            const double seconds = medianSeconds([&] { sol = solveMg(m, method, reltol); }, 9);
            double error = 0.0;
            for (std::size_t k = 0; k < sol.u.size() && k < reference.u.size(); ++k) {
                error = std::max(error, std::abs(sol.u[k][0] - reference.u[k][0]));
            }
            std::printf("%-8s %-8.0e %12.3e %8ld %12.3f\n", name, reltol, error,
                        static_cast<long>(sol.stats.nAccepted), 1e3 * seconds);
        }
    }
}

void gradientTimes() {
    const std::string dir = DYNFIT_PROJECTS_DIR "/";
    const auto m = compile(readFile(dir + "delayed_lotka_volterra.dyn"));
    io::DataSet data;
    std::vector<io::DataError> errors;
    objective::LeastSquaresLoss loss;
    std::string error;
    if (!io::readCsv(readFile(dir + "delayed_lotka_volterra_data.csv"), data, errors)
        || !objective::LeastSquaresLoss::build(m->states, data, {}, loss, error)) {
        std::fprintf(stderr, "bench_delays: the data do not load\n");
        std::abort();
    }
    ode::SolveOptions opts;
    opts.reltol = 1e-8;
    opts.abstol = 1e-10;
    std::printf("\ndelayed Lotka-Volterra gradient (5 params incl. the lag), Tsit5 1e-8\n");
    std::printf("%-12s %12s %14s\n", "method", "time (ms)", "dL/dtau");
    for (const auto method : {sens::GradientMethod::Forward, sens::GradientMethod::Reverse,
                              sens::GradientMethod::FiniteDiff}) {
        sens::GradientResult r;
        const double seconds = medianSeconds(
            [&] {
                r = sens::gradient({m.get(), m->defaultParams(), std::nullopt, &loss}, ode::Tsit5{},
                                   opts, method);
            },
            21);
        std::printf("%-12s %12.3f %14.8g\n", std::string(sens::gradientMethodName(method)).c_str(),
                    1e3 * seconds, r.dParams.back());
    }
}

} // namespace

int main() {
    workPrecision();
    gradientTimes();
    return 0;
}
