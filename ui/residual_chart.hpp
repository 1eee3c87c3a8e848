// SPDX-License-Identifier: MIT
// The residual plot (Qt Charts): data − prediction against time, one colour per state, with
// each state's RMS in the legend. Structure left in the residuals (trends, waves) shows what a
// model misses, where the loss alone cannot.
#pragma once

#include "fit/residuals.hpp"

#include <QWidget>
#include <string>
#include <vector>

class QChart;
class QChartView;

namespace dynfit::ui {

class ResidualChart : public QWidget {
    Q_OBJECT
  public:
    explicit ResidualChart(QWidget* parent = nullptr);

    /// residuals[i] belongs to state names[i]; states without residuals are not drawn.
    void show(const std::vector<std::string>& names,
              const std::vector<fit::StateResiduals>& residuals);
    void clear();
    void setLogTime(bool on);

    /// Series drawn (one per observed state, the zero line not counted).
    int seriesCount() const;
    int pointCount(int series) const;
    QStringList legendNames() const;
    QChartView* view() const { return m_view; }

  private:
    void rebuildAxes();

    QChartView* m_view;
    QChart* m_chart;
    std::vector<std::string> m_names;
    std::vector<fit::StateResiduals> m_residuals;
    bool m_logTime = false;
};

} // namespace dynfit::ui
