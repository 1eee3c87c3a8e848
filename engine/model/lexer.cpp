// SPDX-License-Identifier: MIT
// Splits a model text into tokens.
#include "model/lexer.hpp"

#include <cctype>
#include <charconv>
#include <cstdlib>

namespace dynfit::model {

const char* describe(TokenKind kind) {
    switch (kind) {
    case TokenKind::Number:
        return "a number";
    case TokenKind::Identifier:
        return "a name";
    case TokenKind::Plus:
        return "'+'";
    case TokenKind::Minus:
        return "'-'";
    case TokenKind::Star:
        return "'*'";
    case TokenKind::Slash:
        return "'/'";
    case TokenKind::Caret:
        return "'^'";
    case TokenKind::LParen:
        return "'('";
    case TokenKind::RParen:
        return "')'";
    case TokenKind::LBracket:
        return "'['";
    case TokenKind::RBracket:
        return "']'";
    case TokenKind::Comma:
        return "','";
    case TokenKind::Equals:
        return "'='";
    case TokenKind::Prime:
        return "'''";
    case TokenKind::DotDot:
        return "'..'";
    case TokenKind::Shift:
        return "'>>'";
    case TokenKind::Less:
        return "'<'";
    case TokenKind::Greater:
        return "'>'";
    case TokenKind::Colon:
        return "':'";
    case TokenKind::Newline:
        return "the end of the line";
    case TokenKind::End:
        return "the end of the text";
    case TokenKind::Invalid:
        return "an invalid character";
    }
    return "?";
}

namespace {

class Lexer {
  public:
    Lexer(std::string_view text, Diagnostics& diagnostics) : m_text(text), m_diag(diagnostics) {}

    std::vector<Token> run() {
        skipByteOrderMark();
        while (m_pos < m_text.size()) {
            lexOne();
        }
        if (m_tokens.empty() || m_tokens.back().kind != TokenKind::Newline) {
            push(TokenKind::Newline, "", here());
        }
        push(TokenKind::End, "", here());
        return std::move(m_tokens);
    }

  private:
    SourceLocation here() const { return {m_line, m_column}; }

    void push(TokenKind kind, std::string text, SourceLocation where, double number = 0.0) {
        m_tokens.push_back({kind, std::move(text), number, where});
    }

    void skipByteOrderMark() {
        if (m_text.substr(0, 3) == "\xEF\xBB\xBF") {
            m_pos = 3;
        }
    }

    // Advances one code point (UTF-8 continuation bytes do not count as columns).
    void advance() {
        ++m_pos;
        while (m_pos < m_text.size()
               && (static_cast<unsigned char>(m_text[m_pos]) & 0xC0) == 0x80) {
            ++m_pos;
        }
        ++m_column;
    }

    char peek(std::size_t ahead = 0) const {
        return m_pos + ahead < m_text.size() ? m_text[m_pos + ahead] : '\0';
    }

    static bool isIdentifierStart(char c) {
        return std::isalpha(static_cast<unsigned char>(c)) || c == '_'
               || static_cast<unsigned char>(c) >= 0x80;
    }
    static bool isIdentifierPart(char c) {
        return isIdentifierStart(c) || std::isdigit(static_cast<unsigned char>(c));
    }

    void lexOne() {
        const char c = peek();
        const SourceLocation start = here();
        if (c == '\n') {
            push(TokenKind::Newline, "", start);
            ++m_pos;
            ++m_line;
            m_column = 1;
        } else if (c == ' ' || c == '\t' || c == '\r') {
            advance();
        } else if (c == '#') {
            while (m_pos < m_text.size() && peek() != '\n') {
                advance();
            }
        } else if (std::isdigit(static_cast<unsigned char>(c))
                   || (c == '.' && std::isdigit(static_cast<unsigned char>(peek(1))))) {
            lexNumber(start);
        } else if (isIdentifierStart(c)) {
            const std::size_t begin = m_pos;
            while (m_pos < m_text.size() && isIdentifierPart(peek())) {
                advance();
            }
            push(TokenKind::Identifier, std::string(m_text.substr(begin, m_pos - begin)), start);
        } else {
            lexSymbol(c, start);
        }
    }

    void lexNumber(SourceLocation start) {
        const std::size_t begin = m_pos;
        const auto digits = [this] {
            while (std::isdigit(static_cast<unsigned char>(peek()))) {
                advance();
            }
        };
        digits();
        if (peek() == '.' && peek(1) != '.') { // "0..10" is 0 then '..'
            advance();
            digits();
        }
        if ((peek() == 'e' || peek() == 'E')
            && (std::isdigit(static_cast<unsigned char>(peek(1)))
                || ((peek(1) == '+' || peek(1) == '-')
                    && std::isdigit(static_cast<unsigned char>(peek(2)))))) {
            advance();
            if (peek() == '+' || peek() == '-') {
                advance();
            }
            digits();
        }
        const std::string text(m_text.substr(begin, m_pos - begin));
        push(TokenKind::Number, text, start, std::strtod(text.c_str(), nullptr));
    }

    void lexSymbol(char c, SourceLocation start) {
        static constexpr struct {
            char first, second;
            TokenKind kind;
        } kSymbols[] = {{'.', '.', TokenKind::DotDot}, {'>', '>', TokenKind::Shift},
                        {'+', 0, TokenKind::Plus},     {'-', 0, TokenKind::Minus},
                        {'*', 0, TokenKind::Star},     {'/', 0, TokenKind::Slash},
                        {'^', 0, TokenKind::Caret},    {'(', 0, TokenKind::LParen},
                        {')', 0, TokenKind::RParen},   {'[', 0, TokenKind::LBracket},
                        {']', 0, TokenKind::RBracket}, {',', 0, TokenKind::Comma},
                        {'=', 0, TokenKind::Equals},   {'\'', 0, TokenKind::Prime},
                        {'<', 0, TokenKind::Less},     {'>', 0, TokenKind::Greater},
                        {':', 0, TokenKind::Colon}};
        for (const auto& s : kSymbols) {
            if (s.first == c && (s.second == 0 || peek(1) == s.second)) {
                advance();
                if (s.second != 0) {
                    advance();
                }
                push(s.kind, "", start);
                return;
            }
        }
        m_diag.error(start, std::string("unexpected character '") + c + "'");
        push(TokenKind::Invalid, std::string(1, c), start);
        advance();
    }

    std::string_view m_text;
    Diagnostics& m_diag;
    std::vector<Token> m_tokens;
    std::size_t m_pos = 0;
    int m_line = 1;
    int m_column = 1;
};

} // namespace

std::vector<Token> tokenize(std::string_view text, Diagnostics& diagnostics) {
    return Lexer(text, diagnostics).run();
}

} // namespace dynfit::model
