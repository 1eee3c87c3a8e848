// SPDX-License-Identifier: MIT
// The main window's menus and recent files.
#include "code_edit.hpp"
#include "file_dialogs.hpp"
#include "help_dialog.hpp"
#include "main_window.hpp"
#include "model_editor.hpp"
#include "project/project.hpp"
#include "residual_chart.hpp"
#include "solution_plot.hpp"

#include <QAction>
#include <QCoreApplication>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QStatusBar>
#include <QUndoStack>

namespace dynfit::ui {

namespace {

QString projectsDirectory() {
#ifdef DYNFIT_PROJECTS_DIR
    return QStringLiteral(DYNFIT_PROJECTS_DIR);
#else
    return QDir(QCoreApplication::applicationDirPath()).filePath("../share/dynfit/projects");
#endif
}

const QString kProjectFilter = QObject::tr("DynFit projects (*.dynfit)");

} // namespace

void MainWindow::buildMenus() {
    buildFileMenu();
    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    QAction* undo = m_undo->createUndoAction(this, tr("&Undo"));
    undo->setShortcut(QKeySequence::Undo);
    QAction* redo = m_undo->createRedoAction(this, tr("&Redo"));
    redo->setShortcut(QKeySequence::Redo);
    edit->addAction(undo);
    edit->addAction(redo);
    QMenu* data = menuBar()->addMenu(tr("&Data"));
    data->addAction(tr("&Import CSV…"), QKeySequence(tr("Ctrl+I")), this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Import data"), QString(),
                                                          tr("CSV (*.csv *.txt *.tsv);;All (*)"));
        if (!path.isEmpty()) {
            importData(path);
        }
    });
    data->addAction(tr("Import &dose table…"), this, [this] {
        if (m_project.data.empty()) {
            report(tr("Import the observations first: a dose table belongs to a data set"),
                   MessageLevel::Warning);
            return;
        }
        QStringList names;
        for (const auto& d : m_project.data) {
            names << QString::fromStdString(d.name);
        }
        bool chosen = true;
        const QString name = names.size() == 1 ? names.front()
                                               : QInputDialog::getItem(this, tr("Dose table"),
                                                                       tr("The doses of data set:"),
                                                                       names, 0, false, &chosen);
        const QString path =
            chosen ? QFileDialog::getOpenFileName(this, tr("Import dose table (t, state, amount)"),
                                                  QString(), tr("CSV (*.csv *.txt *.tsv);;All (*)"))
                   : QString();
        QString error;
        if (!path.isEmpty() && !importDoses(path, name, &error)) {
            QMessageBox::warning(this, tr("Cannot import the dose table"), error);
        }
    });
    data->addAction(tr("&Remove all data sets"), this, [this] {
        changeProject(tr("remove the data sets"), [](project::Project& p) { p.data.clear(); });
    });
    buildRunMenu();
    buildViewMenu();
    buildHelpMenu();
}

// Save (askForPath false: the current path when it is a project) or Save As.
bool MainWindow::saveInteractively(bool askForPath) {
    QString path = m_path;
    if (askForPath || path.isEmpty() || !project::isProjectPath(path.toStdString())) {
        const QString start =
            m_path.isEmpty()
                ? QString()
                : QFileInfo(m_path).dir().filePath(QFileInfo(m_path).completeBaseName());
        path = askSavePath(this, tr("Save project"), {kProjectFilter}, start);
    }
    if (path.isEmpty()) {
        return false;
    }
    QString error;
    if (!saveProject(path, &error)) {
        report(tr("Cannot save: %1").arg(error), MessageLevel::Error);
        QMessageBox::warning(this, tr("Cannot save"), error);
        return false;
    }
    return true;
}

// Exports go next to the project by default (the bundled examples' folder is not the user's).
QString MainWindow::exportDirectory() const {
    const QString bundled = QFileInfo(projectsDirectory()).absoluteFilePath();
    const QString folder = m_path.isEmpty() ? QString() : QFileInfo(m_path).absolutePath();
    return folder.isEmpty() || folder == bundled ? QDir::homePath() : folder;
}

void MainWindow::buildFileMenu() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&New"), QKeySequence::New, this, [this] {
        if (confirmDiscard()) {
            m_path.clear();
            showProject(project::Project{kNewModelText, {}, {}, {}, {}});
        }
    });
    file->addAction(tr("&Open…"), QKeySequence::Open, this, [this] {
        if (!confirmDiscard()) {
            return;
        }
        const QString path =
            QFileDialog::getOpenFileName(this, tr("Open project"), projectsDirectory(),
                                         tr("DynFit projects (*.dynfit);;Model texts (*.dyn)"));
        QString error;
        if (!path.isEmpty() && !openProject(path, &error)) {
            report(tr("Cannot open %1: %2").arg(path, error), MessageLevel::Error);
            QMessageBox::warning(this, tr("Cannot open"), error);
        }
    });
    m_recentMenu = file->addMenu(tr("Open &recent"));
    fillRecentMenu();
    QMenu* examples = file->addMenu(tr("&Examples"));
    const QStringList bundled = {
        "lotka_volterra", "spiral_neural_ode", "lotka_volterra_ude",    "rober",
        "bouncing_ball",  "oral_dosing",       "delayed_lotka_volterra"};
    for (const QString& name : bundled) {
        const QString path = QDir(projectsDirectory()).filePath(name + ".dynfit");
        examples->addAction(name, this, [this, path] {
            QString error;
            if (confirmDiscard() && !openProject(path, &error)) {
                QMessageBox::warning(this, tr("Cannot open"), error);
            }
        });
    }
    file->addAction(tr("&Save"), QKeySequence::Save, this, [this] { saveInteractively(false); });
    // QKeySequence::SaveAs is empty on some platforms: spell it out.
    file->addAction(tr("Save &As…"), QKeySequence(tr("Ctrl+Shift+S")), this,
                    [this] { saveInteractively(true); });
    file->addSeparator();
    file->addAction(tr("Export &parameters…"), this, [this] {
        const QString path =
            askSavePath(this, tr("Export parameters"), {tr("CSV (*.csv)"), tr("JSON (*.json)")},
                        exportDirectory());
        QString error;
        if (!path.isEmpty() && !exportParameters(path, &error)) {
            report(tr("Cannot export: %1").arg(error), MessageLevel::Error);
        }
    });
    QMenu* plots = file->addMenu(tr("Export p&lot"));
    const std::pair<QString, PlotView> views[] = {{tr("&Time series…"), PlotView::TimeSeries},
                                                  {tr("&Phase plane…"), PlotView::PhasePlane},
                                                  {tr("&Residuals…"), PlotView::Residuals},
                                                  {tr("&Loss and gradient norm…"), PlotView::Loss}};
    for (const auto& [label, view] : views) {
        QAction* action = plots->addAction(label, this, [this, view = view] {
            const QString path = askSavePath(
                this, tr("Export plot"), {tr("PNG (*.png)"), tr("SVG (*.svg)"), tr("PDF (*.pdf)")},
                exportDirectory());
            if (!path.isEmpty() && !exportPlot(path, view)) {
                report(tr("Cannot write %1 (PNG, SVG or PDF)").arg(path), MessageLevel::Error);
            } else if (!path.isEmpty()) {
                report(tr("Exported %1").arg(path));
            }
        });
        action->setObjectName(QString("exportPlot%1").arg(int(view)));
    }
    for (const bool atData : {false, true}) {
        file->addAction(atData ? tr("Export prediction at the &data times…")
                               : tr("Export prediction on a &fine grid…"),
                        this, [this, atData] {
                            const QString path =
                                askSavePath(this, tr("Export prediction"), {tr("CSV (*.csv)")},
                                            exportDirectory());
                            QString error;
                            if (!path.isEmpty() && !exportPrediction(path, atData, &error)) {
                                report(tr("Cannot export: %1").arg(error), MessageLevel::Error);
                            }
                        });
    }
    QAction* animation = file->addAction(tr("Export training &animation…"), this, [this] {
        if (m_frames.empty()) { // say so before asking for a name
            report(tr("No training animation to export: run a fit first (Run ▸ Fit)"),
                   MessageLevel::Warning);
            return;
        }
        const QString path = askSavePath(this, tr("Export training animation"), {tr("GIF (*.gif)")},
                                         exportDirectory());
        QString error;
        if (!path.isEmpty() && !exportAnimation(path, &error)) {
            report(tr("Cannot export: %1").arg(error), MessageLevel::Error);
        }
    });
    animation->setObjectName("exportAnimation");
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
}

void MainWindow::buildRunMenu() {
    QMenu* run = menuBar()->addMenu(tr("&Run"));
    m_simulateAction =
        run->addAction(tr("&Simulate"), QKeySequence(Qt::Key_F5), this, &MainWindow::simulate);
    m_fitAction =
        run->addAction(tr("&Fit"), QKeySequence(tr("Ctrl+R")), this, &MainWindow::startFit);
    m_pauseAction = run->addAction(tr("&Pause / Resume"), QKeySequence(tr("Ctrl+P")), this,
                                   &MainWindow::togglePause);
    m_stopAction =
        run->addAction(tr("S&top"), QKeySequence(tr("Ctrl+.")), this, &MainWindow::stopFit);
    run->addSeparator();
    m_applyAction = run->addAction(tr("&Apply fitted values"), QKeySequence(tr("Ctrl+Shift+A")),
                                   this, &MainWindow::applyFitted);
    run->addAction(tr("&Discard fitted values"), this, &MainWindow::discardFitted);
    updateButtons();
}

void MainWindow::buildViewMenu() {
    m_viewMenu = menuBar()->addMenu(tr("&View"));
    QMenu* view = m_viewMenu;
    m_logTime = view->addAction(tr("&Logarithmic time"));
    m_logTime->setCheckable(true);
    connect(m_logTime, &QAction::toggled, this, [this](bool on) {
        m_plot->setLogTime(on);
        m_residuals->setLogTime(on);
        settingsEdited();
        simulate();
    });
    m_logY = view->addAction(tr("Logarithmic &values"));
    m_logY->setCheckable(true);
    connect(m_logY, &QAction::toggled, this, [this](bool on) {
        m_plot->setLogValues(on);
        settingsEdited();
        simulate();
    });
    QMenu* layout = view->addMenu(tr("Plot &layout"));
    const std::pair<QString, project::PlotLayout> layouts[] = {
        {tr("&One plot"), project::PlotLayout::Single},
        {tr("&Stacked"), project::PlotLayout::Stacked},
        {tr("Side &by side"), project::PlotLayout::SideBySide}};
    for (const auto& [label, l] : layouts) {
        layout->addAction(label, this, [this, l = l] { setPlotLayout(l); });
    }
    view->addSeparator();
    // Every panel, so that a closed one always comes back (the layout is remembered).
    for (QDockWidget* dock : docks()) {
        QAction* toggle = dock->toggleViewAction();
        toggle->setText(tr("%1 panel").arg(dock->windowTitle()));
        view->addAction(toggle);
    }
    view->addSeparator();
    view->addAction(tr("&Reset layout"), this, &MainWindow::resetLayout)
        ->setObjectName("resetLayout");
}

void MainWindow::resetLayout() {
    for (QDockWidget* dock : docks()) {
        dock->setFloating(false);
        dock->show();
    }
    restoreState(m_defaultLayout);
    report(tr("The panels are back where they start"));
}

void MainWindow::buildHelpMenu() {
    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&Model language"), QKeySequence(Qt::Key_F1), this,
                    &MainWindow::showLanguageHelp)
        ->setObjectName("languageHelp");
    help->addAction(tr("&Keyboard shortcuts"), this, [this] {
        QList<QAction*> actions;
        for (QMenu* menu : menuBar()->findChildren<QMenu*>()) {
            actions += menu->actions();
        }
        QMessageBox box(QMessageBox::NoIcon, tr("Keyboard shortcuts — DynFit"),
                        shortcutsHtml(actions), QMessageBox::Close, this);
        box.setTextFormat(Qt::RichText);
        box.exec();
    });
    help->addSeparator();
    help->addAction(tr("&About DynFit"), this, [this] {
        QMessageBox::about(
            this, tr("About DynFit"),
            tr("<h3>DynFit %1</h3><p>Fit dynamical models — mechanistic, neural or both mixed — "
               "to time-series data.</p><p>Solvers: explicit Runge–Kutta, Rosenbrock, ESDIRK and "
               "SUNDIALS CVODE; gradients by forward and reverse mode through the solver, "
               "continuous adjoints and finite differences; Adam, L-BFGS-B and "
               "Levenberg–Marquardt.</p><p>Built with Qt %2, QCustomPlot, Eigen, SUNDIALS, "
               "LBFGS++ and nlohmann-json. MIT licence.</p>")
                .arg(QCoreApplication::applicationVersion(), qVersion()));
    });
}

LanguageReference* MainWindow::languageReference() {
    if (m_reference == nullptr) {
        m_reference = new LanguageReference(this);
    }
    return m_reference;
}

void MainWindow::showLanguageHelp() {
    LanguageReference* reference = languageReference();
    reference->show();
    reference->raise();
    auto* edit = qobject_cast<CodeEdit*>(m_editor->textEdit());
    if (edit != nullptr && edit->hasFocus()) {
        bool call = false;
        const QString word = edit->helpWordAtCursor(&call);
        if (!reference->showWord(word, call) && !word.trimmed().isEmpty()) {
            statusBar()->showMessage(tr("'%1' is %2; the reference lists the language's own words")
                                         .arg(word, declaredAs(word)),
                                     6000);
        }
    } else {
        reference->showWord(QString());
    }
}

QString MainWindow::startupProject() {
    for (const QString& path : QSettings().value("recent").toStringList()) {
        if (QFileInfo::exists(path)) {
            return path;
        }
    }
    return QDir(projectsDirectory()).filePath("lotka_volterra.dynfit");
}

// "a state of this model", "a param of this model", ... or "not a word of the language".
QString MainWindow::declaredAs(const QString& word) const {
    const auto model = m_editor->model();
    const std::string name = word.toStdString();
    if (model) {
        if (model->stateIndex(name) >= 0) {
            return tr("a state of this model");
        }
        if (model->paramIndex(name) >= 0) {
            return tr("a param of this model");
        }
        for (const auto& [constant, value] : model->consts) {
            if (constant == name) {
                return tr("a const of this model");
            }
        }
        for (const auto& net : model->networks) {
            if (net.name == name) {
                return tr("a network of this model");
            }
        }
    }
    return tr("not a word of the language");
}

void MainWindow::rememberRecent(const QString& path) {
    QSettings settings;
    QStringList recent = settings.value("recent").toStringList();
    recent.removeAll(QFileInfo(path).absoluteFilePath());
    recent.prepend(QFileInfo(path).absoluteFilePath());
    settings.setValue("recent", recent.mid(0, 8));
    fillRecentMenu();
}

void MainWindow::fillRecentMenu() {
    if (m_recentMenu == nullptr) {
        return;
    }
    m_recentMenu->clear();
    for (const QString& path : QSettings().value("recent").toStringList()) {
        m_recentMenu->addAction(QFileInfo(path).fileName(), this, [this, path] {
            QString error;
            if (confirmDiscard() && !openProject(path, &error)) {
                QMessageBox::warning(this, tr("Cannot open"), error);
            }
        });
    }
    m_recentMenu->setEnabled(!m_recentMenu->isEmpty());
}

} // namespace dynfit::ui
