// SPDX-License-Identifier: MIT
// The language reference against the language: every word the parser, the expression graph and
// the analyzer know is documented, and every documented example compiles, so Help ▸ Model
// language cannot drift from what the program accepts.
#include "model/model.hpp"
#include "model/vocabulary.hpp"

#include <QTest>
#include <algorithm>
#include <set>
#include <string>

using namespace dynfit::model;

namespace {

bool documented(std::string_view word, WordKind kind) {
    const auto words = languageWords();
    return std::any_of(words.begin(), words.end(),
                       [&](const LanguageWord& w) { return w.word == word && w.kind == kind; });
}

// "atan2(y, x)" has two arguments.
int arityOfSyntax(std::string_view syntax) {
    if (syntax.find('(') == std::string_view::npos) {
        return 0;
    }
    return 1 + static_cast<int>(std::count(syntax.begin(), syntax.end(), ','));
}

} // namespace

class TestVocabulary : public QObject {
    Q_OBJECT
  private slots:
    void everyStatementKeywordIsDocumented() {
        QVERIFY(!statementKeywords().empty());
        for (const std::string_view word : statementKeywords()) {
            QVERIFY2(documented(word, WordKind::Statement), std::string(word).c_str());
        }
    }

    void everyFunctionIsDocumentedWithItsArity() {
        QVERIFY(functionNames().size() >= 18);
        for (const std::string_view name : functionNames()) {
            QVERIFY2(documented(name, WordKind::Function), std::string(name).c_str());
            Op op{};
            int arity = 0;
            QVERIFY(functionByName(name, op, arity));
            const auto words = languageWords();
            const auto entry = std::find_if(words.begin(), words.end(), [&](const LanguageWord& w) {
                return w.word == name && w.kind == WordKind::Function;
            });
            QCOMPARE(arityOfSyntax(entry->syntax), arity);
        }
    }

    void everyActivationIsDocumented() {
        QVERIFY(activationNames().size() >= 7);
        for (const std::string_view name : activationNames()) {
            QVERIFY2(documented(name, WordKind::Activation), std::string(name).c_str());
        }
    }

    // The other way round: nothing documented that the program does not know.
    void nothingDocumentedIsUnknown() {
        const auto inList = [](std::span<const std::string_view> list, std::string_view w) {
            return std::find(list.begin(), list.end(), w) != list.end();
        };
        for (const LanguageWord& w : languageWords()) {
            if (w.kind == WordKind::Function) {
                QVERIFY2(inList(functionNames(), w.word), std::string(w.word).c_str());
            } else if (w.kind == WordKind::Activation) {
                QVERIFY2(inList(activationNames(), w.word), std::string(w.word).c_str());
            } else if (w.kind == WordKind::Statement) {
                QVERIFY2(inList(statementKeywords(), w.word), std::string(w.word).c_str());
            }
        }
    }

    void everyExampleCompiles_data() {
        QTest::addColumn<int>("index");
        int k = 0;
        for (const LanguageWord& w : languageWords()) {
            const std::string name =
                std::string(wordKindTitle(w.kind)) + ": " + std::string(w.word);
            QTest::newRow(name.c_str()) << k++;
        }
    }
    void everyExampleCompiles() {
        QFETCH(int, index);
        const LanguageWord& w = languageWords()[static_cast<std::size_t>(index)];
        Diagnostics d;
        const auto m = compileModel(w.example, d);
        QVERIFY2(
            m != nullptr,
            (std::string(w.example) + "\n" + formatDiagnostics(d, "example", w.example)).c_str());
        QVERIFY(!w.syntax.empty() && !w.summary.empty());
        // The example shows the word it documents.
        QVERIFY2(w.example.find(w.word) != std::string_view::npos || w.word == "d",
                 std::string(w.word).c_str());
    }

    void noWordIsDocumentedTwiceInOneKind() {
        std::set<std::pair<int, std::string>> seen;
        for (const LanguageWord& w : languageWords()) {
            QVERIFY2(seen.insert({int(w.kind), std::string(w.word)}).second,
                     std::string(w.word).c_str());
        }
    }

    void lookUp() {
        QVERIFY(findLanguageWord("sqrt") != nullptr);
        QCOMPARE(findLanguageWord("sqrt")->kind, WordKind::Function);
        QVERIFY(findLanguageWord("nonsense") == nullptr);
    }
};

QTEST_GUILESS_MAIN(TestVocabulary)
#include "tst_vocabulary.moc"
