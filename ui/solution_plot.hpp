// SPDX-License-Identifier: MIT
// A QCustomPlot showing the states of a solution against time, one colour per state.
#pragma once

#include <QStringList>
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

    /// Data as markers (NaN: not observed) and the model's prediction as lines, one colour per
    /// state. `prediction` may be empty (nothing to draw yet, or the solve failed).
    void showFit(const std::vector<std::string>& names,
                 const std::vector<double>& dataTimes,
                 const std::vector<std::vector<double>>& data,
                 const std::vector<double>& predictionTimes,
                 const std::vector<std::vector<double>>& prediction);

    void setLogTime(bool on);
    void setLogValues(bool on);

    int curveCount() const;
    int pointCount(int curve) const;
    /// The names the legend shows, in order.
    QStringList legendNames() const;
    QCustomPlot* plot() const { return m_plot; }

  private:
    QCustomPlot* m_plot;
};

} // namespace dynfit::ui
