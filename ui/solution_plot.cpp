// SPDX-License-Identifier: MIT
// A QCustomPlot showing the states of a solution against time.
#include "solution_plot.hpp"

#include <QFileInfo>
#include <QSvgGenerator>
#include <QVBoxLayout>
#include <cmath>
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
        graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle,
                                               kPalette[i % std::size(kPalette)], Qt::white, 6));
        for (std::size_t k = 0; k < dataTimes.size() && k < data[i].size(); ++k) {
            if (std::isfinite(data[i][k])) {
                graph->addData(dataTimes[k], data[i][k]);
            }
        }
    }
    const QVector<double> times(predictionTimes.begin(), predictionTimes.end());
    for (std::size_t i = 0; i < prediction.size(); ++i) {
        QCPGraph* graph = m_plot->addGraph();
        graph->setName(nameOf(i));
        graph->setPen(QPen(kPalette[i % std::size(kPalette)], 2.0));
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

bool SolutionPlot::save(const QString& path, int width, int height) const {
    const QString ext = QFileInfo(path).suffix().toLower();
    if (ext == "png") {
        return m_plot->savePng(path, width, height);
    }
    if (ext == "pdf") {
        return m_plot->savePdf(path, width, height);
    }
    if (ext == "svg") {
        QSvgGenerator svg;
        svg.setFileName(path);
        svg.setSize(QSize(width, height));
        svg.setViewBox(QRect(0, 0, width, height));
        svg.setTitle("DynFit plot");
        QCPPainter painter;
        if (!painter.begin(&svg)) {
            return false;
        }
        m_plot->toPainter(&painter, width, height);
        return painter.end();
    }
    return false;
}

int SolutionPlot::curveCount() const {
    return m_plot->graphCount();
}

int SolutionPlot::pointCount(int curve) const {
    return m_plot->graph(curve)->dataCount();
}

} // namespace dynfit::ui
