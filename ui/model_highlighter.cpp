// SPDX-License-Identifier: MIT
// The model language's syntax colours.
#include "model_highlighter.hpp"

namespace dynfit::ui {

namespace {

QTextCharFormat textFormat(const QColor& colour, bool bold = false, bool italic = false) {
    QTextCharFormat f;
    f.setForeground(colour);
    f.setFontWeight(bold ? QFont::Bold : QFont::Normal);
    f.setFontItalic(italic);
    return f;
}

} // namespace

ModelHighlighter::ModelHighlighter(QTextDocument* document) : QSyntaxHighlighter(document) {
    // Later rules win where they overlap: comments last.
    m_rules.push_back({QRegularExpression(R"(\b[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?\b)"),
                       textFormat(QColor(152, 80, 0))});
    m_rules.push_back(
        {QRegularExpression(R"(\b(exp|log|log10|sqrt|abs|sin|cos|tan|sinh|cosh|tanh|asin|acos)"
                            R"(|atan|atan2|pow|min|max|dense)\b)"),
         textFormat(QColor(0, 105, 150))});
    m_rules.push_back({QRegularExpression(R"(\b(identity|relu|sigmoid|softplus|elu|swish)\b)"),
                       textFormat(QColor(0, 105, 150), false, true)});
    m_rules.push_back(
        {QRegularExpression(
             R"(^\s*(param|const|let|init|tspan|nn|weights)\b|\b(in|log)\b(?=\s*$|\s*#))"),
         textFormat(QColor(120, 40, 140), true)});
    m_rules.push_back({QRegularExpression(R"(\bd\(\s*\w+\s*\)\s*/\s*dt\b|\b\w+')"),
                       textFormat(QColor(0, 110, 60), true)});
    m_rules.push_back(
        {QRegularExpression(R"(#.*$)"), textFormat(QColor(120, 120, 120), false, true)});
}

void ModelHighlighter::highlightBlock(const QString& text) {
    for (const Rule& rule : m_rules) {
        auto matches = rule.pattern.globalMatch(text);
        while (matches.hasNext()) {
            const auto match = matches.next();
            setFormat(int(match.capturedStart()), int(match.capturedLength()), rule.format);
        }
    }
}

} // namespace dynfit::ui
