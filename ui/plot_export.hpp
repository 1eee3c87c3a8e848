// SPDX-License-Identifier: MIT
// Writing a plot to a file as PNG, SVG or PDF (by the extension), for QCustomPlot plots and Qt
// Charts views alike, at a given size independent of the widget's.
#pragma once

#include <QString>

class QCustomPlot;
class QChartView;

namespace dynfit::ui {

/// False for an unknown extension or when the file cannot be written.
bool savePlot(QCustomPlot* plot, const QString& path, int width, int height);
bool saveChart(QChartView* view, const QString& path, int width, int height);

} // namespace dynfit::ui
