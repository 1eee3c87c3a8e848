// SPDX-License-Identifier: MIT
// The loss and the gradient norm against the iteration, on a log scale, growing live.
#pragma once

#include <QWidget>

class QCustomPlot;

namespace dynfit::ui {

class LossPlot : public QWidget {
    Q_OBJECT
  public:
    explicit LossPlot(QWidget* parent = nullptr);

    void clear();
    void addPoint(int iteration, double loss, double gradientNorm);
    int pointCount() const;
    QCustomPlot* plot() const { return m_plot; }

  private:
    QCustomPlot* m_plot;
};

} // namespace dynfit::ui
