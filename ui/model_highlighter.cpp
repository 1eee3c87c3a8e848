// SPDX-License-Identifier: MIT
// The model language's syntax colours.
#include "model_highlighter.hpp"

#include "model/vocabulary.hpp"

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
    // The words come from the language's own list (model/vocabulary.hpp).
    const auto wordsOf = [](model::WordKind kind, const char* extra = nullptr) {
        QStringList words;
        for (const model::LanguageWord& w : model::languageWords()) {
            if (w.kind == kind && w.word.size() > 1) {
                words << QRegularExpression::escape(
                    QString::fromUtf8(w.word.data(), qsizetype(w.word.size())));
            }
        }
        if (extra != nullptr) {
            words << extra;
        }
        return words.join('|');
    };
    m_rules.push_back(
        {QRegularExpression(R"(\b()" + wordsOf(model::WordKind::Function, "dense") + R"()\b)"),
         textFormat(QColor(0, 105, 150))});
    m_rules.push_back(
        {QRegularExpression(R"(\b()" + wordsOf(model::WordKind::Activation) + R"()\b(?!\s*\())"),
         textFormat(QColor(0, 105, 150), false, true)});
    m_rules.push_back({QRegularExpression(R"(^\s*()" + wordsOf(model::WordKind::Statement)
                                          + R"()\b(?!\s*\()|\b(in|log)\b(?=\s*$|\s*#|\s*\[))"),
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
