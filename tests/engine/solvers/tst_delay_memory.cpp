// SPDX-License-Identifier: MIT
// A delay model's history costs no allocation per step once warm: solving over 1000 lags
// allocates no more than over 200 (the bounded history recycles the vectors of the steps it
// drops). Counted at malloc itself — Eigen's vectors in the engine's compiled code allocate
// there, not through operator new — by defining malloc in this program (glibc's __libc_*
// underneath); not under the sanitizers, which own malloc.
#include "model/model.hpp"
#include "model/model_solve.hpp"
#include "solvers/methods.hpp"

#include <QTest>
#include <atomic>
#include <cstddef>

#if defined(__SANITIZE_ADDRESS__)
#define DYNFIT_OWN_MALLOC 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DYNFIT_OWN_MALLOC 0
#endif
#endif
#ifndef DYNFIT_OWN_MALLOC
#define DYNFIT_OWN_MALLOC 1
#endif

namespace {
std::atomic<long> g_mallocs{0};
}

#if DYNFIT_OWN_MALLOC
extern "C" {
void* __libc_malloc(std::size_t);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);
void* malloc(std::size_t size) {
    g_mallocs.fetch_add(1, std::memory_order_relaxed);
    return __libc_malloc(size);
}
void* calloc(std::size_t count, std::size_t size) {
    g_mallocs.fetch_add(1, std::memory_order_relaxed);
    return __libc_calloc(count, size);
}
void* realloc(void* p, std::size_t size) {
    g_mallocs.fetch_add(1, std::memory_order_relaxed);
    return __libc_realloc(p, size);
}
}
#endif

using namespace dynfit;

class TestDelayMemory : public QObject {
    Q_OBJECT

  private:
    // Allocations made by one solve of x' = −x(t − 1) + 0.1·y, y' = −y(t − 0.7) on [0, t1].
    static long allocationsOfSolve(double t1, const ode::Method& method, std::size_t& steps) {
        model::Diagnostics d;
        const auto m = model::compileModel("init x = 1\ninit y = 0.5\nhistory x = 1\n"
                                           "d(x)/dt = -x(t - 1) + 0.1*y\n"
                                           "d(y)/dt = -y(t - 0.7)\n",
                                           d);
        if (!m) {
            qFatal("the model does not compile");
        }
        ode::SolveOptions opts;
        opts.reltol = 1e-8;
        opts.abstol = 1e-10;
        opts.saveat = {t1};
        opts.saveEverystep = false;
        opts.dt = method.index() == ode::Method(ode::RK4{}).index() ? 0.05 : 0.0;
        const auto problem = model::makeModelProblem<double>(m, Eigen::VectorXd(0), {0.0, t1});
        const long before = g_mallocs.load();
        const auto sol = model::solveModel(problem, method, opts);
        const long count = g_mallocs.load() - before;
        if (!sol.ok()) {
            qFatal("the solve failed: %s", sol.message.c_str());
        }
        steps = static_cast<std::size_t>(sol.stats.nAccepted);
        return count;
    }

  private slots:
    void stepLoopDoesNotAllocate_data() {
        QTest::addColumn<QString>("method");
        for (const char* name : {"Tsit5", "Vern7", "RK4", "Rodas5P"}) {
            QTest::newRow(name) << QString(name);
        }
    }

    void stepLoopDoesNotAllocate() {
        QFETCH(QString, method);
        if (!DYNFIT_OWN_MALLOC) {
            QSKIP("the sanitizers own malloc");
        }
        const auto solver = *ode::methodByName(method.toStdString());
        std::size_t shortSteps = 0, longSteps = 0;
        const long shortRun = allocationsOfSolve(200.0, solver, shortSteps);
        const long longRun = allocationsOfSolve(1000.0, solver, longSteps);
        QVERIFY2(longSteps > 2 * shortSteps,
                 qPrintable(QString("%1 and %2 steps").arg(shortSteps).arg(longSteps)));
        // The breakpoints, up to the method's order, are computed once: a few vectors more.
        QVERIFY2(longRun - shortRun <= 16,
                 qPrintable(QString("%1 allocations over %2 steps, %3 over %4")
                                .arg(shortRun)
                                .arg(shortSteps)
                                .arg(longRun)
                                .arg(longSteps)));
    }
};

QTEST_APPLESS_MAIN(TestDelayMemory)
#include "tst_delay_memory.moc"
