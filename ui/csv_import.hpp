// SPDX-License-Identifier: MIT
// Importing a CSV file as one of a project's data sets: a preview of the cells (problems marked
// at their row and column), the detected layout the user may correct, and each column mapped to
// a state or ignored.
#pragma once

#include "io/csv_data.hpp"
#include "project/project.hpp"

#include <QAbstractTableModel>
#include <QDialog>
#include <QStringList>
#include <map>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;
class QTableWidget;

namespace dynfit::ui {

/// The dialog's state, without widgets: the preview table is this model.
class CsvImportModel : public QAbstractTableModel {
    Q_OBJECT
  public:
    explicit CsvImportModel(QObject* parent = nullptr);

    /// New text: the layout is detected, columns map to states of the same name.
    void setText(const QString& text, const QString& sourcePath = {});
    void setFormat(const io::CsvFormat& format);
    const io::CsvFormat& format() const { return m_format; }
    void setStates(const QStringList& states);
    const QStringList& states() const { return m_states; }

    /// The observed columns (the time column excluded), as named in the file.
    QStringList dataColumns() const;
    QString timeColumn() const;
    /// The state a column goes to; "" = ignored.
    QString mappedState(const QString& column) const;
    void setMapping(const QString& column, const QString& state);

    /// This experiment's own initial values, "x=2, y=0.5" (empty: the model's).
    void setInitialValues(const QString& text);
    const QString& initialValues() const { return m_initialText; }

    bool isValid() const { return m_problems.isEmpty(); }
    /// "row R, column C: message" for each problem (of the file or of the mapping).
    const QStringList& problems() const { return m_problems; }

    /// The data set for the project: canonical CSV, the mapping, the original path.
    project::DataSetEntry entry(const QString& name) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

  signals:
    void parsed(); ///< after every change: format, mapping, problems may have changed

  private:
    void reparse();

    std::string m_text;
    QString m_path;
    io::CsvFormat m_format;
    QStringList m_states;
    std::map<QString, QString> m_mapping;
    QString m_initialText;
    std::vector<std::pair<std::string, double>> m_initial;
    io::DataSet m_data;
    std::vector<std::vector<std::string>> m_preview;
    std::map<std::pair<int, int>, QString> m_cellProblems; ///< (file row, column) → message
    QStringList m_problems;
};

/// The dialog around the model: file, layout, mapping, preview and problems; OK only when valid.
class CsvImportDialog : public QDialog {
    Q_OBJECT
  public:
    CsvImportDialog(const QStringList& states, QWidget* parent = nullptr);

    bool loadFile(const QString& path, QString* error = nullptr);
    CsvImportModel* model() const { return m_model; }
    QString dataSetName() const;

  private:
    void syncFromModel();

    CsvImportModel* m_model;
    QLineEdit* m_name;
    QLineEdit* m_initial;
    QComboBox* m_delimiter;
    QComboBox* m_decimal;
    QCheckBox* m_header;
    QComboBox* m_time;
    QTableWidget* m_mapping;
    QTableView* m_preview;
    QLabel* m_problems;
    QPushButton* m_ok = nullptr;
};

} // namespace dynfit::ui
