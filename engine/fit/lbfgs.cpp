// SPDX-License-Identifier: MIT
// L-BFGS-B through LBFGS++, the default for mechanistic models.
#include "fit/optimizers.hpp"

#include <LBFGSB.h>
#include <algorithm>
#include <limits>
#include <stdexcept>

namespace dynfit::fit {

namespace {

// LBFGS++ has no way to stop from inside its objective but an exception: this one carries a stop
// rule's reason out of minimize() and no further (runLbfgs catches it).
struct LeaveLbfgs {
    FitStop stop;
};

} // namespace

// Its objective is called per function evaluation; an accepted iteration is the evaluation after
// which the solver moved on, reported as the loss falls.
std::optional<FitStop>
runLbfgs(FitObjective& objective, Eigen::VectorXd x, const FitOptions& options, FitOutcome& out) {
    LBFGSpp::LBFGSBParam<double> param;
    param.epsilon = options.gradientTolerance;
    param.epsilon_rel = 0.0;
    param.max_iterations = options.maxIterations;
    param.max_linesearch = 40;
    LBFGSpp::LBFGSBSolver<double> solver(param);
    int evaluations = 0;
    double lastReported = std::numeric_limits<double>::infinity();
    auto function = [&](const Eigen::VectorXd& at, Eigen::VectorXd& grad) {
        double value = 0.0;
        if (!objective.evaluate(at, value, grad)) {
            noteRejection(out, out.iterations + 1, objective.lastFailure());
            if (evaluations == 0) {
                throw LeaveLbfgs{
                    {FitStatus::Failed, "the initial point fails: " + objective.lastFailure()}};
            }
            // A large but finite value makes the line search back off without overflowing.
            return 1e3 * std::max(1.0, objective.best());
        }
        if (evaluations++ == 0) {
            out.lossInitial = value;
        }
        if (value < lastReported) {
            lastReported = value;
            ++out.iterations;
            if (auto stop = objective.iterationDone(out.iterations, value, at, grad.norm())) {
                throw LeaveLbfgs{std::move(*stop)};
            }
            if (out.iterations >= options.maxIterations) {
                throw LeaveLbfgs{{FitStatus::MaxIterations, "maximum iterations reached"}};
            }
        }
        return value;
    };
    // LBFGS++ gives up when a line search stalls (steps into failing solves, or a loss that is
    // rough at the solver tolerance); restarting from the best point usually goes on.
    x = objective.project(x);
    double previousBest = std::numeric_limits<double>::infinity();
    for (int restart = 0; restart < 5 && out.iterations < options.maxIterations; ++restart) {
        if (restart > 0) {
            if (!(objective.best() < previousBest * (1 - 1e-9))) {
                break; // the last attempt did not improve: converged as far as it goes
            }
            x = objective.bestX();
        }
        previousBest = objective.best();
        double fx = 0.0;
        try {
            solver.minimize(function, x, fx, objective.lower(), objective.upper());
            out.status = FitStatus::Converged;
            out.message = "L-BFGS-B converged";
            break;
        } catch (LeaveLbfgs& leave) {
            return std::move(leave.stop);
        } catch (const std::exception& e) {
            out.status = FitStatus::Converged;
            out.message = std::string("L-BFGS-B stopped: ") + e.what();
        }
    }
    if (out.iterations >= options.maxIterations && out.status == FitStatus::Converged) {
        out.status = FitStatus::MaxIterations;
        out.message = "maximum iterations reached";
    }
    return std::nullopt;
}

} // namespace dynfit::fit
