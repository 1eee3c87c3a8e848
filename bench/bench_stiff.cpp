// SPDX-License-Identifier: MIT
// Work–precision on the stiff references (ROBER to 1e11, van der Pol μ = 1e6 to 2): error against
// time for reltol 1e-4 … 1e-10, every stiff method in one run, and the time of the best native
// method against CVODE_BDF's at equal error. Prints markdown tables for bench/RESULTS.md.
#include "model/model.hpp"
#include "model/model_rhs.hpp"
#include "solvers/solve.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

using namespace dynfit;

namespace {

using Vec = model::Vector<double>;

struct Case {
    const char* name;
    const char* text;
    std::vector<double> reference;      ///< at t1 (CWI test set)
    std::vector<double> abstolPerState; ///< × reltol
};

const Case kCases[] = {
    {"ROBER",
     "param k1 = 0.04\nparam k2 = 3e7\nparam k3 = 1e4\ninit y1 = 1\ninit y2 = 0\ninit y3 = 0\n"
     "d(y1)/dt = -k1*y1 + k3*y2*y3\nd(y2)/dt = k1*y1 - k2*y2^2 - k3*y2*y3\n"
     "d(y3)/dt = k2*y2^2\ntspan = 0 .. 1e11\n",
     {0.2083340149701255e-07, 0.8333360770334713e-13, 0.9999999791665050e+00},
     {1e-6, 1e-12, 1e-6}},
    {"VanDerPol",
     "const eps = 1e-6\ninit y1 = 2\ninit y2 = 0\nd(y1)/dt = y2\n"
     "d(y2)/dt = ((1 - y1^2)*y2 - y1)/eps\ntspan = 0 .. 2\n",
     {0.1706167732170483e+01, -0.8928097010247975e+00},
     {1.0, 1.0}},
};

const char* const kMethods[] = {"Rodas5P", "Rodas4", "KenCarp4", "Kvaerno5", "CVODE_BDF"};

struct Point {
    double reltol, error, seconds;
    long steps;
};

// The median time of one solve, over repeats adding up to about 0.3 s.
template<class Problem>
Point measure(const Problem& problem, const ode::Method& method, double reltol, const Case& c) {
    ode::SolveOptions opts;
    opts.reltol = reltol;
    for (double scale : c.abstolPerState) {
        opts.abstolPerComponent.push_back(scale * reltol);
    }
    opts.saveEverystep = false;
    opts.saveat = {problem.timeSpan().t1};
    opts.maxiters = 10'000'000;
    std::vector<double> times;
    ode::Solution<Vec> sol;
    double total = 0.0;
    while (total < 0.3 || times.size() < 3) {
        const auto start = std::chrono::steady_clock::now();
        sol = ode::solve(problem, method, opts);
        const double s =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        times.push_back(s);
        total += s;
        if (!sol.ok()) {
            return {reltol, NAN, s, 0};
        }
    }
    std::sort(times.begin(), times.end());
    double error = 0.0;
    for (std::size_t i = 0; i < c.reference.size(); ++i) {
        error =
            std::max(error, std::abs(sol.u.back()[static_cast<Eigen::Index>(i)] - c.reference[i])
                                / std::abs(c.reference[i]));
    }
    return {reltol, error, times[times.size() / 2], sol.stats.nAccepted};
}

// log-log interpolation of time at a given error; NaN outside the measured range.
double timeAtError(const std::vector<Point>& points, double error) {
    for (std::size_t i = 0; i + 1 < points.size(); ++i) {
        const Point& a = points[i];
        const Point& b = points[i + 1];
        const double lo = std::min(a.error, b.error), hi = std::max(a.error, b.error);
        if (error >= lo && error <= hi && lo > 0 && std::isfinite(hi) && hi > lo) {
            const double w =
                (std::log(error) - std::log(a.error)) / (std::log(b.error) - std::log(a.error));
            return std::exp(std::log(a.seconds) + w * (std::log(b.seconds) - std::log(a.seconds)));
        }
    }
    return NAN;
}

} // namespace

int main() {
    for (const Case& c : kCases) {
        model::Diagnostics d;
        const auto m = model::compileModel(c.text, d, {},
                                           {.native = std::getenv("BENCH_BYTECODE") == nullptr});
        if (!m) {
            std::fprintf(stderr, "%s", model::formatDiagnostics(d, c.name, c.text).c_str());
            return 1;
        }
        const Vec p = Eigen::Map<const Vec>(m->defaultParams().data(), m->paramCount());
        const auto problem = model::makeModelProblem<double>(m, p, {});
        std::printf("\n### %s (native code: %s)\n\n| method | reltol | rel. error | steps | time "
                    "(ms) |\n|---|---:|---:|---:|---:|\n",
                    c.name, m->native ? "yes" : "no");
        std::map<std::string, std::vector<Point>> curves;
        for (const char* name : kMethods) {
            for (double reltol = 1e-4; reltol >= 0.99e-10; reltol /= 10) {
                const Point pt = measure(problem, *ode::methodByName(name), reltol, c);
                curves[name].push_back(pt);
                std::printf("| %s | %.0e | %.2e | %ld | %.3f |\n", name, reltol, pt.error, pt.steps,
                            1e3 * pt.seconds);
            }
        }
        std::printf(
            "\nAt equal error (log-log interpolation), time in ms and ratio to CVODE_BDF:\n\n"
            "| error | best native | its time | CVODE_BDF | ratio |\n|---:|---|---:|---:|---:|\n");
        for (double error : {1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8}) {
            const double cvode = timeAtError(curves["CVODE_BDF"], error);
            std::string best = "-";
            double bestTime = NAN;
            for (const char* name : kMethods) {
                const double t = timeAtError(curves[name], error);
                if (std::string(name) != "CVODE_BDF" && std::isfinite(t) && !(t >= bestTime)) {
                    best = name;
                    bestTime = t;
                }
            }
            std::printf("| %.0e | %s | %.3f | %.3f | %.2f |\n", error, best.c_str(), 1e3 * bestTime,
                        1e3 * cvode, bestTime / cvode);
        }
    }
}
