// SPDX-License-Identifier: MIT
// The analyser's delays (issue 15): delayed states x(t − lag) in the equations, with constant
// positive lags of params and consts, and each state's history before t0.
#include "core/number_text.hpp"
#include "model/analyzer.hpp"

#include <cmath>

namespace dynfit::model {

NodeId Analyzer::delayedState(const Expr& e, const Context& context) {
    const NodeId zero = m_graph.constant(0.0);
    if (!context.delays) {
        m_diag.error(e.where, context.what + " cannot use a delayed state " + e.name
                                  + "(t - lag): delays belong in the equations (and their lets)");
        return zero;
    }
    const Expr* argument = e.args.size() == 1 ? e.args[0].get() : nullptr;
    if (argument == nullptr || argument->kind != Expr::Kind::Binary || argument->op != '-'
        || argument->args[0]->kind != Expr::Kind::Name || argument->args[0]->name != "t") {
        m_diag.error(e.where, "a delayed state is written " + e.name
                                  + "(t - lag), with a lag of params and consts");
        return zero;
    }
    Context lagContext;
    lagContext.what = "the lag of '" + e.name
                      + "' (constant in time: lags that depend on the state or on t are not "
                        "supported)";
    lagContext.parametersOnly = true;
    const std::size_t errorsBefore = m_diag.items.size();
    const NodeId lag = build(*argument->args[1], lagContext);
    if (m_diag.items.size() != errorsBefore) {
        return zero;
    }
    const double value = atDeclaredParams(lag);
    if (!(value > 0.0) || !std::isfinite(value)) {
        m_diag.error(argument->args[1]->where,
                     "the lag of '" + e.name + "' must be positive; it is " + shortestText(value)
                         + (m_graph.isConstant(lag) ? "" : " at the declared params"));
        return zero;
    }
    const int state = m_stateIndex.at(e.name);
    auto& delays = m_result.delays;
    std::size_t slot = 0;
    while (slot < delays.size() && !(delays[slot].state == state && delays[slot].lag == lag)) {
        ++slot;
    }
    if (slot == delays.size()) {
        delays.push_back({state, lag, e.where});
    }
    const int n = static_cast<int>(m_result.states.size());
    return m_graph.input(InputSet::State, n + static_cast<int>(slot));
}

void Analyzer::resolveHistories() {
    const std::size_t n = m_result.states.size();
    m_result.history.assign(n, m_graph.constant(0.0));
    m_result.historyDeclared.assign(n, 0);
    for (const auto& [name, statement] : m_histories) {
        const auto it = m_stateIndex.find(name);
        if (it == m_stateIndex.end()) {
            m_diag.error(statement->where, "history for '" + name + "', which has no equation d("
                                               + name + ")/dt = ...");
            continue;
        }
        Context context;
        context.what = "the history of '" + name + "'";
        context.noStates = true;
        const auto i = static_cast<std::size_t>(it->second);
        m_result.history[i] = build(*statement->value, context);
        m_result.historyDeclared[i] = 1;
    }
}

// What does not combine with delays yet is refused where it is written.
void Analyzer::checkDelayScope() {
    if (m_result.delays.empty()) {
        if (!m_histories.empty()) {
            const Statement& s = *m_histories.begin()->second;
            m_diag.warning(s.where, "history for '" + s.name
                                        + "' is not used: no equation reads a delayed state");
        }
        return;
    }
    for (const Statement* s : m_eventStatements) {
        m_diag.error(s->where, "events in a model with delays are not supported yet");
    }
    // The history is written in absolute time: a start that moves with the params would move
    // the breakpoints and the history's end with it, which the gradients do not carry.
    if (m_result.timeSpan && !m_graph.isConstant(m_result.timeSpan->first)) {
        m_diag.error(m_timeSpan->lower->where,
                     "the start of tspan must be a number in a model with delays (its history "
                     "is written in t)");
    }
}

} // namespace dynfit::model
