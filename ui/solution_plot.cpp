// SPDX-License-Identifier: MIT
// The time-series view.
#include "solution_plot.hpp"

#include "palette.hpp"

#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <iterator>
#include <qcustomplot.h>

namespace dynfit::ui {

namespace {

QCPScatterStyle::ScatterShape markerOf(int dataSet) {
    static const QCPScatterStyle::ScatterShape shapes[] = {
        QCPScatterStyle::ssCircle,           QCPScatterStyle::ssSquare,
        QCPScatterStyle::ssTriangle,         QCPScatterStyle::ssDiamond,
        QCPScatterStyle::ssTriangleInverted, QCPScatterStyle::ssCross};
    return shapes[static_cast<std::size_t>(dataSet) % std::size(shapes)];
}

Qt::PenStyle lineOf(int dataSet) {
    static const Qt::PenStyle styles[] = {Qt::SolidLine, Qt::DashLine, Qt::DotLine,
                                          Qt::DashDotLine};
    return styles[static_cast<std::size_t>(dataSet) % std::size(styles)];
}

void setLogScale(QCPAxis* axis, bool on) {
    axis->setScaleType(on ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    if (on) {
        axis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    } else {
        axis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    }
}

// Rescales the value axis to what is drawn, with a margin so that markers at the extremes show
// whole.
void rescaleWithMargin(QCPAxis* axis) {
    axis->rescale(true);
    if (axis->scaleType() == QCPAxis::stLogarithmic) {
        const QCPRange r = axis->range();
        if (r.lower > 0.0 && r.upper > r.lower) {
            const double f = std::pow(r.upper / r.lower, 0.05);
            axis->setRange(r.lower / f, r.upper * f);
        }
    } else {
        axis->scaleRange(1.1, axis->range().center());
    }
}

} // namespace

SolutionPlot::SolutionPlot(QWidget* parent) : QWidget(parent), m_plot(new QCustomPlot(this)) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    // The legend goes above the plots, in a row of its own, so it never covers a curve.
    QCPAxisRect* first = m_plot->axisRect();
    first->insetLayout()->take(m_plot->legend);
    m_plot->plotLayout()->take(first);
    m_plot->plotLayout()->simplify();
    m_plot->plotLayout()->addElement(0, 0, m_plot->legend);
    auto* grid = new QCPLayoutGrid;
    m_plot->plotLayout()->addElement(1, 0, grid);
    m_plot->plotLayout()->setRowStretchFactor(0, 0.001);
    m_plot->plotLayout()->setRowSpacing(0);
    grid->addElement(0, 0, first);
    m_plot->legend->setVisible(true);
    m_plot->legend->setBorderPen(Qt::NoPen);
    m_plot->legend->setBrush(Qt::NoBrush);
    m_plot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    m_plot->legend->setWrap(6);
    m_plot->legend->setMargins(QMargins(6, 4, 6, 0));
    m_rects = {first};
    first->axis(QCPAxis::atBottom)->setLabel("t");
}

// `count` plots in a column (stacked) or a row (side by side), left (or top) edges aligned.
void SolutionPlot::rebuildAxisRects(int count, project::PlotLayout layout) {
    auto* grid = static_cast<QCPLayoutGrid*>(m_plot->plotLayout()->element(1, 0));
    for (QCPAxisRect* rect : m_rects) {
        grid->take(rect);
    }
    grid->simplify();
    while (static_cast<int>(m_rects.size()) > count) {
        delete m_rects.back(); // its graphs are gone already (clearGraphs)
        m_rects.pop_back();
    }
    while (static_cast<int>(m_rects.size()) < count) {
        m_rects.push_back(new QCPAxisRect(m_plot));
    }
    auto* margins = new QCPMarginGroup(m_plot);
    for (int k = 0; k < count; ++k) {
        QCPAxisRect* rect = m_rects[static_cast<std::size_t>(k)];
        const bool stacked = layout == project::PlotLayout::Stacked;
        grid->addElement(stacked ? k : 0, stacked ? 0 : k, rect);
        rect->setMarginGroup(QCP::msAll, nullptr);
        rect->setMarginGroup(stacked ? (QCP::msLeft | QCP::msRight) : (QCP::msTop | QCP::msBottom),
                             margins);
        rect->axis(QCPAxis::atBottom)->setLabel(!stacked || k == count - 1 ? "t" : "");
    }
    applyScales();
}

void SolutionPlot::show(const std::vector<PlotSeries>& series, project::PlotLayout layout) {
    m_plot->clearGraphs();
    // One plot per distinct name in the multi-plot layouts, in order of first appearance.
    QStringList names;
    int dataSets = 0;
    for (const PlotSeries& s : series) {
        if (!names.contains(s.name)) {
            names << s.name;
        }
        dataSets = std::max(dataSets, s.dataSet + 1);
    }
    const bool single = layout == project::PlotLayout::Single || names.size() <= 1;
    rebuildAxisRects(single ? 1 : static_cast<int>(names.size()), layout);
    const auto rectOf = [&](const PlotSeries& s) {
        return m_rects[single ? 0 : static_cast<std::size_t>(names.indexOf(s.name))];
    };
    const auto suffix = [&](const PlotSeries& s) {
        return dataSets > 1 ? QString(" · %1").arg(s.dataSetName) : QString();
    };
    for (const PlotSeries& s : series) { // markers first: the lines are drawn over them
        QCPAxisRect* rect = rectOf(s);
        QCPGraph* graph =
            m_plot->addGraph(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
        graph->setName(s.name + tr(" (data)") + suffix(s));
        graph->setLineStyle(QCPGraph::lsNone);
        graph->setScatterStyle(
            QCPScatterStyle(markerOf(s.dataSet), stateColour(s.colour), Qt::white, 6));
        for (std::size_t k = 0; k < s.dataTimes.size() && k < s.data.size(); ++k) {
            if (std::isfinite(s.data[k])) {
                graph->addData(s.dataTimes[k], s.data[k]);
            }
        }
        if (graph->dataCount() == 0) {
            graph->removeFromLegend(); // an unobserved state has no markers to name
        }
    }
    for (const PlotSeries& s : series) {
        QCPAxisRect* rect = rectOf(s);
        QCPGraph* graph =
            m_plot->addGraph(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
        graph->setName(s.name + suffix(s));
        graph->setPen(QPen(stateColour(s.colour), 2.0, lineOf(s.dataSet)));
        graph->setData(QVector<double>(s.times.begin(), s.times.end()),
                       QVector<double>(s.values.begin(), s.values.end()), true);
    }
    QCPRange time;
    bool haveTime = false;
    for (std::size_t k = 0; k < m_rects.size(); ++k) {
        QCPAxisRect* rect = m_rects[k];
        rect->axis(QCPAxis::atLeft)
            ->setLabel(single ? (names.size() == 1 ? names[0] : "value")
                              : names[static_cast<qsizetype>(k)]);
        rect->axis(QCPAxis::atBottom)->rescale(true);
        const QCPRange r = rect->axis(QCPAxis::atBottom)->range();
        time =
            haveTime ? QCPRange(std::min(time.lower, r.lower), std::max(time.upper, r.upper)) : r;
        haveTime = true;
        rescaleWithMargin(rect->axis(QCPAxis::atLeft));
    }
    for (QCPAxisRect* rect : m_rects) { // one time range for all: the plots line up
        rect->axis(QCPAxis::atBottom)->setRange(time);
    }
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void SolutionPlot::applyScales() {
    for (QCPAxisRect* rect : m_rects) {
        setLogScale(rect->axis(QCPAxis::atBottom), m_logTime);
        setLogScale(rect->axis(QCPAxis::atLeft), m_logValues);
    }
}

void SolutionPlot::setLogTime(bool on) {
    m_logTime = on;
    applyScales();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void SolutionPlot::setLogValues(bool on) {
    m_logValues = on;
    applyScales();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

int SolutionPlot::curveCount() const {
    return m_plot->graphCount();
}

int SolutionPlot::plotCount() const {
    return static_cast<int>(m_rects.size());
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

QRectF SolutionPlot::legendRect() const {
    return m_plot->legend->outerRect();
}

std::vector<QRectF> SolutionPlot::plotRects() const {
    std::vector<QRectF> rects;
    for (const QCPAxisRect* rect : m_rects) {
        rects.push_back(rect->rect());
    }
    return rects;
}

int SolutionPlot::pointCount(int curve) const {
    return m_plot->graph(curve)->dataCount();
}

} // namespace dynfit::ui
