// SPDX-License-Identifier: MIT
// The window's undo history, one QUndoStack for everything: the model text (replayed through
// the text document's own undo) and the rest of the project (data sets, settings, fixed params).
#pragma once

#include "project/project.hpp"

#include <QTextDocument>
#include <QUndoCommand>
#include <functional>

namespace dynfit::ui {

/// One edit of the text document, already done when pushed: undo and redo go through the
/// document, which keeps the text itself.
class TextEditCommand : public QUndoCommand {
  public:
    explicit TextEditCommand(QTextDocument* document)
        : QUndoCommand(QObject::tr("edit the model")), m_document(document) {}
    void undo() override { m_document->undo(); }
    void redo() override {
        if (m_done) {
            m_document->redo();
        }
        m_done = true; // the first redo is the edit the user just made
    }

  private:
    QTextDocument* m_document;
    bool m_done = false;
};

/// A change of the project's state outside the text: before and after, applied by `apply`
/// (which ignores the model text).
class ProjectStateCommand : public QUndoCommand {
  public:
    using Apply = std::function<void(const project::Project&)>;
    ProjectStateCommand(const QString& text,
                        project::Project before,
                        project::Project after,
                        Apply apply)
        : QUndoCommand(text), m_before(std::move(before)), m_after(std::move(after)),
          m_apply(std::move(apply)) {}
    void undo() override { m_apply(m_before); }
    void redo() override { m_apply(m_after); }

  private:
    project::Project m_before, m_after;
    Apply m_apply;
};

} // namespace dynfit::ui
