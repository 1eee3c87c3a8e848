// SPDX-License-Identifier: MIT
// The gradient of a loss of a model's solution, with the method chosen by name.
#pragma once

#include "core/stats.hpp"
#include "core/status.hpp"
#include "model/model.hpp"
#include "objective/least_squares_loss.hpp"
#include "problem/ode_problem.hpp"
#include "sensitivity/adjoint.hpp"
#include "solvers/methods.hpp"
#include "solvers/sde_methods.hpp"
#include "solvers/solve_options.hpp"
#include "solvers/wiener_paths.hpp"

#include <functional>
#include <optional>
#include <string_view>
#include <vector>

namespace dynfit::sens {

/// How the gradient is computed. The names are a contract (CLI, project files, app):
/// forward, reverse, backsolve, interpolating, quadrature, finite-diff.
enum class GradientMethod {
    Forward,       ///< forward-mode AD: dual numbers through the same adaptive solver
    Reverse,       ///< reverse mode through the recorded steps (native methods)
    Backsolve,     ///< continuous adjoint re-solving u backwards alongside λ
    Interpolating, ///< continuous adjoint on the forward solution's dense output (checkpoints)
    Quadrature,    ///< continuous adjoint, λ alone, then ∂L/∂p by Gauss–Legendre quadrature
    FiniteDiff     ///< central differences: slow, approximate; for checking
};

std::string_view gradientMethodName(GradientMethod method);
std::optional<GradientMethod> gradientMethodByName(std::string_view name);
bool isAvailable(GradientMethod method);

/// dL/dp for every parameter (through u0(p) and t0(p) where the model makes them depend on p)
/// and dL/du0 for every initial value (u0 taken as free), with the loss and the work done.
struct [[nodiscard]] GradientResult {
    double loss = 0.0;
    std::vector<double> dParams;
    std::vector<double> dInit;
    /// The states at the loss's save times (saved[k][i]: state i at saveTimes()[k]).
    std::vector<std::vector<double>> saved;
    SolveStatus status = SolveStatus::Success;
    std::string message;
    long nfForward = 0;  ///< right-hand-side evaluations of forward solves
    long nfBackward = 0; ///< … of backward solves (adjoints)
    double seconds = 0.0;

    [[nodiscard]] bool ok() const { return status == SolveStatus::Success; }
};

/// The arithmetic of the solve being differentiated.
enum class Precision {
    Double,
    Single ///< float states and derivatives (forward mode only); tolerances below about 1e-6
           ///< relative are beyond float's resolution and end in a step-size failure
};

/// For a model with noise lines: the SDE method and the one path the loss is taken on (the
/// pathwise loss: the same noise in every call, so the loss is a deterministic function of p).
struct SdePath {
    ode::SdeMethod method = ode::SOSRI{};
    ode::NoiseKey noise;
    double delta = 1.0 / 6.0;
};

/// What to differentiate: a compiled model at parameters p on a time span, against a loss.
struct GradientProblem {
    const model::CompiledModel* model = nullptr;
    std::vector<double> params;
    std::optional<ode::TimeSpan> span; ///< overrides the model's tspan
    const objective::LeastSquaresLoss* loss = nullptr;
    /// States that start at these values instead of u0(p) (an experiment's own initial values,
    /// a shooting segment's start): (state index, value). dL/dp does not chain through them.
    std::vector<std::pair<int, double>> initialValues;
    /// The experiment's own doses (its dose table), on top of the model's events.
    std::vector<ode::Bolus> doses;
    Precision precision = Precision::Double;
    std::optional<SdePath> sde; ///< required for a model with noise lines
};

/// The gradient by `method` with the solver `solver` and its options (saveat is set from the
/// loss). Never throws: failures come back as a status and a message.
GradientResult gradient(const GradientProblem& problem,
                        const ode::Method& solver,
                        const ode::SolveOptions& options,
                        GradientMethod method,
                        const AdjointOptions& adjoint = {});

/// ∂L/∂u at each save time from the states saved there (saved[k]: at loss->saveTimes()[k]).
using SaveAdjoints =
    std::function<std::vector<Eigen::VectorXd>(const std::vector<Eigen::VectorXd>& saved)>;

/// Reverse mode through an SDE's steps on the problem's one path (problem.sde), the adjoints at
/// the save times of problem.loss given by `adjoints` instead of the loss's: the building block
/// of losses over many paths (the moments loss). result.loss is 0; never throws.
GradientResult sdePathAdjoint(const GradientProblem& problem,
                              const ode::SolveOptions& options,
                              const SaveAdjoints& adjoints);

/// Residuals r_j = sqrt(w_j)(u(t_j) − d_j) of the least-squares loss (L = Σ r_j²) and their
/// Jacobian with respect to the parameters, by forward-mode AD: what Levenberg–Marquardt needs.
struct [[nodiscard]] ResidualJacobian {
    Eigen::VectorXd residuals;
    Eigen::MatrixXd jacobian;     ///< residuals × parameters
    Eigen::MatrixXd jacobianInit; ///< residuals × states (∂r/∂u0), when asked for
    SolveStatus status = SolveStatus::Success;
    std::string message;
    long nfForward = 0;

    [[nodiscard]] bool ok() const { return status == SolveStatus::Success; }
};

ResidualJacobian residualJacobian(const GradientProblem& problem,
                                  const ode::Method& solver,
                                  const ode::SolveOptions& options,
                                  bool initialDirections = false);

} // namespace dynfit::sens
