// SPDX-License-Identifier: MIT
// The syntax tree of a model text: statements holding expression trees, all located.
#pragma once

#include "core/source_location.hpp"

#include <memory>
#include <string>
#include <vector>

namespace dynfit::model {

/// An expression as written. Names are resolved later (model/analyzer).
struct Expr {
    enum class Kind {
        Number, ///< number
        Name,   ///< name (a state, param, const, let or t)
        Unary,  ///< op = '-', args = {operand}
        Binary, ///< op in + - * / ^, args = {lhs, rhs}
        Call,   ///< name(args...)
        Index   ///< args[0][number]: reserved for network outputs U(x, y)[1]
    };
    Kind kind = Kind::Number;
    SourceLocation where;
    double number = 0.0;
    std::string name;
    char op = 0;
    std::vector<std::unique_ptr<Expr>> args;
    int depth = 1; ///< of the tree below (a leaf: 1); the parser bounds it (kMaxExpressionDepth)
};

/// How deep one expression may be: a chain of operators (a sum of many terms) or nesting. The
/// passes after the parser recurse on the tree, so a bound the user cannot exceed keeps the
/// stack safe; deeper expressions are refused with a located error (split them with `let`).
inline constexpr int kMaxExpressionDepth = 2000;
/// How deeply parentheses, calls and signs may nest (the parser itself recurses on these).
inline constexpr int kMaxNesting = 256;
using ExprPtr = std::unique_ptr<Expr>;

enum class StatementKind {
    Param,    ///< param name = value [in [lower, upper]] [log]
    Const,    ///< const name = value
    Let,      ///< let name = value
    Init,     ///< init name = value
    History,  ///< history name = value: the state before t0 (an expression of t and params)
    Equation, ///< d(name)/dt = value, or name' = value
    TimeSpan, ///< tspan = lower .. upper
    Network,  ///< nn name = dense(in, out[, activation]) >> dense(...) ...
    Weights,  ///< weights name = [w1, w2, ...]: a network's parameters, as saved after a fit
    Event,    ///< when lhs < rhs: resets | at t = times: resets | every P from A to B: resets
    Noise,    ///< noise name = g [by W] [, g2 by W2 ...]: the state's diffusion (an SDE)
    Calculus, ///< calculus ito | stratonovich: how the noise terms are read
};

/// One term of a noise statement: g, driven by the named Wiener process (or, unnamed, by the
/// state's own).
struct NoiseTerm {
    ExprPtr value;
    std::string process; ///< empty: the state's own process
    SourceLocation processWhere;
};

/// `state = expression` after an event's ':'.
struct EventAssignment {
    std::string target;
    SourceLocation where; ///< of the target
    ExprPtr value;
};

/// What an event statement says (Statement::event).
struct EventClause {
    enum class Trigger {
        Crossing, ///< when lhs < rhs  ('<': lhs − rhs crosses zero downwards, '>': upwards)
        Times,    ///< at t = e1, e2, ...
        Every     ///< every period from first to last
    };
    Trigger trigger = Trigger::Crossing;
    char comparison = '<';
    ExprPtr lhs, rhs;                         ///< Crossing
    std::vector<ExprPtr> times;               ///< Times
    ExprPtr period, first, last;              ///< Every
    std::vector<EventAssignment> assignments; ///< simultaneous, from the values before
    bool stop = false;                        ///< `: stop` ends the solve there
};

/// One dense layer of a network: out = activation(W · in + b).
struct Layer {
    int inputs = 0;
    int outputs = 0;
    std::string activation = "identity";
    SourceLocation where;
};

struct Statement {
    StatementKind kind = StatementKind::Let;
    std::string name;
    SourceLocation where; ///< of the name (or of the keyword for tspan)
    ExprPtr value;
    ExprPtr lower; ///< param bounds / tspan start
    ExprPtr upper; ///< param bounds / tspan end
    bool logScale = false;
    std::vector<Layer> layers;          ///< Network
    std::vector<double> numbers;        ///< Weights
    std::unique_ptr<EventClause> event; ///< Event
    std::vector<NoiseTerm> noise;       ///< Noise
};

struct ModelAst {
    std::vector<Statement> statements;
};

} // namespace dynfit::model
