// SPDX-License-Identifier: MIT
// The ensemble's mean and variance at the save times together with their exact derivatives with
// respect to every parameter: each trajectory solved with forward-mode dual numbers on its fixed
// path (common random numbers), the duals streamed through the same Welford/Chan moments. What a
// statistical loss over many trajectories differentiates; bit-identical for any thread count.
#pragma once

#include "ensemble/sde_ensemble.hpp"

#include <utility>

namespace dynfit::ensemble {

/// Where every trajectory starts: the states follow u0(p) except those given fixed values.
struct MomentStart {
    ode::TimeSpan span;
    std::vector<double> params;
    std::vector<std::pair<int, double>> initialValues; ///< (state index, value)
};

struct [[nodiscard]] MomentGradients {
    SolveStatus status = SolveStatus::Success;
    std::string message;
    std::vector<double> t;                         ///< the save times
    Eigen::ArrayXXd mean;                          ///< states × times
    Eigen::ArrayXXd variance;                      ///< states × times, unbiased
    std::vector<Eigen::ArrayXXd> dMean, dVariance; ///< one states × times array per parameter
    SolveStats stats;
    double seconds = 0.0;

    [[nodiscard]] bool ok() const { return status == SolveStatus::Success; }
};

/// The moments of `ensemble.trajectories` paths and their parameter derivatives. A trajectory
/// that fails makes the whole result fail (its status, "trajectory k: …"): a loss of moments
/// over a changing set of paths would jump. keep and saveNoise are not used.
MomentGradients ensembleMomentGradients(std::shared_ptr<const model::CompiledModel> model,
                                        const MomentStart& start,
                                        const ode::SdeMethod& method,
                                        const ode::SolveOptions& options,
                                        const EnsembleOptions& ensemble);

} // namespace dynfit::ensemble
