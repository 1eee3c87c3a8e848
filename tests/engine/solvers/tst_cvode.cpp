// SPDX-License-Identifier: MIT
// CVODE(S) through our types: the stiff test-set references, Adams' failure on ROBER, forward
// sensitivities and adjoints against the matrix exponential, backward time, statuses.
#include "solvers/cvode.hpp"
#include "support/stiff_references.hpp"

#include <QTest>
#include <atomic>
#include <chrono>
#include <cmath>
#include <stdexcept>
#include <unsupported/Eigen/MatrixFunctions>

using namespace dynfit;
using Eigen::MatrixXd;
using Eigen::VectorXd;
using ode::CvodeKind;

Q_DECLARE_METATYPE(dynfit::ode::CvodeKind)
Q_DECLARE_METATYPE(std::vector<double>)

namespace {

using Rober = test::RoberReference;
using Vdp = test::VanDerPolReference;

ode::CvodeSystem roberSystem() {
    ode::CvodeSystem s;
    s.n = 3;
    s.rhs = [](double, const double* y, double* dy) {
        dy[0] = -Rober::k1 * y[0] + Rober::k3 * y[1] * y[2];
        dy[1] = Rober::k1 * y[0] - Rober::k3 * y[1] * y[2] - Rober::k2 * y[1] * y[1];
        dy[2] = Rober::k2 * y[1] * y[1];
    };
    s.jacobian = [](double, const double* y, double* j) {
        Eigen::Map<Eigen::Matrix3d> J(j);
        J << -Rober::k1, Rober::k3 * y[2], Rober::k3 * y[1],                        //
            Rober::k1, -Rober::k3 * y[2] - 2 * Rober::k2 * y[1], -Rober::k3 * y[1], //
            0.0, 2 * Rober::k2 * y[1], 0.0;
    };
    return s;
}

ode::CvodeSystem vanDerPolSystem() {
    ode::CvodeSystem s;
    s.n = 2;
    s.rhs = [](double, const double* y, double* dy) {
        dy[0] = y[1];
        dy[1] = ((1 - y[0] * y[0]) * y[1] - y[0]) / Vdp::epsilon;
    };
    s.jacobian = [](double, const double* y, double* j) {
        Eigen::Map<Eigen::Matrix2d> J(j);
        J << 0.0, 1.0, (-2 * y[0] * y[1] - 1) / Vdp::epsilon, (1 - y[0] * y[0]) / Vdp::epsilon;
    };
    return s;
}

Eigen::Map<Eigen::Vector2d> v2(double* x) {
    return Eigen::Map<Eigen::Vector2d>(x);
}
Eigen::Map<const Eigen::Vector2d> v2(const double* x) {
    return Eigen::Map<const Eigen::Vector2d>(x);
}

VectorXd vec(const double* x, int n) {
    return Eigen::Map<const VectorXd>(x, n);
}

double relativeError(const MatrixXd& got, const MatrixXd& want) {
    return (got - want).cwiseAbs().maxCoeff() / want.cwiseAbs().maxCoeff();
}

// u' = A u with complex eigenvalues (a decaying spiral); parameters p = vec(A), column-major.
struct Linear {
    Eigen::Matrix2d a{{-0.5, 2.0}, {-1.5, -0.8}};
    Eigen::Vector2d u0{1.0, -0.5};
    std::vector<double> times{0.0, 0.5, 1.25, 2.0};

    ode::CvodeSystem system(bool withJacobian) const {
        ode::CvodeSystem s;
        s.n = 2;
        s.rhs = [a = a](double, const double* u, double* du) { v2(du) = a * v2(u); };
        if (withJacobian) {
            s.jacobian = [a = a](double, const double*, double* j) {
                Eigen::Map<Eigen::Matrix2d> J(j);
                J = a;
            };
        }
        return s;
    }
    // s' = A s + ∂f/∂p_k: directions k < 4 are A's entries, k >= 4 (when `initial`) u0's.
    ode::CvodeSensitivity sensitivity(bool initial) const {
        ode::CvodeSensitivity sens;
        sens.ns = initial ? 6 : 4;
        sens.initial = MatrixXd::Zero(2, sens.ns);
        if (initial) {
            sens.initial.rightCols(2).setIdentity();
        }
        sens.rhs = [a = a](double, const double* u, int k, const double* s, double* out) {
            Eigen::Map<Eigen::Vector2d> o(out);
            o = a * v2(s);
            if (k < 4) {
                o[k % 2] += u[k / 2];
            }
        };
        return sens;
    }
    Eigen::Vector2d exact(double t) const { return (a * t).exp() * u0; }
    // ∂u(t)/∂A_ij by Van Loan's block exponential: exp([[A, E], [0, A]] t) holds
    // ∫₀ᵗ exp(A(t−τ)) E exp(Aτ) dτ top right; columns as the sensitivity directions.
    MatrixXd exactSensitivity(double t) const {
        MatrixXd s(2, 6);
        for (int k = 0; k < 4; ++k) {
            Eigen::Matrix4d m = Eigen::Matrix4d::Zero();
            m.topLeftCorner<2, 2>() = a;
            m.bottomRightCorner<2, 2>() = a;
            m(k % 2, 2 + k / 2) = 1.0;
            s.col(k) = (m * t).exp().topRightCorner<2, 2>() * u0;
        }
        s.rightCols(2) = (a * t).exp();
        return s;
    }
    Eigen::Vector2d data(std::size_t k) const { return {0.3 * double(k), -0.2}; }
};

ode::SolveOptions tight() {
    ode::SolveOptions o;
    o.reltol = 1e-10;
    o.abstol = 1e-12;
    return o;
}

double seconds(std::chrono::steady_clock::time_point since) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

void addKindRows() {
    QTest::addColumn<CvodeKind>("kind");
    QTest::newRow("BDF") << CvodeKind::Bdf;
    QTest::newRow("Adams") << CvodeKind::Adams;
}

} // namespace

class TestCvode : public QObject {
    Q_OBJECT
  private slots:
    // ROBER over [0, 1e11] against the test set. y2 peaks at 3.6e-5 and ends at 8e-14, below
    // a scalar abstol of 1e-14: it still lands within 3e-6 (y2 sits on the slow manifold, set
    // by y1), but with 4× margin only; abstol 1e-20 on y2 alone gives 6e-7 for 5% more steps.
    void roberBdf_data() {
        QTest::addColumn<std::vector<double>>("abstol");
        QTest::newRow("abstol 1e-14") << std::vector<double>{1e-14, 1e-14, 1e-14};
        QTest::newRow("abstol 1e-20 on y2") << std::vector<double>{1e-14, 1e-20, 1e-14};
    }
    void roberBdf() {
        QFETCH(std::vector<double>, abstol);
        ode::SolveOptions o;
        o.reltol = 1e-8;
        o.abstolPerComponent = abstol;
        const auto start = std::chrono::steady_clock::now();
        const auto r =
            ode::solveCvode(roberSystem(), CvodeKind::Bdf, vec(Rober::y0, 3), {0.0, Rober::t1}, o);
        const double elapsed = seconds(start);
        QVERIFY2(r.solution.ok(), r.solution.message.c_str());
        QCOMPARE(r.solution.t.back(), Rober::t1);
        const VectorXd& y = r.solution.u.back();
        double worst = 0.0, drift = 0.0;
        for (int i = 0; i < 3; ++i) {
            worst = std::max(worst, std::abs(y[i] / Rober::yT1[i] - 1.0));
        }
        for (const VectorXd& u : r.solution.u) {
            drift = std::max(drift, std::abs(u.sum() - 1.0));
        }
        const auto& st = r.solution.stats;
        qInfo("ROBER BDF: rel. errors (%.2e %.2e %.2e), max |sum-1| %.1e, %ld steps, %ld rejected,"
              " %ld f, %ld J, %ld LU, %.3f s",
              y[0] / Rober::yT1[0] - 1, y[1] / Rober::yT1[1] - 1, y[2] / Rober::yT1[2] - 1, drift,
              st.nAccepted, st.nRejected, st.nRhs, st.nJac, st.nFactorizations, elapsed);
        QVERIFY2(worst < 1e-5, qPrintable(QString("relative error %1").arg(worst)));
        QVERIFY2(drift < 1e-9, qPrintable(QString("mass drift %1").arg(drift)));
        QCOMPARE(long(r.solution.t.size()), st.nAccepted + 1); // saveEverystep by default
        QVERIFY(st.nJac > 0 && st.nLinearSolves >= st.nAccepted && st.nFactorizations > 0);
    }

    // VDPOL (ε = 1e-6) as the test set defines it, y(0) = (2, 0), to its t = 2 reference.
    void vanDerPolBdf() {
        ode::SolveOptions o;
        o.reltol = 1e-8;
        o.abstol = 1e-10;
        o.saveat = {Vdp::t1};
        const auto r =
            ode::solveCvode(vanDerPolSystem(), CvodeKind::Bdf, vec(Vdp::y0, 2), {0.0, Vdp::t1}, o);
        QVERIFY2(r.solution.ok(), r.solution.message.c_str());
        QCOMPARE(r.solution.t.size(), std::size_t(1));
        const VectorXd& y = r.solution.u.back();
        const double e0 = y[0] / Vdp::yT1[0] - 1, e1 = y[1] / Vdp::yT1[1] - 1;
        // Hairer's driver value y2(0) = −0.66 for comparison: how far that lands from it.
        const double start[2] = {2.0, -0.66};
        const auto h =
            ode::solveCvode(vanDerPolSystem(), CvodeKind::Bdf, vec(start, 2), {0.0, Vdp::t1}, o);
        QVERIFY2(h.solution.ok(), h.solution.message.c_str());
        const VectorXd& z = h.solution.u.back();
        qInfo("VDPOL BDF: rel. errors (%.2e %.2e), %ld steps, %ld rejected, %ld f; from "
              "(2, -0.66): (%.2e %.2e)",
              e0, e1, r.solution.stats.nAccepted, r.solution.stats.nRejected, r.solution.stats.nRhs,
              z[0] / Vdp::yT1[0] - 1, z[1] / Vdp::yT1[1] - 1);
        QVERIFY2(std::max(std::abs(e0), std::abs(e1)) < 1e-5,
                 qPrintable(QString("relative errors %1 %2").arg(e0).arg(e1)));
    }

    // Adams with fixed-point iteration cannot cross ROBER's stiff span: it must stop with a
    // failure in bounded time, where BDF (above) succeeds with the same options.
    void adamsFailsOnRober() {
        ode::SolveOptions o;
        o.reltol = 1e-8;
        o.abstolPerComponent = {1e-14, 1e-20, 1e-14};
        o.saveEverystep = false;
        const auto start = std::chrono::steady_clock::now();
        const auto r = ode::solveCvode(roberSystem(), CvodeKind::Adams, vec(Rober::y0, 3),
                                       {0.0, Rober::t1}, o);
        const double elapsed = seconds(start);
        const auto bdf =
            ode::solveCvode(roberSystem(), CvodeKind::Bdf, vec(Rober::y0, 3), {0.0, Rober::t1}, o);
        qInfo("ROBER Adams: %s after %ld steps + %ld rejected, %.3f s: %s",
              statusName(r.solution.status).data(), r.solution.stats.nAccepted,
              r.solution.stats.nRejected, elapsed, r.solution.message.c_str());
        QVERIFY(!r.solution.ok());
        QCOMPARE(r.solution.status, SolveStatus::MaxIters);
        QVERIFY(r.solution.message.find("CV_TOO_MUCH_WORK") != std::string::npos);
        QCOMPARE(r.solution.stats.nJac, 0L);
        QVERIFY2(elapsed < 10.0, qPrintable(QString("%1 s").arg(elapsed)));
        QVERIFY2(bdf.solution.ok(), bdf.solution.message.c_str());
    }

    // Forward sensitivities against Van Loan's exact ∂u/∂A_ij and exp(At) = ∂u/∂u0.
    void linearSensitivities_data() { addKindRows(); }
    void linearSensitivities() {
        QFETCH(CvodeKind, kind);
        const Linear lin;
        ode::SolveOptions o = tight();
        o.saveat = lin.times;
        const auto sens = lin.sensitivity(true);
        const auto r = ode::solveCvode(lin.system(true), kind, lin.u0, {0.0, 2.0}, o, &sens);
        QVERIFY2(r.solution.ok(), r.solution.message.c_str());
        QCOMPARE(r.solution.t, lin.times);
        QCOMPARE(r.sensitivities.size(), lin.times.size());
        double worstU = 0.0, worstS = 0.0;
        for (std::size_t k = 0; k < lin.times.size(); ++k) {
            const double t = lin.times[k];
            worstU = std::max(worstU, relativeError(r.solution.u[k], lin.exact(t)));
            worstS = std::max(worstS, relativeError(r.sensitivities[k], lin.exactSensitivity(t)));
        }
        qInfo("linear sensitivities: u %.1e, S %.1e relative, %ld steps", worstU, worstS,
              r.solution.stats.nAccepted);
        QVERIFY2(worstU < 1e-7, qPrintable(QString::number(worstU)));
        QVERIFY2(worstS < 1e-6, qPrintable(QString::number(worstS)));
    }

    // t1 < t0: integrate u' = A u from t = 2 back to 0, with sensitivities to u(2) = u0.
    void backwardInTime_data() { addKindRows(); }
    void backwardInTime() {
        QFETCH(CvodeKind, kind);
        const Linear lin;
        ode::SolveOptions o = tight();
        o.saveatStep = 0.5;
        o.dtmax = 0.2;
        auto sens = lin.sensitivity(true);
        sens.ns = 2;
        sens.initial = MatrixXd::Identity(2, 2);
        sens.rhs = [a = lin.a](double, const double*, int, const double* s, double* out) {
            v2(out) = a * v2(s);
        };
        const auto r = ode::solveCvode(lin.system(true), kind, lin.u0, {2.0, 0.0}, o, &sens);
        QVERIFY2(r.solution.ok(), r.solution.message.c_str());
        QCOMPARE(r.solution.t, (std::vector<double>{2.0, 1.5, 1.0, 0.5, 0.0}));
        for (std::size_t k = 0; k < r.solution.t.size(); ++k) {
            const Eigen::Matrix2d e = (lin.a * (r.solution.t[k] - 2.0)).exp();
            QVERIFY(relativeError(r.solution.u[k], e * lin.u0) < 1e-7);
            QVERIFY(relativeError(r.sensitivities[k], e) < 1e-7);
        }
        QVERIFY(r.solution.stats.nAccepted >= 10); // dtmax = 0.2 over a span of 2
    }

    // The adjoint's λ0 = dL/du0 and μ0 = dL/dA for L = Σ_k |u(t_k) − d_k|² against forward
    // sensitivities and the exact values; a save at t0 adds its jump to λ0 only.
    void linearAdjoint_data() {
        QTest::addColumn<CvodeKind>("kind");
        QTest::addColumn<bool>("jacobian");
        QTest::newRow("BDF, Jacobian") << CvodeKind::Bdf << true;
        QTest::newRow("BDF, −Jᵀ from VJPs") << CvodeKind::Bdf << false;
        QTest::newRow("Adams") << CvodeKind::Adams << false;
    }
    void linearAdjoint() {
        QFETCH(CvodeKind, kind);
        QFETCH(bool, jacobian);
        const Linear lin;
        ode::SolveOptions o = tight();
        o.saveat = lin.times;
        ode::CvodeAdjointSystem adj;
        adj.np = 4;
        adj.vjp = [a = lin.a](double, const double* u, const double* w, double* gu, double* gp) {
            v2(gu) = a.transpose() * v2(w);
            for (int k = 0; k < 4; ++k) {
                gp[k] = w[k % 2] * u[k / 2];
            }
        };
        adj.jump = [&lin](std::size_t k, const VectorXd& u) -> VectorXd {
            return 2.0 * (u - lin.data(k));
        };
        const auto r = ode::cvodeAdjoint(lin.system(jacobian), adj, kind, lin.u0, {0.0, 2.0}, o, 5);
        QVERIFY2(r.forward.ok(), r.forward.message.c_str());
        QCOMPARE(r.forward.t, lin.times);

        const auto sens = lin.sensitivity(true);
        const auto f = ode::solveCvode(lin.system(true), kind, lin.u0, {0.0, 2.0}, o, &sens);
        QVERIFY2(f.solution.ok(), f.solution.message.c_str());
        VectorXd byForward = VectorXd::Zero(6), exact = VectorXd::Zero(6);
        for (std::size_t k = 0; k < lin.times.size(); ++k) {
            byForward += f.sensitivities[k].transpose() * (2.0 * (f.solution.u[k] - lin.data(k)));
            const double t = lin.times[k];
            exact += lin.exactSensitivity(t).transpose() * (2.0 * (lin.exact(t) - lin.data(k)));
        }
        VectorXd adjoint(6);
        adjoint << r.mu0, r.lambda0;
        const double vsForward = relativeError(adjoint, byForward);
        const double vsExact = relativeError(adjoint, exact);
        qInfo("adjoint: vs forward %.1e, vs exact %.1e; forward %ld steps, %ld backward VJPs",
              vsForward, vsExact, r.forward.stats.nAccepted, r.nRhsBackward);
        QVERIFY2(vsForward < 1e-6, qPrintable(QString::number(vsForward)));
        QVERIFY2(vsExact < 1e-6, qPrintable(QString::number(vsExact)));
        QVERIFY(r.nRhsBackward > 0);
    }

    // The adjoint over a backward span (t1 = 0 < t0 = 2) with L = Σ_k |u(t_k)|²:
    // λ0 = Σ_k 2 E_kᵀ E_k u0 with E_k = exp(A (t_k − 2)); the save at t1 = 0 starts λ.
    void adjointBackwardInTime() {
        const Linear lin;
        ode::SolveOptions o = tight();
        o.saveat = {1.5, 1.0, 0.0};
        ode::CvodeAdjointSystem adj;
        adj.np = 0;
        adj.vjp = [a = lin.a](double, const double*, const double* w, double* gu, double*) {
            v2(gu) = a.transpose() * v2(w);
        };
        adj.jump = [](std::size_t, const VectorXd& u) -> VectorXd { return 2.0 * u; };
        const auto r =
            ode::cvodeAdjoint(lin.system(true), adj, CvodeKind::Bdf, lin.u0, {2.0, 0.0}, o);
        QVERIFY2(r.forward.ok(), r.forward.message.c_str());
        Eigen::Vector2d exact = Eigen::Vector2d::Zero();
        for (double t : o.saveat) {
            const Eigen::Matrix2d e = (lin.a * (t - 2.0)).exp();
            exact += 2.0 * e.transpose() * e * lin.u0;
        }
        QVERIFY2(relativeError(r.lambda0, exact) < 1e-7,
                 qPrintable(QString::number(relativeError(r.lambda0, exact))));
        QCOMPARE(r.mu0.size(), Eigen::Index(0));
    }

    void invalidInput_data() {
        QTest::addColumn<int>("which");
        QTest::addColumn<QString>("expected");
        QTest::newRow("n mismatch") << 0 << "u0 has 3 components but the system has 2";
        QTest::newRow("NaN u0") << 1 << "NaN";
        QTest::newRow("abstol size") << 2 << "abstolPerComponent";
        QTest::newRow("fixed dt") << 3 << "fixed step";
        QTest::newRow("saveat outside") << 4 << "outside the time span";
        QTest::newRow("sensitivity shape") << 5 << "initial sensitivities";
        QTest::newRow("jump size") << 6 << "jump 1 must have 2";
    }
    void invalidInput() {
        QFETCH(int, which);
        QFETCH(QString, expected);
        const Linear lin;
        ode::SolveOptions o;
        VectorXd u0 = lin.u0;
        auto sens = lin.sensitivity(false);
        switch (which) {
        case 0:
            u0 = VectorXd::Ones(3);
            break;
        case 1:
            u0[1] = std::nan("");
            break;
        case 2:
            o.abstolPerComponent = {1e-6};
            break;
        case 3:
            o.dt = 0.1;
            break;
        case 4:
            o.saveat = {0.5, 3.0};
            break;
        case 5:
            sens.initial = MatrixXd::Zero(2, 3);
            break;
        default:
            o.saveat = lin.times;
        }
        ode::Solution<VectorXd> sol;
        if (which == 6) {
            ode::CvodeAdjointSystem adj;
            adj.vjp = [](double, const double*, const double*, double*, double*) {};
            adj.jump = [](std::size_t k, const VectorXd&) {
                return VectorXd::Zero(k == 1 ? 3 : 2);
            };
            sol = ode::cvodeAdjoint(lin.system(true), adj, CvodeKind::Bdf, u0, {0, 2}, o).forward;
        } else {
            sol = ode::solveCvode(lin.system(true), CvodeKind::Bdf, u0, {0, 2}, o, &sens).solution;
        }
        QCOMPARE(sol.status, SolveStatus::InvalidInput);
        QVERIFY2(sol.message.find(expected.toStdString()) != std::string::npos,
                 sol.message.c_str());
    }

    // The cancel flag, raised from inside the solve, stops the forward loop and the backward pass.
    void cancel() {
        std::atomic<bool> flag{false};
        ode::SolveOptions o;
        o.cancel = &flag;
        auto system = roberSystem();
        long calls = 0;
        system.rhs = [&, f = system.rhs](double t, const double* y, double* dy) {
            f(t, y, dy);
            flag = ++calls >= 200 || flag;
        };
        const auto r = ode::solveCvode(system, CvodeKind::Bdf, vec(Rober::y0, 3), {0, 1e11}, o);
        QCOMPARE(r.solution.status, SolveStatus::Cancelled);
        QVERIFY(r.solution.t.size() > 1 && r.solution.t.back() < 1e11);
        QVERIFY(r.solution.message.find("cancelled") != std::string::npos);

        const Linear lin;
        flag = false;
        ode::CvodeAdjointSystem adj;
        adj.np = 0;
        long vjps = 0;
        adj.vjp = [&](double, const double*, const double* w, double* gu, double*) {
            v2(gu) = lin.a.transpose() * v2(w);
            flag = ++vjps >= 20 || flag;
        };
        adj.jump = [](std::size_t, const VectorXd& u) -> VectorXd { return u; };
        o.saveat = {2.0};
        const auto a = ode::cvodeAdjoint(lin.system(true), adj, CvodeKind::Bdf, lin.u0, {0, 2}, o);
        QCOMPARE(a.forward.status, SolveStatus::Cancelled);
        QVERIFY(a.forward.message.find("backward") != std::string::npos);
    }

    void maxIters() {
        ode::SolveOptions o;
        o.maxiters = 10;
        const auto r =
            ode::solveCvode(roberSystem(), CvodeKind::Bdf, vec(Rober::y0, 3), {0, 1e11}, o);
        QCOMPARE(r.solution.status, SolveStatus::MaxIters);
        QVERIFY(r.solution.stats.nAccepted + r.solution.stats.nRejected >= 10);
        QVERIFY2(r.solution.message.find("CV_TOO_MUCH_WORK") != std::string::npos,
                 r.solution.message.c_str());
    }

    // NaN from the right-hand side past t = 0.5: CVODE cuts the step (recoverable) until it
    // gives up; an exception is caught before it reaches CVODE's C frames.
    void unstable_data() {
        QTest::addColumn<bool>("throws");
        QTest::newRow("NaN") << false;
        QTest::newRow("throw") << true;
    }
    void unstable() {
        QFETCH(bool, throws);
        ode::CvodeSystem s;
        s.n = 1;
        s.rhs = [throws](double t, const double* u, double* du) {
            if (t > 0.5 && throws) {
                throw std::runtime_error("model blew up");
            }
            du[0] = t > 0.5 ? std::nan("") : -u[0];
        };
        const auto r = ode::solveCvode(s, CvodeKind::Bdf, VectorXd::Ones(1), {0, 1}, {});
        QCOMPARE(r.solution.status, SolveStatus::Unstable);
        QVERIFY(r.solution.message.find(throws ? "model blew up" : "NaN or Inf")
                != std::string::npos);
        QVERIFY(r.solution.t.back() <= 0.5 + 1e-9);
        qInfo("%s (%ld steps, %ld rejected)", r.solution.message.c_str(),
              r.solution.stats.nAccepted, r.solution.stats.nRejected);
    }
};

QTEST_GUILESS_MAIN(TestCvode)
#include "tst_cvode.moc"
