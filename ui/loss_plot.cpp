// SPDX-License-Identifier: MIT
// The loss plot.
#include "loss_plot.hpp"

#include <QVBoxLayout>
#include <cmath>
#include <qcustomplot.h>

namespace dynfit::ui {

LossPlot::LossPlot(QWidget* parent) : QWidget(parent), m_plot(new QCustomPlot(this)) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->xAxis->setLabel(tr("iteration"));
    m_plot->yAxis->setLabel(tr("loss, |gradient|"));
    m_plot->yAxis->setScaleType(QCPAxis::stLogarithmic);
    m_plot->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    m_plot->yAxis->setNumberFormat("gb");
    m_plot->yAxis->setNumberPrecision(2);
    QCPGraph* loss = m_plot->addGraph();
    loss->setName(tr("loss"));
    loss->setPen(QPen(QColor(213, 94, 0), 2.0));
    QCPGraph* gradient = m_plot->addGraph();
    gradient->setName(tr("|gradient|"));
    gradient->setPen(QPen(QColor(0, 114, 178), 1.2, Qt::DashLine));
    m_plot->legend->setVisible(true);
    m_plot->legend->setBrush(QColor(255, 255, 255, 220));
    m_plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    m_plot->yAxis->setRange(1e-3, 1e3);
    m_plot->xAxis->setRange(0, 10);
    m_hint = new QCPItemText(m_plot);
    m_hint->position->setType(QCPItemPosition::ptAxisRectRatio);
    m_hint->position->setCoords(0.5, 0.5);
    m_hint->setText(tr("The loss and its gradient's norm appear here, iteration by iteration, "
                       "during a fit"));
    m_hint->setColor(QColor(120, 120, 120));
}

void LossPlot::clear() {
    m_plot->graph(0)->data()->clear();
    m_plot->graph(1)->data()->clear();
    m_hint->setVisible(true);
    m_plot->yAxis->setRange(1e-3, 1e3);
    m_plot->xAxis->setRange(0, 10);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void LossPlot::addPoint(int iteration, double loss, double gradientNorm) {
    addPoints({{iteration, loss, gradientNorm, 0.0}});
}

void LossPlot::addPoints(const std::vector<LossPoint>& points) {
    if (points.empty()) {
        return;
    }
    m_hint->setVisible(false);
    for (const LossPoint& p : points) {
        if (p.loss > 0.0 && std::isfinite(p.loss)) {
            m_plot->graph(0)->addData(p.iteration, p.loss);
        }
        if (p.gradientNorm > 0.0 && std::isfinite(p.gradientNorm)) {
            m_plot->graph(1)->addData(p.iteration, p.gradientNorm);
        }
    }
    m_plot->rescaleAxes();
    // One iteration alone would make a zero-width axis: show it in the middle of a range.
    const QCPRange x = m_plot->xAxis->range();
    if (x.size() < 1.0) {
        m_plot->xAxis->setRange(x.center() - 1.0, x.center() + 1.0);
    }
    m_plot->yAxis->scaleRange(1.2, m_plot->yAxis->range().center());
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

int LossPlot::lastIteration() const {
    const auto data = m_plot->graph(0)->data();
    return data->isEmpty() ? 0 : static_cast<int>((data->constEnd() - 1)->key);
}

int LossPlot::pointCount() const {
    return m_plot->graph(0)->dataCount();
}

} // namespace dynfit::ui
