// SPDX-License-Identifier: MIT
// The DynFit main window: a project's model, data, parameters and settings around live plots
// of the prediction and the loss; fits run on a worker thread.
#pragma once

#include "fit/fitter.hpp"
#include "project/project.hpp"

#include <QImage>
#include <QMainWindow>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

class QAction;
class QMenu;
class QComboBox;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTableView;
class QTabWidget;
class QUndoStack;

namespace dynfit::ui {

class FitSession;
struct FitSnapshot;
class LossPlot;
class ModelEditor;
class ParameterTableModel;
class PhasePlot;
class ResidualChart;
class SolutionPlot;

class MainWindow : public QMainWindow {
    Q_OBJECT
  public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    /// Opens a .dynfit project, or a bare model text (.dyn) as a project without data. False
    /// with the reason (the current project stays) on bad input.
    bool openProject(const QString& path, QString* error = nullptr);
    bool saveProject(const QString& path, QString* error = nullptr);
    /// The project as the window shows it (the editor's text, the settings in the panels).
    project::Project currentProject() const;
    const QString& projectPath() const { return m_path; }
    bool isDirty() const { return m_dirty; }

    /// The parameters of the last fit, best seen (empty before any fit).
    const std::vector<double>& fittedParams() const { return m_fitted; }
    const std::optional<fit::FitOutcome>& lastOutcome() const { return m_outcome; }

    /// Opens the import dialog on a CSV file; the data set is added when the user accepts.
    bool importData(const QString& path);
    /// Adds a data set (an experiment) to the project and re-simulates.
    void addDataSet(const project::DataSetEntry& entry);

    /// Writes the parameters (declared and fitted) as CSV or JSON, by the extension.
    bool exportParameters(const QString& path, QString* error = nullptr) const;
    /// Writes the prediction at the current values as CSV: on a fine grid (t, states; the first
    /// data set's initial values), or at every data set's data times (with its name first).
    bool exportPrediction(const QString& path, bool atDataTimes, QString* error = nullptr) const;
    enum class PlotView { TimeSeries, PhasePlane, Residuals, Loss };
    /// Writes one of the plots as PNG, SVG or PDF, by the extension.
    bool exportPlot(const QString& path, PlotView view = PlotView::TimeSeries) const;
    /// Brings a plot tab to the front (Loss is always shown, below the tabs).
    void showView(PlotView view);
    /// Writes the frames of the last fit (the prediction plot at each drawn snapshot) as an
    /// animated GIF.
    bool exportAnimation(const QString& path, QString* error = nullptr) const;
    int animationFrameCount() const { return static_cast<int>(m_frames.size()); }

    ModelEditor* editor() const { return m_editor; }
    SolutionPlot* solutionPlot() const { return m_plot; }
    PhasePlot* phasePlot() const { return m_phase; }
    ResidualChart* residualChart() const { return m_residuals; }
    LossPlot* lossPlot() const { return m_loss; }
    ParameterTableModel* parameterTable() const { return m_parameters; }
    FitSession* session() const { return m_session; }
    QComboBox* methodBox() const { return m_method; }
    QUndoStack* undoStack() const { return m_undo; }

  public slots:
    void simulate();
    void startFit();
    void togglePause();
    void stopFit();
    void applyFitted();
    /// A value typed into the parameter table: written into the model text, re-simulated.
    void setParameterValue(int param, double value);

  signals:
    void fitFinished(const dynfit::fit::FitOutcome& outcome);

  protected:
    void closeEvent(QCloseEvent* event) override;

    /// What File ▸ New starts from.
    static constexpr const char* kNewModelText =
        "# A new model: declare params, initial values and equations.\n"
        "param k = 1.0 in [0, 10]\ninit x = 1\nd(x)/dt = -k*x\ntspan = 0 .. 5\n";

  private:
    void buildMenus();
    QWidget* buildSettingsPanel();
    void showProject(const project::Project& p);
    void onCompiled();
    void onProgress(const FitSnapshot& snapshot);
    void onFinished(const fit::FitOutcome& outcome);
    void setDirty(bool dirty);
    void updateTitle();
    void updateButtons();
    bool confirmDiscard();
    void rewriteValues(const std::vector<double>& values);
    void recordFrame();
    void matchData();
    /// Applies `edit` to the project's non-text state as one undoable step.
    void changeProject(const QString& what, const std::function<void(project::Project&)>& edit);
    void applyState(const project::Project& state);
    std::optional<ode::TimeSpan> spanInWidgets() const;
    void showSpanAndView(const project::Project& p); ///< the span fields, points and log axes
    void settingsEdited();
    std::size_t shownDataSet() const;
    void refreshDataSets();
    void rememberRecent(const QString& path);
    void fillRecentMenu();
    bool drawPrediction(const std::vector<double>& params); ///< false (and says why) on failure

    ModelEditor* m_editor;
    SolutionPlot* m_plot;
    PhasePlot* m_phase;
    ResidualChart* m_residuals;
    QTabWidget* m_views;
    LossPlot* m_loss;
    ParameterTableModel* m_parameters;
    QTableView* m_parameterView;
    FitSession* m_session;

    QComboBox* m_method;
    QLineEdit* m_reltol;
    QLineEdit* m_abstol;
    QComboBox* m_gradient;
    QComboBox* m_optimizer;
    QLineEdit* m_learningRate;
    QSpinBox* m_iterations;
    QLineEdit* m_t0; ///< the time span; both empty: the model's own tspan
    QLineEdit* m_t1;
    QSpinBox* m_points; ///< points of the drawn prediction's grid
    QComboBox* m_device;
    QComboBox* m_dataSet = nullptr;
    QPushButton* m_simulate;
    QPushButton* m_fit;
    QPushButton* m_pause;
    QPushButton* m_stop;
    QPushButton* m_apply;
    QAction* m_logTime;
    QAction* m_logY;
    QMenu* m_recentMenu = nullptr;

    QUndoStack* m_undo;
    project::Project m_settingsBefore; ///< the settings as they were before the last widget edit
    bool m_applying = false;           ///< applyState() is setting widgets: not a user edit
    project::Project m_project; ///< data and history; the model text and settings live in widgets
    QString m_path;
    bool m_dirty = false;
    std::vector<double> m_fitted;
    std::optional<fit::FitOutcome> m_outcome;
    std::vector<QImage> m_frames;                  ///< the last fit's animation
    std::vector<fit::Experiment> m_experiments;    ///< m_project's data matched to the model
    std::string m_dataError;                       ///< why they could not be, if so
    std::vector<fit::Experiment> m_fitExperiments; ///< the running fit's data, for the live plot
    int m_frameStride = 1; ///< keep every k-th snapshot once the frame budget is used
    int m_snapshotCount = 0;
};

} // namespace dynfit::ui
