// SPDX-License-Identifier: MIT
#include "residual_chart.hpp"

#include "palette.hpp"

#include <QChart>
#include <QChartView>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QScatterSeries>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>
#include <cmath>
#include <limits>

namespace dynfit::ui {

ResidualChart::ResidualChart(QWidget* parent)
    : QWidget(parent), m_view(new QChartView(this)), m_chart(new QChart) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_view);
    m_chart->setTitle(tr("Residuals: data − prediction"));
    m_chart->legend()->setAlignment(Qt::AlignTop);
    m_chart->setMargins(QMargins(4, 4, 4, 4));
    m_view->setChart(m_chart); // the view owns the chart
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->setRubberBand(QChartView::RectangleRubberBand);
}

void ResidualChart::clear() {
    show({}, {});
}

void ResidualChart::show(const std::vector<std::string>& names,
                         const std::vector<fit::StateResiduals>& residuals) {
    m_names = names;
    m_residuals = residuals;
    rebuildAxes();
}

void ResidualChart::setLogTime(bool on) {
    m_logTime = on;
    rebuildAxes();
}

// Rebuilt whole on every update: a few series of at most a few hundred points, at most about
// 30 times a second during a fit.
void ResidualChart::rebuildAxes() {
    m_chart->removeAllSeries();
    for (QAbstractAxis* axis : m_chart->axes()) {
        m_chart->removeAxis(axis);
        delete axis;
    }
    double tMin = std::numeric_limits<double>::infinity(), tMax = -tMin;
    double rMax = 0.0;
    std::vector<QScatterSeries*> drawn;
    for (std::size_t i = 0; i < m_residuals.size(); ++i) {
        const auto& r = m_residuals[i];
        if (r.values.empty()) {
            continue;
        }
        auto* series = new QScatterSeries;
        const QString name =
            i < m_names.size() ? QString::fromStdString(m_names[i]) : QString("u%1").arg(i + 1);
        series->setName(tr("%1 (RMS %2)").arg(name).arg(r.rms, 0, 'g', 3));
        series->setColor(stateColour(i));
        series->setBorderColor(stateColour(i));
        series->setMarkerSize(7.0);
        for (std::size_t k = 0; k < r.values.size(); ++k) {
            if ((m_logTime && r.times[k] <= 0.0) || !std::isfinite(r.values[k])) {
                continue; // log time has no place for t ≤ 0
            }
            series->append(r.times[k], r.values[k]);
            tMin = std::min(tMin, r.times[k]);
            tMax = std::max(tMax, r.times[k]);
            rMax = std::max(rMax, std::abs(r.values[k]));
        }
        m_chart->addSeries(series);
        drawn.push_back(series);
    }
    if (drawn.empty()) {
        m_chart->setTitle(tr("Residuals: no data to compare with"));
        return;
    }
    m_chart->setTitle(tr("Residuals: data − prediction"));
    if (!(tMax > tMin)) {
        tMin -= 0.5;
        tMax += 0.5;
    }
    auto* zero = new QLineSeries;
    zero->append(tMin, 0.0);
    zero->append(tMax, 0.0);
    zero->setPen(QPen(QColor(150, 150, 150), 1.0, Qt::DashLine));
    m_chart->addSeries(zero);
    m_chart->legend()->markers(zero).first()->setVisible(false);

    QAbstractAxis* timeAxis = nullptr;
    if (m_logTime) {
        auto* axis = new QLogValueAxis;
        axis->setLabelFormat("%.0e");
        // About eight labels whatever the span (ROBER's data cover 16 decades).
        const double decades = std::log10(tMax / tMin);
        axis->setBase(std::pow(10.0, std::max(1.0, std::ceil(decades / 8.0))));
        axis->setRange(tMin, tMax);
        timeAxis = axis;
    } else {
        auto* axis = new QValueAxis;
        axis->setRange(tMin, tMax);
        axis->applyNiceNumbers();
        timeAxis = axis;
    }
    timeAxis->setTitleText("t");
    auto* valueAxis = new QValueAxis;
    const double bound = rMax > 0.0 ? 1.1 * rMax : 1.0;
    valueAxis->setRange(-bound, bound);
    valueAxis->applyNiceNumbers(); // round ticks, the range still symmetric about zero
    valueAxis->setLabelFormat("%g");
    valueAxis->setTitleText(tr("residual"));
    m_chart->addAxis(timeAxis, Qt::AlignBottom);
    m_chart->addAxis(valueAxis, Qt::AlignLeft);
    for (QAbstractSeries* series : m_chart->series()) {
        series->attachAxis(timeAxis);
        series->attachAxis(valueAxis);
    }
}

int ResidualChart::seriesCount() const {
    int count = 0;
    for (QAbstractSeries* series : m_chart->series()) {
        count += qobject_cast<QScatterSeries*>(series) != nullptr;
    }
    return count;
}

int ResidualChart::pointCount(int index) const {
    int seen = 0;
    for (QAbstractSeries* series : m_chart->series()) {
        if (auto* scatter = qobject_cast<QScatterSeries*>(series)) {
            if (seen++ == index) {
                return int(scatter->count());
            }
        }
    }
    return 0;
}

QStringList ResidualChart::legendNames() const {
    QStringList names;
    for (QLegendMarker* marker : m_chart->legend()->markers()) {
        if (qobject_cast<QScatterSeries*>(marker->series()) != nullptr) {
            names << marker->label(); // the zero line's marker is hidden
        }
    }
    return names;
}

} // namespace dynfit::ui
