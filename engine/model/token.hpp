// SPDX-License-Identifier: MIT
// Tokens of the model language.
#pragma once

#include "core/source_location.hpp"

#include <string>

namespace dynfit::model {

enum class TokenKind {
    Number,
    Identifier,
    Plus,
    Minus,
    Star,
    Slash,
    Caret,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Equals,
    Prime,   ///< '   (y' = ...)
    DotDot,  ///< ..  (tspan = 0 .. 10)
    Shift,   ///< >>  (network layers, reserved)
    Less,    ///< <   (when h < 0: ...)
    Greater, ///< >
    Colon,   ///< :   (before an event's actions)
    Newline,
    End,
    Invalid
};

struct Token {
    TokenKind kind = TokenKind::Invalid;
    std::string text;
    double number = 0.0;
    SourceLocation where;
};

/// The token's kind as a user reads it in an error message ("')'", "a number", ...).
const char* describe(TokenKind kind);

} // namespace dynfit::model
