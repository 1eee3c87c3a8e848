// SPDX-License-Identifier: MIT
// Fitting a model's parameters to data: Adam or L-BFGS-B on the least-squares loss, with
// progress callbacks, cancellation, limits and a guard against non-finite losses.
#pragma once

#include "fit/fit_problem.hpp"
#include "sensitivity/gradient.hpp"

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dynfit::fit {

enum class Optimizer {
    Adam,  ///< first-order with momentum: robust on rough or neural losses, needs a learning rate
    Lbfgs, ///< L-BFGS-B (LBFGS++): quasi-Newton with bounds; the default for mechanistic models
    LevenbergMarquardt ///< damped Gauss–Newton on the residuals (Jacobian by forward mode): the
                       ///< fastest for least squares with few parameters; not for networks
};

/// The optimisers' names, a contract of the CLI, project files and the app: adam, lbfgs, lm.
std::string_view optimizerName(Optimizer optimizer);
/// The optimiser of a name (exact, lower case); nullopt if unknown.
std::optional<Optimizer> optimizerByName(std::string_view name);
/// Every optimiser's name, in the order of the enum.
std::vector<std::string> optimizerNames();

struct AdamOptions {
    double learningRate = 0.05;
    double beta1 = 0.9;
    double beta2 = 0.999;
    double epsilon = 1e-8;
    double decay = 1.0; ///< learning rate multiplied by this after every iteration
    /// Step in normalised coordinates: each scalar param that is not `log` relative to the
    /// magnitude of its start value (ParameterSpace::normalise), so that the learning rate is a
    /// relative step (0.05 = 5 %) for params of any scale. Off: raw units, where one learning
    /// rate cannot suit params that differ in scale by orders of magnitude.
    bool normalise = true;
};

struct FitOptions {
    Optimizer optimizer = Optimizer::Lbfgs;
    AdamOptions adam;
    int maxIterations = 200;
    double lossTolerance = 0.0;      ///< stop when the loss is at or below this
    double gradientTolerance = 1e-8; ///< stop when |∇L| (in the optimiser's coordinates) is below
    double timeLimit = 0.0;          ///< seconds; 0 = none
    /// Reverse mode is the fastest at every size measured (bench/RESULTS.md), networks or not.
    sens::GradientMethod gradient = sens::GradientMethod::Reverse;
    sens::Precision precision = sens::Precision::Double; ///< Single: forward mode only
    ode::Method solver = ode::Tsit5{};
    ode::SolveOptions solve;
    std::optional<ode::TimeSpan> span;         ///< overrides the model's tspan
    const std::atomic<bool>* cancel = nullptr; ///< checked every iteration, from any thread
    /// Params held at their initial values (by name); the rest are fitted.
    std::vector<std::string> fixed;
    /// Growing time window: fit the data up to (k/K) of the span for k = 1..K, each stage
    /// starting from the previous one's best, the last on all data. 0 or 1 = off. Helps
    /// oscillating systems, whose loss over the whole span has many local minima.
    int growingWindowStages = 0;
    MultipleShooting shooting;     ///< off by default
    bool reportPrediction = false; ///< one extra solve per iteration for FitProgress::prediction
    /// A model with noise: the pathwise loss on this path (forward, finite-diff, or else reverse
    /// mode through the steps: the continuous adjoints carry no noise).
    std::optional<sens::SdePath> sde;
    SdeEnsembleLoss sdeLoss; ///< with `sde`: pathwise (default) or moments, and its ensemble
};

/// One iteration as the user sees it.
struct FitProgress {
    int iteration = 0;
    double loss = 0.0;
    double gradientNorm = 0.0;
    std::vector<double> params;
    double seconds = 0.0;
    /// The model at `params` at each experiment's data times (predictions[e][k][i]: state i at
    /// the k-th time of experiment e), filled when FitOptions::reportPrediction is set: what a
    /// live plot draws.
    std::vector<std::vector<std::vector<double>>> predictions;
};

enum class FitStatus { Converged, MaxIterations, TimeLimit, Cancelled, Failed };

std::string_view fitStatusName(FitStatus status);

struct [[nodiscard]] FitOutcome {
    FitStatus status = FitStatus::MaxIterations;
    std::string message;
    int iterations = 0;
    double lossInitial = 0.0;
    double lossFinal = 0.0;     ///< the best loss seen
    std::vector<double> params; ///< the best parameters seen (never lost, whatever happened)
    double seconds = 0.0;
    int rejectedSteps = 0;     ///< steps rejected for a failed solve or a non-finite loss
    std::string lastRejection; ///< "iteration N: <the solver's status and message>"
};

/// Minimises the summed loss of the experiments over the model's parameters from `initial`. The
/// callback sees every iteration and may return false to stop (status Cancelled). Deterministic
/// for given inputs. Bad input (no data, no span) comes back as status Failed with the reason.
FitOutcome fitParameters(const model::CompiledModel& model,
                         const std::vector<double>& initial,
                         const std::vector<Experiment>& experiments,
                         const FitOptions& options,
                         const std::function<bool(const FitProgress&)>& callback = {});

/// One data set starting from the model's own initial values.
FitOutcome fitParameters(const model::CompiledModel& model,
                         const std::vector<double>& initial,
                         const LeastSquaresLoss& loss,
                         const FitOptions& options,
                         const std::function<bool(const FitProgress&)>& callback = {});

} // namespace dynfit::fit
