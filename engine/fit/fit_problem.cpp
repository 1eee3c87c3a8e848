// SPDX-License-Identifier: MIT
// Experiments and multiple-shooting segments: the pieces a fit's loss is summed over.
#include "fit/fit_problem.hpp"

#include "fit/simulation.hpp"
#include "model/model_rhs.hpp"

#include <cmath>
#include <limits>

namespace dynfit::fit {

namespace {

// The experiment solved from its own initial values at `times`: rows[k][i], state i at the k-th
// time (empty when the solve fails).
std::vector<std::vector<double>> simulateAt(const model::CompiledModel& model,
                                            const Experiment& experiment,
                                            const ode::TimeSpan& span,
                                            const std::vector<double>& params,
                                            const SolverSetup& setup,
                                            const std::vector<double>& times) {
    if (times.empty()) {
        return {};
    }
    SimulationRequest request;
    request.params = params;
    request.initialValues = experiment.initialValues;
    request.doses = experiment.doses;
    request.span = span;
    request.solver = setup.solver;
    request.options = setup.options;
    request.times = times;
    const Simulation sim = simulate(model, request);
    if (!sim.ok() || sim.t.size() != times.size()) {
        return {};
    }
    std::vector<std::vector<double>> rows(times.size());
    for (std::size_t k = 0; k < rows.size(); ++k) {
        for (const auto& column : sim.columns) {
            rows[k].push_back(column[k]);
        }
    }
    return rows;
}

// The shooting boundaries of one experiment: K − 1 data times after t0 splitting its data
// times into groups of about equal size.
std::vector<double> boundaries(const std::vector<double>& times, double t0, int segments) {
    std::vector<double> inside;
    for (double t : times) {
        if (t > t0) {
            inside.push_back(t);
        }
    }
    std::vector<double> cuts;
    const auto count = static_cast<int>(inside.size());
    const int k = std::min(segments, count);
    for (int j = 1; j < k; ++j) {
        const double t = inside[static_cast<std::size_t>(j * count / k)];
        if (cuts.empty() || t > cuts.back()) {
            cuts.push_back(t);
        }
    }
    return cuts;
}

// The data value of `state` at exactly time `t`, if observed.
std::optional<double> observed(const LeastSquaresLoss& loss, int state, double t) {
    const auto& times = loss.saveTimes();
    const auto at = std::lower_bound(times.begin(), times.end(), t);
    if (at == times.end() || *at != t) {
        return std::nullopt;
    }
    const int save = static_cast<int>(at - times.begin());
    for (const auto& term : loss.terms()) {
        if (term.save == save && term.state == state) {
            return term.value;
        }
    }
    return std::nullopt;
}

} // namespace

ode::TimeSpan modelTimeSpan(const model::CompiledModel& model, const std::vector<double>& params) {
    double ends[2] = {0.0, 0.0};
    model::ProgramEvaluator<double> times(model.timeSpan);
    times(nullptr, params.data(), nullptr, 0.0, ends);
    return {ends[0], ends[1]};
}

std::optional<ode::TimeSpan> FitProblem::experimentSpan(const Experiment& e) const {
    return e.span ? e.span : m_setup.span;
}

bool FitProblem::build(const model::CompiledModel& model,
                       std::vector<Experiment> experiments,
                       const MultipleShooting& shooting,
                       const SolverSetup& setup,
                       const std::vector<double>& initialParams,
                       FitProblem& problem,
                       std::string& error) {
    problem = FitProblem{};
    problem.m_model = &model;
    problem.m_setup = setup;
    problem.m_continuityWeight = shooting.continuityWeight;
    if (experiments.empty()) {
        error = "no data to fit";
        return false;
    }
    if (!checkSdeSetup(model, experiments, setup, error)) {
        return false;
    }
    const int n = model.stateCount();
    std::vector<double> starts;
    for (std::size_t ei = 0; ei < experiments.size(); ++ei) {
        const Experiment& e = experiments[ei];
        const std::string which = "experiment '" + e.name + "'";
        for (const auto& given : e.initialValues) {
            if (given.first < 0 || given.first >= n) {
                error = which + ": an initial value names no state of the model";
                return false;
            }
        }
        if (e.loss.terms().empty()) {
            error = which + " has no observed value";
            return false;
        }
        const auto span = problem.experimentSpan(e);
        if (!span && !model.hasTimeSpan) {
            error = "no time span: give one or write 'tspan = T0 .. T1' in the model";
            return false;
        }
        const int index = static_cast<int>(ei);
        if (shooting.segments <= 1) {
            problem.m_segments.push_back({index, span.value_or(ode::TimeSpan{}), e.loss, -1, -1});
            if (!span) {
                problem.m_segments.back().span = modelTimeSpan(model, initialParams);
            }
            continue;
        }
        if (model.hasEvents() || !e.doses.empty()) {
            // A segment's free start would be taken as before or after an event at its time:
            // refused rather than applied twice or never.
            error = "multiple shooting does not handle events or doses yet: fit without it";
            return false;
        }
        if (model.hasNoise()) {
            error = "multiple shooting does not handle SDEs (a segment's start would cut the "
                    "path): fit without it";
            return false;
        }
        if (model.hasDelays()) {
            error = "multiple shooting does not handle delays (a segment's free start has no "
                    "history): fit without it";
            return false;
        }
        const ode::TimeSpan whole = span ? *span : modelTimeSpan(model, initialParams);
        const auto cuts = boundaries(e.loss.saveTimes(), whole.t0, shooting.segments);
        const auto guess = simulateAt(model, e, whole, initialParams, setup, cuts);
        double from = whole.t0;
        for (std::size_t j = 0; j <= cuts.size(); ++j) {
            const bool last = j == cuts.size();
            const double to = last ? whole.t1 : cuts[j];
            Segment segment{
                index,
                {from, to},
                last ? e.loss.between(from, std::numeric_limits<double>::infinity(), true)
                     : e.loss.between(from, to, false),
                j == 0 ? -1 : problem.m_startCount - n,
                -1};
            if (!last) {
                segment.endVar = problem.m_startCount;
                problem.m_startCount += n;
                for (int i = 0; i < n; ++i) {
                    const auto data = observed(e.loss, i, to);
                    starts.push_back(data ? *data : !guess.empty() ? guess[j][i] : 0.0);
                }
            }
            problem.m_segments.push_back(std::move(segment));
            from = to;
        }
    }
    if (problem.usesMoments()) {
        for (const Experiment& e : experiments) {
            problem.m_momentLosses.emplace_back(e.loss);
        }
    }
    problem.m_experiments = std::move(experiments);
    problem.m_initialStarts =
        Eigen::Map<const Eigen::VectorXd>(starts.data(), static_cast<Eigen::Index>(starts.size()));
    return true;
}

sens::GradientProblem FitProblem::pieceProblem(const Segment& segment,
                                               const std::vector<double>& params,
                                               const Eigen::VectorXd& starts,
                                               LeastSquaresLoss& scratch) const {
    const Experiment& e = m_experiments[static_cast<std::size_t>(segment.experiment)];
    const int n = m_model->stateCount();
    sens::GradientProblem gp{m_model, params,  experimentSpan(e), nullptr,
                             {},      e.doses, m_setup.precision};
    if (segment.startVar >= 0 || segment.endVar >= 0) {
        gp.span = segment.span; // shooting: fixed segment spans
    }
    if (m_setup.sde) {
        gp.sde = m_setup.sde;
        gp.sde->noise.experiment = static_cast<std::uint16_t>(segment.experiment);
    }
    if (segment.startVar >= 0) {
        for (int i = 0; i < n; ++i) {
            gp.initialValues.emplace_back(i, starts[segment.startVar + i]);
        }
    } else {
        gp.initialValues = e.initialValues;
    }
    gp.loss = &segment.data;
    if (segment.endVar >= 0) { // the continuity targets are the current next start
        const Eigen::VectorXd target = starts.segment(segment.endVar, n);
        scratch = segment.data.withTargets(segment.span.t1,
                                           std::vector<double>(target.data(), target.data() + n),
                                           m_continuityWeight);
        gp.loss = &scratch;
    }
    return gp;
}

ProblemEvaluation FitProblem::evaluate(const std::vector<double>& params,
                                       const Eigen::VectorXd& starts) const {
    if (usesMoments()) {
        return evaluateMoments(params);
    }
    ProblemEvaluation out;
    const int n = m_model->stateCount();
    out.dParams.assign(params.size(), 0.0);
    out.dStarts = Eigen::VectorXd::Zero(m_startCount);
    for (const Segment& segment : m_segments) {
        LeastSquaresLoss scratch;
        const sens::GradientProblem gp = pieceProblem(segment, params, starts, scratch);
        const auto g = sens::gradient(gp, m_setup.solver, m_setup.options, m_setup.gradient);
        if (!g.ok()) {
            out.status = g.status;
            out.message =
                m_experiments.size() > 1
                    ? "experiment '"
                          + m_experiments[static_cast<std::size_t>(segment.experiment)].name
                          + "': " + g.message
                    : g.message;
            return out;
        }
        out.loss += g.loss;
        for (std::size_t k = 0; k < params.size(); ++k) {
            out.dParams[k] += g.dParams[k];
        }
        if (segment.startVar >= 0) {
            for (int i = 0; i < n; ++i) {
                out.dStarts[segment.startVar + i] += g.dInit[static_cast<std::size_t>(i)];
            }
        }
        if (segment.endVar >= 0) {
            // ∂/∂s of w (u(t1) − s)² is −2 w (u(t1) − s); u(t1) is the last save.
            const auto& end = g.saved.back();
            for (int i = 0; i < n; ++i) {
                out.dStarts[segment.endVar + i] -=
                    2.0 * m_continuityWeight
                    * (end[static_cast<std::size_t>(i)] - starts[segment.endVar + i]);
            }
        }
    }
    return out;
}

ProblemResiduals FitProblem::residuals(const std::vector<double>& params,
                                       const Eigen::VectorXd& starts) const {
    ProblemResiduals out;
    if (usesMoments()) {
        out.status = SolveStatus::InvalidInput;
        out.message = kMomentsNeedNoResiduals;
        return out;
    }
    const int n = m_model->stateCount();
    const auto np = static_cast<Eigen::Index>(params.size());
    std::vector<sens::ResidualJacobian> pieces;
    Eigen::Index rows = 0;
    for (const Segment& segment : m_segments) {
        LeastSquaresLoss scratch;
        const sens::GradientProblem gp = pieceProblem(segment, params, starts, scratch);
        pieces.push_back(
            sens::residualJacobian(gp, m_setup.solver, m_setup.options, segment.startVar >= 0));
        if (!pieces.back().ok()) {
            out.status = pieces.back().status;
            out.message = pieces.back().message;
            return out;
        }
        rows += pieces.back().residuals.size();
    }
    out.residuals.resize(rows);
    out.dParams.setZero(rows, np);
    out.dStarts.setZero(rows, m_startCount);
    Eigen::Index row = 0;
    for (std::size_t j = 0; j < m_segments.size(); ++j) {
        const Segment& segment = m_segments[j];
        const auto& piece = pieces[j];
        const Eigen::Index count = piece.residuals.size();
        out.residuals.segment(row, count) = piece.residuals;
        out.dParams.middleRows(row, count) = piece.jacobian;
        if (segment.startVar >= 0) {
            out.dStarts.block(row, segment.startVar, count, n) = piece.jacobianInit;
        }
        if (segment.endVar >= 0) {
            // The continuity residuals √w (u(t1) − s) come last: ∂/∂s = −√w.
            const double sw = std::sqrt(m_continuityWeight);
            for (int i = 0; i < n; ++i) {
                out.dStarts(row + count - n + i, segment.endVar + i) -= sw;
            }
        }
        row += count;
    }
    return out;
}

std::vector<std::vector<std::vector<double>>>
FitProblem::predictions(const std::vector<double>& params) const {
    std::vector<std::vector<std::vector<double>>> all;
    if (m_model->hasNoise()) {
        for (std::size_t e = 0; e < m_experiments.size(); ++e) {
            all.push_back(predictSde(e, params));
        }
        return all;
    }
    for (const Experiment& e : m_experiments) {
        const auto given = experimentSpan(e);
        const ode::TimeSpan span = given ? *given : modelTimeSpan(*m_model, params);
        auto& rows = all.emplace_back();
        rows = simulateAt(*m_model, e, span, params, m_setup, e.loss.saveTimes());
    }
    return all;
}

} // namespace dynfit::fit
