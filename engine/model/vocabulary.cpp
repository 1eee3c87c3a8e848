// SPDX-License-Identifier: MIT
// The model language's words, documented.
#include "model/vocabulary.hpp"

#include <array>

namespace dynfit::model {

namespace {

// A one-state model around an expression: the examples of functions and operators.
#define DYNFIT_ONE_STATE(rhs) "init x = 0.5\nd(x)/dt = " rhs "\ntspan = 0 .. 1\n"

constexpr LanguageWord kWords[] = {
    // Statements.
    {"param", WordKind::Statement, "param name = value [in [lower, upper]] [log]",
     "A parameter the fit adjusts, with its start value, optional bounds and optional log scale "
     "(the optimiser then moves in log p, which suits rates that span decades). Values may be "
     "expressions of consts.",
     "param k = 0.5 in [0.01, 10] log\ninit x = 1\nd(x)/dt = -k*x\ntspan = 0 .. 5\n"},
    {"const", WordKind::Statement, "const name = value",
     "A named constant: fixed, never fitted. May use other consts.",
     "const half = 0.5\ninit x = 1\nd(x)/dt = -half*x\ntspan = 0 .. 5\n"},
    {"let", WordKind::Statement, "let name = expression",
     "A named intermediate quantity: may use states, params, consts, t, other lets and "
     "networks. It is not a state; plots can show it (View ▸ Plot expressions).",
     "param k = 1\ninit x = 1\nlet rate = k*x\nd(x)/dt = -rate\ntspan = 0 .. 5\n"},
    {"init", WordKind::Statement, "init state = expression",
     "The state's initial value at the start of tspan: a number or an expression of params and "
     "consts (then it is fitted with them). A state without init starts at 0.",
     "param x0 = 2\ninit x = x0\nd(x)/dt = -x\ntspan = 0 .. 5\n"},
    {"history", WordKind::Statement, "history state = expression",
     "A delay model's state before the start of tspan: an expression of t, params and consts, "
     "read where an equation uses the state delayed, as in x(t - tau). A state without history "
     "holds its init before the start. The equations read a delayed state as name(t - lag), "
     "the lag a positive expression of params and consts (fitted like any param: its gradient "
     "is exact in forward mode).",
     "param tau = 1 in [0.1, 2]\ninit x = 1\nhistory x = 1 + 0.1*sin(t)\n"
     "d(x)/dt = -x(t - tau)\ntspan = 0 .. 10\n"},
    {"noise", WordKind::Statement, "noise state = g    or    noise state = g1 by W1, g2 by W2",
     "Makes the model a stochastic differential equation (Itô unless 'calculus stratonovich'): "
     "d(state) = f dt + g dW. Alone, g drives the state by its own Wiener process; 'by W' names "
     "a process, so states naming the same one share it (scalar noise). g may use the states, "
     "params, consts, lets, t and networks; g without a state is additive noise (SOSRA then). "
     "A state without noise is deterministic. Solve it with an SDE method (SOSRI, SRIW1, "
     "SOSRA, SRA1, EM, EulerHeun, ImplicitEM) over many trajectories.",
     "param sigma = 0.1\ninit x = 1\nd(x)/dt = -x\nnoise x = sigma*x\ntspan = 0 .. 1\n"},
    {"calculus", WordKind::Statement, "calculus ito    or    calculus stratonovich",
     "How the noise lines are read: Itô (the default) or Stratonovich (solved by EulerHeun). "
     "For additive noise the two agree.",
     "init x = 1\nd(x)/dt = -x\nnoise x = 0.2*x\ncalculus stratonovich\ntspan = 0 .. 1\n"},
    {"d", WordKind::Statement, "d(state)/dt = expression    or    state' = expression",
     "The differential equation of a state: its rate of change as an expression of the states, "
     "params, consts, lets, t and networks. Every name on the left is a state.",
     "init x = 1\ninit y = 0\nd(x)/dt = -y\ny' = x\ntspan = 0 .. 6.28\n"},
    {"tspan", WordKind::Statement, "tspan = start .. end",
     "The time span to solve over; either end may be an expression of params and consts. The "
     "Fit panel's time span overrides it when both of its ends are given.",
     "init x = 1\nd(x)/dt = -x\ntspan = 0 .. 10\n"},
    {"nn", WordKind::Statement, "nn name = dense(in, out[, activation]) >> dense(...) ...",
     "A dense neural network; its weights are params (initialised Glorot-uniform from the "
     "project's seed unless a weights line gives them). Call it like a function, name(inputs), "
     "and pick an output with [k], counted from 1.",
     "nn U = dense(1, 4, tanh) >> dense(4, 1)\ninit x = 1\nd(x)/dt = U(x)[1]\n"
     "tspan = 0 .. 1\n"},
    {"weights", WordKind::Statement, "weights name = [w1, w2, ...]",
     "A network's weights as numbers, layer by layer (W row-major, then b); written by "
     "\"Apply fitted values\" after a fit.",
     "nn U = dense(1, 1)\nweights U = [0.5, 0]\ninit x = 1\nd(x)/dt = U(x)[1]\n"
     "tspan = 0 .. 1\n"},
    {"when", WordKind::Statement, "when lhs < rhs: state = expression, ...   (or > ; or : stop)",
     "A continuous event: fires where lhs − rhs crosses zero downwards ('<') or upwards ('>'), "
     "located to floating point on the solver's dense output. The assignments happen at once "
     "and use the values just before; ': stop' ends the solve there (status Terminated); "
     "without ':' the crossing is only recorded. Conditions and values may use states, params, "
     "consts, lets, t and networks. Gradients are exact across it in every method.",
     "param e = 0.8\ninit h = 1\ninit v = 0\nd(h)/dt = v\nd(v)/dt = -9.81\n"
     "when h < 0: v = -e*v\ntspan = 0 .. 3\n"},
    {"at", WordKind::Statement, "at t = time, time, ...: state = expression, ...",
     "Time events (doses): the assignments happen exactly at these times, which may be "
     "expressions of params (a lag is fitted like any param). A save at an event's time holds "
     "the state after it.",
     "param dose = 5\nparam lag = 0.5\ninit A = 0\nd(A)/dt = -0.3*A\n"
     "at t = lag, 12 + lag: A = A + dose\ntspan = 0 .. 24\n"},
    {"every", WordKind::Statement, "every period from first to last: state = expression, ...",
     "A repeating schedule of time events: first, first + period, ... up to last. The period "
     "must be positive.",
     "param dose = 5\ninit A = 0\nd(A)/dt = -0.3*A\nevery 12 from 0 to 96: A = A + dose\n"
     "tspan = 0 .. 100\n"},
    // Modifiers.
    {"in", WordKind::Modifier, "param name = value in [lower, upper]",
     "The bounds a parameter is kept within during a fit (and the range of its slider).",
     "param k = 1 in [0, 5]\ninit x = 1\nd(x)/dt = -k*x\ntspan = 0 .. 1\n"},
    {"log", WordKind::Modifier, "param name = value [in [lower, upper]] log",
     "Fit the parameter on a log scale (it stays positive); its slider is logarithmic too. As a "
     "function, log(x) is the natural logarithm.",
     "param k = 0.1 in [1e-3, 10] log\ninit x = 1\nd(x)/dt = -k*x\ntspan = 0 .. 1\n"},
    {"stop", WordKind::Modifier, "when condition: stop",
     "Ends the solve at the event (status Terminated, not a failure); later saves are absent.",
     "init x = 1\nd(x)/dt = -x\nwhen x < 0.5: stop\ntspan = 0 .. 5\n"},
    {"from", WordKind::Modifier, "every period from first to last",
     "The first time of a schedule (with 'to', its last).",
     "init A = 0\nd(A)/dt = -A\nevery 1 from 0 to 4: A = A + 1\ntspan = 0 .. 5\n"},
    {"to", WordKind::Modifier, "every period from first to last",
     "The last time of a schedule, included when the period divides the range.",
     "init A = 0\nd(A)/dt = -A\nevery 1 from 0 to 4: A = A + 1\ntspan = 0 .. 5\n"},
    {"dense", WordKind::Modifier, "dense(inputs, outputs[, activation])",
     "A fully connected layer: activation(W·input + b). Without an activation it is linear.",
     "nn U = dense(2, 8, relu) >> dense(8, 1)\ninit x = 1\nd(x)/dt = -U(x, t)[1]\n"
     "tspan = 0 .. 1\n"},
    // Builtins.
    {"t", WordKind::Builtin, "t", "The time. Not allowed in init, tspan, bounds or values.",
     DYNFIT_ONE_STATE("-x + sin(t)")},
    // Operators.
    {"+", WordKind::Operator, "a + b", "Addition; also unary plus.", DYNFIT_ONE_STATE("1 + -x")},
    {"-", WordKind::Operator, "a - b, -a", "Subtraction and negation (-x^2 is -(x^2)).",
     DYNFIT_ONE_STATE("1 - x")},
    {"*", WordKind::Operator, "a * b", "Multiplication (write 2*x, not 2x).",
     DYNFIT_ONE_STATE("-2*x")},
    {"/", WordKind::Operator, "a / b", "Division.", DYNFIT_ONE_STATE("-x/2")},
    {"^", WordKind::Operator, "a ^ b",
     "Power, right-associative: 2^3^2 is 2^9. Binds tighter than unary minus.",
     DYNFIT_ONE_STATE("-x^2")},
    {"(", WordKind::Operator, "( expression )", "Grouping; also a call: f(a, b).",
     DYNFIT_ONE_STATE("-(x + 1)*x")},
    {",", WordKind::Operator, "f(a, b)", "Separates arguments and bounds.",
     DYNFIT_ONE_STATE("-max(x, 0.1)")},
    {"[", WordKind::Operator, "network(inputs)[k]",
     "Picks output k (from 1) of a network call; also opens bounds and weight lists.",
     "nn U = dense(1, 2)\ninit x = 1\nd(x)/dt = U(x)[2]\ntspan = 0 .. 1\n"},
    {"..", WordKind::Operator, "tspan = start .. end", "The range of tspan.",
     "init x = 1\nd(x)/dt = -x\ntspan = 0 .. 2\n"},
    {">>", WordKind::Operator, "dense(...) >> dense(...)", "Chains the layers of a network.",
     "nn U = dense(1, 3, tanh) >> dense(3, 1)\ninit x = 1\nd(x)/dt = U(x)[1]\n"
     "tspan = 0 .. 1\n"},
    {"<", WordKind::Operator, "when lhs < rhs: ...",
     "In an event's condition: fires where lhs falls below rhs.",
     "init x = 1\nd(x)/dt = -x\nwhen x < 0.5: x = 1\ntspan = 0 .. 5\n"},
    {">", WordKind::Operator, "when lhs > rhs: ...",
     "In an event's condition: fires where lhs rises above rhs.",
     "init x = 0\nd(x)/dt = 1\nwhen x > 0.5: x = 0\ntspan = 0 .. 5\n"},
    {":", WordKind::Operator, "when condition: actions",
     "Separates an event's trigger from its actions.",
     "init x = 0\nd(x)/dt = 1\nat t = 1: x = 0\ntspan = 0 .. 2\n"},
    {"'", WordKind::Operator, "state' = expression", "Shorthand for d(state)/dt.",
     "init x = 1\nx' = -x\ntspan = 0 .. 1\n"},
    {"#", WordKind::Operator, "# comment", "Everything after # on a line is a comment.",
     "init x = 1   # the start\nd(x)/dt = -x\ntspan = 0 .. 1\n"},
    // Functions.
    {"exp", WordKind::Function, "exp(x)", "e to the power x.", DYNFIT_ONE_STATE("-exp(x)")},
    {"log", WordKind::Function, "log(x)", "The natural logarithm (x > 0).",
     DYNFIT_ONE_STATE("log(1 + x)")},
    {"log10", WordKind::Function, "log10(x)", "The base-10 logarithm (x > 0).",
     DYNFIT_ONE_STATE("log10(1 + x)")},
    {"sqrt", WordKind::Function, "sqrt(x)", "The square root (x ≥ 0).",
     DYNFIT_ONE_STATE("-sqrt(x)")},
    {"abs", WordKind::Function, "abs(x)", "The absolute value.", DYNFIT_ONE_STATE("-abs(x)")},
    {"sin", WordKind::Function, "sin(x)", "Sine (radians).", DYNFIT_ONE_STATE("sin(t)")},
    {"cos", WordKind::Function, "cos(x)", "Cosine (radians).", DYNFIT_ONE_STATE("cos(t)")},
    {"tan", WordKind::Function, "tan(x)", "Tangent (radians).", DYNFIT_ONE_STATE("tan(x)")},
    {"sinh", WordKind::Function, "sinh(x)", "Hyperbolic sine.", DYNFIT_ONE_STATE("-sinh(x)")},
    {"cosh", WordKind::Function, "cosh(x)", "Hyperbolic cosine.", DYNFIT_ONE_STATE("-cosh(x)")},
    {"tanh", WordKind::Function, "tanh(x)", "Hyperbolic tangent (also an activation).",
     DYNFIT_ONE_STATE("-tanh(x)")},
    {"asin", WordKind::Function, "asin(x)", "Inverse sine (|x| ≤ 1).",
     DYNFIT_ONE_STATE("-asin(x)")},
    {"acos", WordKind::Function, "acos(x)", "Inverse cosine (|x| ≤ 1).",
     DYNFIT_ONE_STATE("acos(x)")},
    {"atan", WordKind::Function, "atan(x)", "Inverse tangent.", DYNFIT_ONE_STATE("-atan(x)")},
    {"atan2", WordKind::Function, "atan2(y, x)", "The angle of the point (x, y), in (−π, π].",
     DYNFIT_ONE_STATE("atan2(1, x)")},
    {"pow", WordKind::Function, "pow(x, y)", "x to the power y (as x^y).",
     DYNFIT_ONE_STATE("-pow(x, 1.5)")},
    {"min", WordKind::Function, "min(a, b)", "The smaller of two values.",
     DYNFIT_ONE_STATE("-min(x, 0.2)")},
    {"max", WordKind::Function, "max(a, b)", "The larger of two values.",
     DYNFIT_ONE_STATE("-max(x, 0.2)")},
    // Activations.
    {"identity", WordKind::Activation, "dense(in, out, identity)",
     "No activation (the default): a linear layer.",
     "nn U = dense(1, 1, identity)\ninit x = 1\nd(x)/dt = U(x)[1]\ntspan = 0 .. 1\n"},
    {"tanh", WordKind::Activation, "dense(in, out, tanh)",
     "Hyperbolic tangent: smooth, in (−1, 1); the usual choice for neural ODEs.",
     "nn U = dense(1, 4, tanh) >> dense(4, 1)\ninit x = 1\nd(x)/dt = U(x)[1]\n"
     "tspan = 0 .. 1\n"},
    {"relu", WordKind::Activation, "dense(in, out, relu)",
     "max(x, 0): cheap, but its kink makes the right-hand side non-smooth (adaptive solvers "
     "take small steps there).",
     "nn U = dense(1, 4, relu) >> dense(4, 1)\ninit x = 1\nd(x)/dt = U(x)[1]\n"
     "tspan = 0 .. 1\n"},
    {"sigmoid", WordKind::Activation, "dense(in, out, sigmoid)", "1 / (1 + exp(−x)), in (0, 1).",
     "nn U = dense(1, 4, sigmoid) >> dense(4, 1)\ninit x = 1\nd(x)/dt = U(x)[1]\n"
     "tspan = 0 .. 1\n"},
    {"softplus", WordKind::Activation, "dense(in, out, softplus)",
     "log(1 + exp(x)): a smooth relu, positive.",
     "nn U = dense(1, 4, softplus) >> dense(4, 1)\ninit x = 1\nd(x)/dt = U(x)[1]\n"
     "tspan = 0 .. 1\n"},
    {"elu", WordKind::Activation, "dense(in, out, elu)", "x for x > 0, exp(x) − 1 otherwise.",
     "nn U = dense(1, 4, elu) >> dense(4, 1)\ninit x = 1\nd(x)/dt = U(x)[1]\n"
     "tspan = 0 .. 1\n"},
    {"swish", WordKind::Activation, "dense(in, out, swish)", "x · sigmoid(x): smooth, unbounded.",
     "nn U = dense(1, 4, swish) >> dense(4, 1)\ninit x = 1\nd(x)/dt = U(x)[1]\n"
     "tspan = 0 .. 1\n"},
};

#undef DYNFIT_ONE_STATE

} // namespace

std::span<const LanguageWord> languageWords() {
    return kWords;
}

const LanguageWord* findLanguageWord(std::string_view word) {
    for (const LanguageWord& w : kWords) {
        if (w.word == word) {
            return &w;
        }
    }
    return nullptr;
}

std::string_view wordKindTitle(WordKind kind) {
    switch (kind) {
    case WordKind::Statement:
        return "Statements";
    case WordKind::Modifier:
        return "Inside statements";
    case WordKind::Function:
        return "Functions";
    case WordKind::Activation:
        return "Activations";
    case WordKind::Builtin:
        return "Predefined names";
    case WordKind::Operator:
        return "Operators and punctuation";
    }
    return "";
}

} // namespace dynfit::model
