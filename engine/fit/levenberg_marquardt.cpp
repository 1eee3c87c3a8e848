// SPDX-License-Identifier: MIT
// Levenberg–Marquardt, for least squares with few parameters.
#include "fit/optimizers.hpp"

#include <Eigen/Cholesky>
#include <algorithm>

namespace dynfit::fit {

// Levenberg–Marquardt with Marquardt's diagonal scaling, projected onto the bounds.
std::optional<FitStop> runLevenbergMarquardt(FitObjective& objective,
                                             Eigen::VectorXd x,
                                             const FitOptions& options,
                                             FitOutcome& out) {
    Eigen::VectorXd r;
    Eigen::MatrixXd jac;
    x = objective.project(x);
    if (!objective.residuals(x, r, jac)) {
        return FitStop{FitStatus::Failed, "the initial point fails: " + objective.lastFailure()};
    }
    double value = r.squaredNorm();
    out.lossInitial = value;
    double lambda = 1.0; // cautious first steps: far from the optimum Gauss–Newton overshoots
    for (int it = 1; it <= options.maxIterations; ++it) {
        const Eigen::MatrixXd a = jac.transpose() * jac;
        const Eigen::VectorXd g = jac.transpose() * r;
        bool accepted = false;
        for (int attempt = 0; attempt < 12 && !accepted; ++attempt) {
            Eigen::MatrixXd damped = a;
            damped.diagonal() += lambda * (a.diagonal().array() + 1e-12).matrix();
            const Eigen::VectorXd step = damped.ldlt().solve(-g);
            const Eigen::VectorXd candidate = objective.project(x + step);
            Eigen::VectorXd rNew;
            Eigen::MatrixXd jacNew;
            const bool solved = objective.residuals(candidate, rNew, jacNew);
            if (!solved) {
                noteRejection(out, it, objective.lastFailure());
            }
            if (solved && rNew.squaredNorm() < value) {
                const double decrease = value - rNew.squaredNorm();
                x = candidate;
                r = std::move(rNew);
                jac = std::move(jacNew);
                value = r.squaredNorm();
                lambda = std::max(lambda / 3.0, 1e-12);
                accepted = true;
                out.iterations = it;
                if (auto stop =
                        objective.iterationDone(it, value, x, 2.0 * (jac.transpose() * r).norm())) {
                    return stop;
                }
                if (decrease <= 1e-14 * std::max(value, 1e-300)) {
                    return FitStop{FitStatus::Converged, "the loss stopped decreasing"};
                }
            } else {
                lambda *= 4.0;
            }
        }
        if (!accepted) {
            return FitStop{FitStatus::Converged, "no step decreases the loss further"};
        }
    }
    return std::nullopt;
}

} // namespace dynfit::fit
