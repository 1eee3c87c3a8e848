// SPDX-License-Identifier: MIT
// The model's scalar parameters as a table: value and bounds (both editable), log scale, free or
// held fixed, and after a fit the fitted value and its change. (Network weights are counted in a
// footer row, not listed.)
#pragma once

#include "model/model.hpp"

#include <QAbstractTableModel>
#include <optional>
#include <utility>
#include <vector>

namespace dynfit::ui {

class ParameterTableModel : public QAbstractTableModel {
    Q_OBJECT
  public:
    enum Column { Name, Free, Value, Bounds, Log, Fitted, Change, ColumnCount };

    explicit ParameterTableModel(QObject* parent = nullptr);

    /// Shows the parameters of `model`. When its params have the same names as before (a value
    /// or bound was edited, a comment added) the rows are updated in place, so an open editor,
    /// the current cell and the Fitted column survive; otherwise the table is rebuilt and the
    /// Fitted column cleared.
    void setModel(const model::CompiledModel* model);
    /// The fitted values (all params, weights included, in the model's order).
    void setFitted(const std::vector<double>& values);
    void clearFitted();
    bool hasFitted() const { return m_fitted.has_value(); }
    /// Which params are held fixed (unchecked in the Free column).
    void setFixed(const std::vector<std::string>& names);
    std::vector<std::string> fixed() const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    /// Value: a finite number inside the bounds (positive for a log param). Bounds: "lower,
    /// upper" or "[lower, upper]" around the value (positive for a log param), or empty to remove
    /// them. Anything else is refused, and editRefused says why.
    bool setData(const QModelIndex& index, const QVariant& value, int role) override;

  signals:
    /// A value typed into the table: the param's index in the model, and the number.
    void valueEdited(int param, double value);
    /// Bounds typed into the table (none: removed).
    void boundsEdited(int param, std::optional<std::pair<double, double>> bounds);
    /// The Free box of a param was toggled.
    void fixedChanged();
    /// An edit was refused: why, for the user.
    void editRefused(const QString& why);

  private:
    struct Row {
        QString name;
        double value = 0.0;
        std::optional<double> lower, upper;
        bool log = false;
        int index = 0; ///< into the model's params
        bool fixed = false;
    };
    static std::vector<Row> rowsOf(const model::CompiledModel* model, int& weightCount);
    bool setValue(Row& row, const QString& text);
    bool setBounds(Row& row, const QString& text);

    std::vector<Row> m_rows;
    int m_weightCount = 0;
    int m_paramCount = 0; ///< all the model's params, weights included
    std::optional<std::vector<double>> m_fitted;
};

} // namespace dynfit::ui
