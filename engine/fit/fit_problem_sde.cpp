// SPDX-License-Identifier: MIT
// A fit of a model with noise: its checks, the moments loss over an ensemble per experiment
// (with the moments' exact parameter derivatives), and the predictions a live plot draws (the
// fitted path, or the ensemble's mean).
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
        const Experiment& e = m_experiments[k];
        const objective::MomentLoss& loss = m_momentLosses[k];
        const auto span = experimentSpan(e).value_or(modelTimeSpan(*m_model, params));
        const auto moments = ensemble::ensembleMomentGradients(
            borrowed(*m_model), {span, params, e.initialValues}, m_setup.sde->method,
            savedAt(m_setup.options, loss.saveTimes()), ensembleOf(m_setup, k));
        if (!moments.ok()) {
            out.status = moments.status;
            out.message = m_experiments.size() > 1
                              ? "experiment '" + e.name + "': " + moments.message
                              : moments.message;
            return out;
        }
        const auto value = loss.evaluate(moments.mean, moments.variance);
        out.loss += value.loss;
        for (std::size_t j = 0; j < params.size(); ++j) {
            out.dParams[j] += (value.dMean * moments.dMean[j]).sum()
                              + (value.dVariance * moments.dVariance[j]).sum();
        }
    }
    return out;
}

std::vector<std::vector<double>> FitProblem::predictSde(std::size_t experiment,
                                                        const std::vector<double>& params) const {
    const Experiment& e = m_experiments[experiment];
    const auto& times = e.loss.saveTimes();
    const auto span = experimentSpan(e).value_or(modelTimeSpan(*m_model, params));
    const ode::SolveOptions options = savedAt(m_setup.options, times);
    const auto p =
        Eigen::Map<const Eigen::VectorXd>(params.data(), static_cast<Eigen::Index>(params.size()));
    model::Vector<double> u0(m_model->stateCount());
    model::ProgramEvaluator<double> init(m_model->initial);
    init(nullptr, p.data(), nullptr, 0.0, u0.data());
    for (const auto& [state, value] : e.initialValues) {
        u0[state] = value;
    }
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
