// SPDX-License-Identifier: MIT
// Fitting a model's parameters to data with Adam or L-BFGS-B.
#include "fit/fitter.hpp"

#include "fit/parameter_space.hpp"
#include "model/model_rhs.hpp"
#include "solvers/solve.hpp"

#include <Eigen/Cholesky>
#include <LBFGSB.h>
#include <chrono>
#include <cmath>
#include <limits>

namespace dynfit::fit {

namespace {

// Thrown inside the L-BFGS objective to leave LBFGS++ early; caught in fitParameters.
struct StopFit {
    FitStatus status;
    std::string message;
};

// The loss and its gradient in the optimiser's coordinates, the best point seen, and the stop
// rules shared by both optimisers.
class Objective {
  public:
    Objective(const model::CompiledModel& model,
              const LeastSquaresLoss& loss,
              const FitOptions& options,
              const std::function<bool(const FitProgress&)>& callback)
        : m_model(model), m_loss(loss), m_options(options), m_callback(callback), m_space(model),
          m_start(std::chrono::steady_clock::now()) {}

    const ParameterSpace& space() const { return m_space; }

    /// L(x) and dL/dx; false (and L = +inf) when the solve failed or the loss is not finite.
    bool evaluate(const Eigen::VectorXd& x, double& value, Eigen::VectorXd& gradient) {
        const auto params = m_space.toModel(x);
        const sens::GradientProblem problem{&m_model, params, m_options.span, &m_loss};
        const auto g =
            sens::gradient(problem, m_options.solver, m_options.solve, m_options.gradient);
        if (!g.ok() || !std::isfinite(g.loss)) {
            value = std::numeric_limits<double>::infinity();
            gradient.setZero(x.size());
            m_lastFailure = g.ok() ? "the loss is not finite" : g.message;
            return false;
        }
        value = g.loss;
        gradient = m_space.chain(x, g.dParams);
        if (!std::isfinite(gradient.squaredNorm())) {
            value = std::numeric_limits<double>::infinity();
            m_lastFailure = "the gradient is not finite";
            return false;
        }
        if (value < m_best) {
            m_best = value;
            m_bestX = x;
        }
        return true;
    }

    /// Residuals and their Jacobian in the optimiser's coordinates (Levenberg–Marquardt).
    bool residuals(const Eigen::VectorXd& x, Eigen::VectorXd& r, Eigen::MatrixXd& jacobian) {
        const sens::GradientProblem problem{&m_model, m_space.toModel(x), m_options.span, &m_loss};
        auto rj = sens::residualJacobian(problem, m_options.solver, m_options.solve);
        if (!rj.ok() || !std::isfinite(rj.residuals.squaredNorm())
            || !std::isfinite(rj.jacobian.squaredNorm())) {
            m_lastFailure = rj.ok() ? "the residuals are not finite" : rj.message;
            return false;
        }
        r = std::move(rj.residuals);
        // Columns scaled by dp/dx (the chain rule of the log coordinates).
        const Eigen::VectorXd scale =
            m_space.chain(x, std::vector<double>(static_cast<std::size_t>(x.size()), 1.0));
        jacobian = rj.jacobian * scale.asDiagonal();
        const double value = r.squaredNorm();
        if (value < m_best) {
            m_best = value;
            m_bestX = x;
        }
        return true;
    }

    /// The solution at the data times for `params` (empty rows if the solve fails).
    std::vector<std::vector<double>> predict(const std::vector<double>& params) const {
        std::shared_ptr<const model::CompiledModel> shared(&m_model,
                                                           [](const model::CompiledModel*) {});
        const model::Vector<double> p = Eigen::Map<const Eigen::VectorXd>(
            params.data(), static_cast<Eigen::Index>(params.size()));
        auto problem =
            model::makeModelProblem<double>(shared, p, m_options.span.value_or(ode::TimeSpan{}));
        if (m_options.span) {
            problem.tspan = [span = *m_options.span](const model::Vector<double>&) { return span; };
        }
        ode::SolveOptions opts = m_options.solve;
        opts.saveat = m_loss.saveTimes();
        opts.saveEverystep = false;
        const auto sol = ode::solve(problem, m_options.solver, opts);
        std::vector<std::vector<double>> rows;
        for (const auto& u : sol.u) {
            rows.emplace_back(u.data(), u.data() + u.size());
        }
        return rows;
    }

    /// Reports an iteration and applies the stop rules (throws StopFit to stop).
    void iterationDone(int iteration, double value, const Eigen::VectorXd& x, double gradientNorm) {
        FitProgress progress{iteration, value, gradientNorm, m_space.toModel(x), seconds(), {}};
        if (m_options.reportPrediction) {
            progress.prediction = predict(progress.params);
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
    const model::CompiledModel& m_model;
    const LeastSquaresLoss& m_loss;
    const FitOptions& m_options;
    const std::function<bool(const FitProgress&)>& m_callback;
    ParameterSpace m_space;
    std::chrono::steady_clock::time_point m_start;
    double m_best = std::numeric_limits<double>::infinity();
    Eigen::VectorXd m_bestX;
    std::string m_lastFailure;
};

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
        const Eigen::VectorXd candidate = objective.space().project(x - step);
        Eigen::VectorXd gNew(x.size());
        double valueNew = 0.0;
        if (!objective.evaluate(candidate, valueNew, gNew)) {
            ++out.rejectedSteps;
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
    x = objective.space().project(x);
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
            const Eigen::VectorXd candidate = objective.space().project(x + step);
            Eigen::VectorXd rNew;
            Eigen::MatrixXd jacNew;
            if (objective.residuals(candidate, rNew, jacNew) && rNew.squaredNorm() < value) {
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
                ++out.rejectedSteps;
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
            ++out.rejectedSteps;
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
    x = objective.space().project(x);
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
            solver.minimize(function, x, fx, objective.space().lower(), objective.space().upper());
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

FitOutcome fitOnce(const model::CompiledModel& model,
                   const std::vector<double>& initial,
                   const LeastSquaresLoss& loss,
                   const FitOptions& options,
                   const std::function<bool(const FitProgress&)>& callback) {
    FitOutcome out;
    Objective objective(model, loss, options, callback);
    const Eigen::VectorXd x0 = objective.space().toInternal(initial);
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
    out.params =
        std::isfinite(objective.best()) ? objective.space().toModel(objective.bestX()) : initial;
    return out;
}

// The start of the span at the initial parameters (the window keeps it fixed).
double startTime(const model::CompiledModel& model,
                 const std::vector<double>& params,
                 const FitOptions& options) {
    if (options.span) {
        return options.span->t0;
    }
    double ends[2] = {0.0, 0.0};
    model::ProgramEvaluator<double> times(model.timeSpan);
    times(nullptr, params.data(), nullptr, 0.0, ends);
    return ends[0];
}

// The loss on all the data at `params` (NaN when the solve fails).
double fullLoss(const model::CompiledModel& model,
                const std::vector<double>& params,
                const LeastSquaresLoss& loss,
                const FitOptions& options) {
    const sens::GradientProblem problem{&model, params, options.span, &loss};
    FitOptions o = options;
    const auto g = sens::gradient(problem, o.solver, o.solve, sens::GradientMethod::Reverse);
    return g.ok() ? g.loss : std::nan("");
}

} // namespace

FitOutcome fitParameters(const model::CompiledModel& model,
                         const std::vector<double>& initial,
                         const LeastSquaresLoss& loss,
                         const FitOptions& options,
                         const std::function<bool(const FitProgress&)>& callback) {
    const int stages = options.growingWindowStages;
    if (stages <= 1 || loss.saveTimes().empty() || (!options.span && !model.hasTimeSpan)) {
        return fitOnce(model, initial, loss, options, callback);
    }
    const double t0 = startTime(model, initial, options);
    const double tLast = loss.saveTimes().back();
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
        const double windowEnd = k == stages ? tLast : t0 + (tLast - t0) * k / stages;
        const LeastSquaresLoss window = k == stages ? loss : loss.upTo(windowEnd);
        if (window.terms().empty()) {
            continue;
        }
        if (k < stages) {
            stageOptions.span = ode::TimeSpan{t0, windowEnd};
        } else {
            stageOptions.span = options.span;
            stageOptions.maxIterations = std::max(1, options.maxIterations - iterationsBefore);
        }
        FitOutcome stage = fitOnce(model, params, window, stageOptions, relay);
        iterationsBefore += stage.iterations;
        total.rejectedSteps += stage.rejectedSteps;
        total.seconds += stage.seconds;
        params = stage.params;
        total.status = stage.status;
        total.message = stage.message;
        total.lossFinal = stage.lossFinal;
        if (stage.status == FitStatus::Cancelled || stage.status == FitStatus::TimeLimit
            || stage.status == FitStatus::Failed) {
            break;
        }
    }
    total.iterations = iterationsBefore;
    total.lossInitial = fullLoss(model, initial, loss, options);
    total.params = params;
    if (total.status == FitStatus::Converged) {
        total.message += " (growing window, " + std::to_string(stages) + " stages)";
    }
    return total;
}

} // namespace dynfit::fit
