// SPDX-License-Identifier: MIT
// Expressions compiled in a model's scope.
#include "model/observables.hpp"

#include "model/analyzer.hpp"
#include "model/parser.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace dynfit::model {

namespace {

// A name no model text can declare (the lexer never makes a name with a space).
std::string hiddenLetName(std::size_t k) {
    return "plot expression " + std::to_string(k + 1);
}

// The source text of each expression line, trimmed, for labels.
std::vector<std::string> expressionLines(std::string_view text) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t end = text.find('\n', start);
        end = end == std::string_view::npos ? text.size() : end;
        std::string_view line = text.substr(start, end - start);
        line = line.substr(0, line.find('#'));
        const auto first = line.find_first_not_of(" \t\r");
        const auto last = line.find_last_not_of(" \t\r");
        if (first != std::string_view::npos) {
            lines.emplace_back(line.substr(first, last - first + 1));
        }
        start = end + 1;
    }
    return lines;
}

} // namespace

std::vector<std::vector<double>>
Observables::evaluate(const std::vector<double>& t,
                      const std::vector<std::vector<double>>& columns,
                      const std::vector<double>& params) const {
    const InputLayout& layout = program.layout();
    std::vector<std::vector<double>> values(expressions.size(), std::vector<double>(t.size(), 0.0));
    if (static_cast<int>(columns.size()) != layout.states
        || static_cast<int>(params.size()) != layout.params) {
        return values;
    }
    std::vector<double> regs, u(columns.size()), out(expressions.size());
    program.prepare(regs);
    for (std::size_t j = 0; j < t.size(); ++j) {
        for (std::size_t i = 0; i < columns.size(); ++i) {
            u[i] = j < columns[i].size() ? columns[i][j] : std::numeric_limits<double>::quiet_NaN();
        }
        program.evaluate<double>(regs, u.data(), params.data(), nullptr, t[j], out.data());
        for (std::size_t k = 0; k < out.size(); ++k) {
            values[k][j] = out[k];
        }
    }
    return values;
}

std::shared_ptr<const Observables> compileObservables(std::string_view modelText,
                                                      std::string_view expressions,
                                                      Diagnostics& diagnostics) {
    Diagnostics modelDiagnostics;
    ModelAst ast = parse(modelText, modelDiagnostics);
    if (!modelDiagnostics.hasErrors()) {
        Analyzer(ast, modelDiagnostics, {}).run(); // the model alone: its own errors
    }
    std::vector<ExprPtr> parsed = parseExpressions(expressions, diagnostics);
    if (modelDiagnostics.hasErrors() || diagnostics.hasErrors()) {
        if (modelDiagnostics.hasErrors()) {
            diagnostics.error({1, 1}, "the model has errors: fix them first");
        }
        return nullptr;
    }
    for (std::size_t k = 0; k < parsed.size(); ++k) {
        Statement let;
        let.kind = StatementKind::Let;
        let.name = hiddenLetName(k);
        let.where = parsed[k]->where;
        let.value = std::move(parsed[k]);
        ast.statements.push_back(std::move(let));
    }
    // The model compiled before, so every error now comes from an expression, located in it.
    AnalyzedModel analyzed = Analyzer(ast, diagnostics, {}).run();
    diagnostics.items.erase(
        std::remove_if(diagnostics.items.begin(), diagnostics.items.end(),
                       [](const Diagnostic& d) { return d.severity != Severity::Error; }),
        diagnostics.items.end());
    diagnostics.sortBySource();
    if (diagnostics.hasErrors()) {
        return nullptr;
    }
    std::vector<NodeId> outputs;
    for (std::size_t k = 0; k < parsed.size(); ++k) {
        outputs.push_back(analyzed.lets.at(hiddenLetName(k)));
    }
    auto result = std::make_shared<Observables>();
    result->expressions = expressionLines(expressions);
    result->expressions.resize(outputs.size());
    const int n = static_cast<int>(analyzed.states.size());
    const int np = static_cast<int>(analyzed.params.size());
    result->program = Program(analyzed.graph, outputs, {n, np, 0});
    return result;
}

} // namespace dynfit::model
