// SPDX-License-Identifier: MIT
// Recursive-descent parser of the model language.
#include "model/parser.hpp"

#include "model/lexer.hpp"
#include "model/vocabulary.hpp"

#include <algorithm>
#include <stdexcept>

namespace dynfit::model {

namespace {

// The words a statement starts with, as statement() below dispatches on them.
constexpr std::string_view kStatementKeywords[] = {"param", "const", "let",   "init",    "history",
                                                   "d",     "tspan", "nn",    "weights", "when",
                                                   "at",    "every", "noise", "calculus"};

// Thrown inside the parser only; caught per line.
struct SyntaxError {
    SourceLocation where;
    std::string message;
};

class Parser {
  public:
    Parser(std::vector<Token> tokens, Diagnostics& diagnostics)
        : m_tokens(std::move(tokens)), m_diag(diagnostics) {}

    // One expression per non-empty line (plot expressions); a bad line is reported and skipped.
    std::vector<ExprPtr> expressions() {
        std::vector<ExprPtr> out;
        while (peek().kind != TokenKind::End) {
            if (peek().kind == TokenKind::Newline) {
                ++m_pos;
                continue;
            }
            if (lineHasInvalidToken()) {
                skipLine();
                continue;
            }
            try {
                out.push_back(expression());
                expect(TokenKind::Newline, "after the expression");
            } catch (const SyntaxError& e) {
                m_diag.error(e.where, e.message);
                skipLine();
            }
        }
        return out;
    }

    ModelAst run() {
        ModelAst ast;
        while (peek().kind != TokenKind::End) {
            if (peek().kind == TokenKind::Newline) {
                ++m_pos;
                continue;
            }
            if (lineHasInvalidToken()) { // the lexer has reported it already
                skipLine();
                continue;
            }
            try {
                ast.statements.push_back(statement());
                expect(TokenKind::Newline, "after the statement");
            } catch (const SyntaxError& e) {
                m_diag.error(e.where, e.message);
                skipLine();
            }
        }
        return ast;
    }

  private:
    const Token& peek(std::size_t ahead = 0) const {
        const std::size_t i = std::min(m_pos + ahead, m_tokens.size() - 1);
        return m_tokens[i];
    }
    const Token& next() { return m_tokens[std::min(m_pos++, m_tokens.size() - 1)]; }
    bool accept(TokenKind kind) {
        if (peek().kind == kind) {
            ++m_pos;
            return true;
        }
        return false;
    }
    bool isWord(const char* word, std::size_t ahead = 0) const {
        return peek(ahead).kind == TokenKind::Identifier && peek(ahead).text == word;
    }

    [[noreturn]] void fail(const Token& at, const std::string& message) const {
        throw SyntaxError{at.where, message};
    }

    const Token& expect(TokenKind kind, const std::string& context) {
        if (peek().kind != kind) {
            fail(peek(), std::string("expected ") + describe(kind) + " " + context + ", found "
                             + describeFound(peek()));
        }
        return next();
    }

    static std::string describeFound(const Token& t) {
        if (t.kind == TokenKind::Identifier) {
            return "'" + t.text + "'";
        }
        if (t.kind == TokenKind::Number) {
            return "the number " + t.text;
        }
        return describe(t.kind);
    }

    bool lineHasInvalidToken() const {
        for (std::size_t i = m_pos; i < m_tokens.size(); ++i) {
            if (m_tokens[i].kind == TokenKind::Newline || m_tokens[i].kind == TokenKind::End) {
                return false;
            }
            if (m_tokens[i].kind == TokenKind::Invalid) {
                return true;
            }
        }
        return false;
    }

    void skipLine() {
        while (peek().kind != TokenKind::Newline && peek().kind != TokenKind::End) {
            ++m_pos;
        }
    }

    Statement statement() {
        const Token& first = peek();
        if (first.kind != TokenKind::Identifier) {
            fail(first, "expected a statement (param, const, let, init, d(x)/dt = ..., x' = ... "
                        "or tspan), found "
                            + describeFound(first));
        }
        static const char* const kReserved[][2] = {{"observe", "observed quantities (observe)"}};
        for (const auto& r : kReserved) {
            if (first.text == r[0] && peek(1).kind != TokenKind::Equals
                && peek(1).kind != TokenKind::Prime) {
                fail(first, std::string(r[1]) + " are not supported yet");
            }
        }
        if (startsEvent()) {
            return event();
        }
        if (isWord("param") && peek(1).kind == TokenKind::Identifier) {
            return param();
        }
        if (isWord("nn") && peek(1).kind == TokenKind::Identifier) {
            return network();
        }
        if (isWord("noise") && peek(1).kind == TokenKind::Identifier
            && peek(2).kind == TokenKind::Equals) {
            return noise();
        }
        if (isWord("noise") && peek(1).kind != TokenKind::Equals
            && peek(1).kind != TokenKind::Prime) {
            fail(first, "a noise line is written noise x = g (or noise x = g1 by W1, g2 by W2)");
        }
        if (isWord("calculus") && peek(1).kind == TokenKind::Identifier) {
            return calculus();
        }
        if (isWord("weights") && peek(1).kind == TokenKind::Identifier
            && peek(2).kind == TokenKind::Equals) {
            return weights();
        }
        if ((isWord("const") || isWord("let") || isWord("init") || isWord("history"))
            && peek(1).kind == TokenKind::Identifier) {
            const StatementKind kind = first.text == "const"     ? StatementKind::Const
                                       : first.text == "let"     ? StatementKind::Let
                                       : first.text == "history" ? StatementKind::History
                                                                 : StatementKind::Init;
            ++m_pos;
            return assignment(kind);
        }
        if (isWord("d") && peek(1).kind == TokenKind::LParen) {
            return derivativeEquation();
        }
        if (isWord("tspan") && peek(1).kind == TokenKind::Equals) {
            return timeSpan();
        }
        if (peek(1).kind == TokenKind::Prime) {
            Statement s;
            s.kind = StatementKind::Equation;
            s.name = next().text;
            s.where = first.where;
            ++m_pos; // '
            expect(TokenKind::Equals, "after " + s.name + "'");
            s.value = expression();
            return s;
        }
        if (isWord("param") || isWord("const") || isWord("let") || isWord("init")
            || isWord("history")) {
            fail(peek(1),
                 "expected a name after '" + first.text + "', found " + describeFound(peek(1)));
        }
        fail(first, "expected a statement (param, const, let, init, d(x)/dt = ..., x' = ... or "
                    "tspan), found '"
                        + first.text + "'");
    }

    // `when`, `at` and `every` start an event unless they are a state's name (x' = ...).
    bool startsEvent() const {
        const TokenKind after = peek(1).kind;
        if (after == TokenKind::Equals || after == TokenKind::Prime) {
            return false;
        }
        return isWord("when") || isWord("every") || (isWord("at") && isWord("t", 1));
    }

    Statement event() {
        Statement s;
        s.kind = StatementKind::Event;
        s.where = peek().where;
        s.name = next().text;
        s.event = std::make_unique<EventClause>();
        EventClause& e = *s.event;
        if (s.name == "when") {
            e.trigger = EventClause::Trigger::Crossing;
            e.lhs = expression();
            if (peek().kind != TokenKind::Less && peek().kind != TokenKind::Greater) {
                fail(peek(), "expected '<' or '>' in the condition of 'when' (when h < 0: ...), "
                             "found "
                                 + describeFound(peek()));
            }
            e.comparison = next().kind == TokenKind::Less ? '<' : '>';
            e.rhs = expression();
            if (peek().kind == TokenKind::Newline || peek().kind == TokenKind::End) {
                return s; // no action: the crossing is only recorded
            }
        } else if (s.name == "at") {
            e.trigger = EventClause::Trigger::Times;
            m_pos += 1; // t
            expect(TokenKind::Equals, "after 'at t' (at t = 0, 12: ...)");
            do {
                e.times.push_back(expression());
            } while (accept(TokenKind::Comma));
        } else {
            e.trigger = EventClause::Trigger::Every;
            e.period = expression();
            expectWord("from", "after the period of 'every' (every 12 from 0 to 96: ...)");
            e.first = expression();
            expectWord("to", "after the first time of 'every' (every 12 from 0 to 96: ...)");
            e.last = expression();
        }
        expect(TokenKind::Colon, "before the event's actions");
        eventActions(e);
        return s;
    }

    void expectWord(const char* word, const std::string& context) {
        if (!isWord(word)) {
            fail(peek(), std::string("expected '") + word + "' " + context + ", found "
                             + describeFound(peek()));
        }
        ++m_pos;
    }

    // `stop`, or `x = expr, y = expr, ...`
    void eventActions(EventClause& e) {
        if (isWord("stop") && peek(1).kind != TokenKind::Equals) {
            ++m_pos;
            e.stop = true;
            return;
        }
        do {
            EventAssignment a;
            const Token& target = expect(TokenKind::Identifier, "as the state an event sets");
            a.target = target.text;
            a.where = target.where;
            expect(TokenKind::Equals, "after '" + a.target + "' in the event's actions");
            a.value = expression();
            e.assignments.push_back(std::move(a));
        } while (accept(TokenKind::Comma));
    }

    Statement assignment(StatementKind kind) {
        Statement s;
        s.kind = kind;
        const Token& name = expect(TokenKind::Identifier, "");
        s.name = name.text;
        s.where = name.where;
        expect(TokenKind::Equals, "after '" + s.name + "'");
        s.value = expression();
        return s;
    }

    // noise x = g  |  noise x = g1 by W1, g2 by W2, ...
    Statement noise() {
        ++m_pos; // noise
        Statement s;
        s.kind = StatementKind::Noise;
        const Token& name = expect(TokenKind::Identifier, "");
        s.name = name.text;
        s.where = name.where;
        expect(TokenKind::Equals, "after '" + s.name + "'");
        while (true) {
            NoiseTerm term;
            term.value = expression();
            if (isWord("by")) {
                ++m_pos;
                const Token& process =
                    expect(TokenKind::Identifier, "after 'by' (a Wiener process)");
                term.process = process.text;
                term.processWhere = process.where;
            }
            s.noise.push_back(std::move(term));
            if (peek().kind != TokenKind::Comma) {
                break;
            }
            ++m_pos;
        }
        if (s.noise.size() > 1) {
            for (const NoiseTerm& term : s.noise) {
                if (term.process.empty()) {
                    throw SyntaxError{term.value->where,
                                      "with several noise terms each names its process: "
                                      "noise x = g1 by W1, g2 by W2"};
                }
            }
        }
        return s;
    }

    // calculus ito | stratonovich
    Statement calculus() {
        Statement s;
        s.kind = StatementKind::Calculus;
        s.where = next().where;
        const Token& word = next();
        if (word.text != "ito" && word.text != "stratonovich") {
            fail(word, "calculus is 'ito' or 'stratonovich', not '" + word.text + "'");
        }
        s.name = word.text;
        return s;
    }

    Statement param() {
        ++m_pos; // param
        Statement s = assignment(StatementKind::Param);
        if (isWord("in")) {
            ++m_pos;
            expect(TokenKind::LBracket, "to open the bounds ([lower, upper])");
            s.lower = expression();
            expect(TokenKind::Comma, "between the bounds");
            s.upper = expression();
            expect(TokenKind::RBracket, "to close the bounds");
        }
        if (isWord("log")) {
            ++m_pos;
            s.logScale = true;
        }
        return s;
    }

    // nn U = dense(2, 16, tanh) >> dense(16, 2)
    Statement network() {
        Statement s;
        s.kind = StatementKind::Network;
        ++m_pos; // nn
        const Token& name = expect(TokenKind::Identifier, "");
        s.name = name.text;
        s.where = name.where;
        expect(TokenKind::Equals, "after 'nn " + s.name + "'");
        do {
            s.layers.push_back(layer());
        } while (accept(TokenKind::Shift));
        return s;
    }

    Layer layer() {
        Layer l;
        l.where = peek().where;
        if (!isWord("dense")) {
            fail(peek(),
                 "expected a layer such as dense(2, 16, tanh), found " + describeFound(peek()));
        }
        ++m_pos;
        expect(TokenKind::LParen, "after dense");
        l.inputs = positiveInteger("the number of inputs");
        expect(TokenKind::Comma, "between the sizes of dense(in, out)");
        l.outputs = positiveInteger("the number of outputs");
        if (accept(TokenKind::Comma)) {
            l.activation = expect(TokenKind::Identifier, "as the activation").text;
        }
        expect(TokenKind::RParen, "to close dense(...)");
        return l;
    }

    int positiveInteger(const std::string& what) {
        const Token& t = expect(TokenKind::Number, "as " + what);
        if (t.number < 1 || t.number != static_cast<int>(t.number)) {
            fail(t, what + " must be a positive whole number");
        }
        return static_cast<int>(t.number);
    }

    // weights U = [0.1, -0.2, ...]
    Statement weights() {
        Statement s;
        s.kind = StatementKind::Weights;
        ++m_pos; // weights
        s.name = next().text;
        s.where = m_tokens[m_pos - 1].where;
        expect(TokenKind::Equals, "after 'weights " + s.name + "'");
        expect(TokenKind::LBracket, "to open the list of weights");
        if (!accept(TokenKind::RBracket)) {
            do {
                const bool negative = accept(TokenKind::Minus);
                const double v = expect(TokenKind::Number, "in the list of weights").number;
                s.numbers.push_back(negative ? -v : v);
            } while (accept(TokenKind::Comma));
            expect(TokenKind::RBracket, "to close the list of weights");
        }
        return s;
    }

    Statement derivativeEquation() {
        Statement s;
        s.kind = StatementKind::Equation;
        m_pos += 2; // d (
        const Token& name = expect(TokenKind::Identifier, "in d(...)/dt");
        s.name = name.text;
        s.where = name.where;
        expect(TokenKind::RParen, "after d(" + s.name);
        expect(TokenKind::Slash, "in d(" + s.name + ")/dt");
        if (!isWord("dt")) {
            fail(peek(), "expected 'dt' in d(" + s.name + ")/dt, found " + describeFound(peek()));
        }
        ++m_pos;
        expect(TokenKind::Equals, "after d(" + s.name + ")/dt");
        s.value = expression();
        return s;
    }

    Statement timeSpan() {
        Statement s;
        s.kind = StatementKind::TimeSpan;
        s.name = "tspan";
        s.where = next().where;
        ++m_pos; // =
        s.lower = expression();
        expect(TokenKind::DotDot, "between the start and the end of tspan (tspan = 0 .. 10)");
        s.upper = expression();
        return s;
    }

    // expression := term (('+' | '-') term)*
    ExprPtr expression() {
        ExprPtr lhs = term();
        while (peek().kind == TokenKind::Plus || peek().kind == TokenKind::Minus) {
            const Token& op = next();
            lhs = binary(op, std::move(lhs), term());
        }
        return lhs;
    }

    // term := unary (('*' | '/') unary)*
    ExprPtr term() {
        ExprPtr lhs = unary();
        while (peek().kind == TokenKind::Star || peek().kind == TokenKind::Slash) {
            const Token& op = next();
            lhs = binary(op, std::move(lhs), unary());
        }
        return lhs;
    }

    // unary := '-' unary | '+' unary | power     (so -x^2 = -(x^2)). Every nested level of
    // the grammar passes here, so the nesting bound is kept here.
    ExprPtr unary() {
        struct Level {
            int& count;
            explicit Level(int& c) : count(++c) {}
            ~Level() { --count; }
        } level(m_nesting);
        if (m_nesting > kMaxNesting) {
            fail(peek(), "the expression nests deeper than " + std::to_string(kMaxNesting)
                             + " levels (parentheses, calls or signs): split it with let");
        }
        if (peek().kind == TokenKind::Minus) {
            auto e = std::make_unique<Expr>();
            e->kind = Expr::Kind::Unary;
            e->op = '-';
            e->where = next().where;
            e->args.push_back(unary());
            e->depth = e->args.back()->depth + 1;
            return e;
        }
        if (accept(TokenKind::Plus)) {
            return unary();
        }
        return power();
    }

    // power := postfix ('^' unary)?      (right-associative: 2^3^2 = 2^9)
    ExprPtr power() {
        ExprPtr base = postfix();
        if (peek().kind == TokenKind::Caret) {
            const Token& op = next();
            return binary(op, std::move(base), unary());
        }
        return base;
    }

    // postfix := primary ('[' number ']')*
    ExprPtr postfix() {
        ExprPtr e = primary();
        while (peek().kind == TokenKind::LBracket) {
            auto index = std::make_unique<Expr>();
            index->kind = Expr::Kind::Index;
            index->where = next().where;
            index->number = expect(TokenKind::Number, "as the output index").number;
            expect(TokenKind::RBracket, "after the output index");
            index->depth = e->depth + 1;
            index->args.push_back(std::move(e));
            e = std::move(index);
        }
        return e;
    }

    ExprPtr primary() {
        const Token& t = peek();
        auto e = std::make_unique<Expr>();
        e->where = t.where;
        if (t.kind == TokenKind::Number) {
            e->kind = Expr::Kind::Number;
            e->number = next().number;
            return e;
        }
        if (t.kind == TokenKind::Identifier) {
            e->name = next().text;
            if (accept(TokenKind::LParen)) {
                e->kind = Expr::Kind::Call;
                if (!accept(TokenKind::RParen)) {
                    do {
                        e->args.push_back(expression());
                        e->depth = std::max(e->depth, e->args.back()->depth + 1);
                    } while (accept(TokenKind::Comma));
                    expect(TokenKind::RParen, "to close the call to " + e->name);
                }
            } else {
                e->kind = Expr::Kind::Name;
            }
            return e;
        }
        if (accept(TokenKind::LParen)) {
            ExprPtr inner = expression();
            expect(TokenKind::RParen, "to close '('");
            return inner;
        }
        fail(t, "expected a number, a name or '(', found " + describeFound(t));
    }

    ExprPtr binary(const Token& op, ExprPtr lhs, ExprPtr rhs) const {
        const int depth = std::max(lhs->depth, rhs->depth) + 1;
        if (depth > kMaxExpressionDepth) {
            fail(op, "the expression is more than " + std::to_string(kMaxExpressionDepth)
                         + " operations deep (a long chain of terms): split it into lets");
        }
        auto e = std::make_unique<Expr>();
        e->depth = depth;
        e->kind = Expr::Kind::Binary;
        e->where = op.where;
        e->op = op.kind == TokenKind::Plus    ? '+'
                : op.kind == TokenKind::Minus ? '-'
                : op.kind == TokenKind::Star  ? '*'
                : op.kind == TokenKind::Slash ? '/'
                                              : '^';
        e->args.push_back(std::move(lhs));
        e->args.push_back(std::move(rhs));
        return e;
    }

    std::vector<Token> m_tokens;
    Diagnostics& m_diag;
    std::size_t m_pos = 0;
    int m_nesting = 0; ///< levels of unary() on the stack
};

} // namespace

std::span<const std::string_view> statementKeywords() {
    return kStatementKeywords;
}

ModelAst parse(std::string_view text, Diagnostics& diagnostics) {
    return Parser(tokenize(text, diagnostics), diagnostics).run();
}

std::vector<ExprPtr> parseExpressions(std::string_view text, Diagnostics& diagnostics) {
    return Parser(tokenize(text, diagnostics), diagnostics).expressions();
}

} // namespace dynfit::model
