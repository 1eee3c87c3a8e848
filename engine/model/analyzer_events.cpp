// SPDX-License-Identifier: MIT
// The analyzer's events: conditions, times and schedules, and resets, checked and built as DAG
// nodes (member functions of Analyzer; the rest is in analyzer.cpp).
#include "model/analyzer.hpp"

#include <algorithm>
#include <cmath>
#include <set>

namespace dynfit::model {

namespace {

// A schedule longer than this is surely a mistake (a period in the wrong unit).
constexpr double kMaxScheduledTimes = 100000;

std::string lineName(int line) {
    return std::string("the event on line ").append(std::to_string(line));
}

} // namespace

void Analyzer::resolveEvents() {
    for (const Statement* s : m_eventStatements) {
        m_result.events.push_back(resolveEvent(*s));
    }
}

AnalyzedEvent Analyzer::resolveEvent(const Statement& s) {
    const EventClause& e = *s.event;
    AnalyzedEvent out;
    out.trigger = e.trigger;
    out.comparison = e.comparison;
    out.stop = e.stop;
    out.where = s.where;
    const std::string what = lineName(s.where.line);
    if (e.trigger == EventClause::Trigger::Crossing) {
        Context context;
        context.what = "the condition of " + what;
        const NodeId lhs = build(*e.lhs, context);
        const NodeId rhs = build(*e.rhs, context);
        out.condition = m_graph.binary(Op::Sub, lhs, rhs);
    } else {
        out.times = eventTimes(e, what);
        if (e.stop) {
            m_diag.error(s.where, "a time event cannot stop the solve; end the time span there "
                                  "instead (tspan = 0 .. T)");
        }
    }
    if (!e.assignments.empty()) {
        out.reset = eventReset(e, s.where.line, out.targets);
    }
    return out;
}

std::vector<NodeId> Analyzer::eventTimes(const EventClause& e, const std::string& what) {
    Context context;
    context.what = "the time of " + what;
    context.parametersOnly = true;
    std::vector<NodeId> nodes;
    if (e.trigger == EventClause::Trigger::Times) {
        for (const ExprPtr& time : e.times) {
            nodes.push_back(build(*time, context));
        }
        return nodes;
    }
    context.what = "the schedule of " + what;
    nodes = {build(*e.period, context), build(*e.first, context), build(*e.last, context)};
    checkSchedule(e, nodes);
    return nodes;
}

// At the declared param values: a period that is not positive, or too many times, is an error
// here; at other values the solve reports it (model_events.hpp).
void Analyzer::checkSchedule(const EventClause& e, const std::vector<NodeId>& nodes) {
    if (m_diag.hasErrors()) {
        return; // a failed piece is 0, which would be reported again as a zero period
    }
    const double period = atDeclaredParams(nodes[0]);
    const double first = atDeclaredParams(nodes[1]);
    const double last = atDeclaredParams(nodes[2]);
    if (!(period > 0.0)) {
        m_diag.error(e.period->where,
                     "the period of 'every' must be positive; it is " + std::to_string(period));
    } else if ((last - first) / period > kMaxScheduledTimes) {
        m_diag.error(e.period->where, "this schedule has more than 100000 times; is the period "
                                      "in the right unit?");
    } else if (last < first) {
        m_diag.warning(e.last->where, "the schedule ends before it starts: no event fires");
    }
}

double Analyzer::atDeclaredParams(NodeId id) const {
    std::vector<double> p;
    for (const ParamInfo& info : m_result.params) {
        p.push_back(info.value);
    }
    // The graph evaluates every node up to id: states and network outputs read as 0.
    std::size_t inputs = 1;
    for (std::size_t i = 0; i < m_graph.size(); ++i) {
        if (m_graph.node(static_cast<NodeId>(i)).op == Op::Input) {
            inputs = std::max(inputs, static_cast<std::size_t>(m_graph.node(i).index) + 1);
        }
    }
    const std::vector<double> zeros(inputs, 0.0);
    p.resize(std::max(p.size(), inputs), 0.0);
    return m_graph.evaluate(id, zeros.data(), p.data(), zeros.data(), 0.0);
}

std::vector<NodeId>
Analyzer::eventReset(const EventClause& e, int line, std::vector<int>& targets) {
    std::vector<NodeId> reset;
    for (std::size_t i = 0; i < m_result.states.size(); ++i) {
        reset.push_back(m_graph.input(InputSet::State, static_cast<int>(i)));
    }
    std::set<std::string> seen;
    for (const EventAssignment& a : e.assignments) {
        Context context;
        context.what = "the value of '" + a.target + "' set by " + lineName(line);
        const NodeId value = build(*a.value, context);
        const auto state = m_stateIndex.find(a.target);
        if (state == m_stateIndex.end()) {
            const auto symbol = m_symbols.find(a.target);
            m_diag.error(a.where,
                         symbol != m_symbols.end()
                             ? "an event can only set a state; '" + a.target + "' is a "
                                   + symbol->second.kind
                             : "an event can only set a state, and '" + a.target + "' is not one");
            continue;
        }
        if (!seen.insert(a.target).second) {
            m_diag.error(a.where, "'" + a.target + "' is set twice by this event");
            continue;
        }
        reset[static_cast<std::size_t>(state->second)] = value;
        targets.push_back(state->second);
    }
    return reset;
}

} // namespace dynfit::model
