// SPDX-License-Identifier: MIT
// The parameter table model.
#include "parameter_table.hpp"

#include <QBrush>
#include <QColor>
#include <algorithm>
#include <cmath>

namespace dynfit::ui {

ParameterTableModel::ParameterTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void ParameterTableModel::setModel(const model::CompiledModel* model) {
    beginResetModel();
    m_rows.clear();
    m_weightCount = 0;
    m_fitted.reset();
    if (model != nullptr) {
        for (std::size_t k = 0; k < model->params.size(); ++k) {
            const model::ParamInfo& p = model->params[k];
            if (!p.network.empty()) {
                ++m_weightCount;
                continue;
            }
            QString bounds;
            if (p.lower || p.upper) {
                bounds = QString("[%1, %2]")
                             .arg(p.lower ? QString::number(*p.lower, 'g', 6) : "−∞")
                             .arg(p.upper ? QString::number(*p.upper, 'g', 6) : "∞");
            }
            m_rows.push_back({QString::fromStdString(p.name), p.value, bounds, p.lower, p.upper,
                              p.logScale, static_cast<int>(k)});
        }
    }
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
        return QString::number(row.value, 'g', 17);
    }
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case Name:
            return row.name;
        case Value:
            return QString::number(row.value, 'g', 8);
        case Bounds:
            return row.bounds;
        case Log:
            return row.log ? tr("log") : QString();
        case Fitted:
            return fitted ? QString::number(fittedValue, 'g', 8) : QString();
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
        if (index.column() == Value) {
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
    bool ok = false;
    const double number = value.toString().trimmed().toDouble(&ok);
    Row& row = m_rows[static_cast<std::size_t>(index.row())];
    if (!ok || !std::isfinite(number) || (row.lower && number < *row.lower)
        || (row.upper && number > *row.upper) || (row.log && number <= 0.0)) {
        return false;
    }
    row.value = number;
    emit dataChanged(index, index.siblingAtColumn(Change));
    emit valueEdited(row.index, number);
    return true;
}

QVariant ParameterTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (role != Qt::DisplayRole || orientation != Qt::Horizontal) {
        return {};
    }
    static const char* names[] = {"Parameter", "Free",   "Value", "Bounds",
                                  "Scale",     "Fitted", "Change"};
    return section >= 0 && section < ColumnCount ? tr(names[section]) : QVariant();
}

} // namespace dynfit::ui
