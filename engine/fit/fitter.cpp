// SPDX-License-Identifier: MIT
// Fitting a model's parameters to data: the optimiser chosen, growing windows, advice on the
// outcome (the optimisers are in adam.cpp, lbfgs.cpp and levenberg_marquardt.cpp).
#include "fit/fitter.hpp"

#include "fit/optimizers.hpp"

#include <array>
#include <cmath>
#include <cstdio>
#include <limits>

namespace dynfit::fit {

namespace {

constexpr std::array<std::pair<Optimizer, std::string_view>, 3> kOptimizerNames = {
    {{Optimizer::Adam, "adam"},
     {Optimizer::Lbfgs, "lbfgs"},
     {Optimizer::LevenbergMarquardt, "lm"}}};

} // namespace

std::string_view optimizerName(Optimizer optimizer) {
    for (const auto& [o, name] : kOptimizerNames) {
        if (o == optimizer) {
            return name;
        }
    }
    return "?";
}

std::optional<Optimizer> optimizerByName(std::string_view name) {
    for (const auto& [o, known] : kOptimizerNames) {
        if (known == name) {
            return o;
        }
    }
    return std::nullopt;
}

std::vector<std::string> optimizerNames() {
    std::vector<std::string> names;
    for (const auto& entry : kOptimizerNames) {
        names.emplace_back(entry.second);
    }
    return names;
}

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
    SolverSetup setup{options.solver,    options.solve, options.gradient, options.span,
                      options.precision, options.sde,   options.sdeLoss};
    const auto method = setup.gradient;
    if (options.sde && method != sens::GradientMethod::FiniteDiff
        && method != sens::GradientMethod::Forward) {
        setup.gradient = sens::GradientMethod::Reverse; // the adjoints carry no noise: the steps
    }
    return setup;
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
    FitObjective objective(problem, options, initial, callback);
    const Eigen::VectorXd x0 = objective.initialX(initial);
    std::vector<int> fixed;
    for (const std::string& name : options.fixed) {
        fixed.push_back(problem.model().paramIndex(name)); // checked by fitParameters
    }
    objective.fix(fixed, x0);
    out.status = FitStatus::MaxIterations;
    out.message = "maximum iterations reached";
    std::optional<FitStop> stop;
    if (options.optimizer == Optimizer::Adam) {
        stop = runAdam(objective, x0, options, out);
    } else if (options.optimizer == Optimizer::LevenbergMarquardt) {
        stop = runLevenbergMarquardt(objective, x0, options, out);
    } else {
        stop = runLbfgs(objective, x0, options, out);
    }
    if (stop) {
        out.status = stop->status;
        out.message = std::move(stop->message);
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
        const double t0 = e.span         ? e.span->t0
                          : options.span ? options.span->t0
                                         : modelTimeSpan(model, params).t0;
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
    if (options.optimizer == Optimizer::LevenbergMarquardt
        && options.sdeLoss.loss == SdeLoss::Moments) {
        return failed(std::string(kMomentsNeedNoResiduals), initial);
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
