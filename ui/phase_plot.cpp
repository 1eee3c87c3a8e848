// SPDX-License-Identifier: MIT
// The phase-plane plot.
#include "phase_plot.hpp"

#include <QVBoxLayout>
#include <cmath>
#include <qcustomplot.h>

namespace dynfit::ui {

PhasePlot::PhasePlot(QWidget* parent) : QWidget(parent), m_plot(new QCustomPlot(this)) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
}

void PhasePlot::show(const std::vector<std::string>& names,
                     const std::vector<std::vector<double>>& data,
                     const std::vector<std::vector<double>>& prediction) {
    m_plot->clearPlottables();
    if (prediction.size() < 2) {
        m_plot->xAxis->setLabel(tr("(a phase plane needs two states)"));
        m_plot->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    m_plot->xAxis->setLabel(QString::fromStdString(names[0]));
    m_plot->yAxis->setLabel(QString::fromStdString(names[1]));
    auto* trajectory = new QCPCurve(m_plot->xAxis, m_plot->yAxis);
    trajectory->setPen(QPen(QColor(0, 114, 178), 2.0));
    const std::size_t n = std::min(prediction[0].size(), prediction[1].size());
    const auto size = static_cast<qsizetype>(n);
    QVector<double> index(size), x(size), y(size);
    for (std::size_t k = 0; k < n; ++k) {
        index[qsizetype(k)] = double(k);
        x[qsizetype(k)] = prediction[0][k];
        y[qsizetype(k)] = prediction[1][k];
    }
    trajectory->setData(index, x, y, true);
    if (data.size() >= 2) {
        QCPGraph* points = m_plot->addGraph();
        points->setLineStyle(QCPGraph::lsNone);
        points->setScatterStyle(
            QCPScatterStyle(QCPScatterStyle::ssCircle, QColor(213, 94, 0), Qt::white, 6));
        for (std::size_t k = 0; k < std::min(data[0].size(), data[1].size()); ++k) {
            if (std::isfinite(data[0][k]) && std::isfinite(data[1][k])) {
                points->addData(data[0][k], data[1][k]);
            }
        }
    }
    m_plot->rescaleAxes();
    // A margin on both axes: markers at the extremes are drawn whole, not cut by the frame.
    m_plot->xAxis->scaleRange(1.1, m_plot->xAxis->range().center());
    m_plot->yAxis->scaleRange(1.1, m_plot->yAxis->range().center());
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

int PhasePlot::trajectoryPoints() const {
    auto* curve =
        m_plot->plottableCount() > 0 ? qobject_cast<QCPCurve*>(m_plot->plottable(0)) : nullptr;
    return curve != nullptr ? curve->dataCount() : 0;
}

} // namespace dynfit::ui
