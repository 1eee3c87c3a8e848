// SPDX-License-Identifier: MIT
// The main window's plot area: what is drawn (series, data sets, expressions) and how (one plot,
// stacked, side by side), above the plot tabs.
#include "main_window.hpp"
#include "model/observables.hpp"
#include "model_editor.hpp"
#include "phase_plot.hpp"
#include "residual_chart.hpp"
#include "solution_plot.hpp"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QTabWidget>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>
#include <algorithm>

namespace dynfit::ui {

QWidget* MainWindow::buildPlotArea() {
    auto* area = new QWidget(this);
    m_seriesButton = new QToolButton(area);
    m_seriesButton->setObjectName("seriesButton");
    m_seriesButton->setText(tr("Series"));
    m_seriesButton->setToolTip(tr("Which states and expressions are drawn"));
    m_seriesButton->setPopupMode(QToolButton::InstantPopup);
    m_seriesButton->setMenu(new QMenu(m_seriesButton));
    m_dataSetsButton = new QToolButton(area);
    m_dataSetsButton->setObjectName("dataSetsButton");
    m_dataSetsButton->setText(tr("Data sets"));
    m_dataSetsButton->setToolTip(tr("Which data sets are drawn (a fit uses them all); the "
                                    "phase plane and residuals show the first"));
    m_dataSetsButton->setPopupMode(QToolButton::InstantPopup);
    m_dataSetsButton->setMenu(new QMenu(m_dataSetsButton));
    m_layout = new QComboBox(area);
    m_layout->setObjectName("plotLayout");
    m_layout->addItem(tr("One plot"), int(project::PlotLayout::Single));
    m_layout->addItem(tr("Stacked"), int(project::PlotLayout::Stacked));
    m_layout->addItem(tr("Side by side"), int(project::PlotLayout::SideBySide));
    connect(m_layout, &QComboBox::activated, this, [this](int index) {
        setPlotLayout(static_cast<project::PlotLayout>(m_layout->itemData(index).toInt()));
    });
    m_expressions = new QLineEdit(area);
    m_expressions->setObjectName("plotExpressions");
    m_expressions->setPlaceholderText(tr("Plot expressions: x + y; total (a let) …"));
    m_expressions->setToolTip(tr("Expressions of the states, params, lets and t, separated by "
                                 "';', drawn with the states"));
    m_expressions->setClearButtonEnabled(true);
    connect(m_expressions, &QLineEdit::editingFinished, this, [this] {
        QString text = m_expressions->text();
        setPlotExpressions(text.replace(';', '\n'));
    });
    m_curveSource = new QLabel(area);
    m_curveSource->setObjectName("curveSource");

    auto* controls = new QHBoxLayout;
    controls->setContentsMargins(4, 2, 4, 0);
    controls->addWidget(m_seriesButton);
    controls->addWidget(m_dataSetsButton);
    controls->addWidget(new QLabel(tr("Layout"), area));
    controls->addWidget(m_layout);
    controls->addWidget(m_expressions, 1);
    m_views = new QTabWidget(area);
    m_views->addTab(m_plot, tr("Time series"));
    m_views->addTab(m_phase, tr("Phase plane"));
    m_views->addTab(m_residuals, tr("Residuals"));
    auto* layout = new QVBoxLayout(area);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addLayout(controls);
    layout->addWidget(m_curveSource);
    layout->addWidget(m_views, 1);
    return area;
}

std::vector<std::size_t> MainWindow::shownDataSets() const {
    std::vector<std::size_t> shown;
    const auto& names = m_project.view.shownDataSets;
    for (std::size_t k = 0; k < m_experiments.size(); ++k) {
        if (std::find(names.begin(), names.end(), m_experiments[k].name) != names.end()) {
            shown.push_back(k);
        }
    }
    if (shown.empty() && !m_experiments.empty()) {
        shown.push_back(0);
    }
    return shown;
}

// One undoable, saved change of what is drawn.
void MainWindow::viewEdited(const std::function<void(project::ViewSettings&)>& edit) {
    edit(m_project.view);
    compileExpressions();
    refreshPlotControls();
    settingsEdited();
    simulate();
}

void MainWindow::setPlotLayout(project::PlotLayout layout) {
    viewEdited([layout](project::ViewSettings& v) { v.layout = layout; });
}

void MainWindow::setSeriesShown(const QString& name, bool shown) {
    const std::string key = name.toStdString();
    viewEdited([&key, shown](project::ViewSettings& v) {
        auto& hidden = v.hiddenSeries;
        hidden.erase(std::remove(hidden.begin(), hidden.end(), key), hidden.end());
        if (!shown) {
            hidden.push_back(key);
        }
    });
}

void MainWindow::setDataSetsShown(const QStringList& names) {
    std::vector<std::string> list;
    for (const QString& n : names) {
        list.push_back(n.toStdString());
    }
    viewEdited([&list](project::ViewSettings& v) { v.shownDataSets = list; });
}

bool MainWindow::setPlotExpressions(const QString& text) {
    const std::string expressions = text.trimmed().toStdString();
    if (expressions == m_project.view.expressions) {
        return m_observables != nullptr || expressions.empty();
    }
    viewEdited([&expressions](project::ViewSettings& v) { v.expressions = expressions; });
    return m_observables != nullptr || expressions.empty();
}

// The plot expressions compiled against the current model (none when it has errors).
void MainWindow::compileExpressions() {
    m_observables.reset();
    const std::string& text = m_project.view.expressions;
    if (text.empty() || !m_editor->model()) {
        m_expressions->setStyleSheet(QString());
        return;
    }
    model::Diagnostics diagnostics;
    m_observables = model::compileObservables(m_editor->text().toStdString(), text, diagnostics);
    if (!m_observables) {
        const auto& d = diagnostics.items.front();
        report(tr("Plot expression %1, column %2: %3")
                   .arg(d.where.line)
                   .arg(d.where.column)
                   .arg(QString::fromStdString(d.message)),
               MessageLevel::Warning);
    }
    m_expressions->setStyleSheet(m_observables ? QString() : "color: #b00020");
}

// The controls follow the project's view: the series and data-set menus, the layout, the
// expressions.
void MainWindow::refreshPlotControls() {
    const auto model = m_editor->model();
    QMenu* series = m_seriesButton->menu();
    series->clear();
    QStringList names;
    if (model) {
        for (const auto& s : model->states) {
            names << QString::fromStdString(s);
        }
    }
    if (m_observables) {
        for (const auto& e : m_observables->expressions) {
            names << QString::fromStdString(e);
        }
    }
    const auto& hidden = m_project.view.hiddenSeries;
    for (const QString& name : names) {
        QAction* a = series->addAction(name);
        a->setCheckable(true);
        a->setChecked(std::find(hidden.begin(), hidden.end(), name.toStdString()) == hidden.end());
        connect(a, &QAction::toggled, this, [this, name](bool on) {
            // Deferred: the menu is rebuilt by the change, this action with it.
            QTimer::singleShot(0, this, [this, name, on] { setSeriesShown(name, on); });
        });
    }
    QMenu* sets = m_dataSetsButton->menu();
    sets->clear();
    const auto shown = shownDataSets();
    for (std::size_t k = 0; k < m_experiments.size(); ++k) {
        QAction* a = sets->addAction(QString::fromStdString(m_experiments[k].name));
        a->setCheckable(true);
        a->setChecked(std::find(shown.begin(), shown.end(), k) != shown.end());
        connect(a, &QAction::toggled, this, [this] {
            QStringList chosen;
            for (QAction* action : m_dataSetsButton->menu()->actions()) {
                if (action->isChecked()) {
                    chosen << action->text();
                }
            }
            QTimer::singleShot(0, this, [this, chosen] { setDataSetsShown(chosen); });
        });
    }
    m_dataSetsButton->setEnabled(m_experiments.size() > 1);
    m_dataSetsButton->setText(
        m_experiments.empty()
            ? tr("No data")
            : tr("Data sets (%1 of %2)").arg(shown.size()).arg(m_experiments.size()));
    m_layout->setCurrentIndex(m_layout->findData(int(m_project.view.layout)));
    QString expressions = QString::fromStdString(m_project.view.expressions);
    m_expressions->setText(expressions.replace('\n', "; "));
}

} // namespace dynfit::ui
