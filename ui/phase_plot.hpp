// SPDX-License-Identifier: MIT
// The phase plane: one state against another along the prediction, with the data points.
#pragma once

#include <QWidget>
#include <string>
#include <vector>

class QCustomPlot;

namespace dynfit::ui {

class PhasePlot : public QWidget {
    Q_OBJECT
  public:
    explicit PhasePlot(QWidget* parent = nullptr);

    /// The first two states: the trajectory as a curve, the data (both observed) as markers.
    void show(const std::vector<std::string>& names,
              const std::vector<std::vector<double>>& data,
              const std::vector<std::vector<double>>& prediction);
    int trajectoryPoints() const;
    QCustomPlot* plot() const { return m_plot; }

  private:
    QCustomPlot* m_plot;
};

} // namespace dynfit::ui
