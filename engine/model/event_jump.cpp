// SPDX-License-Identifier: MIT
// The jump conditions at an event, from the event's compiled Jacobians.
#include "model/event_jump.hpp"

#include "model/program_evaluator.hpp"

#include <cmath>
#include <cstdlib>

namespace dynfit::model {

namespace {

// A schedule's times: first, first + period, ... ≤ last (within a relative 1e-12 of last).
std::vector<double>
expandSchedule(double period, double first, double last, int line, std::string& error) {
    std::vector<double> times;
    if (!(period > 0.0) || !std::isfinite(first) || !std::isfinite(last)) {
        error = "the schedule on line " + std::to_string(line) + " has period "
                + std::to_string(period) + ": it must be positive";
        return times;
    }
    const double count = std::floor((last - first) / period * (1 + 1e-12));
    if (count > 100000) {
        error = "the schedule on line " + std::to_string(line) + " has more than 100000 times";
        return times;
    }
    for (int k = 0; k <= static_cast<int>(count); ++k) {
        times.push_back(first + k * period);
    }
    return times;
}

Eigen::VectorXd
evaluate(const Program& program, const double* u, const Eigen::VectorXd& p, double t) {
    Eigen::VectorXd out(program.outputCount());
    ProgramEvaluator<double> eval(program);
    eval(u, p.data(), nullptr, t, out.data());
    return out;
}

} // namespace

std::vector<double>
eventTimes(const CompiledModel& model, int event, const Eigen::VectorXd& p, std::string& error) {
    const CompiledEvent& e = model.events[static_cast<std::size_t>(event)];
    const Eigen::VectorXd values = evaluate(e.times, nullptr, p, 0.0);
    if (e.trigger == CompiledEvent::Trigger::Every) {
        return expandSchedule(values[0], values[1], values[2], e.where.line, error);
    }
    return {values.data(), values.data() + values.size()};
}

int occurrenceAt(const CompiledModel& model, int event, const Eigen::VectorXd& p, double t) {
    std::string error;
    const std::vector<double> times = eventTimes(model, event, p, error);
    for (std::size_t k = 0; k < times.size(); ++k) {
        if (times[k] == t) {
            return static_cast<int>(k);
        }
    }
    return 0;
}

EventJump eventJump(const CompiledModel& model,
                    int event,
                    int occurrence,
                    const Eigen::VectorXd& before,
                    const Eigen::VectorXd& p,
                    double t) {
    const CompiledEvent& e = model.events[static_cast<std::size_t>(event)];
    const int n = model.stateCount();
    const int np = model.paramCount();
    EventJump jump;
    jump.after = before;
    jump.M = Eigen::MatrixXd::Identity(n, n);
    jump.m = Eigen::MatrixXd::Zero(n, np);
    if (!e.hasReset) {
        return jump; // h = identity: the state and the flow are continuous, so is s
    }
    jump.after = evaluate(e.reset, before.data(), p, t);
    // [h_x | h_p | h_t], row-major per block.
    const Eigen::VectorXd hj = evaluate(e.resetJacobian, before.data(), p, t);
    const Eigen::MatrixXd hx =
        Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
            hj.data(), n, n);
    const Eigen::MatrixXd hp =
        Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
            hj.data() + n * n, n, np);
    const Eigen::VectorXd ht = hj.segment(n * n + n * np, n);
    const Eigen::VectorXd fBefore = evaluate(model.rhs, before.data(), p, t);
    const Eigen::VectorXd fAfter = evaluate(model.rhs, jump.after.data(), p, t);
    // Mutation check (tests/engine/sensitivity/tst_event_gradients.cpp): without the event
    // time's term the event gradients must fail.
    static const bool dropTimeTerm = std::getenv("DYNFIT_MUTATE_DROP_EVENT_JUMP") != nullptr;
    const Eigen::VectorXd c =
        dropTimeTerm ? Eigen::VectorXd::Zero(n) : Eigen::VectorXd(hx * fBefore + ht - fAfter);
    Eigen::RowVectorXd gx = Eigen::RowVectorXd::Zero(n);
    Eigen::RowVectorXd gp = Eigen::RowVectorXd::Zero(np);
    double gt = 1.0;
    if (e.trigger == CompiledEvent::Trigger::Crossing) {
        const Eigen::VectorXd gj = evaluate(e.conditionGradient, before.data(), p, t);
        gx = gj.head(n).transpose();
        gp = gj.segment(n, np).transpose();
        gt = gj[n + np];
    } else {
        // g = t − τ(p): g_p = −∂τ/∂p, with τ_k = first + k·period for a schedule.
        const Eigen::VectorXd tj = evaluate(e.timesJacobian, nullptr, p, 0.0);
        const auto row = [&](int r) { return tj.segment(r * np, np).transpose(); };
        gp = e.trigger == CompiledEvent::Trigger::Every
                 ? Eigen::RowVectorXd(-(row(1) + occurrence * row(0)))
                 : Eigen::RowVectorXd(-row(occurrence));
    }
    jump.D = gx.dot(fBefore) + gt;
    jump.M = hx - c * gx / jump.D;
    jump.m = hp - c * gp / jump.D;
    return jump;
}

} // namespace dynfit::model
