// SPDX-License-Identifier: MIT
// The time-series view: data as markers and the prediction as lines, one colour per series, in
// one plot or one per series (stacked or side by side), the legend above the plots.
#pragma once

#include "project/project.hpp"

#include <QRectF>
#include <QStringList>
#include <QWidget>
#include <functional>
#include <string>
#include <vector>

class QCustomPlot;
class QCPAxisRect;
class QCPAbstractItem;
class QCPGraph;

namespace dynfit::ui {

/// One thing to draw: a state or an expression, for one data set.
struct PlotSeries {
    QString name;                  ///< the state or expression ("x", "x + y")
    std::size_t colour = 0;        ///< index into the palette: the same state, the same colour
    int dataSet = 0;               ///< 0, 1, ...: marker shape and line style
    QString dataSetName;           ///< shown in the legend when several data sets are drawn
    std::vector<double> dataTimes; ///< markers (NaN values: not observed)
    std::vector<double> data;
    std::vector<double> times; ///< the prediction (empty: nothing to draw)
    std::vector<double> values;
    /// A model with noise: `values` is the ensemble's mean, drawn over a shaded band from
    /// `lower` to `upper` (on `times`; empty: none) and a few thin sample paths.
    std::vector<double> lower, upper;
    QString bandLabel; ///< e.g. "5–95 %"
    std::vector<std::vector<double>> paths;
};

/// A thin vertical line at an event's time, named on hover.
struct EventMarker {
    double t = 0.0;
    QString label; ///< e.g. "when (line 7) at t = 0.4515"
};

/// Knows nothing of solvers: it is handed series to draw.
class SolutionPlot : public QWidget {
    Q_OBJECT
  public:
    explicit SolutionPlot(QWidget* parent = nullptr);

    /// Replaces everything drawn. In the stacked and side-by-side layouts each distinct series
    /// name gets a plot of its own, with a shared time axis range.
    void show(const std::vector<PlotSeries>& series, project::PlotLayout layout);

    /// Without antialiasing (several times faster to paint): while a slider is dragged, so that
    /// each frame fits in 16 ms; off again on release.
    /// Replaces the event markers (drawn in every plot; at most kMaxMarkers, the first ones).
    void setEventMarkers(std::vector<EventMarker> markers);
    int eventMarkerCount() const { return static_cast<int>(m_markerItems.size()); }
    /// The label of the marker within a few pixels of `pos` (widget pixels), or empty.
    QString eventLabelAt(QPoint pos) const;
    static constexpr int kMaxMarkers = 400;

    void setFastDrawing(bool on);
    void setLogTime(bool on);
    void setLogValues(bool on);

    int curveCount() const;
    /// Shaded bands and sample paths drawn (models with noise).
    int bandCount() const;
    int samplePathCount() const;
    int pointCount(int curve) const;
    int plotCount() const; ///< axis rects: 1, or one per series in the other layouts
    /// The names the legend shows, in order.
    QStringList legendNames() const;
    /// Where the legend and the plots' data areas are, in widget pixels (tests: never overlap).
    QRectF legendRect() const;
    std::vector<QRectF> plotRects() const;
    QCustomPlot* plot() const { return m_plot; }

  private:
    static QStringList signatureOf(const std::vector<PlotSeries>& series,
                                   project::PlotLayout layout);
    void buildGraphs(const std::vector<PlotSeries>& series, project::PlotLayout layout);
    struct Ensemble { // a series' band and paths, when it has them
        QCPGraph* lower = nullptr;
        QCPGraph* upper = nullptr;
        std::vector<QCPGraph*> paths;
    };
    void buildEnsembleGraphs(const std::vector<PlotSeries>& series,
                             const std::function<QString(const PlotSeries&)>& suffix);
    void fillEnsemble(const PlotSeries& s, const Ensemble& e);
    QCPAxisRect* rectOf(const PlotSeries& s) const;
    void rebuildAxisRects(int count, project::PlotLayout layout);
    void applyScales();
    void clearMarkerItems();
    void drawMarkerItems();
    bool eventFilter(QObject* watched, QEvent* event) override;

    QCustomPlot* m_plot;
    std::vector<QCPAxisRect*> m_rects;
    std::vector<Ensemble> m_ensembles; ///< one per series, in order
    QStringList m_signature;           ///< of the graphs as built
    QStringList m_names;               ///< one plot per name unless m_single
    std::vector<EventMarker> m_markers;
    std::vector<QCPAbstractItem*> m_markerItems;
    bool m_single = true;
    bool m_logTime = false;
    bool m_logValues = false;
};

} // namespace dynfit::ui
