// SPDX-License-Identifier: MIT
// The time-series view.
#include "solution_plot.hpp"

#include "palette.hpp"

#include <QHelpEvent>
#include <QToolTip>
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
    m_plot->installEventFilter(this); // tooltips naming the event markers
}

// `count` plots in a column (stacked) or a row (side by side), left (or top) edges aligned.
void SolutionPlot::rebuildAxisRects(int count, project::PlotLayout layout) {
    clearMarkerItems(); // they hang on the axes about to change
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
    drawMarkerItems();
}

// What the graphs are, apart from their data: when it is unchanged (a slider moved, a fit went
// on) the graphs and the legend are kept and only refilled.
QStringList SolutionPlot::signatureOf(const std::vector<PlotSeries>& series,
                                      project::PlotLayout layout) {
    QStringList signature{QString::number(int(layout))};
    for (const PlotSeries& s : series) {
        const bool observed =
            std::any_of(s.data.begin(), s.data.end(), [](double v) { return std::isfinite(v); });
        signature << QString("%1|%2|%3|%4|%5|%6|%7")
                         .arg(s.name, s.dataSetName)
                         .arg(s.dataSet)
                         .arg(s.colour)
                         .arg(observed ? 1 : 0)
                         .arg(s.lower.empty() ? 0 : 1)
                         .arg(s.paths.size());
    }
    return signature;
}

void SolutionPlot::buildGraphs(const std::vector<PlotSeries>& series, project::PlotLayout layout) {
    m_plot->clearGraphs();
    // One plot per distinct name in the multi-plot layouts, in order of first appearance.
    m_names.clear();
    int dataSets = 0;
    for (const PlotSeries& s : series) {
        if (!m_names.contains(s.name)) {
            m_names << s.name;
        }
        dataSets = std::max(dataSets, s.dataSet + 1);
    }
    m_single = layout == project::PlotLayout::Single || m_names.size() <= 1;
    rebuildAxisRects(m_single ? 1 : static_cast<int>(m_names.size()), layout);
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
        if (std::none_of(s.data.begin(), s.data.end(), [](double v) { return std::isfinite(v); })) {
            graph->removeFromLegend(); // an unobserved state has no markers to name
        }
    }
    for (const PlotSeries& s : series) {
        QCPAxisRect* rect = rectOf(s);
        QCPGraph* graph =
            m_plot->addGraph(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
        graph->setName(s.name + suffix(s));
        graph->setPen(QPen(stateColour(s.colour), 2.0, lineOf(s.dataSet)));
    }
    buildEnsembleGraphs(series, suffix);
    for (std::size_t k = 0; k < m_rects.size(); ++k) {
        m_rects[k]
            ->axis(QCPAxis::atLeft)
            ->setLabel(m_single ? (m_names.size() == 1 ? m_names[0] : "value")
                                : m_names[static_cast<qsizetype>(k)]);
    }
}

// Bands and sample paths go on a layer below the lines and markers, in the series' colour.
void SolutionPlot::buildEnsembleGraphs(const std::vector<PlotSeries>& series,
                                       const std::function<QString(const PlotSeries&)>& suffix) {
    m_ensembles.assign(series.size(), {});
    if (m_plot->layer("ensemble") == nullptr) {
        m_plot->addLayer("ensemble", m_plot->layer("main"), QCustomPlot::limBelow);
    }
    for (std::size_t k = 0; k < series.size(); ++k) {
        const PlotSeries& s = series[k];
        QCPAxisRect* rect = rectOf(s);
        const auto add = [&] {
            QCPGraph* g =
                m_plot->addGraph(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
            g->setLayer("ensemble");
            return g;
        };
        QColor colour = stateColour(s.colour);
        if (!s.lower.empty()) {
            Ensemble& e = m_ensembles[k];
            e.lower = add();
            e.lower->setPen(Qt::NoPen);
            e.lower->removeFromLegend();
            e.upper = add();
            e.upper->setPen(Qt::NoPen);
            colour.setAlpha(55);
            e.upper->setBrush(colour);
            e.upper->setChannelFillGraph(e.lower);
            e.upper->setName(s.name + " " + s.bandLabel + suffix(s));
        }
        colour.setAlpha(110);
        for (std::size_t j = 0; j < s.paths.size(); ++j) {
            QCPGraph* g = add();
            g->setPen(QPen(colour, 1.0));
            g->removeFromLegend();
            m_ensembles[k].paths.push_back(g);
        }
    }
}

int SolutionPlot::bandCount() const {
    return static_cast<int>(std::count_if(m_ensembles.begin(), m_ensembles.end(),
                                          [](const Ensemble& e) { return e.upper != nullptr; }));
}

int SolutionPlot::samplePathCount() const {
    int n = 0;
    for (const Ensemble& e : m_ensembles) {
        n += static_cast<int>(e.paths.size());
    }
    return n;
}

QCPAxisRect* SolutionPlot::rectOf(const PlotSeries& s) const {
    return m_rects[m_single ? 0 : static_cast<std::size_t>(m_names.indexOf(s.name))];
}

void SolutionPlot::show(const std::vector<PlotSeries>& series, project::PlotLayout layout) {
    const QStringList signature = signatureOf(series, layout);
    if (signature != m_signature || m_ensembles.size() != series.size()) {
        buildGraphs(series, layout);
        m_signature = signature;
    }
    const int n = static_cast<int>(series.size());
    for (int k = 0; k < n; ++k) {
        const PlotSeries& s = series[static_cast<std::size_t>(k)];
        QVector<QCPGraphData> markers;
        for (std::size_t j = 0; j < s.dataTimes.size() && j < s.data.size(); ++j) {
            if (std::isfinite(s.data[j])) {
                markers.push_back({s.dataTimes[j], s.data[j]});
            }
        }
        m_plot->graph(k)->data()->set(markers, true);
        QVector<QCPGraphData> line(
            static_cast<qsizetype>(std::min(s.times.size(), s.values.size())));
        for (qsizetype j = 0; j < line.size(); ++j) {
            line[j] = {s.times[static_cast<std::size_t>(j)], s.values[static_cast<std::size_t>(j)]};
        }
        m_plot->graph(n + k)->data()->set(line, true);
        fillEnsemble(s, m_ensembles[static_cast<std::size_t>(k)]);
    }
    QCPRange time;
    bool haveTime = false;
    for (QCPAxisRect* rect : m_rects) {
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

void SolutionPlot::fillEnsemble(const PlotSeries& s, const Ensemble& e) {
    const auto curve = [&s](const std::vector<double>& values) {
        QVector<QCPGraphData> points;
        for (std::size_t j = 0; j < s.times.size() && j < values.size(); ++j) {
            if (std::isfinite(values[j])) {
                points.push_back({s.times[j], values[j]});
            }
        }
        return points;
    };
    if (e.upper != nullptr) {
        e.lower->data()->set(curve(s.lower), true);
        e.upper->data()->set(curve(s.upper), true);
    }
    for (std::size_t j = 0; j < e.paths.size() && j < s.paths.size(); ++j) {
        e.paths[j]->data()->set(curve(s.paths[j]), true);
    }
}

void SolutionPlot::setEventMarkers(std::vector<EventMarker> markers) {
    if (markers.size() > static_cast<std::size_t>(kMaxMarkers)) {
        markers.resize(static_cast<std::size_t>(kMaxMarkers));
    }
    m_markers = std::move(markers);
    clearMarkerItems();
    drawMarkerItems();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void SolutionPlot::clearMarkerItems() {
    for (QCPAbstractItem* item : m_markerItems) {
        m_plot->removeItem(item);
    }
    m_markerItems.clear();
}

void SolutionPlot::drawMarkerItems() {
    const QPen pen(QColor(120, 120, 120, 150), 1.0, Qt::DashLine);
    for (QCPAxisRect* rect : m_rects) {
        for (const EventMarker& marker : m_markers) {
            auto* line = new QCPItemStraightLine(m_plot);
            line->setClipAxisRect(rect);
            line->setPen(pen);
            line->setSelectable(false);
            for (QCPItemPosition* end : {line->point1, line->point2}) {
                end->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
                end->setAxisRect(rect);
                end->setTypeY(QCPItemPosition::ptAxisRectRatio);
            }
            line->point1->setCoords(marker.t, 0.0);
            line->point2->setCoords(marker.t, 1.0);
            m_markerItems.push_back(line);
        }
    }
}

QString SolutionPlot::eventLabelAt(QPoint pos) const {
    for (const QCPAxisRect* rect : m_rects) {
        if (!rect->rect().contains(pos)) {
            continue;
        }
        const QCPAxis* time = rect->axis(QCPAxis::atBottom);
        for (const EventMarker& marker : m_markers) {
            if (std::abs(time->coordToPixel(marker.t) - pos.x()) <= 4.0) {
                return marker.label;
            }
        }
    }
    return {};
}

bool SolutionPlot::eventFilter(QObject* watched, QEvent* event) {
    if (watched == m_plot && event->type() == QEvent::ToolTip) {
        const auto* help = static_cast<QHelpEvent*>(event);
        const QString label = eventLabelAt(help->pos());
        if (label.isEmpty()) {
            QToolTip::hideText();
        } else {
            QToolTip::showText(help->globalPos(), label, m_plot);
        }
        return true;
    }
    return QWidget::eventFilter(watched, event);
}

void SolutionPlot::applyScales() {
    for (QCPAxisRect* rect : m_rects) {
        setLogScale(rect->axis(QCPAxis::atBottom), m_logTime);
        setLogScale(rect->axis(QCPAxis::atLeft), m_logValues);
    }
}

void SolutionPlot::setFastDrawing(bool on) {
    m_plot->setNotAntialiasedElements(on ? QCP::aeAll : QCP::aeNone);
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
