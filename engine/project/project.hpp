// SPDX-License-Identifier: MIT
// A DynFit project: the model text, the data sets (embedded), and every setting of a fit, as a
// versioned JSON document (.dynfit) shared by the app and dynfit-cli.
#pragma once

#include "problem/ode_problem.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dynfit::project {

/// The format this build writes; it reads this and every older one.
constexpr int kFormatVersion = 1;

/// One experiment's data, embedded as the CSV text it was imported from.
struct DataSetEntry {
    std::string name;
    std::string sourcePath; ///< where it was imported from (kept for the user; never re-read)
    std::string csv;
    /// Column → state; a column mapped to "" is ignored. Columns not listed match a state of
    /// the same name.
    std::vector<std::pair<std::string, std::string>> mapping;
    /// This experiment's own initial values (state name, value); others follow the model.
    std::vector<std::pair<std::string, double>> initialValues;
    /// This experiment's own doses, as the CSV text of its dose table (empty: none), and where
    /// that was imported from.
    std::string dosesCsv;
    std::string dosesSourcePath;

    bool operator==(const DataSetEntry&) const = default;
};

struct SolverSettings {
    std::string method = "Tsit5";
    double reltol = 1e-6;
    double abstol = 1e-8;
    std::optional<ode::TimeSpan> span; ///< overrides the model's tspan

    bool operator==(const SolverSettings& o) const {
        return method == o.method && reltol == o.reltol && abstol == o.abstol
               && span.has_value() == o.span.has_value()
               && (!span || (span->t0 == o.span->t0 && span->t1 == o.span->t1));
    }
};

/// Names as the CLI takes them: optimizer adam|lbfgs|lm, gradient forward|reverse|....
struct FitSettings {
    std::string optimizer = "lbfgs";
    std::string gradient = "reverse";
    double learningRate = 0.05;
    int iterations = 200;
    int growingWindow = 0;
    int shooting = 0;
    double continuity = 1.0;
    unsigned long long seed = 0;
    std::vector<std::string> fixed; ///< params held at their values
    /// A model with noise: pathwise (on trajectory `trajectory` of the seed's noise) or moments
    /// (over `trajectories` paths).
    std::string sdeLoss = "pathwise";
    long trajectories = 256;
    unsigned trajectory = 0;

    bool operator==(const FitSettings&) const = default;
};

/// How the time series are arranged: all in one plot, one plot per series stacked, or side by
/// side.
enum class PlotLayout { Single, Stacked, SideBySide };

std::string_view plotLayoutName(PlotLayout layout); ///< "single", "stacked", "side_by_side"
std::optional<PlotLayout> plotLayoutByName(std::string_view name);

/// How the prediction is drawn: log axes, how many points the fine grid has, and what is shown.
struct ViewSettings {
    static constexpr int kMinPoints = 2, kMaxPoints = 100000;
    bool logTime = false;
    bool logValues = false;
    int points = 400;
    PlotLayout layout = PlotLayout::Single;
    std::vector<std::string> hiddenSeries;  ///< states and expressions not drawn
    std::string expressions;                ///< plot expressions, one per line (x + y, a let)
    std::vector<std::string> shownDataSets; ///< by name; empty: the first one

    bool operator==(const ViewSettings&) const = default;
};

/// One iteration of the last fit, for the loss curve.
struct HistoryEntry {
    int iteration = 0;
    double loss = 0.0;
    double gradientNorm = 0.0;
    double seconds = 0.0;

    bool operator==(const HistoryEntry&) const = default;
};

/// Parameter values, bounds and network weights live in the model text (a fit writes its values
/// back there), so that the text alone is always the whole model.
struct Project {
    std::string modelText;
    std::vector<DataSetEntry> data;
    SolverSettings solver;
    FitSettings fit;
    ViewSettings view;
    std::vector<HistoryEntry> history;

    bool operator==(const Project&) const = default;
};

/// The project as JSON text (format kFormatVersion).
std::string writeProject(const Project& project);

/// Parses JSON text. False with the reason on bad input: a syntax error names its line and
/// column, a missing or mistyped field its path ("data[1].csv"), a newer format its version.
bool readProject(std::string_view json, Project& project, std::string& error);

/// Writes atomically: to a temporary file beside `path`, then renamed over it, so that a
/// failure never leaves a half-written project.
bool saveProjectFile(const std::string& path, const Project& project, std::string& error);
bool loadProjectFile(const std::string& path, Project& project, std::string& error);

/// True when `path` names a project (.dynfit) rather than a bare model text.
bool isProjectPath(std::string_view path);

} // namespace dynfit::project
