// SPDX-License-Identifier: MIT
// The model language's words, each with its syntax, meaning and a complete example: the one list
// that the reference (Help ▸ Model language), the editor's colours and its completion read.
#pragma once

#include <span>
#include <string_view>

namespace dynfit::model {

enum class WordKind {
    Statement,  ///< starts a line: param, const, let, init, d(x)/dt, tspan, nn, weights
    Modifier,   ///< inside a statement: in [..], log, dense(..)
    Function,   ///< a mathematical function: exp, sqrt, atan2 ...
    Activation, ///< a network layer's activation: tanh, relu ...
    Builtin,    ///< a predefined name: t
    Operator    ///< + - * / ^ ( ) , [k] .. >> ' #
};

/// One entry of the language reference. `example` is a complete model text that compiles (a
/// test checks every one), so that the reference cannot drift from the language.
struct LanguageWord {
    std::string_view word; ///< what the user types (the lookup key for F1)
    WordKind kind;
    std::string_view syntax;  ///< e.g. "param name = value [in [lower, upper]] [log]"
    std::string_view summary; ///< what it means, in a sentence or two
    std::string_view example; ///< a whole model using it
};

/// Every word of the language, statements first, then modifiers, builtins, operators,
/// functions and activations.
std::span<const LanguageWord> languageWords();

/// The entry for `word` (exact match), or null.
const LanguageWord* findLanguageWord(std::string_view word);

/// The heading of a kind in the reference ("Statements", "Functions", ...).
std::string_view wordKindTitle(WordKind kind);

/// The words the parser recognises at the start of a statement (its own list, which the
/// reference is tested against).
std::span<const std::string_view> statementKeywords();
/// The function names the expression graph knows (expr_graph.cpp), and their arities.
std::span<const std::string_view> functionNames();
/// The activations a `dense` layer accepts (the analyzer's list).
std::span<const std::string_view> activationNames();

} // namespace dynfit::model
