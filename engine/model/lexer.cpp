// SPDX-License-Identifier: MIT
// Splits a model text into tokens.
#include "model/lexer.hpp"

#include <cctype>
#include <charconv>
#include <cstdio>
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
        } else if (static_cast<unsigned char>(c) >= 0x80 && lexLookalike(start)) {
            // a character pasted from a document, taken as what it stands for or refused
        } else if (c == '*' && peek(1) == '*') { // power as in Python and Fortran
            advance();
            advance();
            push(TokenKind::Caret, "", start);
        } else if (isIdentifierStart(c)) {
            const std::size_t begin = m_pos;
            while (m_pos < m_text.size() && isIdentifierPart(peek()) && !lookalikeHere()) {
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
        if (std::isalpha(static_cast<unsigned char>(peek())) || peek() == '_') {
            // "2x": a product written as in algebra
            const std::size_t name = m_pos;
            std::size_t end = name;
            while (end < m_text.size() && isIdentifierPart(m_text[end])) {
                ++end;
            }
            m_diag.error(here(), "a number followed by a name: write " + text + "*"
                                     + std::string(m_text.substr(name, end - name))
                                     + " for a product");
        }
    }

    // The code point at m_pos (UTF-8), and its length in bytes; 0 for a malformed sequence.
    std::pair<char32_t, std::size_t> codePoint() const {
        const auto byte = [this](std::size_t k) {
            return m_pos + k < m_text.size() ? static_cast<unsigned char>(m_text[m_pos + k]) : 0U;
        };
        const unsigned b0 = byte(0);
        const std::size_t length = b0 >= 0xF0 ? 4 : b0 >= 0xE0 ? 3 : b0 >= 0xC0 ? 2 : 0;
        if (length == 0) {
            return {0, 0};
        }
        char32_t cp = b0 & (0x7FU >> length);
        for (std::size_t k = 1; k < length; ++k) {
            if ((byte(k) & 0xC0U) != 0x80U) {
                return {0, 0};
            }
            cp = (cp << 6) | (byte(k) & 0x3FU);
        }
        return {cp, length};
    }

    enum class Lookalike { None, Space, Token, Refused };

    // What the code point `cp` is to the language when it is not a letter of a name.
    static Lookalike classify(char32_t cp, TokenKind& kind) {
        switch (cp) {
        case 0x2212: // MINUS SIGN
            kind = TokenKind::Minus;
            return Lookalike::Token;
        case 0x00D7: // MULTIPLICATION SIGN
        case 0x22C5: // DOT OPERATOR
            kind = TokenKind::Star;
            return Lookalike::Token;
        case 0x00F7: // DIVISION SIGN
        case 0x2215: // DIVISION SLASH
            kind = TokenKind::Slash;
            return Lookalike::Token;
        case 0x2032: // PRIME
        case 0x2019: // RIGHT SINGLE QUOTATION MARK (what editors make of x')
            kind = TokenKind::Prime;
            return Lookalike::Token;
        case 0x00A0: // NO-BREAK SPACE
        case 0x202F: // NARROW NO-BREAK SPACE
        case 0x205F: // MEDIUM MATHEMATICAL SPACE
        case 0x3000: // IDEOGRAPHIC SPACE
        case 0x200B: // ZERO WIDTH SPACE
        case 0xFEFF: // ZERO WIDTH NO-BREAK SPACE
            return Lookalike::Space;
        case 0x2010: // HYPHEN
        case 0x2013: // EN DASH
        case 0x2014: // EM DASH
        case 0x2018: // LEFT SINGLE QUOTATION MARK
        case 0x201C: // LEFT DOUBLE QUOTATION MARK
        case 0x201D: // RIGHT DOUBLE QUOTATION MARK
            return Lookalike::Refused;
        default:
            return cp >= 0x2000 && cp <= 0x200A ? Lookalike::Space : Lookalike::None;
        }
    }

    bool lookalikeHere() const {
        if (static_cast<unsigned char>(peek()) < 0x80) {
            return false;
        }
        TokenKind kind{};
        return classify(codePoint().first, kind) != Lookalike::None;
    }

    // Characters that word processors and PDFs put where the language has ASCII: the ones that
    // can only mean one thing are taken as it (a minus sign, a multiplication sign, exotic
    // spaces, a typographic prime), the others refused with their code point and the fix. False
    // when the character is none of these (a letter of a name, say).
    bool lexLookalike(SourceLocation start) {
        const auto [cp, length] = codePoint();
        if (length == 0) {
            return false;
        }
        TokenKind kind{};
        const Lookalike what = classify(cp, kind);
        if (what == Lookalike::None) {
            return false;
        }
        if (what != Lookalike::Refused) {
            advance();
            if (what == Lookalike::Token) {
                push(kind, "", start);
            }
            return true;
        }
        const char* name = cp == 0x2013   ? "EN DASH"
                           : cp == 0x2014 ? "EM DASH"
                           : cp == 0x2010 ? "HYPHEN"
                           : cp == 0x2018 ? "LEFT SINGLE QUOTATION MARK"
                           : cp == 0x201C ? "LEFT DOUBLE QUOTATION MARK"
                                          : "RIGHT DOUBLE QUOTATION MARK";
        const char* fix = cp <= 0x2014   ? "type '-' for a minus"
                          : cp == 0x2018 ? "type ' (an apostrophe) for a derivative"
                                         : "delete it (the language has no strings)";
        char code[16];
        std::snprintf(code, sizeof code, "U+%04X", static_cast<unsigned>(cp));
        m_diag.error(start, "the character " + std::string(m_text.substr(m_pos, length)) + " ("
                                + code + " " + name + ") is not part of the language: " + fix);
        push(TokenKind::Invalid, std::string(m_text.substr(m_pos, length)), start);
        advance();
        return true;
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
