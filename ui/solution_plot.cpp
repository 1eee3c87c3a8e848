// SPDX-License-Identifier: MIT
// A QCustomPlot showing the states of a solution against time.
#include "solution_plot.hpp"

#include <QVBoxLayout>
#include <qcustomplot.h>

namespace dynfit::ui {

namespace {

// Colour-blind-safe palette (Okabe–Ito), one colour per state.
const QColor kPalette[] = {QColor(0, 114, 178),   QColor(213, 94, 0),  QColor(0, 158, 115),
                           QColor(204, 121, 167), QColor(230, 159, 0), QColor(86, 180, 233),
                           QColor(240, 228, 66),  QColor(0, 0, 0)};

} // namespace

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
        graph->setPen(QPen(kPalette[i % std::size(kPalette)], 2.0));
        graph->setData(times, QVector<double>(columns[i].begin(), columns[i].end()), true);
    }
    m_plot->rescaleAxes();
    m_plot->yAxis->scaleRange(1.08, m_plot->yAxis->range().center());
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

int SolutionPlot::curveCount() const {
    return m_plot->graphCount();
}

int SolutionPlot::pointCount(int curve) const {
    return m_plot->graph(curve)->dataCount();
}

} // namespace dynfit::ui
