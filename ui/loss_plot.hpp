// SPDX-License-Identifier: MIT
// The loss and the gradient norm against the iteration, on a log scale, growing live.
#pragma once

#include "loss_point.hpp"

#include <QWidget>
#include <vector>

class QCustomPlot;
class QCPItemText;

namespace dynfit::ui {

class LossPlot : public QWidget {
    Q_OBJECT
  public:
    explicit LossPlot(QWidget* parent = nullptr);

    void clear();
    void addPoint(int iteration, double loss, double gradientNorm);
    /// Several iterations at once, drawn with one replot.
    void addPoints(const std::vector<LossPoint>& points);
    int pointCount() const;
    int lastIteration() const; ///< the highest iteration drawn (0: none)
    QCustomPlot* plot() const { return m_plot; }

  private:
    QCustomPlot* m_plot;
    QCPItemText* m_hint; ///< what the empty plot will show
};

} // namespace dynfit::ui
