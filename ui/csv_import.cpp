// SPDX-License-Identifier: MIT
// The CSV import dialog and its model.
#include "csv_import.hpp"

#include <QBrush>
#include <QCheckBox>
#include <QColor>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFile>
#include <QFileInfo>
#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableView>
#include <QTableWidget>
#include <QVBoxLayout>
#include <cmath>

namespace dynfit::ui {

namespace {

constexpr int kPreviewRows = 200;

// File line numbers (1-based) of the non-empty lines, in order: the preview's rows.
std::vector<int> nonEmptyLines(const std::string& text) {
    std::vector<int> lines;
    int line = 1;
    bool empty = true;
    for (const char c : text) {
        if (c == '\n') {
            if (!empty) {
                lines.push_back(line);
            }
            ++line;
            empty = true;
        } else if (c != '\r' && c != ' ' && c != '\t') {
            empty = false;
        }
    }
    if (!empty) {
        lines.push_back(line);
    }
    return lines;
}

} // namespace

CsvImportModel::CsvImportModel(QObject* parent) : QAbstractTableModel(parent) {}

void CsvImportModel::setText(const QString& text, const QString& sourcePath) {
    m_text = text.toStdString();
    m_path = sourcePath;
    m_format = io::detectCsvFormat(m_text);
    m_mapping.clear();
    reparse();
}

void CsvImportModel::setFormat(const io::CsvFormat& format) {
    m_format = format;
    reparse();
}

void CsvImportModel::setStates(const QStringList& states) {
    m_states = states;
    reparse();
}

QStringList CsvImportModel::dataColumns() const {
    QStringList columns;
    for (const auto& c : m_data.columns) {
        columns << QString::fromStdString(c);
    }
    return columns;
}

QString CsvImportModel::timeColumn() const {
    return QString::fromStdString(m_data.timeColumn);
}

QString CsvImportModel::mappedState(const QString& column) const {
    const auto it = m_mapping.find(column);
    if (it != m_mapping.end()) {
        return it->second;
    }
    // A column named like a state maps to it, whatever the case and surrounding spaces
    // (Lynx → lynx); an exact match wins over a case-insensitive one.
    if (m_states.contains(column)) {
        return column;
    }
    for (const QString& state : m_states) {
        if (state.compare(column.trimmed(), Qt::CaseInsensitive) == 0) {
            return state;
        }
    }
    return QString();
}

void CsvImportModel::setMapping(const QString& column, const QString& state) {
    m_mapping[column] = state;
    reparse();
}

void CsvImportModel::setInitialValues(const QString& text) {
    m_initialText = text;
    reparse();
}

void CsvImportModel::reparse() {
    beginResetModel();
    m_preview = io::previewCsv(m_text, m_format, kPreviewRows);
    std::vector<io::DataError> errors;
    io::readCsv(m_text, m_format, m_data, errors);
    const auto lines = nonEmptyLines(m_text);
    m_cellProblems.clear();
    m_problems.clear();
    // A cell of an ignored column may hold anything (notes, units): only time, mapped columns
    // and whole rows can have problems.
    std::vector<bool> ignored;
    {
        std::size_t dataIndex = 0;
        const std::size_t width = m_preview.empty() ? 0 : m_preview.front().size();
        for (std::size_t c = 0; c < width; ++c) {
            const bool isTime = m_format.header ? m_preview.front()[c] == m_data.timeColumn
                                                : (m_format.timeColumn >= 0
                                                       ? static_cast<int>(c) == m_format.timeColumn
                                                       : c == 0);
            if (isTime || dataIndex >= m_data.columns.size()) {
                ignored.push_back(false);
                continue;
            }
            ignored.push_back(
                mappedState(QString::fromStdString(m_data.columns[dataIndex++])).isEmpty());
        }
    }
    std::erase_if(errors, [&](const io::DataError& e) {
        return e.column > 0 && static_cast<std::size_t>(e.column - 1) < ignored.size()
               && ignored[static_cast<std::size_t>(e.column - 1)];
    });
    for (const auto& e : errors) {
        const QString message = QString::fromStdString(e.message);
        m_problems << (e.column > 0 ? tr("row %1, column %2: %3").arg(e.row).arg(e.column)
                                    : tr("row %1: %2").arg(e.row))
                          .arg(message);
        const auto row = std::find(lines.begin(), lines.end(), e.row);
        if (row != lines.end()) {
            m_cellProblems[{static_cast<int>(row - lines.begin()), std::max(0, e.column - 1)}] =
                message;
        }
    }
    QStringList used;
    bool anyMapped = false;
    for (const QString& column : dataColumns()) {
        const QString state = mappedState(column);
        if (state.isEmpty()) {
            continue;
        }
        anyMapped = true;
        if (!m_states.contains(state)) {
            m_problems << tr("column '%1' goes to '%2', which is not a state of the model")
                              .arg(column, state);
        } else if (used.contains(state)) {
            m_problems << tr("two columns go to the state '%1'").arg(state);
        }
        used << state;
    }
    if (errors.empty() && !anyMapped) {
        m_problems << tr("no column is mapped to a state");
    }
    m_initial.clear();
    for (const QString& item : m_initialText.split(',', Qt::SkipEmptyParts)) {
        const auto parts = item.split('=');
        bool ok = false;
        const double value = parts.size() == 2 ? parts[1].trimmed().toDouble(&ok) : 0.0;
        const QString state = parts.front().trimmed();
        if (!ok || !std::isfinite(value)) {
            m_problems << tr("initial values: expected state=number, got '%1'").arg(item.trimmed());
        } else if (!m_states.contains(state)) {
            m_problems << tr("initial values: '%1' is not a state of the model").arg(state);
        } else {
            m_initial.emplace_back(state.toStdString(), value);
        }
    }
    endResetModel();
    emit parsed();
}

project::DataSetEntry CsvImportModel::entry(const QString& name) const {
    project::DataSetEntry e;
    e.name = name.toStdString();
    e.sourcePath = m_path.toStdString();
    e.csv = io::writeCsv(m_data);
    for (const QString& column : dataColumns()) {
        e.mapping.emplace_back(column.toStdString(), mappedState(column).toStdString());
    }
    e.initialValues = m_initial;
    return e;
}

int CsvImportModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_preview.size());
}

int CsvImportModel::columnCount(const QModelIndex& parent) const {
    if (parent.isValid()) {
        return 0;
    }
    std::size_t columns = 0;
    for (const auto& row : m_preview) {
        columns = std::max(columns, row.size());
    }
    return static_cast<int>(columns);
}

QVariant CsvImportModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid()) {
        return {};
    }
    const auto& row = m_preview[static_cast<std::size_t>(index.row())];
    const bool exists = static_cast<std::size_t>(index.column()) < row.size();
    const auto problem = m_cellProblems.find({index.row(), index.column()});
    const auto rowProblem = m_cellProblems.find({index.row(), 0});
    switch (role) {
    case Qt::DisplayRole:
        return exists ? QString::fromStdString(row[static_cast<std::size_t>(index.column())])
                      : QString();
    case Qt::BackgroundRole:
        if (problem != m_cellProblems.end()) {
            return QBrush(QColor(255, 205, 210));
        }
        if (exists && row[static_cast<std::size_t>(index.column())].empty()) {
            return QBrush(QColor(236, 236, 236)); // a gap: not observed
        }
        if (index.row() == 0 && m_format.header) {
            return QBrush(QColor(227, 242, 253));
        }
        return {};
    case Qt::ToolTipRole:
        if (problem != m_cellProblems.end()) {
            return problem->second;
        }
        return rowProblem != m_cellProblems.end() ? rowProblem->second : QVariant();
    default:
        return {};
    }
}

QVariant CsvImportModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (role != Qt::DisplayRole) {
        return {};
    }
    if (orientation == Qt::Vertical) {
        const auto lines = nonEmptyLines(m_text);
        return section < static_cast<int>(lines.size())
                   ? QVariant(lines[static_cast<std::size_t>(section)])
                   : QVariant();
    }
    return section + 1;
}

CsvImportDialog::CsvImportDialog(const QStringList& states, QWidget* parent)
    : QDialog(parent), m_model(new CsvImportModel(this)), m_name(new QLineEdit(this)),
      m_initial(new QLineEdit(this)), m_delimiter(new QComboBox(this)),
      m_decimal(new QComboBox(this)), m_header(new QCheckBox(tr("First row is a header"), this)),
      m_time(new QComboBox(this)), m_mapping(new QTableWidget(this)),
      m_preview(new QTableView(this)), m_problems(new QLabel(this)) {
    setWindowTitle(tr("Import data"));
    m_model->setStates(states);
    m_delimiter->setObjectName("delimiter");
    m_decimal->setObjectName("decimal");
    m_time->setObjectName("timeColumn");
    // The item data are one-character strings: QVariant(char) would not compare to them.
    m_delimiter->addItem(tr("comma ,"), QString(","));
    m_delimiter->addItem(tr("semicolon ;"), QString(";"));
    m_delimiter->addItem(tr("tab"), QString("\t"));
    m_decimal->addItem(tr("point ."), QString("."));
    m_decimal->addItem(tr("comma ,"), QString(","));
    m_preview->setModel(m_model);
    m_preview->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_mapping->setColumnCount(2);
    m_mapping->setHorizontalHeaderLabels({tr("Column"), tr("State")});
    m_mapping->horizontalHeader()->setStretchLastSection(true);
    m_mapping->verticalHeader()->hide();
    m_problems->setWordWrap(true);
    m_problems->setStyleSheet("color: #b00020");

    auto* form = new QFormLayout;
    form->addRow(tr("Name"), m_name);
    form->addRow(tr("Delimiter"), m_delimiter);
    form->addRow(tr("Decimal mark"), m_decimal);
    form->addRow(QString(), m_header);
    form->addRow(tr("Time column"), m_time);
    m_initial->setPlaceholderText(tr("the model's (or e.g. x=2, y=0.5)"));
    form->addRow(tr("Initial values"), m_initial);
    connect(m_initial, &QLineEdit::editingFinished, this,
            [this] { m_model->setInitialValues(m_initial->text()); });
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_ok = buttons->button(QDialogButtonBox::Ok);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* top = new QHBoxLayout;
    top->addLayout(form);
    top->addWidget(m_mapping, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_preview, 1);
    layout->addWidget(m_problems);
    layout->addWidget(buttons);
    resize(820, 600);

    const auto formatChanged = [this] {
        io::CsvFormat f = m_model->format();
        f.delimiter = m_delimiter->currentData().toString().at(0).toLatin1();
        f.decimal = m_decimal->currentData().toString().at(0).toLatin1();
        f.header = m_header->isChecked();
        f.timeColumn = m_time->currentIndex();
        m_model->setFormat(f);
    };
    // Queued: a change rebuilds these widgets, which must not happen inside their own signals.
    connect(m_delimiter, &QComboBox::activated, this, formatChanged, Qt::QueuedConnection);
    connect(m_decimal, &QComboBox::activated, this, formatChanged, Qt::QueuedConnection);
    connect(m_header, &QCheckBox::clicked, this, formatChanged, Qt::QueuedConnection);
    connect(m_time, &QComboBox::activated, this, formatChanged, Qt::QueuedConnection);
    connect(m_model, &CsvImportModel::parsed, this, &CsvImportDialog::syncFromModel);
}

bool CsvImportDialog::loadFile(const QString& path, QString* error) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error != nullptr) {
            *error = tr("cannot read %1").arg(path);
        }
        return false;
    }
    m_name->setText(QFileInfo(path).completeBaseName());
    m_model->setText(QString::fromUtf8(file.readAll()), path);
    return true;
}

QString CsvImportDialog::dataSetName() const {
    return m_name->text().trimmed().isEmpty() ? tr("data") : m_name->text().trimmed();
}

// The widgets follow the model (detected layout, columns, problems).
void CsvImportDialog::syncFromModel() {
    const io::CsvFormat& f = m_model->format();
    m_delimiter->setCurrentIndex(
        std::max(0, m_delimiter->findData(QString(QChar::fromLatin1(f.delimiter)))));
    m_decimal->setCurrentIndex(
        std::max(0, m_decimal->findData(QString(QChar::fromLatin1(f.decimal)))));
    m_header->setChecked(f.header);
    const auto preview = m_model->rowCount() > 0 ? m_model->columnCount() : 0;
    m_time->clear();
    for (int c = 0; c < preview; ++c) {
        const QString name = f.header
                                 ? m_model->data(m_model->index(0, c), Qt::DisplayRole).toString()
                                 : tr("column %1").arg(c + 1);
        m_time->addItem(name);
    }
    m_time->setCurrentText(m_model->timeColumn());
    const QStringList columns = m_model->dataColumns();
    m_mapping->setRowCount(static_cast<int>(columns.size()));
    for (int r = 0; r < columns.size(); ++r) {
        auto* name = new QTableWidgetItem(columns[r]);
        name->setFlags(Qt::ItemIsEnabled);
        m_mapping->setItem(r, 0, name);
        auto* state = new QComboBox(m_mapping);
        state->addItem(tr("(ignore)"), QString());
        for (const QString& s : m_model->states()) {
            state->addItem(s, s);
        }
        state->setCurrentIndex(std::max(0, state->findData(m_model->mappedState(columns[r]))));
        connect(
            state, &QComboBox::activated, this,
            [this, column = columns[r], state] {
                m_model->setMapping(column, state->currentData().toString());
            },
            Qt::QueuedConnection);
        m_mapping->setCellWidget(r, 1, state);
    }
    m_problems->setText(m_model->problems().mid(0, 8).join('\n'));
    if (m_ok != nullptr) {
        m_ok->setEnabled(m_model->isValid());
    }
}

} // namespace dynfit::ui
