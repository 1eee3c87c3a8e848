// SPDX-License-Identifier: MIT
// The generic stepper over every method: convergence orders, dense-output orders, no allocation,
// and other scalar types (float, Dual).
// clang-format off
#include "support/alloc_counter.hpp" // first: it instruments Eigen's allocations
// clang-format on
#include "core/dual.hpp"
#include "problems/reference_problems.hpp"
#include "solvers/solve.hpp"
#include "support/method_rows.hpp"

#include <QTest>

using namespace dynfit;

class TestExplicitRk : public QObject {
    Q_OBJECT
  private slots:
    // Fixed steps on u' = 3 cos(3t) u over [0, 3]: the global error falls like dt^order.
    void convergenceOrder_data() { test::addMethodRows(); }
    void convergenceOrder() {
        test::withRowMethod([](auto tag) {
            using T = decltype(tag);
            const double t1 = 3.0;
            const test::ExpSinRhs rhs{3.0};
            std::vector<double> dts, errors;
            for (int n = 8; n <= 32768; n *= 2) {
                ode::SolveOptions opts;
                opts.dt = t1 / n;
                opts.saveat = {t1};
                const auto problem = ode::makeOdeProblem(rhs, test::Vec1(rhs.exact(0.0)), {0.0, t1},
                                                         Eigen::VectorXd());
                const auto sol = ode::solve(problem, tag, opts);
                QVERIFY2(sol.ok(), sol.message.c_str());
                QCOMPARE(sol.stats.nAccepted, static_cast<long>(n));
                dts.push_back(opts.dt);
                errors.push_back(std::abs(sol.u.back()[0] - rhs.exact(t1)));
            }
            const double slope = test::asymptoticSlope(dts, errors, 1e-13);
            QVERIFY2(
                std::abs(slope - T::order) < 0.2,
                qPrintable(QString("observed order %1, expected %2").arg(slope).arg(T::order)));
        });
    }

    // One step from the exact value of a nonlinear rotation (long double, so that round-off
    // stays below the errors measured): the interpolant's error at θ = 0.4 falls like
    // h^(min(denseOrder, order) + 1).
    void denseOutputOrder_data() { test::addMethodRows(); }
    void denseOutputOrder() {
        test::withRowMethod([](auto tag) {
            using T = decltype(tag);
            const int expected = std::min(T::denseOrder, T::order) + 1;
            std::vector<double> hs, errors;
            for (double h = 0.4; h > 0.001; h /= 2) {
                ode::SolveOptions opts;
                opts.dt = h;
                opts.saveat = {0.4 * h};
                const auto problem = ode::makeOdeProblem(test::NonlinearRotationRhs{},
                                                         test::NonlinearRotationRhs::exact(0.0),
                                                         {0.0, h}, Eigen::VectorXd());
                const auto sol = ode::solve(problem, tag, opts);
                QVERIFY(sol.ok());
                const test::NonlinearRotationRhs::State diff =
                    sol.u.front() - test::NonlinearRotationRhs::exact(0.4 * h);
                hs.push_back(h);
                errors.push_back(static_cast<double>(diff.cwiseAbs().maxCoeff()));
            }
            const double slope = test::asymptoticSlope(hs, errors, 1e-16);
            QVERIFY2(std::abs(slope - expected) < 0.3,
                     qPrintable(QString("observed %1, expected %2").arg(slope).arg(expected)));
        });
    }

    // After init(), the whole step loop (stages, error control, interpolated saves) allocates
    // nothing, even with a heap-allocated state.
    void stepLoopDoesNotAllocate_data() { test::addMethodRows(); }
    void stepLoopDoesNotAllocate() {
        test::withRowMethod([](auto tag) {
            using T = decltype(tag);
            auto problem = ode::makeOdeProblem(
                examples::LotkaVolterraRhs{}, Eigen::VectorXd(Eigen::Vector2d(1.0, 1.0)),
                {0.0, 10.0}, Eigen::VectorXd(Eigen::Vector4d(1.5, 1.0, 3.0, 1.0)));
            ode::SolveOptions opts;
            opts.reltol = opts.abstol = T::order <= 2 ? 1e-5 : 1e-8;
            opts.saveat = {0.0, 0.37, 1.0, 2.5, 2.51, 7.0, 9.999, 10.0};
            if constexpr (T::errorOrder == 0) {
                opts.dt = 0.01;
            }
            ode::RkIntegrator<T, decltype(problem)> integrator(problem, opts);
            QVERIFY(integrator.init());
            std::size_t allocations = 0;
            {
                test::AllocationScope scope;
                integrator.run();
                allocations = scope.count();
            }
            QVERIFY2(integrator.solution().ok(), integrator.solution().message.c_str());
            QCOMPARE(integrator.solution().u.size(), opts.saveat.size());
            QVERIFY(integrator.solution().stats.nAccepted > 10);
            QCOMPARE(allocations, std::size_t(0));
        });
    }

    // The counter itself must see allocations, or the test above could not fail.
    void allocationCounterCounts() {
        std::size_t eigen = 0, standard = 0;
        {
            test::AllocationScope scope;
            Eigen::VectorXd v(1000);
            v.setZero();
            eigen = scope.count();
        }
        {
            test::AllocationScope scope;
            std::vector<double> w(1000);
            standard = scope.count();
        }
        QCOMPARE(eigen, std::size_t(1));
        QCOMPARE(standard, std::size_t(1));
    }

    // Dual numbers through the adaptive solver: du(T)/dk and du(T)/du0 of u' = −k u.
    void dualNumberSensitivities() {
        using D = Dual<double, 2>;
        using State = Eigen::Matrix<D, 1, 1>;
        using Params = Eigen::Matrix<D, 1, 1>;
        const double k = 0.7, u0 = 2.0, tEnd = 3.0;
        Params p;
        p[0] = D::variable(k, 0);
        State init;
        init[0] = D::variable(u0, 1);
        auto problem = ode::makeOdeProblem(test::DecayRhs{}, init, {0.0, tEnd}, p);
        ode::SolveOptions opts;
        opts.reltol = opts.abstol = 1e-12;
        const auto sol = ode::solve(problem, ode::Tsit5{}, opts);
        QVERIFY(sol.ok());
        const D uT = sol.u.back()[0];
        const double exact = u0 * std::exp(-k * tEnd);
        QVERIFY(std::abs(uT.val - exact) < 1e-10 * exact);
        QVERIFY(std::abs(uT.d[0] - (-tEnd * exact)) < 1e-9 * tEnd * exact);
        QVERIFY(std::abs(uT.d[1] - std::exp(-k * tEnd)) < 1e-9);
    }

    // float states: same solver, single precision, sensible accuracy at loose tolerances.
    void floatState() {
        auto problem =
            ode::makeOdeProblem(examples::LotkaVolterraRhs{}, Eigen::Vector2f(1.0f, 1.0f),
                                {0.0, 10.0}, Eigen::Vector4f(1.5f, 1.0f, 3.0f, 1.0f));
        ode::SolveOptions opts;
        opts.reltol = opts.abstol = 1e-5;
        const auto sol = ode::solve(problem, ode::Tsit5{}, opts);
        QVERIFY(sol.ok());
        QVERIFY(std::abs(sol.u.back()[0] - test::LotkaVolterraReference::t10[0]) < 1e-3);
        QVERIFY(std::abs(sol.u.back()[1] - test::LotkaVolterraReference::t10[1]) < 1e-3);
    }
};

QTEST_GUILESS_MAIN(TestExplicitRk)
#include "tst_explicit_rk.moc"
