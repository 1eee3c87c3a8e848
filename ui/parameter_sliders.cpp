// SPDX-License-Identifier: MIT
// The parameter sliders.
#include "parameter_sliders.hpp"

#include <QGridLayout>
#include <QLabel>
#include <QSlider>
#include <QTimer>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

namespace dynfit::ui {

SliderRange SliderRange::of(const model::ParamInfo& p) {
    SliderRange r;
    const double v = p.value;
    if (p.lower && p.upper && *p.upper > *p.lower) {
        r.lower = *p.lower;
        r.upper = *p.upper;
        r.log = p.logScale && *p.lower > 0.0;
    } else if (p.logScale && v > 0.0) {
        r = {v / 10.0, v * 10.0, true}; // two decades around the value
    } else if (v != 0.0) {
        r = {std::min(0.0, 3.0 * v), std::max(0.0, 3.0 * v), false};
    } else {
        r = {-1.0, 1.0, false};
    }
    return r;
}

// Four significant digits: a slider resolves one part in a thousand, so more would be noise in
// the model text.
double SliderRange::valueAt(int position) const {
    const double f = std::clamp(position, 0, kSteps) / double(kSteps);
    const double v = log ? lower * std::pow(upper / lower, f) : lower + f * (upper - lower);
    // Through text, so that the shortest text of the result is the four digits themselves.
    return std::clamp(QString::number(v, 'g', 4).toDouble(), lower, upper);
}

int SliderRange::positionOf(double value) const {
    const double f =
        log ? std::log(value / lower) / std::log(upper / lower) : (value - lower) / (upper - lower);
    return std::isfinite(f) ? std::clamp(int(std::lround(f * kSteps)), 0, kSteps) : 0;
}

ParameterSliders::ParameterSliders(QWidget* parent)
    : QWidget(parent), m_grid(new QGridLayout), m_empty(new QLabel(this)),
      m_keyCommit(new QTimer(this)) {
    auto* layout = new QVBoxLayout(this);
    m_empty->setText(tr("The model has no scalar parameters."));
    m_empty->setWordWrap(true);
    m_empty->setStyleSheet("color: #666");
    layout->addWidget(m_empty);
    layout->addLayout(m_grid);
    layout->addStretch(1);
    m_grid->setColumnStretch(1, 1);
    m_keyCommit->setSingleShot(true);
    m_keyCommit->setInterval(400);
    connect(m_keyCommit, &QTimer::timeout, this, [this] {
        if (m_keyRow < m_rows.size()) {
            const Row& r = m_rows[m_keyRow];
            emit released(r.param, r.range.valueAt(r.slider->value()));
        }
    });
}

QSlider* ParameterSliders::slider(int row) const {
    return m_rows[static_cast<std::size_t>(row)].slider;
}

int ParameterSliders::paramOf(int row) const {
    return m_rows[static_cast<std::size_t>(row)].param;
}

const SliderRange& ParameterSliders::rangeOf(int row) const {
    return m_rows[static_cast<std::size_t>(row)].range;
}

void ParameterSliders::clearRows() {
    for (Row& r : m_rows) {
        for (QWidget* w : std::initializer_list<QWidget*>{r.slider, r.value}) {
            m_grid->removeWidget(w);
            delete w;
        }
    }
    while (QLayoutItem* item = m_grid->takeAt(0)) { // the name labels
        delete item->widget();
        delete item;
    }
    m_rows.clear();
}

void ParameterSliders::setModel(const model::CompiledModel* model) {
    std::vector<Row> wanted;
    if (model != nullptr) {
        for (std::size_t k = 0; k < model->params.size(); ++k) {
            const model::ParamInfo& p = model->params[k];
            if (!p.network.empty()) {
                continue;
            }
            Row row{static_cast<int>(k), QString::fromStdString(p.name), SliderRange::of(p)};
            // A range made around the value (no bounds) stays while the value is inside it:
            // otherwise every release would move the scale under the user's hand.
            const bool bounded = p.lower && p.upper && *p.upper > *p.lower;
            for (const Row& old : m_rows) {
                if (!bounded && old.name == row.name && !old.bounded && p.value >= old.range.lower
                    && p.value <= old.range.upper) {
                    row.range = old.range;
                }
            }
            row.bounded = bounded;
            wanted.push_back(row);
        }
    }
    const bool same =
        wanted.size() == m_rows.size()
        && std::equal(wanted.begin(), wanted.end(), m_rows.begin(), [](const Row& a, const Row& b) {
               return a.name == b.name && a.range.lower == b.range.lower
                      && a.range.upper == b.range.upper && a.range.log == b.range.log;
           });
    if (!same) {
        clearRows();
        for (std::size_t r = 0; r < wanted.size(); ++r) {
            Row row = wanted[r];
            auto* name = new QLabel(row.name, this);
            row.slider = new QSlider(Qt::Horizontal, this);
            row.slider->setRange(0, SliderRange::kSteps);
            row.slider->setObjectName("slider_" + row.name);
            row.slider->setToolTip(tr("%1 from %2 to %3%4")
                                       .arg(row.name)
                                       .arg(row.range.lower, 0, 'g', 4)
                                       .arg(row.range.upper, 0, 'g', 4)
                                       .arg(row.range.log ? tr(", logarithmic") : QString()));
            row.value = new QLabel(this);
            row.value->setMinimumWidth(row.value->fontMetrics().horizontalAdvance("-0.000000e+00"));
            row.value->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
            const int at = static_cast<int>(r);
            m_grid->addWidget(name, at, 0);
            m_grid->addWidget(row.slider, at, 1);
            m_grid->addWidget(row.value, at, 2);
            connect(row.slider, &QSlider::valueChanged, this, [this, r] { onMoved(r); });
            connect(row.slider, &QSlider::sliderReleased, this, [this, r] {
                const Row& released = m_rows[r];
                m_keyCommit->stop();
                emit this->released(released.param,
                                    released.range.valueAt(released.slider->value()));
            });
            m_rows.push_back(row);
        }
    }
    m_empty->setVisible(m_rows.empty());
    m_setting = true;
    for (Row& row : m_rows) {
        const double value = model->params[static_cast<std::size_t>(row.param)].value;
        row.slider->setValue(row.range.positionOf(value));
        row.value->setText(QString::number(value, 'g', 5));
    }
    m_setting = false;
}

void ParameterSliders::onMoved(std::size_t r) {
    if (m_setting) {
        return;
    }
    const Row& row = m_rows[r];
    const double value = row.range.valueAt(row.slider->value());
    row.value->setText(QString::number(value, 'g', 5));
    emit previewed(row.param, value);
    if (!row.slider->isSliderDown()) { // keys or the wheel: commit once they pause
        m_keyRow = r;
        m_keyCommit->start();
    }
}

} // namespace dynfit::ui
