// SPDX-License-Identifier: MIT
// Data-driven tests over the method registry: one _data() row per method, one visit per row.
#pragma once

#include "solvers/methods.hpp"

#include <QTest>
#include <utility>

namespace dynfit::test {

/// Adds a row named after each registered method (filtered by `keep(info)`), column "method".
template<class Keep>
void addMethodRows(Keep keep) {
    QTest::addColumn<QString>("method");
    for (const auto& info : ode::explicitMethods()) {
        if (keep(info)) {
            const QByteArray name(info.name.data(), static_cast<qsizetype>(info.name.size()));
            QTest::newRow(name.constData()) << QString::fromLatin1(name);
        }
    }
}

inline void addMethodRows() {
    addMethodRows([](const ode::MethodInfo&) { return true; });
}

/// Adds a row named after each method of the whole registry (ode::allMethods(), filtered by
/// `keep(info)`), column "method": the stiff methods, CVODE and Auto too.
template<class Keep>
void addSolverRows(Keep keep) {
    QTest::addColumn<QString>("method");
    for (const auto& info : ode::allMethods()) {
        if (keep(info)) {
            const QByteArray name(info.name.data(), static_cast<qsizetype>(info.name.size()));
            QTest::newRow(name.constData()) << QString::fromLatin1(name);
        }
    }
}

/// The info of the current row's method (rows from addSolverRows()).
inline const ode::SolverInfo& rowSolver() {
    QFETCH(QString, method);
    const auto chosen = ode::methodByName(method.toStdString());
    if (!chosen) {
        qFatal("unknown method %s", qPrintable(method));
    }
    return ode::solverInfo(*chosen);
}

/// Calls body(tag) with the tableau tag of the current row's method.
template<class Body>
void withRowMethod(Body&& body) {
    QFETCH(QString, method);
    const auto chosen = ode::explicitMethodByName(method.toStdString());
    QVERIFY2(chosen.has_value(), qPrintable("unknown method " + method));
    std::visit(std::forward<Body>(body), *chosen);
}

/// Least-squares slope of log(y) against log(x).
inline double logLogSlope(const std::vector<double>& x, const std::vector<double>& y) {
    const auto n = static_cast<double>(x.size());
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double lx = std::log(x[i]);
        const double ly = std::log(y[i]);
        sx += lx;
        sy += ly;
        sxx += lx * lx;
        sxy += lx * ly;
    }
    return (n * sxy - sx * sy) / (n * sxx - sx * sx);
}

/// The order observed in the asymptotic range: the slope over the three finest points whose
/// error lies between `floor` (round-off) and 1e-2 (pre-asymptotic), or NaN if fewer than three.
inline double
asymptoticSlope(const std::vector<double>& steps, const std::vector<double>& errors, double floor) {
    std::vector<double> x, y;
    for (std::size_t i = 0; i < steps.size(); ++i) {
        if (errors[i] > floor && errors[i] < 1e-2) {
            x.push_back(steps[i]);
            y.push_back(errors[i]);
        }
    }
    if (x.size() < 3) {
        return std::nan("");
    }
    x.erase(x.begin(), x.end() - 3);
    y.erase(y.begin(), y.end() - 3);
    return logLogSlope(x, y);
}

} // namespace dynfit::test
