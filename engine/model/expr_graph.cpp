// SPDX-License-Identifier: MIT
// Symbolic expressions as a hash-consed DAG, with simplification and differentiation.
#include "model/expr_graph.hpp"

#include "model/scalar_ops.hpp"
#include "model/vocabulary.hpp"

#include <array>
#include <bit>
#include <cmath>
#include <utility>

namespace dynfit::model {

namespace {

bool isCommutative(Op op) {
    return op == Op::Add || op == Op::Mul || op == Op::Min || op == Op::Max;
}

struct FunctionEntry {
    const char* name;
    Op op;
    int arity;
};
constexpr FunctionEntry kFunctions[] = {
    {"exp", Op::Exp, 1},   {"log", Op::Log, 1},   {"log10", Op::Log10, 1}, {"sqrt", Op::Sqrt, 1},
    {"abs", Op::Abs, 1},   {"sin", Op::Sin, 1},   {"cos", Op::Cos, 1},     {"tan", Op::Tan, 1},
    {"sinh", Op::Sinh, 1}, {"cosh", Op::Cosh, 1}, {"tanh", Op::Tanh, 1},   {"asin", Op::Asin, 1},
    {"acos", Op::Acos, 1}, {"atan", Op::Atan, 1}, {"atan2", Op::Atan2, 2}, {"pow", Op::Pow, 2},
    {"min", Op::Min, 2},   {"max", Op::Max, 2}};

constexpr auto kFunctionNames = [] {
    std::array<std::string_view, std::size(kFunctions)> names{};
    for (std::size_t k = 0; k < names.size(); ++k) {
        names[k] = kFunctions[k].name;
    }
    return names;
}();

} // namespace

std::span<const std::string_view> functionNames() {
    return kFunctionNames;
}

int arity(Op op) {
    switch (op) {
    case Op::Const:
    case Op::Input:
    case Op::Time:
        return 0;
    case Op::Add:
    case Op::Sub:
    case Op::Mul:
    case Op::Div:
    case Op::Pow:
    case Op::Atan2:
    case Op::Min:
    case Op::Max:
        return 2;
    default:
        return 1;
    }
}

bool functionByName(std::string_view name, Op& op, int& args) {
    for (const auto& f : kFunctions) {
        if (name == f.name) {
            op = f.op;
            args = f.arity;
            return true;
        }
    }
    return false;
}

std::size_t ExprGraph::KeyHash::operator()(const Key& k) const {
    std::size_t h = static_cast<std::size_t>(k.op);
    const auto mix = [&h](std::uint64_t v) {
        h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    };
    mix(static_cast<std::uint64_t>(k.a));
    mix(static_cast<std::uint64_t>(k.b));
    mix(k.bits);
    mix(static_cast<std::uint64_t>(k.set));
    mix(static_cast<std::uint64_t>(k.index));
    return h;
}

NodeId ExprGraph::add(const Node& n) {
    const Key key{n.op, n.a, n.b, std::bit_cast<std::uint64_t>(n.value), n.set, n.index};
    const auto [it, inserted] = m_interned.try_emplace(key, static_cast<NodeId>(m_nodes.size()));
    if (inserted) {
        m_nodes.push_back(n);
    }
    return it->second;
}

NodeId ExprGraph::constant(double value) {
    Node n;
    n.op = Op::Const;
    n.value = value == 0.0 ? 0.0 : value; // −0 and +0 share a node
    return add(n);
}

NodeId ExprGraph::input(InputSet set, int index) {
    Node n;
    n.op = Op::Input;
    n.set = set;
    n.index = index;
    return add(n);
}

NodeId ExprGraph::time() {
    Node n;
    n.op = Op::Time;
    return add(n);
}

bool ExprGraph::isConstant(NodeId id, double value) const {
    return node(id).op == Op::Const && node(id).value == value;
}

// Both operands constant: compute now.
NodeId ExprGraph::fold(Op op, NodeId a, NodeId b) {
    const double x = node(a).value;
    const double y = b >= 0 ? node(b).value : 0.0;
    return constant(applyOp(op, x, y));
}

NodeId ExprGraph::unary(Op op, NodeId a) {
    if (isConstant(a)) {
        return fold(op, a, -1);
    }
    if (op == Op::Neg && node(a).op == Op::Neg) {
        return node(a).a;
    }
    Node n;
    n.op = op;
    n.a = a;
    return add(n);
}

NodeId ExprGraph::binary(Op op, NodeId a, NodeId b) {
    if (isConstant(a) && isConstant(b)) {
        return fold(op, a, b);
    }
    switch (op) {
    case Op::Add:
        if (isConstant(a, 0.0)) {
            return b;
        }
        if (isConstant(b, 0.0)) {
            return a;
        }
        if (node(b).op == Op::Neg) {
            return binary(Op::Sub, a, node(b).a);
        }
        break;
    case Op::Sub:
        if (isConstant(b, 0.0)) {
            return a;
        }
        if (isConstant(a, 0.0)) {
            return unary(Op::Neg, b);
        }
        if (a == b) {
            return constant(0.0);
        }
        break;
    case Op::Mul:
        if (isConstant(a, 0.0) || isConstant(b, 0.0)) {
            return constant(0.0);
        }
        if (isConstant(a, 1.0)) {
            return b;
        }
        if (isConstant(b, 1.0)) {
            return a;
        }
        if (isConstant(a, -1.0)) {
            return unary(Op::Neg, b);
        }
        if (isConstant(b, -1.0)) {
            return unary(Op::Neg, a);
        }
        break;
    case Op::Div:
        if (isConstant(a, 0.0)) {
            return constant(0.0);
        }
        if (isConstant(b, 1.0)) {
            return a;
        }
        break;
    case Op::Pow:
        if (isConstant(b, 1.0)) {
            return a;
        }
        if (isConstant(b, 0.0)) {
            return constant(1.0);
        }
        // Small integer and half powers as products: exact, and far cheaper than pow().
        if (isConstant(b, 2.0)) {
            return binary(Op::Mul, a, a);
        }
        if (isConstant(b, 3.0)) {
            return binary(Op::Mul, binary(Op::Mul, a, a), a);
        }
        if (isConstant(b, 4.0)) {
            const NodeId square = binary(Op::Mul, a, a);
            return binary(Op::Mul, square, square);
        }
        if (isConstant(b, -1.0)) {
            return binary(Op::Div, constant(1.0), a);
        }
        if (isConstant(b, 0.5)) {
            return unary(Op::Sqrt, a);
        }
        break;
    default:
        break;
    }
    if (isCommutative(op) && a > b) {
        std::swap(a, b);
    }
    Node n;
    n.op = op;
    n.a = a;
    n.b = b;
    return add(n);
}

NodeId ExprGraph::derivative(NodeId id, InputSet set, int index) {
    const std::uint64_t key = (static_cast<std::uint64_t>(id) << 32)
                              | (static_cast<std::uint64_t>(set) << 28)
                              | static_cast<std::uint64_t>(index);
    if (const auto it = m_derivatives.find(key); it != m_derivatives.end()) {
        return it->second;
    }
    const NodeId d = differentiate(id, set, index);
    m_derivatives.emplace(key, d);
    return d;
}

NodeId ExprGraph::differentiate(NodeId id, InputSet set, int index) {
    const Node n = node(id); // copy: the vector grows below
    const auto c = [this](double v) { return constant(v); };
    const auto mul = [this](NodeId x, NodeId y) { return binary(Op::Mul, x, y); };
    const auto div = [this](NodeId x, NodeId y) { return binary(Op::Div, x, y); };
    const auto addN = [this](NodeId x, NodeId y) { return binary(Op::Add, x, y); };
    const auto sub = [this](NodeId x, NodeId y) { return binary(Op::Sub, x, y); };
    const auto un = [this](Op op, NodeId x) { return unary(op, x); };
    if (n.op == Op::Input) {
        return c(n.set == set && n.index == index ? 1.0 : 0.0);
    }
    if (n.op == Op::Time) {
        return c(set == InputSet::Time ? 1.0 : 0.0);
    }
    if (arity(n.op) == 0) {
        return c(0.0);
    }
    const NodeId da = derivative(n.a, set, index);
    const NodeId db = n.b >= 0 ? derivative(n.b, set, index) : c(0.0);
    if (isConstant(da, 0.0) && isConstant(db, 0.0)) {
        return c(0.0);
    }
    const NodeId a = n.a;
    const NodeId b = n.b;
    switch (n.op) {
    case Op::Neg:
        return un(Op::Neg, da);
    case Op::Add:
        return addN(da, db);
    case Op::Sub:
        return sub(da, db);
    case Op::Mul:
        return addN(mul(da, b), mul(a, db));
    case Op::Div:
        return sub(div(da, b), div(mul(a, db), mul(b, b)));
    case Op::Pow:
        if (isConstant(db, 0.0)) { // d(a^k) = k a^(k−1) da
            return mul(mul(b, binary(Op::Pow, a, sub(b, c(1.0)))), da);
        }
        // d(a^b) = a^b (db ln a + b da / a)
        return mul(id, addN(mul(db, un(Op::Log, a)), div(mul(b, da), a)));
    case Op::Exp:
        return mul(id, da);
    case Op::Log:
        return div(da, a);
    case Op::Log10:
        return div(da, mul(a, c(std::log(10.0))));
    case Op::Sqrt:
        return div(da, mul(c(2.0), id));
    case Op::Abs:
        return mul(un(Op::Sign, a), da);
    case Op::Sign:
    case Op::Step:
        return c(0.0);
    case Op::Sin:
        return mul(un(Op::Cos, a), da);
    case Op::Cos:
        return un(Op::Neg, mul(un(Op::Sin, a), da));
    case Op::Tan:
        return mul(addN(c(1.0), mul(id, id)), da);
    case Op::Sinh:
        return mul(un(Op::Cosh, a), da);
    case Op::Cosh:
        return mul(un(Op::Sinh, a), da);
    case Op::Tanh:
        return mul(sub(c(1.0), mul(id, id)), da);
    case Op::Asin:
        return div(da, un(Op::Sqrt, sub(c(1.0), mul(a, a))));
    case Op::Acos:
        return un(Op::Neg, div(da, un(Op::Sqrt, sub(c(1.0), mul(a, a)))));
    case Op::Atan:
        return div(da, addN(c(1.0), mul(a, a)));
    case Op::Atan2: // atan2(y = a, x = b): (x dy − y dx) / (x² + y²)
        return div(sub(mul(b, da), mul(a, db)), addN(mul(b, b), mul(a, a)));
    case Op::Min: // da where a < b, else db
        return addN(db, mul(un(Op::Step, sub(b, a)), sub(da, db)));
    case Op::Max: // da where a > b, else db
        return addN(db, mul(un(Op::Step, sub(a, b)), sub(da, db)));
    default:
        return c(0.0);
    }
}

double ExprGraph::evaluate(
    NodeId id, const double* u, const double* p, const double* aux, double t) const {
    // Children always have smaller ids than their parents: one forward sweep suffices.
    std::vector<double> v(static_cast<std::size_t>(id) + 1);
    for (NodeId i = 0; i <= id; ++i) {
        const Node& n = node(i);
        double r = 0.0;
        switch (n.op) {
        case Op::Const:
            r = n.value;
            break;
        case Op::Time:
            r = t;
            break;
        case Op::Input:
            r = n.set == InputSet::State   ? u[n.index]
                : n.set == InputSet::Param ? p[n.index]
                                           : aux[n.index];
            break;
        default:
            r = applyOp(n.op, v[static_cast<std::size_t>(n.a)],
                        n.b >= 0 ? v[static_cast<std::size_t>(n.b)] : 0.0);
        }
        v[static_cast<std::size_t>(i)] = r;
    }
    return v.back();
}

} // namespace dynfit::model
