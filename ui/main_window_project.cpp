// SPDX-License-Identifier: MIT
// The main window's project: open, save, the state in the widgets, undoable changes.
#include "csv_import.hpp"
#include "fit_session.hpp"
#include "io/dose_table.hpp"
#include "loss_plot.hpp"
#include "main_window.hpp"
#include "model/rewrite.hpp"
#include "model_editor.hpp"
#include "parameter_table.hpp"
#include "undo_commands.hpp"

#include <QComboBox>
#include <QFile>
#include <QFileInfo>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QSpinBox>
#include <QStatusBar>
#include <QTextCursor>
#include <QUndoStack>

namespace dynfit::ui {

bool MainWindow::openProject(const QString& path, QString* error) {
    project::Project p;
    std::string why;
    if (project::isProjectPath(path.toStdString())) {
        if (!project::loadProjectFile(path.toStdString(), p, why)) {
            if (error != nullptr) {
                *error = QString::fromStdString(why);
            }
            return false;
        }
    } else {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            if (error != nullptr) {
                *error = tr("cannot read %1").arg(path);
            }
            return false;
        }
        p.modelText = QString::fromUtf8(file.readAll()).toStdString();
    }
    m_path = path;
    showProject(p);
    rememberRecent(path);
    return true;
}

void MainWindow::showProject(const project::Project& p) {
    if (m_session->isRunning()) {
        m_session->stop();
    }
    m_project = p;
    m_applying = true; // the widgets follow the project: not edits to record
    // Nothing of the previous project stays drawn or offered.
    m_fitted.clear();
    m_fittedNames.clear();
    m_showFitted = false;
    m_preview.reset();
    m_outcome.reset();
    m_frames.clear();
    m_captions.clear();
    m_parameters->clearFitted();
    m_method->blockSignals(true);
    m_method->setCurrentText(QString::fromStdString(p.solver.method));
    m_method->blockSignals(false);
    m_reltol->setText(QString::number(p.solver.reltol, 'g', 6));
    m_abstol->setText(QString::number(p.solver.abstol, 'g', 6));
    m_gradient->setCurrentText(QString::fromStdString(p.fit.gradient));
    m_optimizer->setCurrentIndex(
        std::max(0, m_optimizer->findData(QString::fromStdString(p.fit.optimizer))));
    m_learningRate->setText(QString::number(p.fit.learningRate, 'g', 6));
    m_iterations->setValue(p.fit.iterations);
    showNoiseSettings(p);
    showSpanAndView(p);
    m_loss->clear();
    for (const auto& h : p.history) {
        m_loss->addPoint(h.iteration, h.loss, h.gradientNorm);
    }
    m_applying = false;
    m_editor->setSeed(p.fit.seed); // network weights as dynfit-cli draws them for this project
    m_editor->setText(QString::fromStdString(p.modelText)); // compiles, then simulates
    m_undo->clear();                                        // a new project starts a new history
    m_settingsBefore = currentProject();
    setDirty(false);
}

project::Project MainWindow::currentProject() const {
    project::Project p = m_project;
    p.modelText = m_editor->text().toStdString();
    p.solver.method = m_method->currentText().toStdString();
    p.solver.reltol = m_reltol->text().toDouble();
    p.solver.abstol = m_abstol->text().toDouble();
    p.fit.gradient = m_gradient->currentText().toStdString();
    p.fit.optimizer = m_optimizer->currentData().toString().toStdString();
    p.fit.learningRate = m_learningRate->text().toDouble();
    p.fit.iterations = m_iterations->value();
    p.fit.trajectories = m_trajectories->value();
    const auto seed = static_cast<unsigned long long>(m_noiseSeed->value());
    const auto widest = static_cast<unsigned long long>(m_noiseSeed->maximum());
    if (seed != std::min(p.fit.seed, widest)) { // a seed beyond the box stays unless edited
        p.fit.seed = seed;
    }
    p.fit.sdeLoss = m_sdeLoss->currentData().toString().toStdString();
    p.solver.span = spanInWidgets();
    p.view.logTime = m_logTime->isChecked();
    p.view.logValues = m_logY->isChecked();
    p.view.points = m_points->value();
    return p;
}

void MainWindow::showNoiseSettings(const project::Project& p) {
    const QSignalBlocker b1(m_trajectories), b2(m_noiseSeed), b3(m_sdeLoss);
    m_trajectories->setValue(int(std::min<long>(p.fit.trajectories, m_trajectories->maximum())));
    m_noiseSeed->setValue(
        int(std::min<unsigned long long>(p.fit.seed, unsigned(m_noiseSeed->maximum()))));
    m_sdeLoss->setCurrentIndex(
        std::max(0, m_sdeLoss->findData(QString::fromStdString(p.fit.sdeLoss))));
}

// Both ends given and different: the project's own span; otherwise the model's tspan.
std::optional<ode::TimeSpan> MainWindow::spanInWidgets() const {
    bool ok0 = false, ok1 = false;
    const double t0 = m_t0->text().toDouble(&ok0);
    const double t1 = m_t1->text().toDouble(&ok1);
    if (!ok0 || !ok1 || t0 == t1) {
        return std::nullopt;
    }
    return ode::TimeSpan{t0, t1};
}

void MainWindow::showSpanAndView(const project::Project& p) {
    const QSignalBlocker b1(m_t0), b2(m_t1), b3(m_points);
    m_t0->setText(p.solver.span ? QString::number(p.solver.span->t0, 'g', 12) : QString());
    m_t1->setText(p.solver.span ? QString::number(p.solver.span->t1, 'g', 12) : QString());
    m_points->setValue(p.view.points);
    m_logTime->setChecked(p.view.logTime); // the toggles redraw their plots
    m_logY->setChecked(p.view.logValues);
}

bool MainWindow::saveProject(const QString& requested, QString* error) {
    QString path = requested;
    if (QFileInfo(path).suffix().isEmpty()) {
        path += ".dynfit";
    }
    std::string why;
    if (!project::saveProjectFile(path.toStdString(), currentProject(), why)) {
        if (error != nullptr) {
            *error = QString::fromStdString(why);
        }
        return false;
    }
    m_path = path;
    setDirty(false);
    rememberRecent(path);
    statusBar()->showMessage(tr("Saved %1").arg(QFileInfo(path).fileName()), 4000);
    return true;
}

void MainWindow::changeProject(const QString& what,
                               const std::function<void(project::Project&)>& edit) {
    project::Project before = currentProject();
    project::Project after = before;
    edit(after);
    m_undo->push(new ProjectStateCommand(what, std::move(before), std::move(after),
                                         [this](const project::Project& p) { applyState(p); }));
}

// The project's data, fixed params and settings from `state` (its model text is left alone),
// into the widgets without recording them as edits.
void MainWindow::applyState(const project::Project& state) {
    m_applying = true;
    m_project.data = state.data;
    m_project.fit = state.fit;
    m_project.solver = state.solver;
    {
        const QSignalBlocker b1(m_method), b2(m_gradient), b3(m_optimizer), b4(m_reltol),
            b5(m_abstol), b6(m_learningRate), b7(m_iterations);
        m_method->setCurrentText(QString::fromStdString(state.solver.method));
        m_reltol->setText(QString::number(state.solver.reltol, 'g', 6));
        m_abstol->setText(QString::number(state.solver.abstol, 'g', 6));
        m_gradient->setCurrentText(QString::fromStdString(state.fit.gradient));
        m_optimizer->setCurrentIndex(
            std::max(0, m_optimizer->findData(QString::fromStdString(state.fit.optimizer))));
        m_learningRate->setText(QString::number(state.fit.learningRate, 'g', 6));
        m_iterations->setValue(state.fit.iterations);
    }
    showNoiseSettings(state);
    m_project.view = state.view;
    showSpanAndView(state);
    m_parameters->setFixed(state.fit.fixed);
    matchData();
    compileExpressions();
    refreshPlotControls();
    m_settingsBefore = currentProject();
    m_applying = false;
    setDirty(true);
    simulate();
}

// A settings widget changed: one undoable step from the settings before it to now.
void MainWindow::settingsEdited() {
    if (m_applying) {
        return;
    }
    project::Project after = currentProject();
    project::Project before = m_settingsBefore;
    before.data = after.data;
    before.fit.fixed = after.fit.fixed;
    if (before.solver == after.solver && before.fit == after.fit && before.view == after.view) {
        return;
    }
    m_undo->push(new ProjectStateCommand(tr("change the settings"), std::move(before),
                                         std::move(after),
                                         [this](const project::Project& p) { applyState(p); }));
}

bool MainWindow::importData(const QString& path) {
    const auto model = m_editor->model();
    QStringList states;
    if (model) {
        for (const auto& s : model->states) {
            states << QString::fromStdString(s);
        }
    }
    CsvImportDialog dialog(states, this);
    QString error;
    if (!dialog.loadFile(path, &error)) {
        QMessageBox::warning(this, tr("Cannot import"), error);
        return false;
    }
    if (dialog.exec() != QDialog::Accepted) {
        return false;
    }
    addDataSet(dialog.model()->entry(dialog.dataSetName()));
    return true;
}

bool MainWindow::importDoses(const QString& path, const QString& dataSet, QString* error) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error != nullptr) {
            *error = tr("Cannot read %1").arg(path);
        }
        return false;
    }
    const std::string csv = file.readAll().toStdString();
    std::vector<io::DoseRow> rows;
    std::vector<io::DataError> errors;
    std::vector<ode::Bolus> doses;
    const auto model = m_editor->model();
    if (!io::readDoseTable(csv, rows, errors)
        || (model && !io::resolveDoses(rows, model->states, doses, errors))) {
        if (error != nullptr) {
            *error = QString::fromStdString(
                io::formatDataErrors(errors, QFileInfo(path).fileName().toStdString()));
        }
        return false;
    }
    const std::string name = dataSet.toStdString();
    changeProject(tr("import the doses of %1").arg(dataSet), [&](project::Project& p) {
        for (auto& d : p.data) {
            if (d.name == name) {
                d.dosesCsv = csv;
                d.dosesSourcePath = path.toStdString();
            }
        }
    });
    report(tr("Imported %1 doses into %2").arg(rows.size()).arg(dataSet));
    return true;
}

void MainWindow::addDataSet(const project::DataSetEntry& entry) {
    changeProject(tr("import %1").arg(QString::fromStdString(entry.name)),
                  [&entry](project::Project& p) {
                      p.data.push_back(entry);
                      p.view.shownDataSets = {entry.name}; // the plots show what came in
                  });
    report(tr("Imported %1 (%2 data sets)")
               .arg(QString::fromStdString(entry.name))
               .arg(m_project.data.size()));
}

void MainWindow::applyFitted() {
    const auto model = m_editor->model();
    if (m_fitted.empty()) {
        report(tr("Nothing to apply: no fit has finished since the project was opened"),
               MessageLevel::Warning);
        return;
    }
    if (!model || m_fitted.size() != model->params.size()) {
        report(model ? tr("Cannot apply: the model's params changed since the fit")
                     : tr("Cannot apply the fitted values: the model has errors; fix them first"),
               MessageLevel::Warning);
        return;
    }
    const auto fitted = m_fitted;
    m_fitted.clear();
    m_showFitted = false;
    rewriteValues(fitted);
    m_parameters->setFitted(fitted); // kept for reference: the Change column now reads 0 %
    updateButtons();
    report(tr("Applied the fitted values to the model text (Edit ▸ Undo brings back the old)"));
}

void MainWindow::discardFitted() {
    if (!m_showFitted) {
        return;
    }
    m_showFitted = false;
    updateButtons();
    simulate();
    report(tr("The curve shows the model's values again; the fitted ones stay in the table"));
}

void MainWindow::setParameterBounds(int param, std::optional<std::pair<double, double>> bounds) {
    const auto model = m_editor->model();
    if (!model || param < 0 || param >= model->paramCount()) {
        return;
    }
    rewriteText(model::withParameterBounds(m_editor->text().toStdString(), *model, param, bounds));
}

void MainWindow::setParameterValue(int param, double value) {
    const auto model = m_editor->model();
    if (!model || param < 0 || param >= model->paramCount()) {
        return;
    }
    auto values = model->defaultParams();
    values[static_cast<std::size_t>(param)] = value;
    m_showFitted = false; // the user moved on from the fit: draw what they set
    rewriteValues(values);
}

// The values go into the model text (the one place they live), through the text edit's own undo
// stack: Ctrl+Z brings the previous values back. The text recompiles and re-simulates at once.
void MainWindow::rewriteValues(const std::vector<double>& values) {
    const auto model = m_editor->model();
    rewriteText(model::withParameterValues(m_editor->text().toStdString(), *model, values));
}

void MainWindow::rewriteText(const std::string& text) {
    if (QString::fromStdString(text) == m_editor->text()) {
        return;
    }
    QTextCursor cursor(m_editor->textEdit()->document());
    cursor.beginEditBlock();
    cursor.select(QTextCursor::Document);
    cursor.insertText(QString::fromStdString(text));
    cursor.endEditBlock();
    m_editor->compileNow();
}

} // namespace dynfit::ui
