// SPDX-License-Identifier: MIT
// Checks a parsed model (names, duplicates, cycles, arities) and builds its expression DAG.
#include "model/analyzer.hpp"

#include <algorithm>
#include <cmath>
#include <set>

namespace dynfit::model {

namespace {

// Levenshtein distance, for "did you mean" suggestions.
std::size_t editDistance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) {
        row[j] = j;
    }
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] =
                std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

} // namespace

Analyzer::Analyzer(const ModelAst& ast,
                   Diagnostics& diagnostics,
                   const Overrides& overrides,
                   unsigned long long seed)
    : m_ast(ast), m_diag(diagnostics), m_overrides(overrides), m_seed(seed) {}

AnalyzedModel Analyzer::run() {
    collectDeclarations();
    resolveConsts();
    resolveParams();
    resolveNetworks();
    resolveEquations();
    resolveStagedEquations();
    resolveInitsAndSpan();
    resolveHistories();
    resolveEvents();
    checkDelayScope();
    resolveNoise();
    warnUnusedParams();
    for (const auto& [key, id] : m_letNodes) {
        if (key.find('#') == std::string::npos) { // the equations' context, not a stricter one
            m_result.lets.emplace(key, id);
        }
    }
    m_result.graph = std::move(m_graph);
    return std::move(m_result);
}

bool Analyzer::declare(const Statement& s, const char* what) {
    const auto [it, inserted] = m_symbols.try_emplace(s.name, Symbol{what, &s});
    if (!inserted) {
        m_diag.error(s.where, "'" + s.name + "' is already declared as a " + it->second.kind
                                  + " on line " + std::to_string(it->second.statement->where.line));
        return false;
    }
    return true;
}

void Analyzer::collectDeclarations() {
    for (const Statement& s : m_ast.statements) {
        if (s.kind != StatementKind::TimeSpan && s.kind != StatementKind::Event
            && s.kind != StatementKind::Calculus && s.name == "t") {
            m_diag.error(s.where, "'t' is the time and cannot be declared");
            continue;
        }
        switch (s.kind) {
        case StatementKind::Param:
            if (declare(s, "param")) {
                m_paramStatements.push_back(&s);
            }
            break;
        case StatementKind::Const:
            declare(s, "const");
            break;
        case StatementKind::Let:
            declare(s, "let");
            break;
        case StatementKind::Equation:
            if (m_equations.count(s.name) != 0) {
                m_diag.error(s.where, "a second equation for '" + s.name
                                          + "' (the first is on line "
                                          + std::to_string(m_equations[s.name]->where.line) + ")");
            } else {
                m_equations[s.name] = &s;
                noteStateAppearance(s);
            }
            break;
        case StatementKind::Init:
            if (m_inits.count(s.name) != 0) {
                m_diag.error(s.where, "a second init for '" + s.name + "' (the first is on line "
                                          + std::to_string(m_inits[s.name]->where.line) + ")");
            } else {
                m_inits[s.name] = &s;
                noteStateAppearance(s);
            }
            break;
        case StatementKind::History:
            if (m_histories.count(s.name) != 0) {
                m_diag.error(s.where, "a second history for '" + s.name + "' (the first is on line "
                                          + std::to_string(m_histories[s.name]->where.line) + ")");
            } else {
                m_histories[s.name] = &s;
            }
            break;
        case StatementKind::TimeSpan:
            if (m_timeSpan != nullptr) {
                m_diag.error(s.where, "a second tspan (the first is on line "
                                          + std::to_string(m_timeSpan->where.line) + ")");
            } else {
                m_timeSpan = &s;
            }
            break;
        case StatementKind::Network:
            if (declare(s, "nn")) {
                m_networkStatements.push_back(&s);
            }
            break;
        case StatementKind::Event:
            m_eventStatements.push_back(&s);
            break;
        case StatementKind::Noise:
            if (m_noiseStatements.count(s.name) != 0) {
                m_diag.error(s.where, "a second noise for '" + s.name + "' (the first is on line "
                                          + std::to_string(m_noiseStatements[s.name]->where.line)
                                          + ")");
            } else {
                m_noiseStatements[s.name] = &s;
            }
            break;
        case StatementKind::Calculus:
            if (m_calculus != nullptr) {
                m_diag.error(s.where, "a second calculus (the first is on line "
                                          + std::to_string(m_calculus->where.line) + ")");
            } else {
                m_calculus = &s;
            }
            break;
        case StatementKind::Weights:
            if (m_weightStatements.count(s.name) != 0) {
                m_diag.error(s.where, "a second weights list for '" + s.name + "'");
            } else {
                m_weightStatements[s.name] = &s;
            }
            break;
        }
    }
    for (const std::string& name : m_stateOrder) {
        const Statement* eq = m_equations.count(name) != 0 ? m_equations[name] : nullptr;
        const Statement* init = m_inits.count(name) != 0 ? m_inits[name] : nullptr;
        if (eq == nullptr) {
            m_diag.error(init->where,
                         "init for '" + name + "', which has no equation d(" + name + ")/dt = ...");
            continue;
        }
        if (const auto it = m_symbols.find(name); it != m_symbols.end()) {
            // Reported, then still treated as a state so that its equation gets checked too.
            m_diag.error(eq->where, "'" + name + "' has an equation but is declared as a "
                                        + it->second.kind + " on line "
                                        + std::to_string(it->second.statement->where.line));
        }
        m_stateIndex[name] = static_cast<int>(m_result.states.size());
        m_result.states.push_back(name);
        if (init == nullptr) {
            m_diag.warning(eq->where, "no init for '" + name + "': it starts at 0");
        }
    }
}

void Analyzer::noteStateAppearance(const Statement& s) {
    if (std::find(m_stateOrder.begin(), m_stateOrder.end(), s.name) == m_stateOrder.end()) {
        m_stateOrder.push_back(s.name);
    }
}

void Analyzer::resolveConsts() {
    for (const Statement& s : m_ast.statements) {
        if (s.kind == StatementKind::Const && m_symbols.at(s.name).statement == &s) {
            m_result.consts.emplace_back(s.name, constValue(s.name));
        }
    }
}

// A const's value: its expression (of numbers and other consts) or its override.
double Analyzer::constValue(const std::string& name) {
    if (const auto it = m_constValues.find(name); it != m_constValues.end()) {
        return it->second;
    }
    if (const auto it = m_overrides.find(name); it != m_overrides.end()) {
        return m_constValues[name] = it->second;
    }
    const Statement& s = *m_symbols.at(name).statement;
    if (!m_resolving.insert(name).second) {
        m_diag.error(s.where, "'" + name + "' depends on itself");
        return m_constValues[name] = 0.0;
    }
    const double value = constantExpression(*s.value, "the value of const '" + name + "'");
    m_resolving.erase(name);
    return m_constValues[name] = value;
}

// An expression that may only use numbers and consts (param values, bounds, consts).
double Analyzer::constantExpression(const Expr& e, const std::string& what) {
    Context context;
    context.what = what;
    context.constantOnly = true;
    const NodeId id = build(e, context);
    if (!m_graph.isConstant(id)) {
        return 0.0; // build() reported the offending name
    }
    return m_graph.node(id).value;
}

void Analyzer::resolveParams() {
    for (const Statement* s : m_paramStatements) {
        ParamInfo info;
        info.name = s->name;
        info.where = s->where;
        info.logScale = s->logScale;
        const auto it = m_overrides.find(s->name);
        info.value = it != m_overrides.end()
                         ? it->second
                         : constantExpression(*s->value, "the value of param '" + s->name + "'");
        if (s->lower) {
            info.lower = constantExpression(*s->lower, "the bounds of '" + s->name + "'");
            info.upper = constantExpression(*s->upper, "the bounds of '" + s->name + "'");
            if (!(*info.lower <= *info.upper)) {
                m_diag.error(s->lower->where,
                             "the lower bound of '" + s->name + "' is above its upper bound");
            } else if (!(info.value >= *info.lower && info.value <= *info.upper)) {
                m_diag.error(s->value->where,
                             "the value of '" + s->name + "' lies outside its bounds");
            }
        }
        if (info.logScale && !(info.value > 0.0 && (!info.lower || *info.lower > 0.0))) {
            m_diag.error(s->where, "'" + s->name
                                       + "' is on a log scale, so its value and bounds "
                                         "must be positive");
        }
        m_paramIndex[s->name] = static_cast<int>(m_result.params.size());
        m_result.params.push_back(info);
    }
}

void Analyzer::resolveEquations() {
    m_result.rhs.assign(m_result.states.size(), m_graph.constant(0.0));
    for (std::size_t i = 0; i < m_result.states.size(); ++i) {
        const Statement& eq = *m_equations.at(m_result.states[i]);
        Context context;
        context.what = "the equation of '" + eq.name + "'";
        context.delays = true;
        m_result.rhs[i] = build(*eq.value, context);
    }
    // Lets nothing uses still get checked, so that their errors are reported.
    for (const auto& [letName, symbol] : m_symbols) {
        if (std::string(symbol.kind) == "let" && m_letNodes.count(letName) == 0) {
            Expr reference;
            reference.kind = Expr::Kind::Name;
            reference.name = letName;
            reference.where = symbol.statement->where;
            Context context;
            context.what = "let '" + letName + "'";
            context.delays = true;
            let(reference, context);
        }
    }
}

// The equations again, with network calls as inputs. Only for a checked model with networks;
// anything this pass reports was already reported by the first one, so it is dropped.
void Analyzer::resolveStagedEquations() {
    if (m_result.networks.empty() || m_diag.hasErrors() || !m_result.delays.empty()) {
        return; // with delays the networks stay written out in f
    }
    const std::size_t reported = m_diag.items.size();
    m_result.staged = StagedRhs{};
    for (const std::string& state : m_result.states) {
        const Statement& eq = *m_equations.at(state);
        Context context;
        context.what = "the equation of '" + eq.name + "'";
        context.staged = true;
        m_result.staged->rhs.push_back(build(*eq.value, context));
    }
    m_diag.items.resize(reported);
    if (m_stagingFailed) {
        m_result.staged.reset();
    }
}

// The Aux input standing for output `outputIndex` (from 1) of the call network(inputs).
NodeId Analyzer::stagedCall(int network, std::vector<NodeId> inputs, int outputIndex) {
    StagedRhs& staged = *m_result.staged;
    for (const NodeId input : inputs) {
        m_stagingFailed |= dependsOnAux(m_graph, input);
    }
    auto key = std::make_pair(network, std::move(inputs));
    auto it = m_stagedCallIndex.find(key);
    if (it == m_stagedCallIndex.end()) {
        const NetworkInfo& net = m_result.networks[static_cast<std::size_t>(network)];
        staged.calls.push_back({network, key.second, staged.outputCount});
        staged.outputCount += net.layers.back().second;
        it = m_stagedCallIndex.emplace(std::move(key), static_cast<int>(staged.calls.size()) - 1)
                 .first;
    }
    const StagedCall& call = staged.calls[static_cast<std::size_t>(it->second)];
    return m_graph.input(InputSet::Aux, static_cast<int>(m_result.states.size()) + call.outputOffset
                                            + outputIndex - 1);
}

void Analyzer::resolveInitsAndSpan() {
    m_result.init.assign(m_result.states.size(), m_graph.constant(0.0));
    for (std::size_t i = 0; i < m_result.states.size(); ++i) {
        const std::string& name = m_result.states[i];
        if (const auto it = m_overrides.find("init:" + name); it != m_overrides.end()) {
            m_result.init[i] = m_graph.constant(it->second);
        } else if (m_inits.count(name) != 0) {
            Context context;
            context.what = "the init of '" + name + "'";
            context.parametersOnly = true;
            m_result.init[i] = build(*m_inits.at(name)->value, context);
        }
    }
    if (m_timeSpan != nullptr) {
        Context context;
        context.what = "tspan";
        context.parametersOnly = true;
        m_result.timeSpan = {build(*m_timeSpan->lower, context),
                             build(*m_timeSpan->upper, context)};
    }
}

void Analyzer::warnUnusedParams() {
    if (m_diag.hasErrors()) {
        return; // an equation that failed to parse would make its params look unused
    }
    for (const ParamInfo& p : m_result.params) {
        if (p.network.empty() && m_usedParams.count(p.name) == 0) {
            m_diag.warning(p.where, "param '" + p.name + "' is not used");
        }
    }
    for (const NetworkInfo& net : m_result.networks) {
        if (m_usedParams.count(m_result.params[static_cast<std::size_t>(net.firstParam)].name)
            == 0) {
            m_diag.warning(net.where, "network '" + net.name + "' is not used");
        }
    }
}

NodeId Analyzer::build(const Expr& e, const Context& context) {
    switch (e.kind) {
    case Expr::Kind::Number:
        return m_graph.constant(e.number);
    case Expr::Kind::Name:
        return name(e, context);
    case Expr::Kind::Unary:
        return m_graph.unary(Op::Neg, build(*e.args[0], context));
    case Expr::Kind::Binary: {
        const NodeId a = build(*e.args[0], context);
        const NodeId b = build(*e.args[1], context);
        const Op op = e.op == '+'   ? Op::Add
                      : e.op == '-' ? Op::Sub
                      : e.op == '*' ? Op::Mul
                      : e.op == '/' ? Op::Div
                                    : Op::Pow;
        return m_graph.binary(op, a, b);
    }
    case Expr::Kind::Call:
        return call(e, context);
    case Expr::Kind::Index: {
        const Expr& inner = *e.args[0];
        if (inner.kind != Expr::Kind::Call || m_networkIndex.count(inner.name) == 0) {
            m_diag.error(e.where, "only network outputs can be indexed, as in U(x, y)[1]");
            return m_graph.constant(0.0);
        }
        return networkCall(inner, context, static_cast<int>(e.number), e.where);
    }
    }
    return m_graph.constant(0.0);
}

NodeId Analyzer::call(const Expr& e, const Context& context) {
    Op op{};
    int expected = 0;
    if (m_networkIndex.count(e.name) != 0) {
        return networkCall(e, context, 0, e.where);
    }
    if (m_stateIndex.count(e.name) != 0) {
        return delayedState(e, context);
    }
    if (!functionByName(e.name, op, expected)) {
        m_diag.error(e.where, "unknown function '" + e.name + "'");
        return m_graph.constant(0.0);
    }
    const int given = static_cast<int>(e.args.size());
    const bool variadic = op == Op::Min || op == Op::Max;
    if (variadic ? given < 2 : given != expected) {
        m_diag.error(e.where, e.name + " takes "
                                  + (variadic ? "at least 2" : std::to_string(expected))
                                  + (expected == 1 ? " argument" : " arguments") + ", given "
                                  + std::to_string(given));
        return m_graph.constant(0.0);
    }
    NodeId result = build(*e.args[0], context);
    if (expected == 1) {
        return m_graph.unary(op, result);
    }
    for (std::size_t i = 1; i < e.args.size(); ++i) {
        result = m_graph.binary(op, result, build(*e.args[i], context));
    }
    return result;
}

NodeId Analyzer::name(const Expr& e, const Context& context) {
    if (e.name == "t") {
        if (context.constantOnly || context.parametersOnly) {
            m_diag.error(e.where, context.what + " cannot use the time t");
            return m_graph.constant(0.0);
        }
        return m_graph.time();
    }
    if (const auto it = m_stateIndex.find(e.name); it != m_stateIndex.end()) {
        if (context.constantOnly || context.parametersOnly || context.noStates) {
            m_diag.error(e.where, context.what + " cannot use the state '" + e.name + "'");
            return m_graph.constant(0.0);
        }
        return m_graph.input(InputSet::State, it->second);
    }
    const auto symbol = m_symbols.find(e.name);
    if (symbol == m_symbols.end()) {
        unknownName(e);
        return m_graph.constant(0.0);
    }
    const std::string kind = symbol->second.kind;
    if (kind == "const") {
        return m_graph.constant(constValue(e.name));
    }
    if (kind == "param") {
        if (context.constantOnly) {
            m_diag.error(e.where, context.what + " must be a constant; it cannot use the param '"
                                      + e.name + "'");
            return m_graph.constant(0.0);
        }
        m_usedParams.insert(e.name);
        return m_graph.input(InputSet::Param, m_paramIndex.at(e.name));
    }
    return let(e, context);
}

NodeId Analyzer::let(const Expr& e, const Context& context) {
    // A let's DAG does not depend on the context, but where it may be used does: resolve it in
    // the strictest context that uses it, reporting through the let's own statement.
    const Statement& s = *m_symbols.at(e.name).statement;
    const std::string key = e.name
                            + (context.constantOnly     ? "#c"
                               : context.parametersOnly ? "#p"
                               : context.noStates       ? "#h"
                               : context.staged         ? "#s"
                               : !context.delays        ? "#x" // an event: no delayed states
                                                        : "");
    if (const auto it = m_letNodes.find(key); it != m_letNodes.end()) {
        return it->second;
    }
    if (!m_resolving.insert(e.name).second) {
        m_diag.error(s.where, "'" + e.name + "' depends on itself (a cycle of lets)");
        return m_graph.constant(0.0);
    }
    Context inner = context;
    inner.what = context.what + " (through let '" + e.name + "')";
    const NodeId id = build(*s.value, inner);
    m_resolving.erase(e.name);
    m_letNodes[key] = id;
    return id;
}

void Analyzer::unknownName(const Expr& e) {
    std::string best;
    // Close enough to be a typo, and not merely another short name.
    std::size_t bestDistance = std::min<std::size_t>(e.name.size() >= 4 ? 3 : 2, e.name.size());
    const auto consider = [&](const std::string& candidate) {
        const std::size_t d = editDistance(e.name, candidate);
        if (d < bestDistance) {
            bestDistance = d;
            best = candidate;
        }
    };
    for (const auto& [candidate, symbol] : m_symbols) {
        consider(candidate);
    }
    for (const auto& candidate : m_result.states) {
        consider(candidate);
    }
    std::string message = "unknown name '" + e.name + "'";
    if (!best.empty()) {
        message += "; did you mean '" + best + "'?";
    }
    m_diag.error(e.where, message);
}

} // namespace dynfit::model
