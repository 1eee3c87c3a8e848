// SPDX-License-Identifier: MIT
// Checks a parsed model (names, duplicates, cycles, arities) and builds its expression DAG.
#include "model/analyzer.hpp"

#include <algorithm>
#include <cmath>
#include <random>
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
    resolveInitsAndSpan();
    warnUnusedParams();
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
        if (s.kind != StatementKind::TimeSpan && s.name == "t") {
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
            let(reference, context);
        }
    }
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
    if (!functionByName(e.name, op, expected)) {
        if (m_stateIndex.count(e.name) != 0) {
            m_diag.error(e.where, "delays like " + e.name + "(t - tau) are not supported yet");
        } else {
            m_diag.error(e.where, "unknown function '" + e.name + "'");
        }
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
        if (context.constantOnly || context.parametersOnly) {
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

// Weights become params after the scalar ones: W (row-major) then b, layer by layer. Values come
// from a `weights` statement, or Glorot-uniform from the seed with zero biases.
void Analyzer::resolveNetworks() {
    static const std::set<std::string> kActivations = {"identity", "tanh", "relu", "sigmoid",
                                                       "softplus", "elu",  "swish"};
    for (const Statement* s : m_networkStatements) {
        NetworkInfo net;
        net.name = s->name;
        net.where = s->where;
        net.firstParam = static_cast<int>(m_result.params.size());
        for (std::size_t l = 0; l < s->layers.size(); ++l) {
            const Layer& layer = s->layers[l];
            if (kActivations.count(layer.activation) == 0) {
                m_diag.error(layer.where,
                             "unknown activation '" + layer.activation
                                 + "' (identity, tanh, relu, sigmoid, softplus, elu, swish)");
            }
            if (l > 0 && s->layers[l - 1].outputs != layer.inputs) {
                m_diag.error(layer.where, "this layer takes " + std::to_string(layer.inputs)
                                              + " inputs but the previous one gives "
                                              + std::to_string(s->layers[l - 1].outputs));
            }
            net.layers.emplace_back(layer.inputs, layer.outputs);
            net.activations.push_back(layer.activation);
            net.weightCount += layer.outputs * layer.inputs + layer.outputs;
        }
        const auto given = m_weightStatements.find(s->name);
        const std::vector<double>* values = nullptr;
        if (given != m_weightStatements.end()) {
            values = &given->second->numbers;
            if (static_cast<int>(values->size()) != net.weightCount) {
                m_diag.error(given->second->where,
                             "network '" + s->name + "' has " + std::to_string(net.weightCount)
                                 + " weights, but " + std::to_string(values->size())
                                 + " are given");
                values = nullptr;
            }
        }
        // splitmix64 from the seed and the name: the same weights on every platform.
        std::uint64_t state = m_seed ^ std::hash<std::string>{}(s->name);
        const auto uniform = [&state] {
            std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
            z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
            z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
            z ^= z >> 31;
            return static_cast<double>(z >> 11) * 0x1.0p-53;
        };
        int k = 0;
        for (std::size_t l = 0; l < net.layers.size(); ++l) {
            const auto [in, out] = net.layers[l];
            const double limit = std::sqrt(6.0 / (in + out));
            for (int w = 0; w < out * in + out; ++w, ++k) {
                ParamInfo p;
                const bool bias = w >= out * in;
                p.name = s->name + "." + std::to_string(l + 1) + (bias ? ".b" : ".W")
                         + std::to_string(bias ? w - out * in + 1 : w + 1);
                p.network = s->name;
                p.where = s->where;
                p.value = values != nullptr ? (*values)[static_cast<std::size_t>(k)]
                          : bias            ? 0.0
                                            : (2.0 * uniform() - 1.0) * limit;
                m_paramIndex[p.name] = static_cast<int>(m_result.params.size());
                m_result.params.push_back(p);
            }
        }
        m_networkIndex[net.name] = static_cast<int>(m_result.networks.size());
        m_result.networks.push_back(net);
    }
    for (const auto& [name, statement] : m_weightStatements) {
        if (m_networkIndex.count(name) == 0) {
            m_diag.error(statement->where,
                         "weights for '" + name + "', which is not a network (nn)");
        }
    }
}

NodeId Analyzer::activate(const std::string& activation, NodeId x) {
    ExprGraph& g = m_graph;
    const auto sigmoid = [&](NodeId v) {
        return g.binary(Op::Div, g.constant(1.0),
                        g.binary(Op::Add, g.constant(1.0), g.unary(Op::Exp, g.unary(Op::Neg, v))));
    };
    if (activation == "tanh") {
        return g.unary(Op::Tanh, x);
    }
    if (activation == "relu") {
        return g.binary(Op::Max, g.constant(0.0), x);
    }
    if (activation == "sigmoid") {
        return sigmoid(x);
    }
    if (activation == "softplus") {
        return g.unary(Op::Log, g.binary(Op::Add, g.constant(1.0), g.unary(Op::Exp, x)));
    }
    if (activation == "elu") { // x for x > 0, exp(x) − 1 otherwise
        const NodeId on = g.unary(Op::Step, x);
        const NodeId negative = g.binary(Op::Sub, g.unary(Op::Exp, x), g.constant(1.0));
        return g.binary(Op::Add, g.binary(Op::Mul, on, x),
                        g.binary(Op::Mul, g.binary(Op::Sub, g.constant(1.0), on), negative));
    }
    if (activation == "swish") {
        return g.binary(Op::Mul, x, sigmoid(x));
    }
    return x;
}

// The network's outputs as DAG nodes of its inputs: dense layers written out scalar by scalar,
// so every gradient method differentiates them like any other expression. Calls with the same
// inputs share one evaluation.
std::vector<NodeId> Analyzer::networkOutputs(const NetworkInfo& net,
                                             const std::vector<NodeId>& inputs) {
    const auto key = std::make_pair(m_networkIndex.at(net.name), inputs);
    if (const auto it = m_networkCache.find(key); it != m_networkCache.end()) {
        return it->second;
    }
    std::vector<NodeId> x = inputs;
    int k = net.firstParam;
    for (std::size_t l = 0; l < net.layers.size(); ++l) {
        const auto [in, out] = net.layers[l];
        std::vector<NodeId> y(static_cast<std::size_t>(out));
        for (int j = 0; j < out; ++j) {
            NodeId sum = m_graph.input(InputSet::Param, k + out * in + j); // bias
            for (int i = 0; i < in; ++i) {
                sum = m_graph.binary(Op::Add, sum,
                                     m_graph.binary(Op::Mul,
                                                    m_graph.input(InputSet::Param, k + j * in + i),
                                                    x[static_cast<std::size_t>(i)]));
            }
            y[static_cast<std::size_t>(j)] = activate(net.activations[l], sum);
        }
        k += out * in + out;
        x = std::move(y);
    }
    m_networkCache[key] = x;
    return x;
}

NodeId Analyzer::networkCall(const Expr& call,
                             const Context& context,
                             int outputIndex,
                             SourceLocation at) {
    const NetworkInfo& net =
        m_result.networks[static_cast<std::size_t>(m_networkIndex.at(call.name))];
    const int inputs = net.layers.front().first;
    const int outputs = net.layers.back().second;
    if (static_cast<int>(call.args.size()) != inputs) {
        m_diag.error(call.where, "network '" + call.name + "' takes " + std::to_string(inputs)
                                     + " inputs, given " + std::to_string(call.args.size()));
        return m_graph.constant(0.0);
    }
    if (outputIndex == 0 && outputs != 1) {
        m_diag.error(call.where, "network '" + call.name + "' has " + std::to_string(outputs)
                                     + " outputs: pick one, as in " + call.name + "(...)[1]");
        return m_graph.constant(0.0);
    }
    const int index = outputIndex == 0 ? 1 : outputIndex;
    if (index < 1 || index > outputs) {
        m_diag.error(at, "network '" + call.name + "' has outputs 1 to " + std::to_string(outputs));
        return m_graph.constant(0.0);
    }
    if (context.constantOnly) {
        m_diag.error(call.where, context.what + " must be a constant; it cannot use a network");
        return m_graph.constant(0.0);
    }
    std::vector<NodeId> in;
    for (const auto& arg : call.args) {
        in.push_back(build(*arg, context));
    }
    for (int w = 0; w < net.weightCount; ++w) {
        m_usedParams.insert(m_result.params[static_cast<std::size_t>(net.firstParam + w)].name);
    }
    return networkOutputs(net, in)[static_cast<std::size_t>(index - 1)];
}

} // namespace dynfit::model
