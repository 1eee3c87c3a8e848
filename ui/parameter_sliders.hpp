// SPDX-License-Identifier: MIT
// A slider per scalar parameter (Berkeley Madonna's signature): within its bounds, logarithmic
// where the parameter is `log`; dragging previews at once, the released value is one edit.
#pragma once

#include "model/model.hpp"

#include <QWidget>
#include <vector>

class QGridLayout;
class QLabel;
class QSlider;
class QTimer;

namespace dynfit::ui {

/// The range a slider spans for a param: its bounds, or around its value where it has none.
struct SliderRange {
    double lower = 0.0;
    double upper = 1.0;
    bool log = false;

    static SliderRange of(const model::ParamInfo& param);
    double valueAt(int position) const; ///< position in [0, kSteps]
    int positionOf(double value) const;
    static constexpr int kSteps = 1000;
};

class ParameterSliders : public QWidget {
    Q_OBJECT
  public:
    explicit ParameterSliders(QWidget* parent = nullptr);

    /// One slider per scalar param of `model` (rebuilt only when the params' names or bounds
    /// changed; otherwise only the positions follow the values).
    void setModel(const model::CompiledModel* model);
    int sliderCount() const { return static_cast<int>(m_rows.size()); }
    QSlider* slider(int row) const;
    int paramOf(int row) const;
    const SliderRange& rangeOf(int row) const;

  signals:
    /// While a slider moves: preview this value (the model text is not touched).
    void previewed(int param, double value);
    /// The user let go (or stopped pressing keys): write the value, as one undoable edit.
    void released(int param, double value);

  private:
    struct Row {
        int param = 0;
        QString name;
        SliderRange range;
        bool bounded = false; ///< the range is the param's bounds, not made around its value
        QSlider* slider = nullptr;
        QLabel* value = nullptr;
    };
    void onMoved(std::size_t row);
    void clearRows();

    QGridLayout* m_grid;
    QLabel* m_empty;
    QTimer* m_keyCommit; ///< keyboard and wheel steps are committed once they pause
    std::vector<Row> m_rows;
    std::size_t m_keyRow = 0;
    bool m_setting = false; ///< positions set from the model: not user moves
};

} // namespace dynfit::ui
