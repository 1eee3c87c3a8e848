// SPDX-License-Identifier: MIT
// Fitting a model's parameters to data with Adam or L-BFGS-B.
#include "fit/fitter.hpp"

#include "fit/parameter_space.hpp"
#include "model/model_rhs.hpp"

#include <Eigen/Cholesky>
#include <LBFGSB.h>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>

namespace dynfit::fit {

namespace {

// Thrown inside the L-BFGS objective to leave LBFGS++ early; caught in fitParameters.
struct StopFit {
    FitStatus status;
    std::string message;
};

// The loss and its gradient in the optimiser's coordinates x = [parameters in the parameter
// space's coordinates | shooting starts], the best point seen, and the stop rules shared by the
// optimisers.
class Objective {
  public:
    Objective(const FitProblem& problem,
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

    /// Reports an iteration and applies the stop rules (throws StopFit to stop).
    void iterationDone(int iteration, double value, const Eigen::VectorXd& x, double gradientNorm) {
        FitProgress progress{iteration, value, gradientNorm, params(x), seconds(), {}};
        if (m_options.reportPrediction) {
            progress.predictions = m_problem.predictions(progress.params);
        }
        if (m_callback && !m_callback(progress)) {
            throw StopFit{FitStatus::Cancelled, "stopped by the progress callback"};
        }
        if (m_options.cancel != nullptr && m_options.cancel->load()) {
            throw StopFit{FitStatus::Cancelled, "cancelled"};
        }
        if (m_options.timeLimit > 0.0 && seconds() > m_options.timeLimit) {
            throw StopFit{FitStatus::TimeLimit, "time limit reached"};
        }
        if (value <= m_options.lossTolerance) {
            throw StopFit{FitStatus::Converged, "loss tolerance reached"};
        }
        if (gradientNorm < m_options.gradientTolerance) {
            throw StopFit{FitStatus::Converged, "gradient tolerance reached"};
        }
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
void noteRejection(FitOutcome& out, int iteration, const std::string& why) {
    ++out.rejectedSteps;
    out.lastRejection = "iteration ";
    out.lastRejection += std::to_string(iteration);
    out.lastRejection += ": ";
    out.lastRejection += why;
}

// Adam with projection onto the bounds. A step into a failed solve is rejected: back to the
// previous point with half the learning rate.
void runAdam(Objective& objective, Eigen::VectorXd x, const FitOptions& options, FitOutcome& out) {
    const AdamOptions& a = options.adam;
    Eigen::VectorXd m = Eigen::VectorXd::Zero(x.size()), v = m, g(x.size());
    double lr = a.learningRate;
    double value = 0.0;
    if (!objective.evaluate(x, value, g)) {
        throw StopFit{FitStatus::Failed, "the initial point fails: " + objective.lastFailure()};
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
                throw StopFit{FitStatus::Failed,
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
        objective.iterationDone(it, value, x, g.norm());
    }
}

// Levenberg–Marquardt with Marquardt's diagonal scaling, projected onto the bounds.
void runLevenbergMarquardt(Objective& objective,
                           Eigen::VectorXd x,
                           const FitOptions& options,
                           FitOutcome& out) {
    Eigen::VectorXd r;
    Eigen::MatrixXd jac;
    x = objective.project(x);
    if (!objective.residuals(x, r, jac)) {
        throw StopFit{FitStatus::Failed, "the initial point fails: " + objective.lastFailure()};
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
                objective.iterationDone(it, value, x, 2.0 * (jac.transpose() * r).norm());
                if (decrease <= 1e-14 * std::max(value, 1e-300)) {
                    throw StopFit{FitStatus::Converged, "the loss stopped decreasing"};
                }
            } else {
                lambda *= 4.0;
            }
        }
        if (!accepted) {
            throw StopFit{FitStatus::Converged, "no step decreases the loss further"};
        }
    }
}

// L-BFGS-B through LBFGS++. Its objective is called per function evaluation; an accepted
// iteration is the evaluation after which the solver moved on, reported as the loss falls.
void runLbfgs(Objective& objective, Eigen::VectorXd x, const FitOptions& options, FitOutcome& out) {
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
                throw StopFit{FitStatus::Failed,
                              "the initial point fails: " + objective.lastFailure()};
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
            objective.iterationDone(out.iterations, value, at, grad.norm());
            if (out.iterations >= options.maxIterations) {
                throw StopFit{FitStatus::MaxIterations, "maximum iterations reached"};
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
        } catch (const StopFit&) {
            throw;
        } catch (const std::exception& e) {
            out.status = FitStatus::Converged;
            out.message = std::string("L-BFGS-B stopped: ") + e.what();
        }
    }
    if (out.iterations >= options.maxIterations && out.status == FitStatus::Converged) {
        out.status = FitStatus::MaxIterations;
        out.message = "maximum iterations reached";
    }
}

} // namespace

std::string_view fitStatusName(FitStatus status) {
    switch (status) {
    case FitStatus::Converged:
        return "Converged";
    case FitStatus::MaxIterations:
        return "MaxIterations";
    case FitStatus::TimeLimit:
        return "TimeLimit";
    case FitStatus::Cancelled:
        return "Cancelled";
    case FitStatus::Failed:
        return "Failed";
    }
    return "?";
}

namespace {

SolverSetup setupOf(const FitOptions& options) {
    return {options.solver, options.solve, options.gradient, options.span, options.precision};
}

// What to try when a fit made no progress (the best loss is the start's) or, at its iteration
// limit, little (less than halved); empty when it did fine.
std::string progressAdvice(const FitOptions& options, const FitOutcome& out) {
    const bool none = !(out.lossFinal < out.lossInitial * (1.0 - 1e-9));
    const bool little =
        out.status == FitStatus::MaxIterations && out.lossFinal > 0.5 * out.lossInitial;
    if (!none && !little) {
        return {};
    }
    char text[160];
    if (none) {
        std::snprintf(text, sizeof text,
                      "no progress: the loss never fell below its start value %.6g",
                      out.lossInitial);
    } else {
        std::snprintf(text, sizeof text,
                      "little progress: the loss fell only %.0f %% in %d iterations",
                      100.0 * (1.0 - out.lossFinal / out.lossInitial), out.iterations);
    }
    std::string advice = text;
    if (options.optimizer == Optimizer::Adam) {
        std::snprintf(text, sizeof text, "%g", options.adam.learningRate);
        advice += std::string(". Try a smaller learning rate (now ") + text
                  + "), L-BFGS-B or Levenberg–Marquardt, or `log` on params whose values span "
                    "decades";
    } else if (none) {
        advice += ". The start may already be a minimum, or the gradient inaccurate at these "
                  "tolerances: try tighter solver tolerances, other start values, or Adam";
    } else {
        advice += ". Try more iterations, other start values, or `log` on params whose values "
                  "span decades";
    }
    return advice;
}

FitOutcome fitOnce(const FitProblem& problem,
                   const std::vector<double>& initial,
                   const FitOptions& options,
                   const std::function<bool(const FitProgress&)>& callback) {
    FitOutcome out;
    Objective objective(problem, options, initial, callback);
    const Eigen::VectorXd x0 = objective.initialX(initial);
    std::vector<int> fixed;
    for (const std::string& name : options.fixed) {
        fixed.push_back(problem.model().paramIndex(name)); // checked by fitParameters
    }
    objective.fix(fixed, x0);
    out.status = FitStatus::MaxIterations;
    out.message = "maximum iterations reached";
    try {
        if (options.optimizer == Optimizer::Adam) {
            runAdam(objective, x0, options, out);
        } else if (options.optimizer == Optimizer::LevenbergMarquardt) {
            runLevenbergMarquardt(objective, x0, options, out);
        } else {
            runLbfgs(objective, x0, options, out);
        }
    } catch (const StopFit& stop) {
        out.status = stop.status;
        out.message = stop.message;
    }
    out.seconds = objective.seconds();
    out.lossFinal = objective.best();
    out.params = std::isfinite(objective.best()) ? objective.params(objective.bestX()) : initial;
    // (lossInitial stays 0 when the start itself failed: that message says why already.)
    if (out.status != FitStatus::Cancelled && out.lossInitial > 0.0
        && std::isfinite(out.lossInitial)) {
        if (const std::string advice = progressAdvice(options, out); !advice.empty()) {
            out.message += "; " + advice;
        }
    }
    return out;
}

// A fit that could not start: the start comes back as the result, so that params always has one
// entry per param of the model.
FitOutcome failed(std::string message, const std::vector<double>& start) {
    FitOutcome out;
    out.status = FitStatus::Failed;
    out.message = std::move(message);
    out.params = start;
    return out;
}

// The experiments on the data up to `windowEnd`, each solved on [its t0, windowEnd].
std::vector<Experiment> windowed(const std::vector<Experiment>& experiments,
                                 const model::CompiledModel& model,
                                 const std::vector<double>& params,
                                 const FitOptions& options,
                                 double windowEnd) {
    std::vector<Experiment> out;
    for (const Experiment& e : experiments) {
        Experiment w = e;
        w.loss = e.loss.upTo(windowEnd);
        if (w.loss.terms().empty()) {
            continue;
        }
        double t0 = 0.0;
        if (e.span || options.span) {
            t0 = (e.span ? e.span : options.span)->t0;
        } else {
            double ends[2] = {0.0, 0.0};
            model::ProgramEvaluator<double> times(model.timeSpan);
            times(nullptr, params.data(), nullptr, 0.0, ends);
            t0 = ends[0];
        }
        w.span = ode::TimeSpan{t0, windowEnd};
        out.push_back(std::move(w));
    }
    return out;
}

// The loss on all the data at `params` (NaN when a solve fails).
double fullLoss(const FitProblem& problem, const std::vector<double>& params) {
    const auto e = problem.evaluate(params, problem.initialStarts());
    return e.ok() ? e.loss : std::nan("");
}

} // namespace

FitOutcome fitParameters(const model::CompiledModel& model,
                         const std::vector<double>& initial,
                         const std::vector<Experiment>& experiments,
                         const FitOptions& options,
                         const std::function<bool(const FitProgress&)>& callback) {
    std::string error;
    for (const std::string& name : options.fixed) {
        if (model.paramIndex(name) < 0) {
            return failed("cannot hold '" + name + "' fixed: it is not a param of the model",
                          initial);
        }
    }
    FitProblem whole;
    if (!FitProblem::build(model, experiments, options.shooting, setupOf(options), initial, whole,
                           error)) {
        return failed(error, initial);
    }
    const int stages = options.growingWindowStages;
    if (stages <= 1 || (!options.span && !model.hasTimeSpan)) {
        return fitOnce(whole, initial, options, callback);
    }
    double tFirst = std::numeric_limits<double>::infinity(), tLast = -tFirst;
    for (const Experiment& e : experiments) {
        tFirst = std::min(tFirst, e.loss.saveTimes().front());
        tLast = std::max(tLast, e.loss.saveTimes().back());
    }
    FitOptions stageOptions = options;
    stageOptions.growingWindowStages = 0;
    stageOptions.maxIterations = std::max(1, options.maxIterations / stages);
    std::vector<double> params = initial;
    FitOutcome total;
    int iterationsBefore = 0;
    const auto relay = [&](const FitProgress& p) {
        FitProgress shifted = p;
        shifted.iteration += iterationsBefore;
        return !callback || callback(shifted);
    };
    for (int k = 1; k <= stages; ++k) {
        FitProblem stage;
        if (k < stages) {
            const double windowEnd = tFirst + (tLast - tFirst) * k / stages;
            const auto window = windowed(experiments, model, initial, options, windowEnd);
            if (window.empty()) {
                continue;
            }
            if (!FitProblem::build(model, window, options.shooting, setupOf(options), params, stage,
                                   error)) {
                return failed(error, params);
            }
        } else {
            stageOptions.maxIterations = std::max(1, options.maxIterations - iterationsBefore);
            if (!FitProblem::build(model, experiments, options.shooting, setupOf(options), params,
                                   stage, error)) {
                return failed(error, params);
            }
        }
        FitOutcome result = fitOnce(stage, params, stageOptions, relay);
        iterationsBefore += result.iterations;
        total.rejectedSteps += result.rejectedSteps;
        if (!result.lastRejection.empty()) {
            total.lastRejection = result.lastRejection;
        }
        total.seconds += result.seconds;
        params = result.params;
        total.status = result.status;
        total.message = result.message;
        total.lossFinal = result.lossFinal;
        if (result.status == FitStatus::Cancelled || result.status == FitStatus::TimeLimit
            || result.status == FitStatus::Failed) {
            break;
        }
    }
    total.iterations = iterationsBefore;
    total.lossInitial = fullLoss(whole, initial);
    total.params = params;
    if (total.status == FitStatus::Converged) {
        total.message += " (growing window, " + std::to_string(stages) + " stages)";
    }
    return total;
}

FitOutcome fitParameters(const model::CompiledModel& model,
                         const std::vector<double>& initial,
                         const LeastSquaresLoss& loss,
                         const FitOptions& options,
                         const std::function<bool(const FitProgress&)>& callback) {
    return fitParameters(model, initial, {Experiment{"data", loss, {}, std::nullopt}}, options,
                         callback);
}

} // namespace dynfit::fit
