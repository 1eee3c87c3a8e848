// SPDX-License-Identifier: MIT
// A QCustomPlot showing the states of a solution against time, one colour per state.
#pragma once

#include <QWidget>
#include <string>
#include <vector>

class QCustomPlot;

namespace dynfit::ui {

/// Time-series view of a solution. Knows nothing of solvers: it is handed columns to draw.
class SolutionPlot : public QWidget {
    Q_OBJECT
  public:
    explicit SolutionPlot(QWidget* parent = nullptr);

    /// Replaces the curves: one line per state, named in the legend.
    void showSolution(const std::vector<std::string>& names,
                      const std::vector<double>& t,
                      const std::vector<std::vector<double>>& columns);

    int curveCount() const;
    int pointCount(int curve) const;
    QCustomPlot* plot() const { return m_plot; }

  private:
    QCustomPlot* m_plot;
};

} // namespace dynfit::ui
