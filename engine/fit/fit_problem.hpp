// SPDX-License-Identifier: MIT
// What a fit minimises: the least-squares loss of one or more experiments (data sets sharing the
// parameters, each with its own initial values), optionally cut into multiple-shooting segments.
#pragma once

#include "objective/least_squares_loss.hpp"
#include "objective/moment_loss.hpp"
#include "sensitivity/gradient.hpp"

#include <Eigen/Core>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dynfit::fit {

using objective::LeastSquaresLoss; // the objective a fit minimises

/// One data set. Experiments share the model's parameters; each may start from its own initial
/// values (fixed numbers for some or all states; the others follow u0(p)) and its own span.
struct Experiment {
    std::string name;
    LeastSquaresLoss loss;
    std::vector<std::pair<int, double>> initialValues; ///< (state index, value)
    std::optional<ode::TimeSpan> span;                 ///< overrides the fit's and the model's
    std::vector<ode::Bolus> doses; ///< its own dose table, on top of the model's events
};

/// Multiple shooting: each experiment's data times are cut into `segments` groups; every group
/// after the first is solved from its own start state, a free variable of the fit (initialised
/// from the data where observed, else from a simulation), and the mismatch between a segment's end
/// and the next one's start costs continuityWeight × |Δu|². Segments see only their own stretch
/// of the dynamics, so the loss has far fewer local minima than one long trajectory's. The span's
/// start does not follow the parameters when shooting.
struct MultipleShooting {
    int segments = 0; ///< 0 or 1: off
    /// Relative to a data point's weight. Any positive value has the same exact-data optimum;
    /// large values make the problem ill-conditioned (on Lotka–Volterra, 100 leaves L-BFGS-B
    /// short of the optimum after 400 iterations where 1 converges in about 120).
    double continuityWeight = 1.0;
};

/// The loss and its gradient at (params, shooting starts).
struct [[nodiscard]] ProblemEvaluation {
    SolveStatus status = SolveStatus::Success;
    std::string message;
    double loss = 0.0;
    std::vector<double> dParams;
    Eigen::VectorXd dStarts;

    [[nodiscard]] bool ok() const { return status == SolveStatus::Success; }
};

/// The stacked residuals and their Jacobian (for Levenberg–Marquardt).
struct [[nodiscard]] ProblemResiduals {
    SolveStatus status = SolveStatus::Success;
    std::string message;
    Eigen::VectorXd residuals;
    Eigen::MatrixXd dParams; ///< residuals × params
    Eigen::MatrixXd dStarts; ///< residuals × shooting starts

    [[nodiscard]] bool ok() const { return status == SolveStatus::Success; }
};

/// What a fit of a model with noise minimises. The names are a contract (CLI, project files,
/// app): pathwise, moments.
enum class SdeLoss {
    /// Least squares against one fixed path (the seed's way): the drift is fitted, but the
    /// noise amplitude shrinks towards zero, as one path's squared error rewards it.
    Pathwise,
    /// The replicates' Gaussian quasi-likelihood against the mean and variance of an ensemble
    /// of fixed paths (objective::MomentLoss): the noise amplitude is recoverable too.
    Moments
};

/// Why Levenberg–Marquardt refuses the moments loss.
inline constexpr std::string_view kMomentsNeedNoResiduals =
    "Levenberg–Marquardt needs least-squares residuals; the moments loss is a likelihood: "
    "choose lbfgs or adam";

std::string_view sdeLossName(SdeLoss loss);
std::optional<SdeLoss> sdeLossByName(std::string_view name);

/// The statistical loss's ensemble: trajectories 0 … N − 1 of the fit's seed, per experiment.
struct SdeEnsembleLoss {
    SdeLoss loss = SdeLoss::Pathwise;
    long trajectories = 256;
    int threads = 0; ///< 0: every core
};

/// How the pieces are solved and differentiated.
struct SolverSetup {
    ode::Method solver = ode::Tsit5{};
    ode::SolveOptions options;
    sens::GradientMethod gradient = sens::GradientMethod::Forward;
    std::optional<ode::TimeSpan> span; ///< for experiments without their own
    sens::Precision precision = sens::Precision::Double;
    /// A model with noise: the method and the path of the pathwise loss; experiment k reads
    /// the path of experiment k (its index goes into the noise key).
    std::optional<sens::SdePath> sde;
    SdeEnsembleLoss sdeLoss; ///< with `sde`: which loss, and its ensemble
};

/// The model's own (t0, t1) at `params` (its tspan line).
ode::TimeSpan modelTimeSpan(const model::CompiledModel& model, const std::vector<double>& params);

class FitProblem {
  public:
    /// Lays out the segments. Fails (false, with the reason) when an experiment has no span, an
    /// initial value names no state, or an experiment has no data.
    static bool build(const model::CompiledModel& model,
                      std::vector<Experiment> experiments,
                      const MultipleShooting& shooting,
                      const SolverSetup& setup,
                      const std::vector<double>& initialParams,
                      FitProblem& problem,
                      std::string& error);

    const model::CompiledModel& model() const { return *m_model; }
    const std::vector<Experiment>& experiments() const { return m_experiments; }
    int segmentCount() const { return static_cast<int>(m_segments.size()); }
    /// Number of shooting start variables (states × segments after the first, summed).
    int startCount() const { return m_startCount; }
    /// Their first guess, from the data and a simulation at the initial parameters.
    const Eigen::VectorXd& initialStarts() const { return m_initialStarts; }

    ProblemEvaluation evaluate(const std::vector<double>& params,
                               const Eigen::VectorXd& starts) const;
    ProblemResiduals residuals(const std::vector<double>& params,
                               const Eigen::VectorXd& starts) const;

    /// Each experiment simulated from its own initial values (no shooting) at its data times:
    /// [experiment][time][state]; an experiment whose solve fails gets no rows.
    std::vector<std::vector<std::vector<double>>>
    predictions(const std::vector<double>& params) const;

  private:
    struct Segment {
        int experiment = 0;
        ode::TimeSpan span;
        LeastSquaresLoss data;
        int startVar = -1; ///< offset of this segment's start state; −1: the experiment's u0
        int endVar = -1;   ///< offset of the next segment's start (continuity target); −1: none
    };

    static bool checkSdeSetup(const model::CompiledModel& model,
                              const std::vector<Experiment>& experiments,
                              const SolverSetup& setup,
                              std::string& error);
    bool usesMoments() const;
    ProblemEvaluation evaluateMoments(const std::vector<double>& params) const;
    bool momentsByForward(std::size_t experiment,
                          const std::vector<double>& params,
                          ProblemEvaluation& out) const;
    bool momentsByReverse(std::size_t experiment,
                          const std::vector<double>& params,
                          ProblemEvaluation& out) const;
    Eigen::VectorXd startOf(const Experiment& e, const Eigen::VectorXd& p) const;
    std::vector<std::vector<double>> predictSde(std::size_t experiment,
                                                const std::vector<double>& params) const;
    sens::GradientProblem pieceProblem(const Segment& segment,
                                       const std::vector<double>& params,
                                       const Eigen::VectorXd& starts,
                                       LeastSquaresLoss& scratch) const;
    std::optional<ode::TimeSpan> experimentSpan(const Experiment& e) const;

    const model::CompiledModel* m_model = nullptr;
    std::vector<Experiment> m_experiments;
    std::vector<Segment> m_segments;
    std::vector<objective::MomentLoss> m_momentLosses; ///< per experiment, for SdeLoss::Moments
    SolverSetup m_setup;
    double m_continuityWeight = 0.0;
    int m_startCount = 0;
    Eigen::VectorXd m_initialStarts;
};

} // namespace dynfit::fit
