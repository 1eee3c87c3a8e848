// SPDX-License-Identifier: MIT
// Adam, the first-order optimiser for rough and neural losses.
#include "fit/optimizers.hpp"

#include <cmath>

namespace dynfit::fit {

// Adam with projection onto the bounds. A step into a failed solve is rejected: back to the
// previous point with half the learning rate.
std::optional<FitStop>
runAdam(FitObjective& objective, Eigen::VectorXd x, const FitOptions& options, FitOutcome& out) {
    const AdamOptions& a = options.adam;
    Eigen::VectorXd m = Eigen::VectorXd::Zero(x.size()), v = m, g(x.size());
    double lr = a.learningRate;
    double value = 0.0;
    if (!objective.evaluate(x, value, g)) {
        return FitStop{FitStatus::Failed, "the initial point fails: " + objective.lastFailure()};
    }
    out.lossInitial = value;
    int consecutiveRejections = 0;
    for (int it = 1; it <= options.maxIterations; ++it) {
        m = a.beta1 * m + (1 - a.beta1) * g;
        v = a.beta2 * v + (1 - a.beta2) * g.cwiseAbs2();
        const Eigen::VectorXd mHat = m / (1 - std::pow(a.beta1, it));
        const Eigen::VectorXd vHat = v / (1 - std::pow(a.beta2, it));
        const Eigen::VectorXd step =
            lr * mHat.cwiseQuotient((vHat.cwiseSqrt().array() + a.epsilon).matrix());
        const Eigen::VectorXd candidate = objective.project(x - step);
        Eigen::VectorXd gNew(x.size());
        double valueNew = 0.0;
        if (!objective.evaluate(candidate, valueNew, gNew)) {
            noteRejection(out, it, objective.lastFailure());
            lr *= 0.5;
            if (++consecutiveRejections >= 20) {
                return FitStop{FitStatus::Failed,
                               "20 steps in a row failed: " + objective.lastFailure()};
            }
            continue;
        }
        consecutiveRejections = 0;
        x = candidate;
        g = gNew;
        value = valueNew;
        lr *= a.decay;
        out.iterations = it;
        if (auto stop = objective.iterationDone(it, value, x, g.norm())) {
            return stop;
        }
    }
    return std::nullopt;
}

} // namespace dynfit::fit
