// SPDX-License-Identifier: MIT
// The DynFit main window: a project's model, data, parameters and settings around live plots
// of the prediction and the loss; fits run on a worker thread.
#pragma once

#include "fit/fitter.hpp"
#include "fit/simulation.hpp"
#include "message_log.hpp"
#include "project/project.hpp"

#include <QImage>
#include <QMainWindow>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

class QAction;
class QDockWidget;
class QMenu;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTableView;
class QTabWidget;
class QToolButton;
class QUndoStack;

namespace dynfit::model {
struct Observables;
}

namespace dynfit::ui {

class FitSession;
struct FitSnapshot;
class LanguageReference;
class LossPlot;
class ModelEditor;
class ParameterSliders;
class ParameterTableModel;
class PhasePlot;
class ResidualChart;
class SolutionPlot;
struct PlotSeries;

class MainWindow : public QMainWindow {
    Q_OBJECT
  public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    /// Opens a .dynfit project, or a bare model text (.dyn) as a project without data. False
    /// with the reason (the current project stays) on bad input.
    bool openProject(const QString& path, QString* error = nullptr);
    /// What the app opens when started without a file: the most recent project that still
    /// exists (File ▸ Open recent), else the bundled Lotka–Volterra example.
    static QString startupProject();
    /// Saves to `path`, adding ".dynfit" when it has no extension.
    bool saveProject(const QString& path, QString* error = nullptr);
    /// The project as the window shows it (the editor's text, the settings in the panels).
    project::Project currentProject() const;
    const QString& projectPath() const { return m_path; }
    bool isDirty() const { return m_dirty; }

    /// The parameters of the last fit, best seen (empty before any fit, or once applied or
    /// discarded).
    const std::vector<double>& fittedParams() const { return m_fitted; }
    const std::optional<fit::FitOutcome>& lastOutcome() const { return m_outcome; }
    /// The values the drawn prediction uses: the fitted ones while they are shown, otherwise
    /// the model text's (with a slider's preview applied while one is dragged).
    std::vector<double> drawnParams() const;
    /// True while the drawn curve is the last fit's (not yet applied).
    bool showsFitted() const;
    /// What the curve-source line above the plots says.
    QString curveSourceText() const;

    /// Opens the import dialog on a CSV file; the data set is added when the user accepts.
    bool importData(const QString& path);
    /// Reads a dose table (CSV: t, state, amount) into the named data set, as one undoable
    /// change; false with the located errors in `error` when it does not read or names no state.
    bool importDoses(const QString& path, const QString& dataSet, QString* error = nullptr);
    /// Adds a data set (an experiment) to the project, shows it and re-simulates.
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
    /// Writes the frames of the last fit (the prediction plot at each drawn snapshot, captioned
    /// with the iteration and the loss) as an animated GIF.
    bool exportAnimation(const QString& path, QString* error = nullptr) const;
    int animationFrameCount() const { return static_cast<int>(m_frames.size()); }
    /// The captions of the frames ("iteration 12 · loss 0.0153").
    const std::vector<QString>& animationCaptions() const { return m_captions; }

    /// Shows a message in the status bar and, unless it is `Info` with `logged` false, in the
    /// message log (whole, with its time: the status bar cuts long ones).
    void report(const QString& text, MessageLevel level = MessageLevel::Info, bool logged = true);

    /// The plot selection (what is drawn and how), as View ▸ Plot and the controls set it.
    void setPlotLayout(project::PlotLayout layout);
    void setSeriesShown(const QString& name, bool shown);
    /// Plot expressions, one per line; false (and the message logged) when they do not compile.
    bool setPlotExpressions(const QString& text);
    void setDataSetsShown(const QStringList& names);

    ModelEditor* editor() const { return m_editor; }
    SolutionPlot* solutionPlot() const { return m_plot; }
    PhasePlot* phasePlot() const { return m_phase; }
    ResidualChart* residualChart() const { return m_residuals; }
    LossPlot* lossPlot() const { return m_loss; }
    ParameterTableModel* parameterTable() const { return m_parameters; }
    QTableView* parameterView() const { return m_parameterView; }
    ParameterSliders* sliders() const { return m_sliders; }
    MessageLog* messageLog() const { return m_log; }
    FitSession* session() const { return m_session; }
    QComboBox* methodBox() const { return m_method; }
    QUndoStack* undoStack() const { return m_undo; }
    QList<QDockWidget*> docks() const;
    LanguageReference* languageReference(); ///< created on first use

  public slots:
    void simulate();
    void startFit();
    void togglePause();
    void stopFit();
    void applyFitted();
    /// Stops drawing the last fit's values (they stay in the Fitted column until a new fit).
    void discardFitted();
    /// A value typed into the parameter table: written into the model text, re-simulated.
    void setParameterValue(int param, double value);
    /// Bounds typed into the table: written into the model text.
    void setParameterBounds(int param, std::optional<std::pair<double, double>> bounds);
    /// Draws the prediction with `param` at `value`, without touching the model text (a slider
    /// being dragged); coalesced to one redraw per event-loop turn.
    void previewParameter(int param, double value);
    /// Help ▸ Model language: at the entry of the word under the editor's cursor when the editor
    /// has the focus.
    void showLanguageHelp();
    /// View ▸ Reset layout: every panel back where it starts.
    void resetLayout();

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
    void buildFileMenu();
    void buildRunMenu();
    void buildViewMenu();
    void buildHelpMenu();
    QWidget* buildSettingsPanel();
    QWidget* buildPlotArea();
    void buildDocks();
    void showProject(const project::Project& p);
    void onCompiled();
    void onProgress(const FitSnapshot& snapshot);
    void onFinished(const fit::FitOutcome& outcome);
    void setDirty(bool dirty);
    void updateTitle();
    void updateButtons();
    void updateCurveSource();
    bool confirmDiscard();
    bool saveInteractively(bool askForPath); ///< Save / Save As; false if cancelled or failed
    void rewriteText(const std::string& text);
    void rewriteValues(const std::vector<double>& values);
    void recordFrame(int iteration, double loss);
    void matchData();
    /// Applies `edit` to the project's non-text state as one undoable step.
    void changeProject(const QString& what, const std::function<void(project::Project&)>& edit);
    void applyState(const project::Project& state);
    std::optional<ode::TimeSpan> spanInWidgets() const;
    void showSpanAndView(const project::Project& p); ///< the span fields, points and log axes
    void settingsEdited();
    void viewEdited(const std::function<void(project::ViewSettings&)>& edit);
    std::vector<std::size_t> shownDataSets() const;
    void refreshPlotControls();
    void compileExpressions();
    QString declaredAs(const QString& word) const;
    QString exportDirectory() const;
    void rememberRecent(const QString& path);
    void fillRecentMenu();
    bool drawPrediction(const std::vector<double>& params); ///< false (and says why) on failure
    /// How the prediction is drawn (grid, solver, span), without params or initial values.
    fit::SimulationRequest displayRequest(const project::Project& p,
                                          const fit::FitOptions& options) const;
    /// The series to draw for one data set's prediction (t, columns), its data and `params`.
    void appendSeries(std::vector<PlotSeries>& series,
                      std::size_t dataSet,
                      const std::vector<double>& t,
                      const std::vector<std::vector<double>>& columns,
                      const std::vector<double>& params) const;
    /// A model with noise: the band and sample paths of the states among series[from…].
    void attachEnsemble(std::vector<PlotSeries>& series,
                        std::size_t from,
                        const std::vector<std::vector<double>>& lower,
                        const std::vector<std::vector<double>>& upper,
                        const std::vector<std::vector<std::vector<double>>>& paths) const;
    void showNoiseSettings(const project::Project& p);

    ModelEditor* m_editor;
    SolutionPlot* m_plot;
    PhasePlot* m_phase;
    ResidualChart* m_residuals;
    QTabWidget* m_views = nullptr;
    LossPlot* m_loss;
    ParameterTableModel* m_parameters;
    QTableView* m_parameterView;
    ParameterSliders* m_sliders;
    MessageLog* m_log;
    FitSession* m_session;
    LanguageReference* m_reference = nullptr;

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
    QSpinBox* m_trajectories; ///< SDE: the ensemble drawn, and the moments loss's
    QSpinBox* m_noiseSeed;    ///< SDE: the noise's seed (the project's seed)
    QComboBox* m_sdeLoss;     ///< SDE: pathwise or moments
    QPushButton* m_simulate;
    QPushButton* m_fit;
    QPushButton* m_pause;
    QPushButton* m_stop;
    QPushButton* m_apply;
    QPushButton* m_discard;
    QLabel* m_curveSource;
    QToolButton* m_seriesButton = nullptr;
    QToolButton* m_dataSetsButton = nullptr;
    QComboBox* m_layout = nullptr;
    QLineEdit* m_expressions = nullptr;
    QAction* m_logTime;
    QAction* m_logY;
    QAction* m_simulateAction = nullptr;
    QAction* m_fitAction = nullptr;
    QAction* m_pauseAction = nullptr;
    QAction* m_stopAction = nullptr;
    QAction* m_applyAction = nullptr;
    QMenu* m_recentMenu = nullptr;
    QMenu* m_viewMenu = nullptr;
    QByteArray m_defaultLayout; ///< the docks as built, for View ▸ Reset layout

    QUndoStack* m_undo;
    project::Project m_settingsBefore; ///< the settings as they were before the last widget edit
    bool m_applying = false;           ///< applyState() is setting widgets: not a user edit
    project::Project m_project; ///< data and history; the model text and settings live in widgets
    QString m_path;
    bool m_dirty = false;
    std::vector<double> m_fitted;
    std::vector<std::string> m_fittedNames;          ///< the params m_fitted belongs to, in order
    bool m_showFitted = false;                       ///< the drawn curve uses m_fitted
    std::optional<std::pair<int, double>> m_preview; ///< a slider's value while it is dragged
    bool m_previewQueued = false;
    std::optional<fit::FitOutcome> m_outcome;
    std::shared_ptr<const model::Observables> m_observables; ///< the plot expressions
    std::vector<QImage> m_frames;                            ///< the last fit's animation
    std::vector<QString> m_captions;                         ///< one per frame
    std::vector<fit::Experiment> m_experiments;    ///< m_project's data matched to the model
    std::string m_dataError;                       ///< why they could not be, if so
    std::vector<fit::Experiment> m_fitExperiments; ///< the running fit's data, for the live plot
    std::vector<double> m_fitParams;               ///< the running fit's latest params
    int m_frameStride = 1; ///< keep every k-th snapshot once the frame budget is used
    int m_snapshotCount = 0;
};

} // namespace dynfit::ui
