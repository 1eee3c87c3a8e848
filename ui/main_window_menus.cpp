// SPDX-License-Identifier: MIT
// The main window's menus and recent files.
#include "main_window.hpp"
#include "model_editor.hpp"
#include "project/project.hpp"
#include "residual_chart.hpp"
#include "solution_plot.hpp"

#include <QAction>
#include <QCoreApplication>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
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

} // namespace

void MainWindow::buildMenus() {
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
            QMessageBox::warning(this, tr("Cannot open"), error);
        }
    });
    m_recentMenu = file->addMenu(tr("Open &recent"));
    fillRecentMenu();
    QMenu* examples = file->addMenu(tr("&Examples"));
    const QStringList bundled = {"lotka_volterra", "spiral_neural_ode", "lotka_volterra_ude",
                                 "rober"};
    for (const QString& name : bundled) {
        const QString path = QDir(projectsDirectory()).filePath(name + ".dynfit");
        examples->addAction(name, this, [this, path] {
            QString error;
            if (confirmDiscard() && !openProject(path, &error)) {
                QMessageBox::warning(this, tr("Cannot open"), error);
            }
        });
    }
    file->addAction(tr("&Save"), QKeySequence::Save, this, [this] {
        QString path = m_path;
        if (path.isEmpty() || !project::isProjectPath(path.toStdString())) {
            path = QFileDialog::getSaveFileName(this, tr("Save project"), QString(),
                                                tr("DynFit projects (*.dynfit)"));
        }
        QString error;
        if (!path.isEmpty() && !saveProject(path, &error)) {
            QMessageBox::warning(this, tr("Cannot save"), error);
        }
    });
    file->addAction(tr("Save &As…"), QKeySequence::SaveAs, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Save project"), QString(),
                                                          tr("DynFit projects (*.dynfit)"));
        QString error;
        if (!path.isEmpty() && !saveProject(path, &error)) {
            QMessageBox::warning(this, tr("Cannot save"), error);
        }
    });
    file->addSeparator();
    file->addAction(tr("Export &parameters…"), this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export parameters"), QString(),
                                                          tr("CSV (*.csv);;JSON (*.json)"));
        QString error;
        if (!path.isEmpty() && !exportParameters(path, &error)) {
            QMessageBox::warning(this, tr("Cannot export"), error);
        }
    });
    QMenu* plots = file->addMenu(tr("Export p&lot"));
    const std::pair<QString, PlotView> views[] = {{tr("&Time series…"), PlotView::TimeSeries},
                                                  {tr("&Phase plane…"), PlotView::PhasePlane},
                                                  {tr("&Residuals…"), PlotView::Residuals},
                                                  {tr("&Loss and gradient norm…"), PlotView::Loss}};
    for (const auto& [label, view] : views) {
        plots->addAction(label, this, [this, view = view] {
            const QString path = QFileDialog::getSaveFileName(
                this, tr("Export plot"), QString(), tr("PNG (*.png);;SVG (*.svg);;PDF (*.pdf)"));
            if (!path.isEmpty() && !exportPlot(path, view)) {
                QMessageBox::warning(this, tr("Cannot export"), tr("Cannot write %1").arg(path));
            }
        });
    }
    for (const bool atData : {false, true}) {
        file->addAction(atData ? tr("Export prediction at the &data times…")
                               : tr("Export prediction on a &fine grid…"),
                        this, [this, atData] {
                            const QString path = QFileDialog::getSaveFileName(
                                this, tr("Export prediction"), QString(), tr("CSV (*.csv)"));
                            QString error;
                            if (!path.isEmpty() && !exportPrediction(path, atData, &error)) {
                                QMessageBox::warning(this, tr("Cannot export"), error);
                            }
                        });
    }
    file->addAction(tr("Export training &animation…"), this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export training animation"),
                                                          QString(), tr("GIF (*.gif)"));
        QString error;
        if (!path.isEmpty() && !exportAnimation(path, &error)) {
            QMessageBox::warning(this, tr("Cannot export"), error);
        }
    });
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    QAction* undo = m_undo->createUndoAction(this, tr("&Undo"));
    undo->setShortcut(QKeySequence::Undo);
    QAction* redo = m_undo->createRedoAction(this, tr("&Redo"));
    redo->setShortcut(QKeySequence::Redo);
    edit->addAction(undo);
    edit->addAction(redo);
    QMenu* data = menuBar()->addMenu(tr("&Data"));
    data->addAction(tr("&Import CSV…"), this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Import data"), QString(),
                                                          tr("CSV (*.csv *.txt *.tsv);;All (*)"));
        if (!path.isEmpty()) {
            importData(path);
        }
    });
    data->addAction(tr("&Remove all data sets"), this, [this] {
        changeProject(tr("remove the data sets"), [](project::Project& p) { p.data.clear(); });
    });
    QMenu* view = menuBar()->addMenu(tr("&View"));
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
