// SPDX-License-Identifier: MIT
// A QCustomPlot showing the states of a solution against time.
#include "solution_plot.hpp"

#include "palette.hpp"

#include <QVBoxLayout>
#include <cmath>
#include <qcustomplot.h>

namespace dynfit::ui {

SolutionPlot::SolutionPlot(QWidget* parent) : QWidget(parent), m_plot(new QCustomPlot(this)) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->xAxis->setLabel("t");
    m_plot->yAxis->setLabel("state");
    m_plot->legend->setVisible(true);
    m_plot->legend->setBrush(QColor(255, 255, 255, 220));
    m_plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
}

void SolutionPlot::showSolution(const std::vector<std::string>& names,
                                const std::vector<double>& t,
                                const std::vector<std::vector<double>>& columns) {
    m_plot->clearGraphs();
    const QVector<double> times(t.begin(), t.end());
    for (std::size_t i = 0; i < columns.size(); ++i) {
        QCPGraph* graph = m_plot->addGraph();
        graph->setName(i < names.size() ? QString::fromStdString(names[i])
                                        : QString("u%1").arg(i + 1));
        graph->setPen(QPen(stateColour(i), 2.0));
        graph->setData(times, QVector<double>(columns[i].begin(), columns[i].end()), true);
    }
    m_plot->rescaleAxes();
    m_plot->yAxis->scaleRange(1.08, m_plot->yAxis->range().center());
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void SolutionPlot::showFit(const std::vector<std::string>& names,
                           const std::vector<double>& dataTimes,
                           const std::vector<std::vector<double>>& data,
                           const std::vector<double>& predictionTimes,
                           const std::vector<std::vector<double>>& prediction) {
    m_plot->clearGraphs();
    const auto nameOf = [&](std::size_t i) {
        return i < names.size() ? QString::fromStdString(names[i]) : QString("u%1").arg(i + 1);
    };
    for (std::size_t i = 0; i < data.size(); ++i) {
        QCPGraph* graph = m_plot->addGraph();
        graph->setName(nameOf(i) + tr(" (data)"));
        graph->setLineStyle(QCPGraph::lsNone);
        graph->setScatterStyle(
            QCPScatterStyle(QCPScatterStyle::ssCircle, stateColour(i), Qt::white, 6));
        for (std::size_t k = 0; k < dataTimes.size() && k < data[i].size(); ++k) {
            if (std::isfinite(data[i][k])) {
                graph->addData(dataTimes[k], data[i][k]);
            }
        }
        if (graph->dataCount() == 0) {
            graph->removeFromLegend(); // an unobserved state has no markers to name
        }
    }
    const QVector<double> times(predictionTimes.begin(), predictionTimes.end());
    for (std::size_t i = 0; i < prediction.size(); ++i) {
        QCPGraph* graph = m_plot->addGraph();
        graph->setName(nameOf(i));
        graph->setPen(QPen(stateColour(i), 2.0));
        graph->setData(times, QVector<double>(prediction[i].begin(), prediction[i].end()), true);
    }
    m_plot->rescaleAxes();
    m_plot->yAxis->scaleRange(1.08, m_plot->yAxis->range().center());
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

namespace {

void setLogScale(QCPAxis* axis, bool on) {
    axis->setScaleType(on ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    if (on) {
        axis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    } else {
        axis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    }
}

} // namespace

void SolutionPlot::setLogTime(bool on) {
    setLogScale(m_plot->xAxis, on);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void SolutionPlot::setLogValues(bool on) {
    setLogScale(m_plot->yAxis, on);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

int SolutionPlot::curveCount() const {
    return m_plot->graphCount();
}

QStringList SolutionPlot::legendNames() const {
    QStringList names;
    for (int i = 0; i < m_plot->legend->itemCount(); ++i) {
        if (auto* item = qobject_cast<QCPPlottableLegendItem*>(m_plot->legend->item(i))) {
            names << item->plottable()->name();
        }
    }
    return names;
}

int SolutionPlot::pointCount(int curve) const {
    return m_plot->graph(curve)->dataCount();
}

} // namespace dynfit::ui
