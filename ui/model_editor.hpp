// SPDX-License-Identifier: MIT
// The model text editor: compiles as you type (debounced), underlines each error at its line
// and column, and lists the messages under the text.
#pragma once

#include "model/model.hpp"

#include <QWidget>
#include <memory>

class QLabel;
class QPlainTextEdit;
class QTimer;

namespace dynfit::ui {

class ModelEditor : public QWidget {
    Q_OBJECT
  public:
    explicit ModelEditor(QWidget* parent = nullptr);

    void setText(const QString& text); ///< compiles at once
    /// The seed of network weights the text does not give (a project's fit seed).
    void setSeed(unsigned long long seed) { m_seed = seed; }
    QString text() const;
    QPlainTextEdit* textEdit() const { return m_edit; }
    /// The words completion offers: the last good compile's names and the language's words.
    QStringList completions() const;

    /// The last successful compile (null while the text has errors).
    std::shared_ptr<const model::CompiledModel> model() const { return m_model; }
    /// The last compile's messages, formatted "line:column: error: message".
    const QStringList& messages() const { return m_messages; }

  public slots:
    void compileNow();

  signals:
    /// After each compile: the model, or null when the text has errors.
    void compiled(std::shared_ptr<const dynfit::model::CompiledModel> model);
    void textEdited();

  private:
    void showDiagnostics(const model::Diagnostics& diagnostics);
    QString summary() const;

    QPlainTextEdit* m_edit;
    QLabel* m_status;
    QTimer* m_debounce;
    std::shared_ptr<const model::CompiledModel> m_model;
    QStringList m_messages;
    unsigned long long m_seed = 0;
};

} // namespace dynfit::ui
