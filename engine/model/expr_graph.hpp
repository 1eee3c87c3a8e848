// SPDX-License-Identifier: MIT
// Symbolic expressions as a hash-consed DAG: simplified on construction, differentiated exactly.
#pragma once

#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace dynfit::model {

/// Operations of the expression DAG. Leaves: Const, Input (a slot of an input vector), Time.
enum class Op : std::uint8_t {
    Const,
    Input,
    Time,
    Neg,
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    Exp,
    Log,
    Log10,
    Sqrt,
    Abs,
    Sign, ///< −1 for x ≤ 0, +1 otherwise (derivative of abs)
    Step, ///< 1 for x > 0, 0 otherwise (derivatives of min, max)
    Sin,
    Cos,
    Tan,
    Sinh,
    Cosh,
    Tanh,
    Asin,
    Acos,
    Atan,
    Atan2,
    Min,
    Max
};

/// Which input vector a leaf reads: the state u, the parameters p, or an auxiliary vector v
/// (the direction of a JVP, the cotangent of a VJP).
/// Where an Input leaf reads from. `Time` names no input slot: derivative(id, Time, 0) is ∂/∂t.
enum class InputSet : std::uint8_t { State, Param, Aux, Time };

using NodeId = int;

struct Node {
    Op op = Op::Const;
    NodeId a = -1;
    NodeId b = -1;
    double value = 0.0;             ///< Const
    InputSet set = InputSet::State; ///< Input
    int index = 0;                  ///< Input
};

/// Owns the nodes. Building the same expression twice yields the same id (common subexpressions
/// are shared), and construction folds constants and removes x·1, x+0, x·0, x^1, −(−x).
class ExprGraph {
  public:
    NodeId constant(double value);
    NodeId input(InputSet set, int index);
    NodeId time();
    NodeId unary(Op op, NodeId a);
    NodeId binary(Op op, NodeId a, NodeId b);

    const Node& node(NodeId id) const { return m_nodes[static_cast<std::size_t>(id)]; }
    std::size_t size() const { return m_nodes.size(); }
    bool isConstant(NodeId id, double value) const;
    bool isConstant(NodeId id) const { return node(id).op == Op::Const; }

    /// ∂node/∂(input `set`[index]), built in this graph (memoised per variable).
    NodeId derivative(NodeId id, InputSet set, int index);

    /// Evaluates with doubles (for constant expressions and tests).
    double evaluate(NodeId id, const double* u, const double* p, const double* aux, double t) const;

  private:
    NodeId add(const Node& n);
    NodeId fold(Op op, NodeId a, NodeId b);
    NodeId differentiate(NodeId id, InputSet set, int index);

    struct Key {
        Op op;
        NodeId a, b;
        std::uint64_t bits;
        InputSet set;
        int index;
        bool operator==(const Key&) const = default;
    };
    struct KeyHash {
        std::size_t operator()(const Key& k) const;
    };
    std::vector<Node> m_nodes;
    std::unordered_map<Key, NodeId, KeyHash> m_interned;
    std::unordered_map<std::uint64_t, NodeId> m_derivatives; // (node, variable) → derivative
};

/// Number of arguments an operation takes (0 for leaves).
int arity(Op op);

/// The function called `name` in the language (exp, log, ..., atan2, pow, min, max), or false.
bool functionByName(std::string_view name, Op& op, int& arity);

} // namespace dynfit::model
