// SPDX-License-Identifier: MIT
// The parameter table model.
#include "parameter_table.hpp"

#include "core/number_text.hpp"

#include <QBrush>
#include <QColor>
#include <QRegularExpression>
#include <algorithm>
#include <cmath>

namespace dynfit::ui {

namespace {

QString shortest(double value) {
    return QString::fromStdString(shortestText(value));
}

QString boundsText(const std::optional<double>& lower, const std::optional<double>& upper) {
    if (!lower && !upper) {
        return {};
    }
    return QString("[%1, %2]")
        .arg(lower ? QString::number(*lower, 'g', 6) : "−∞")
        .arg(upper ? QString::number(*upper, 'g', 6) : "∞");
}

} // namespace

ParameterTableModel::ParameterTableModel(QObject* parent) : QAbstractTableModel(parent) {}

std::vector<ParameterTableModel::Row> ParameterTableModel::rowsOf(const model::CompiledModel* model,
                                                                  int& weightCount) {
    std::vector<Row> rows;
    weightCount = 0;
    if (model == nullptr) {
        return rows;
    }
    for (std::size_t k = 0; k < model->params.size(); ++k) {
        const model::ParamInfo& p = model->params[k];
        if (!p.network.empty()) {
            ++weightCount;
            continue;
        }
        rows.push_back({QString::fromStdString(p.name), p.value, p.lower, p.upper, p.logScale,
                        static_cast<int>(k)});
    }
    return rows;
}

void ParameterTableModel::setModel(const model::CompiledModel* model) {
    int weights = 0;
    std::vector<Row> rows = rowsOf(model, weights);
    const int paramCount = model != nullptr ? model->paramCount() : 0;
    const bool sameParams =
        rows.size() == m_rows.size() && weights == m_weightCount && paramCount == m_paramCount
        && std::equal(rows.begin(), rows.end(), m_rows.begin(),
                      [](const Row& a, const Row& b) { return a.name == b.name; });
    if (sameParams && !rows.empty()) {
        for (std::size_t r = 0; r < rows.size(); ++r) {
            rows[r].fixed = m_rows[r].fixed;
        }
        m_rows = std::move(rows);
        emit dataChanged(index(0, 0), index(static_cast<int>(m_rows.size()) - 1, ColumnCount - 1));
        return;
    }
    beginResetModel();
    m_rows = std::move(rows);
    m_weightCount = weights;
    m_paramCount = paramCount;
    m_fitted.reset();
    endResetModel();
}

void ParameterTableModel::setFitted(const std::vector<double>& values) {
    m_fitted = values;
    if (rowCount() > 0) {
        emit dataChanged(index(0, Fitted), index(rowCount() - 1, Change));
    }
}

void ParameterTableModel::clearFitted() {
    m_fitted.reset();
    if (rowCount() > 0) {
        emit dataChanged(index(0, Fitted), index(rowCount() - 1, Change));
    }
}

int ParameterTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size()) + (m_weightCount > 0 ? 1 : 0);
}

int ParameterTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ParameterTableModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid()) {
        return {};
    }
    if (index.row() == static_cast<int>(m_rows.size())) { // the weights' footer
        if (role == Qt::DisplayRole && index.column() == Name) {
            return tr("%1 network weights").arg(m_weightCount);
        }
        if (role == Qt::ForegroundRole) {
            return QBrush(QColor(110, 110, 110));
        }
        return {};
    }
    const Row& row = m_rows[static_cast<std::size_t>(index.row())];
    const bool fitted = m_fitted && static_cast<std::size_t>(row.index) < m_fitted->size();
    const double fittedValue = fitted ? (*m_fitted)[static_cast<std::size_t>(row.index)] : 0.0;
    if (role == Qt::CheckStateRole && index.column() == Free) {
        return row.fixed ? Qt::Unchecked : Qt::Checked;
    }
    if (role == Qt::EditRole && index.column() == Value) {
        return shortest(row.value); // what reads back to the same number, and no more
    }
    if (role == Qt::EditRole && index.column() == Bounds) {
        return row.lower && row.upper ? shortest(*row.lower) + ", " + shortest(*row.upper)
                                      : QString();
    }
    if (role == Qt::ToolTipRole && index.column() == Bounds) {
        return tr("Type lower, upper (or clear the cell to remove the bounds)");
    }
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case Name:
            return row.name;
        case Value:
            return QString::number(row.value, 'g', 6);
        case Bounds:
            return boundsText(row.lower, row.upper);
        case Log:
            return row.log ? tr("log") : QString();
        case Fitted:
            return fitted ? QString::number(fittedValue, 'g', 6) : QString();
        case Change:
            if (!fitted || row.value == 0.0) {
                return QString();
            }
            return QString("%1%2 %")
                .arg(fittedValue >= row.value ? "+" : "")
                .arg(100.0 * (fittedValue - row.value) / std::abs(row.value), 0, 'f', 1);
        default:
            return {};
        }
    }
    if (role == Qt::TextAlignmentRole && index.column() != Name) {
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    }
    return {};
}

Qt::ItemFlags ParameterTableModel::flags(const QModelIndex& index) const {
    Qt::ItemFlags f = QAbstractTableModel::flags(index);
    if (index.isValid() && index.row() < static_cast<int>(m_rows.size())) {
        if (index.column() == Value || index.column() == Bounds) {
            f |= Qt::ItemIsEditable;
        } else if (index.column() == Free) {
            f |= Qt::ItemIsUserCheckable;
        }
    }
    return f;
}

void ParameterTableModel::setFixed(const std::vector<std::string>& names) {
    for (Row& row : m_rows) {
        row.fixed = std::find(names.begin(), names.end(), row.name.toStdString()) != names.end();
    }
    if (!m_rows.empty()) {
        emit dataChanged(index(0, Free), index(static_cast<int>(m_rows.size()) - 1, Free));
    }
}

std::vector<std::string> ParameterTableModel::fixed() const {
    std::vector<std::string> names;
    for (const Row& row : m_rows) {
        if (row.fixed) {
            names.push_back(row.name.toStdString());
        }
    }
    return names;
}

bool ParameterTableModel::setValue(Row& row, const QString& text) {
    bool ok = false;
    const double number = text.trimmed().toDouble(&ok);
    QString why;
    if (!ok || !std::isfinite(number)) {
        why = tr("'%1' is not a number").arg(text.trimmed());
    } else if ((row.lower && number < *row.lower) || (row.upper && number > *row.upper)) {
        why = tr("%1 is outside the bounds %2 of %3")
                  .arg(text.trimmed(), boundsText(row.lower, row.upper), row.name);
    } else if (row.log && number <= 0.0) {
        why = tr("%1 is on a log scale: its value must be positive").arg(row.name);
    }
    if (!why.isEmpty()) {
        emit editRefused(why);
        return false;
    }
    row.value = number;
    emit valueEdited(row.index, number);
    return true;
}

bool ParameterTableModel::setBounds(Row& row, const QString& text) {
    QString cleaned = text.trimmed();
    if (cleaned.startsWith('[') && cleaned.endsWith(']')) {
        cleaned = cleaned.mid(1, cleaned.size() - 2);
    }
    if (cleaned.isEmpty()) {
        row.lower.reset();
        row.upper.reset();
        emit boundsEdited(row.index, std::nullopt);
        return true;
    }
    const QStringList parts = cleaned.split(QRegularExpression("\\s*[,;]\\s*|\\s+"));
    bool okLower = false, okUpper = false;
    const double lower = parts.size() == 2 ? parts[0].toDouble(&okLower) : 0.0;
    const double upper = parts.size() == 2 ? parts[1].toDouble(&okUpper) : 0.0;
    QString why;
    if (!okLower || !okUpper || !std::isfinite(lower) || !std::isfinite(upper)) {
        why = tr("bounds are two numbers, lower, upper: '%1'").arg(text.trimmed());
    } else if (!(lower <= upper)) {
        why = tr("the lower bound %1 is above the upper bound %2")
                  .arg(shortest(lower), shortest(upper));
    } else if (row.value < lower || row.value > upper) {
        why = tr("the value %1 of %2 is outside [%3, %4]: change the value first")
                  .arg(shortest(row.value), row.name, shortest(lower), shortest(upper));
    } else if (row.log && lower <= 0.0) {
        why = tr("%1 is on a log scale: its lower bound must be positive").arg(row.name);
    }
    if (!why.isEmpty()) {
        emit editRefused(why);
        return false;
    }
    row.lower = lower;
    row.upper = upper;
    emit boundsEdited(row.index, std::make_pair(lower, upper));
    return true;
}

bool ParameterTableModel::setData(const QModelIndex& index, const QVariant& value, int role) {
    if (role == Qt::CheckStateRole && (flags(index) & Qt::ItemIsUserCheckable)) {
        m_rows[static_cast<std::size_t>(index.row())].fixed =
            value.value<Qt::CheckState>() != Qt::Checked;
        emit dataChanged(index, index);
        emit fixedChanged();
        return true;
    }
    if (role != Qt::EditRole || !(flags(index) & Qt::ItemIsEditable)) {
        return false;
    }
    Row& row = m_rows[static_cast<std::size_t>(index.row())];
    const bool accepted = index.column() == Value ? setValue(row, value.toString())
                                                  : setBounds(row, value.toString());
    if (accepted) {
        emit dataChanged(index.siblingAtColumn(Value), index.siblingAtColumn(Change));
    }
    return accepted;
}

QVariant ParameterTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal) {
        return {};
    }
    if (role == Qt::ToolTipRole) {
        static const char* tips[] = {"The param's name in the model",
                                     "Fitted (checked) or held at its value",
                                     "Its value in the model text (editable)",
                                     "Kept within during a fit (editable)",
                                     "log: fitted on a log scale",
                                     "The last fit's value, not yet applied",
                                     "Fitted against the value"};
        return section >= 0 && section < ColumnCount ? tr(tips[section]) : QVariant();
    }
    if (role != Qt::DisplayRole) {
        return {};
    }
    static const char* names[] = {"Parameter", "Free",   "Value", "Bounds",
                                  "Scale",     "Fitted", "Change"};
    return section >= 0 && section < ColumnCount ? tr(names[section]) : QVariant();
}

} // namespace dynfit::ui
