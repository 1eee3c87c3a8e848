// SPDX-License-Identifier: MIT
// The main window's exports: parameters, prediction, plot, training animation.
#include "core/number_text.hpp"
#include "fit/fit_problem.hpp"
#include "fit/simulation.hpp"
#include "gif_writer.hpp"
#include "io/csv_data.hpp"
#include "loss_plot.hpp"
#include "main_window.hpp"
#include "model_editor.hpp"
#include "phase_plot.hpp"
#include "plot_export.hpp"
#include "project/project_fit.hpp"
#include "residual_chart.hpp"
#include "solution_plot.hpp"

#include <QFileInfo>
#include <QSaveFile>
#include <QTabWidget>
#include <nlohmann/json.hpp>

namespace dynfit::ui {

bool MainWindow::exportParameters(const QString& path, QString* error) const {
    const auto model = m_editor->model();
    if (!model) {
        if (error != nullptr) {
            *error = tr("the model has errors");
        }
        return false;
    }
    const bool json = QFileInfo(path).suffix().toLower() == "json";
    std::string text;
    if (json) {
        nlohmann::ordered_json j = nlohmann::ordered_json::object();
        for (std::size_t k = 0; k < model->params.size(); ++k) {
            nlohmann::ordered_json entry = {{"value", model->params[k].value}};
            if (k < m_fitted.size()) {
                entry["fitted"] = m_fitted[k];
            }
            j[model->params[k].name] = entry;
        }
        text = j.dump(2) + "\n";
    } else {
        text = "name,value,fitted\n";
        for (std::size_t k = 0; k < model->params.size(); ++k) {
            text += model->params[k].name + "," + shortestText(model->params[k].value) + ",";
            if (k < m_fitted.size()) {
                text += shortestText(m_fitted[k]);
            }
            text += "\n";
        }
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(text.data(), qint64(text.size())) < 0
        || !file.commit()) {
        if (error != nullptr) {
            *error = tr("cannot write %1").arg(path);
        }
        return false;
    }
    return true;
}

bool MainWindow::exportPrediction(const QString& path, bool atDataTimes, QString* error) const {
    const auto fail = [error](const QString& why) {
        if (error != nullptr) {
            *error = why;
        }
        return false;
    };
    const auto model = m_editor->model();
    if (!model) {
        return fail(tr("the model has errors"));
    }
    const project::Project p = currentProject();
    fit::FitOptions options;
    const auto& experiments = m_experiments;
    std::string why;
    if (!project::fitOptionsOf(p, options, why) || !m_dataError.empty()) {
        return fail(QString::fromStdString(why.empty() ? m_dataError : why));
    }
    const auto params = drawnParams(); // what the plot shows: fitted values while they are drawn
    std::string text;
    if (atDataTimes) {
        fit::FitProblem problem;
        const fit::SolverSetup setup{options.solver, options.solve, options.gradient, options.span,
                                     options.precision};
        if (experiments.empty()
            || !fit::FitProblem::build(*model, experiments, {}, setup, params, problem, why)) {
            return fail(why.empty() ? tr("the project has no data") : QString::fromStdString(why));
        }
        text = "data_set,t";
        for (const auto& s : model->states) {
            text += "," + s;
        }
        text += "\n";
        const auto predictions = problem.predictions(params);
        for (std::size_t e = 0; e < experiments.size(); ++e) {
            const auto& times = experiments[e].loss.saveTimes();
            for (std::size_t k = 0; k < predictions[e].size() && k < times.size(); ++k) {
                text += experiments[e].name;
                text += ',';
                text += shortestText(times[k]);
                for (const double v : predictions[e][k]) {
                    text += ','; // (not "," + ...: g++ 12 warns falsely on that, -Wrestrict)
                    text += shortestText(v);
                }
                text += "\n";
            }
        }
    } else {
        fit::SimulationRequest request;
        request.params = params;
        request.span = p.solver.span;
        request.solver = options.solver;
        request.options = options.solve;
        request.points = 1000;
        if (!experiments.empty()) {
            request.initialValues = experiments.front().initialValues;
            request.doses = experiments.front().doses;
        }
        const auto sim = fit::simulate(*model, request);
        if (!sim.ok()) {
            return fail(QString::fromStdString(sim.message));
        }
        io::DataSet grid;
        grid.columns = model->states;
        grid.times = sim.t;
        grid.values = sim.columns;
        text = io::writeCsv(grid);
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(text.data(), qint64(text.size())) < 0
        || !file.commit()) {
        return fail(tr("cannot write %1").arg(path));
    }
    return true;
}

bool MainWindow::exportPlot(const QString& path, PlotView view) const {
    constexpr int width = 900, height = 560;
    switch (view) {
    case PlotView::TimeSeries:
        return savePlot(m_plot->plot(), path, width, height);
    case PlotView::PhasePlane:
        return savePlot(m_phase->plot(), path, width, height);
    case PlotView::Residuals:
        return saveChart(m_residuals->view(), path, width, height);
    case PlotView::Loss:
        return savePlot(m_loss->plot(), path, width, height);
    }
    return false;
}

void MainWindow::showView(PlotView view) {
    if (view == PlotView::PhasePlane) {
        m_views->setCurrentWidget(m_phase);
    } else if (view == PlotView::Residuals) {
        m_views->setCurrentWidget(m_residuals);
    } else {
        m_views->setCurrentWidget(m_plot);
    }
}

bool MainWindow::exportAnimation(const QString& path, QString* error) const {
    return writeAnimatedGif(path, m_frames, 6, error);
}

} // namespace dynfit::ui
