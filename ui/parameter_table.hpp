// SPDX-License-Identifier: MIT
// The model's scalar parameters as a table: value, bounds, log scale, and after a fit the fitted
// value and its change. (Network weights are counted in a footer row, not listed.)
#pragma once

#include "model/model.hpp"

#include <QAbstractTableModel>
#include <optional>
#include <vector>

namespace dynfit::ui {

class ParameterTableModel : public QAbstractTableModel {
    Q_OBJECT
  public:
    enum Column { Name, Free, Value, Bounds, Log, Fitted, Change, ColumnCount };

    explicit ParameterTableModel(QObject* parent = nullptr);

    /// Shows the parameters of `model` (values as declared); clears the fitted column.
    void setModel(const model::CompiledModel* model);
    /// The fitted values (all params, weights included, in the model's order).
    void setFitted(const std::vector<double>& values);
    void clearFitted();
    /// Which params are held fixed (unchecked in the Free column).
    void setFixed(const std::vector<std::string>& names);
    std::vector<std::string> fixed() const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    /// The Value column is editable: a finite number inside the bounds is accepted and reported
    /// by valueEdited; anything else is refused.
    bool setData(const QModelIndex& index, const QVariant& value, int role) override;

  signals:
    /// A value typed into the table: the param's index in the model, and the number.
    void valueEdited(int param, double value);
    /// The Free box of a param was toggled.
    void fixedChanged();

  private:
    struct Row {
        QString name;
        double value = 0.0;
        QString bounds;
        std::optional<double> lower, upper;
        bool log = false;
        int index = 0; ///< into the model's params
        bool fixed = false;
    };
    std::vector<Row> m_rows;
    int m_weightCount = 0;
    std::optional<std::vector<double>> m_fitted;
};

} // namespace dynfit::ui
