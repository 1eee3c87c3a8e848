// SPDX-License-Identifier: MIT
// What the optimisers minimise: the fit problem's loss in the optimiser's coordinates, the best
// point seen, and the stop rules they share.
#pragma once

#include "fit/fitter.hpp"
#include "fit/parameter_space.hpp"

#include <Eigen/Core>
#include <chrono>
#include <cmath>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace dynfit::fit {

/// Why an optimiser stops before its natural end.
struct FitStop {
    FitStatus status;
    std::string message;
};

// The loss and its gradient in the optimiser's coordinates x = [parameters in the parameter
// space's coordinates | shooting starts], the best point seen, and the stop rules shared by the
// optimisers.
class FitObjective {
  public:
    FitObjective(const FitProblem& problem,
                 const FitOptions& options,
                 const std::vector<double>& initial,
                 const std::function<bool(const FitProgress&)>& callback)
        : m_problem(problem), m_options(options), m_callback(callback), m_space(problem.model()),
          m_np(m_space.size()), m_start(std::chrono::steady_clock::now()) {
        if (options.optimizer == Optimizer::Adam && options.adam.normalise) {
            m_space.normalise(problem.model(), initial);
        }
        const auto ns = problem.startCount();
        const double inf = std::numeric_limits<double>::infinity();
        m_lower.resize(m_np + ns);
        m_upper.resize(m_np + ns);
        m_lower << m_space.lower(), Eigen::VectorXd::Constant(ns, -inf);
        m_upper << m_space.upper(), Eigen::VectorXd::Constant(ns, inf);
    }

    /// Holds the parameters `indices` at their values in x0 (both bounds there, no gradient).
    void fix(const std::vector<int>& indices, const Eigen::VectorXd& x0) {
        m_fixed.assign(static_cast<std::size_t>(m_np), false);
        for (const int k : indices) {
            m_fixed[static_cast<std::size_t>(k)] = true;
            m_lower[k] = m_upper[k] = x0[k];
        }
    }

    Eigen::VectorXd initialX(const std::vector<double>& params) const {
        Eigen::VectorXd x(m_lower.size());
        x << m_space.toInternal(params), m_problem.initialStarts();
        return x;
    }
    std::vector<double> params(const Eigen::VectorXd& x) const {
        return m_space.toModel(x.head(m_np));
    }
    Eigen::VectorXd project(const Eigen::VectorXd& x) const {
        return x.cwiseMax(m_lower).cwiseMin(m_upper);
    }
    const Eigen::VectorXd& lower() const { return m_lower; }
    const Eigen::VectorXd& upper() const { return m_upper; }

    /// L(x) and dL/dx; false (and L = +inf) when a solve failed or the loss is not finite.
    bool evaluate(const Eigen::VectorXd& x, double& value, Eigen::VectorXd& gradient) {
        const auto e = m_problem.evaluate(params(x), starts(x));
        gradient.setZero(x.size());
        if (!e.ok() || !std::isfinite(e.loss)) {
            value = std::numeric_limits<double>::infinity();
            m_lastFailure = e.ok() ? "the loss is not finite" : e.message;
            return false;
        }
        value = e.loss;
        gradient << m_space.chain(x.head(m_np), e.dParams), e.dStarts;
        zeroFixed(gradient);
        if (!std::isfinite(gradient.squaredNorm())) {
            value = std::numeric_limits<double>::infinity();
            m_lastFailure = "the gradient is not finite";
            return false;
        }
        noteValue(value, x);
        return true;
    }

    /// Residuals and their Jacobian in the optimiser's coordinates (Levenberg–Marquardt).
    bool residuals(const Eigen::VectorXd& x, Eigen::VectorXd& r, Eigen::MatrixXd& jacobian) {
        auto rj = m_problem.residuals(params(x), starts(x));
        if (!rj.ok() || !std::isfinite(rj.residuals.squaredNorm())
            || !std::isfinite(rj.dParams.squaredNorm())
            || !std::isfinite(rj.dStarts.squaredNorm())) {
            m_lastFailure = rj.ok() ? "the residuals are not finite" : rj.message;
            return false;
        }
        r = std::move(rj.residuals);
        // Parameter columns scaled by dp/dx (the chain rule of the log coordinates).
        const Eigen::VectorXd scale =
            m_space.chain(x.head(m_np), std::vector<double>(static_cast<std::size_t>(m_np), 1.0));
        jacobian.resize(r.size(), x.size());
        jacobian << rj.dParams * scale.asDiagonal(), rj.dStarts;
        for (std::size_t k = 0; k < m_fixed.size(); ++k) {
            if (m_fixed[k]) {
                jacobian.col(static_cast<Eigen::Index>(k)).setZero();
            }
        }
        noteValue(r.squaredNorm(), x);
        return true;
    }

    /// Reports an iteration and applies the stop rules: the reason to stop, if any.
    [[nodiscard]] std::optional<FitStop>
    iterationDone(int iteration, double value, const Eigen::VectorXd& x, double gradientNorm) {
        FitProgress progress{iteration, value, gradientNorm, params(x), seconds(), {}};
        if (m_options.reportPrediction) {
            progress.predictions = m_problem.predictions(progress.params);
        }
        if (m_callback && !m_callback(progress)) {
            return FitStop{FitStatus::Cancelled, "stopped by the progress callback"};
        }
        if (m_options.cancel != nullptr && m_options.cancel->load()) {
            return FitStop{FitStatus::Cancelled, "cancelled"};
        }
        if (m_options.timeLimit > 0.0 && seconds() > m_options.timeLimit) {
            return FitStop{FitStatus::TimeLimit, "time limit reached"};
        }
        if (value <= m_options.lossTolerance) {
            return FitStop{FitStatus::Converged, "loss tolerance reached"};
        }
        if (gradientNorm < m_options.gradientTolerance) {
            return FitStop{FitStatus::Converged, "gradient tolerance reached"};
        }
        return std::nullopt;
    }

    double seconds() const {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
    }
    double best() const { return m_best; }
    const Eigen::VectorXd& bestX() const { return m_bestX; }
    const std::string& lastFailure() const { return m_lastFailure; }

  private:
    Eigen::VectorXd starts(const Eigen::VectorXd& x) const { return x.tail(x.size() - m_np); }

    void zeroFixed(Eigen::VectorXd& gradient) const {
        for (std::size_t k = 0; k < m_fixed.size(); ++k) {
            if (m_fixed[k]) {
                gradient[static_cast<Eigen::Index>(k)] = 0.0;
            }
        }
    }

    void noteValue(double value, const Eigen::VectorXd& x) {
        if (value < m_best) {
            m_best = value;
            m_bestX = x;
        }
    }

    const FitProblem& m_problem;
    const FitOptions& m_options;
    const std::function<bool(const FitProgress&)>& m_callback;
    ParameterSpace m_space;
    Eigen::Index m_np;
    Eigen::VectorXd m_lower, m_upper;
    std::vector<bool> m_fixed;
    std::chrono::steady_clock::time_point m_start;
    double m_best = std::numeric_limits<double>::infinity();
    Eigen::VectorXd m_bestX;
    std::string m_lastFailure;
};

// A step the fit stepped back from because its solve failed (or its loss was not finite).
inline void noteRejection(FitOutcome& out, int iteration, const std::string& why) {
    ++out.rejectedSteps;
    out.lastRejection = "iteration ";
    out.lastRejection += std::to_string(iteration);
    out.lastRejection += ": ";
    out.lastRejection += why;
}

} // namespace dynfit::fit
