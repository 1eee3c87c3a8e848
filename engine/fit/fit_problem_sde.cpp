// SPDX-License-Identifier: MIT
// A fit of a model with noise: its checks, the moments loss over an ensemble per experiment
// (with the moments' exact parameter derivatives), and the predictions a live plot draws (the
// fitted path, or the ensemble's mean).
#include "ensemble/blocks.hpp"
#include "ensemble/moment_gradients.hpp"
#include "fit/fit_problem.hpp"

#include <array>
#include <memory>

namespace dynfit::fit {

namespace {

constexpr std::array<std::pair<SdeLoss, std::string_view>, 2> kSdeLossNames = {
    {{SdeLoss::Pathwise, "pathwise"}, {SdeLoss::Moments, "moments"}}};

std::shared_ptr<const model::CompiledModel> borrowed(const model::CompiledModel& m) {
    return {&m, [](const model::CompiledModel*) {}};
}

// The experiment's solve options: saved at its data times.
ode::SolveOptions savedAt(const ode::SolveOptions& base, const std::vector<double>& times) {
    ode::SolveOptions options = base;
    options.saveat = times;
    options.saveatStep = 0.0;
    options.saveEverystep = false;
    return options;
}

ensemble::EnsembleOptions ensembleOf(const SolverSetup& setup, std::size_t experiment) {
    ensemble::EnsembleOptions options;
    options.trajectories = setup.sdeLoss.trajectories;
    options.threads = setup.sdeLoss.threads;
    options.seed = setup.sde->noise.seed;
    options.experiment = static_cast<std::uint16_t>(experiment);
    options.delta = setup.sde->delta;
    return options;
}

} // namespace

std::string_view sdeLossName(SdeLoss loss) {
    for (const auto& [l, name] : kSdeLossNames) {
        if (l == loss) {
            return name;
        }
    }
    return "?";
}

std::optional<SdeLoss> sdeLossByName(std::string_view name) {
    for (const auto& [l, known] : kSdeLossNames) {
        if (known == name) {
            return l;
        }
    }
    return std::nullopt;
}

bool FitProblem::checkSdeSetup(const model::CompiledModel& model,
                               const std::vector<Experiment>& experiments,
                               const SolverSetup& setup,
                               std::string& error) {
    const bool moments = setup.sdeLoss.loss == SdeLoss::Moments;
    if (!model.hasNoise()) {
        if (moments) {
            error = "the moments loss is for models with noise lines; this model has none";
            return false;
        }
        return true;
    }
    if (!setup.sde) {
        error = "the model has noise lines: its fit needs an SDE method and a seed";
        return false;
    }
    for (const Experiment& e : experiments) {
        if (!e.doses.empty()) {
            error = "experiment '" + e.name + "': doses do not combine with noise lines yet";
            return false;
        }
    }
    if (moments && setup.sdeLoss.trajectories < 2) {
        error = "the moments loss needs at least 2 trajectories (a variance)";
        return false;
    }
    if (experiments.size() > 65536) {
        error = "too many experiments for the noise key (at most 65536)";
        return false;
    }
    return true;
}

bool FitProblem::usesMoments() const {
    return m_model->hasNoise() && m_setup.sde && m_setup.sdeLoss.loss == SdeLoss::Moments;
}

ProblemEvaluation FitProblem::evaluateMoments(const std::vector<double>& params) const {
    ProblemEvaluation out;
    out.dParams.assign(params.size(), 0.0);
    out.dStarts = Eigen::VectorXd::Zero(m_startCount);
    for (std::size_t k = 0; k < m_experiments.size(); ++k) {
        const bool done = m_setup.gradient == sens::GradientMethod::Reverse
                              ? momentsByReverse(k, params, out)
                              : momentsByForward(k, params, out);
        if (!done) {
            if (m_experiments.size() > 1) {
                out.message = "experiment '" + m_experiments[k].name + "': " + out.message;
            }
            return out;
        }
    }
    return out;
}

// The moments and their derivatives by dual numbers per trajectory (parameters in chunks of 8).
bool FitProblem::momentsByForward(std::size_t k,
                                  const std::vector<double>& params,
                                  ProblemEvaluation& out) const {
    const Experiment& e = m_experiments[k];
    const objective::MomentLoss& loss = m_momentLosses[k];
    const auto span = experimentSpan(e).value_or(modelTimeSpan(*m_model, params));
    const auto moments = ensemble::ensembleMomentGradients(
        borrowed(*m_model), {span, params, e.initialValues}, m_setup.sde->method,
        savedAt(m_setup.options, loss.saveTimes()), ensembleOf(m_setup, k));
    if (!moments.ok()) {
        out.status = moments.status;
        out.message = moments.message;
        return false;
    }
    const auto value = loss.evaluate(moments.mean, moments.variance);
    out.loss += value.loss;
    for (std::size_t j = 0; j < params.size(); ++j) {
        out.dParams[j] +=
            (value.dMean * moments.dMean[j]).sum() + (value.dVariance * moments.dVariance[j]).sum();
    }
    return true;
}

// The moments from a double ensemble, then each trajectory swept back in reverse mode with the
// adjoint its values receive: ∂L/∂x_r = ∂L/∂μ / N + ∂L/∂v · 2(x_r − μ)/(N − 1) at each save (the
// variance's own dependence on μ sums to zero). Cost independent of the number of params.
bool FitProblem::momentsByReverse(std::size_t k,
                                  const std::vector<double>& params,
                                  ProblemEvaluation& out) const {
    const Experiment& e = m_experiments[k];
    const objective::MomentLoss& loss = m_momentLosses[k];
    const auto span = experimentSpan(e).value_or(modelTimeSpan(*m_model, params));
    const auto p =
        Eigen::Map<const Eigen::VectorXd>(params.data(), static_cast<Eigen::Index>(params.size()));
    const ode::SolveOptions options = savedAt(m_setup.options, loss.saveTimes());
    const auto ensembleOptions = ensembleOf(m_setup, k);
    const auto moments = ensemble::runEnsemble(borrowed(*m_model), {startOf(e, p), span, p},
                                               m_setup.sde->method, options, ensembleOptions);
    if (moments.status != SolveStatus::Success || moments.failed > 0) {
        out.status = moments.failed > 0 ? SolveStatus::Unstable : moments.status;
        out.message = moments.failed > 0 ? moments.firstFailure : moments.message;
        return false;
    }
    const Eigen::ArrayXXd mean = moments.moments.mean();
    const auto value = loss.evaluate(mean, moments.moments.variance());
    const double n = static_cast<double>(ensembleOptions.trajectories);
    const sens::SaveAdjoints adjoints = [&](const std::vector<Eigen::VectorXd>& saved) {
        std::vector<Eigen::VectorXd> a(saved.size());
        for (std::size_t c = 0; c < saved.size(); ++c) {
            const auto col = static_cast<Eigen::Index>(c);
            a[c] =
                (value.dMean.col(col) / n
                 + value.dVariance.col(col) * 2.0 * (saved[c].array() - mean.col(col)) / (n - 1.0))
                    .matrix();
        }
        return a;
    };
    struct Block {
        Eigen::VectorXd dParams;
        long failedIndex = -1;
        SolveStatus status = SolveStatus::Success;
        std::string failure;
    };
    Eigen::VectorXd total = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(params.size()));
    Block firstFailed;
    ensemble::detail::runInBlocks<Block>(
        ensembleOptions.trajectories, ensemble::detail::threadsFor(ensembleOptions.threads),
        m_setup.options.cancel,
        [&](long b, Block& block) {
            block = Block{Eigen::VectorXd::Zero(total.size())};
            const auto [first, last] =
                ensemble::detail::blockRange(b, ensembleOptions.trajectories);
            for (long r = first; r < last; ++r) {
                sens::GradientProblem gp{m_model, params, span, &e.loss, e.initialValues};
                gp.sde = m_setup.sde;
                gp.sde->noise.experiment = ensembleOptions.experiment;
                gp.sde->noise.trajectory = static_cast<std::uint32_t>(r);
                const auto g = sens::sdePathAdjoint(gp, options, adjoints);
                if (!g.ok()) {
                    if (block.failedIndex < 0) {
                        block = {block.dParams, r, g.status, g.message};
                    }
                    continue;
                }
                block.dParams += Eigen::Map<const Eigen::VectorXd>(g.dParams.data(), total.size());
            }
        },
        [&](long, Block& block) {
            total += block.dParams;
            if (block.failedIndex >= 0 && firstFailed.failedIndex < 0) {
                firstFailed = block;
            }
        });
    if (firstFailed.failedIndex >= 0) {
        out.status = firstFailed.status;
        out.message =
            "trajectory " + std::to_string(firstFailed.failedIndex) + ": " + firstFailed.failure;
        return false;
    }
    out.loss += value.loss;
    for (std::size_t j = 0; j < params.size(); ++j) {
        out.dParams[j] += total[static_cast<Eigen::Index>(j)];
    }
    return true;
}

Eigen::VectorXd FitProblem::startOf(const Experiment& e, const Eigen::VectorXd& p) const {
    Eigen::VectorXd u0(m_model->stateCount());
    model::ProgramEvaluator<double> init(m_model->initial);
    init(nullptr, p.data(), nullptr, 0.0, u0.data());
    for (const auto& [state, value] : e.initialValues) {
        u0[state] = value;
    }
    return u0;
}

std::vector<std::vector<double>> FitProblem::predictSde(std::size_t experiment,
                                                        const std::vector<double>& params) const {
    const Experiment& e = m_experiments[experiment];
    const auto& times = e.loss.saveTimes();
    const auto span = experimentSpan(e).value_or(modelTimeSpan(*m_model, params));
    const ode::SolveOptions options = savedAt(m_setup.options, times);
    const auto p =
        Eigen::Map<const Eigen::VectorXd>(params.data(), static_cast<Eigen::Index>(params.size()));
    const Eigen::VectorXd u0 = startOf(e, p);
    std::vector<std::vector<double>> rows;
    if (usesMoments()) { // the ensemble's mean
        const auto r = ensemble::runEnsemble(borrowed(*m_model), {u0, span, p}, m_setup.sde->method,
                                             options, ensembleOf(m_setup, experiment));
        if (r.status != SolveStatus::Success || r.failed > 0) {
            return {};
        }
        const Eigen::ArrayXXd mean = r.moments.mean();
        for (Eigen::Index j = 0; j < mean.cols(); ++j) {
            rows.emplace_back(mean.col(j).data(), mean.col(j).data() + mean.rows());
        }
        return rows;
    }
    ode::SdeSettings run{m_setup.sde->noise, m_setup.sde->delta}; // the fitted path
    run.noise.experiment = static_cast<std::uint16_t>(experiment);
    const auto sol =
        model::solveModelSde(borrowed(*m_model), {u0, span, p}, m_setup.sde->method, options, run);
    if (!sol.ok() || sol.u.size() != times.size()) {
        return {};
    }
    for (const auto& u : sol.u) {
        rows.emplace_back(u.data(), u.data() + u.size());
    }
    return rows;
}

} // namespace dynfit::fit
