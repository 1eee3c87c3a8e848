// SPDX-License-Identifier: MIT
// The analyzer's networks: weights as params, dense layers written out into the DAG.
#include "model/analyzer.hpp"
#include "model/vocabulary.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <set>

namespace dynfit::model {

namespace {

std::uint64_t fnv1a(const std::string& text) {
    std::uint64_t hash = 0xcbf29ce484222325ULL;
    for (const char c : text) {
        hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
    }
    return hash;
}

} // namespace

// True when `id` reads an Aux input (in a staged equation: a network's output).
bool dependsOnAux(const ExprGraph& graph, NodeId id) {
    std::vector<NodeId> stack{id};
    std::set<NodeId> seen;
    while (!stack.empty()) {
        const NodeId at = stack.back();
        stack.pop_back();
        if (!seen.insert(at).second) {
            continue;
        }
        const Node& node = graph.node(at);
        if (node.op == Op::Input && node.set == InputSet::Aux) {
            return true;
        }
        for (const NodeId child : {node.a, node.b}) {
            if (child >= 0) {
                stack.push_back(child);
            }
        }
    }
    return false;
}

namespace {

constexpr std::string_view kActivations[] = {"identity", "tanh", "relu", "sigmoid",
                                             "softplus", "elu",  "swish"};

} // namespace

std::span<const std::string_view> activationNames() {
    return kActivations;
}

// Weights become params after the scalar ones: W (row-major) then b, layer by layer. Values come
// from a `weights` statement, or Glorot-uniform from the seed with zero biases.
void Analyzer::resolveNetworks() {
    for (const Statement* s : m_networkStatements) {
        NetworkInfo net;
        net.name = s->name;
        net.where = s->where;
        net.firstParam = static_cast<int>(m_result.params.size());
        for (std::size_t l = 0; l < s->layers.size(); ++l) {
            const Layer& layer = s->layers[l];
            const auto known = activationNames();
            if (std::find(known.begin(), known.end(), layer.activation) == known.end()) {
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
        // splitmix64 from the seed and the name (FNV-1a, not std::hash, whose values differ
        // between standard libraries): the same weights on every platform.
        std::uint64_t state = m_seed ^ fnv1a(s->name);
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
    if (context.staged) {
        return stagedCall(m_networkIndex.at(call.name), std::move(in), index);
    }
    for (int w = 0; w < net.weightCount; ++w) {
        m_usedParams.insert(m_result.params[static_cast<std::size_t>(net.firstParam + w)].name);
    }
    return networkOutputs(net, in)[static_cast<std::size_t>(index - 1)];
}

} // namespace dynfit::model
