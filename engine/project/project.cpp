// SPDX-License-Identifier: MIT
// Reading and writing .dynfit projects.
#include "project/project.hpp"

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace dynfit::project {

namespace {

using Json = nlohmann::ordered_json;

// A field of the wrong type or missing: thrown inside readProject, caught there.
struct FieldError {
    std::string path;
    std::string what;
};

const Json& field(const Json& object, const char* key, const std::string& path) {
    const auto it = object.find(key);
    if (it == object.end()) {
        throw FieldError{path.empty() ? key : path + "." + key, "is missing"};
    }
    return *it;
}

std::string pathOf(const std::string& parent, const char* key) {
    return parent.empty() ? std::string(key) : parent + "." + key;
}

template<class T>
T get(const Json& object, const char* key, const std::string& path, T fallback) {
    const auto it = object.find(key);
    if (it == object.end()) {
        return fallback;
    }
    try {
        return it->get<T>();
    } catch (const nlohmann::json::exception&) {
        throw FieldError{pathOf(path, key), "has the wrong type"};
    }
}

std::string getString(const Json& object, const char* key, const std::string& path) {
    const Json& value = field(object, key, path);
    if (!value.is_string()) {
        throw FieldError{pathOf(path, key), "must be a string"};
    }
    return value.get<std::string>();
}

// "line L, column C" of a byte offset in the text.
std::string whereInText(std::string_view text, std::size_t byte) {
    int line = 1, column = 1;
    for (std::size_t i = 0; i < std::min(byte, text.size()); ++i) {
        if (text[i] == '\n') {
            ++line;
            column = 1;
        } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
            ++column; // count characters, not UTF-8 continuation bytes
        }
    }
    return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

Json dataToJson(const DataSetEntry& d) {
    Json mapping = Json::array();
    for (const auto& [column, state] : d.mapping) {
        mapping.push_back({{"column", column}, {"state", state}});
    }
    Json initial = Json::object();
    for (const auto& [state, value] : d.initialValues) {
        initial[state] = value;
    }
    Json out = {{"name", d.name},
                {"source_path", d.sourcePath},
                {"mapping", mapping},
                {"initial_values", initial},
                {"csv", d.csv}};
    if (!d.dosesCsv.empty()) {
        out["doses"] = {{"source_path", d.dosesSourcePath}, {"csv", d.dosesCsv}};
    }
    return out;
}

DataSetEntry dataFromJson(const Json& j, const std::string& path) {
    if (!j.is_object()) {
        throw FieldError{path, "must be an object"};
    }
    DataSetEntry d;
    d.name = getString(j, "name", path);
    d.csv = getString(j, "csv", path);
    d.sourcePath = get<std::string>(j, "source_path", path, "");
    if (const auto it = j.find("mapping"); it != j.end()) {
        if (!it->is_array()) {
            throw FieldError{path + ".mapping", "must be an array"};
        }
        for (std::size_t k = 0; k < it->size(); ++k) {
            const std::string at = path + ".mapping[" + std::to_string(k) + "]";
            d.mapping.emplace_back(getString((*it)[k], "column", at),
                                   getString((*it)[k], "state", at));
        }
    }
    if (const auto it = j.find("initial_values"); it != j.end()) {
        if (!it->is_object()) {
            throw FieldError{path + ".initial_values", "must be an object"};
        }
        for (const auto& [state, value] : it->items()) {
            if (!value.is_number()) {
                throw FieldError{path + ".initial_values." + state, "must be a number"};
            }
            d.initialValues.emplace_back(state, value.get<double>());
        }
    }
    if (const auto it = j.find("doses"); it != j.end()) {
        if (!it->is_object()) {
            throw FieldError{path + ".doses", "must be an object"};
        }
        d.dosesCsv = getString(*it, "csv", path + ".doses");
        d.dosesSourcePath = get<std::string>(*it, "source_path", path + ".doses", "");
    }
    return d;
}

} // namespace

std::string_view plotLayoutName(PlotLayout layout) {
    switch (layout) {
    case PlotLayout::Stacked:
        return "stacked";
    case PlotLayout::SideBySide:
        return "side_by_side";
    case PlotLayout::Single:
        break;
    }
    return "single";
}

std::optional<PlotLayout> plotLayoutByName(std::string_view name) {
    for (const PlotLayout l : {PlotLayout::Single, PlotLayout::Stacked, PlotLayout::SideBySide}) {
        if (plotLayoutName(l) == name) {
            return l;
        }
    }
    return std::nullopt;
}

std::string writeProject(const Project& p) {
    Json j;
    j["format"] = "dynfit-project";
    j["version"] = kFormatVersion;
    j["model"] = p.modelText;
    Json data = Json::array();
    for (const auto& d : p.data) {
        data.push_back(dataToJson(d));
    }
    j["data"] = data;
    Json solver = {
        {"method", p.solver.method}, {"reltol", p.solver.reltol}, {"abstol", p.solver.abstol}};
    if (p.solver.span) {
        solver["tspan"] = {p.solver.span->t0, p.solver.span->t1};
    }
    j["solver"] = solver;
    j["fit"] = {{"optimizer", p.fit.optimizer},
                {"gradient", p.fit.gradient},
                {"learning_rate", p.fit.learningRate},
                {"iterations", p.fit.iterations},
                {"growing_window", p.fit.growingWindow},
                {"shooting", p.fit.shooting},
                {"continuity", p.fit.continuity},
                {"seed", p.fit.seed},
                {"fixed", p.fit.fixed},
                {"sde_loss", p.fit.sdeLoss},
                {"trajectories", p.fit.trajectories},
                {"trajectory", p.fit.trajectory}};
    j["view"] = {{"log_time", p.view.logTime},       {"log_values", p.view.logValues},
                 {"points", p.view.points},          {"layout", plotLayoutName(p.view.layout)},
                 {"hidden", p.view.hiddenSeries},    {"expressions", p.view.expressions},
                 {"data_sets", p.view.shownDataSets}};
    Json history = Json::array();
    for (const auto& h : p.history) {
        history.push_back({h.iteration, h.loss, h.gradientNorm, h.seconds});
    }
    j["history"] = history;
    return j.dump(2) + "\n";
}

bool readProject(std::string_view text, Project& project, std::string& error) {
    Json j;
    try {
        j = Json::parse(text.begin(), text.end());
    } catch (const nlohmann::json::parse_error& e) {
        error =
            "not a valid project file (JSON syntax error at " + whereInText(text, e.byte - 1) + ")";
        return false;
    }
    try {
        if (!j.is_object() || get<std::string>(j, "format", "", "") != "dynfit-project") {
            error = "not a DynFit project (no \"format\": \"dynfit-project\")";
            return false;
        }
        const int version = get<int>(j, "version", "", 0);
        if (version > kFormatVersion) {
            error = "the project was written by a newer DynFit (format version "
                    + std::to_string(version) + "; this one reads up to "
                    + std::to_string(kFormatVersion) + ")";
            return false;
        }
        if (version < 1) {
            error = "the project has no valid \"version\"";
            return false;
        }
        Project p;
        p.modelText = getString(j, "model", "");
        if (const auto it = j.find("data"); it != j.end()) {
            if (!it->is_array()) {
                throw FieldError{"data", "must be an array"};
            }
            for (std::size_t k = 0; k < it->size(); ++k) {
                p.data.push_back(dataFromJson((*it)[k], "data[" + std::to_string(k) + "]"));
            }
        }
        if (const auto it = j.find("solver"); it != j.end()) {
            p.solver.method = get<std::string>(*it, "method", "solver", p.solver.method);
            p.solver.reltol = get<double>(*it, "reltol", "solver", p.solver.reltol);
            p.solver.abstol = get<double>(*it, "abstol", "solver", p.solver.abstol);
            if (const auto span = it->find("tspan"); span != it->end()) {
                const auto ends = get<std::vector<double>>(*it, "tspan", "solver", {});
                if (ends.size() != 2) {
                    throw FieldError{"solver.tspan", "must be [t0, t1]"};
                }
                p.solver.span = ode::TimeSpan{ends[0], ends[1]};
            }
        }
        if (const auto it = j.find("fit"); it != j.end()) {
            FitSettings& f = p.fit;
            f.optimizer = get<std::string>(*it, "optimizer", "fit", f.optimizer);
            f.gradient = get<std::string>(*it, "gradient", "fit", f.gradient);
            f.learningRate = get<double>(*it, "learning_rate", "fit", f.learningRate);
            f.iterations = get<int>(*it, "iterations", "fit", f.iterations);
            f.growingWindow = get<int>(*it, "growing_window", "fit", f.growingWindow);
            f.shooting = get<int>(*it, "shooting", "fit", f.shooting);
            f.continuity = get<double>(*it, "continuity", "fit", f.continuity);
            f.seed = get<unsigned long long>(*it, "seed", "fit", f.seed);
            f.fixed = get<std::vector<std::string>>(*it, "fixed", "fit", f.fixed);
            f.sdeLoss = get<std::string>(*it, "sde_loss", "fit", f.sdeLoss);
            f.trajectories = get<long>(*it, "trajectories", "fit", f.trajectories);
            f.trajectory = get<unsigned>(*it, "trajectory", "fit", f.trajectory);
        }
        if (const auto it = j.find("view"); it != j.end()) {
            ViewSettings& v = p.view;
            v.logTime = get<bool>(*it, "log_time", "view", v.logTime);
            v.logValues = get<bool>(*it, "log_values", "view", v.logValues);
            v.points = get<int>(*it, "points", "view", v.points);
            const auto layout = get<std::string>(*it, "layout", "view", "single");
            if (const auto known = plotLayoutByName(layout)) {
                v.layout = *known;
            } else {
                throw FieldError{"view.layout", "must be single, stacked or side_by_side"};
            }
            v.hiddenSeries = get<std::vector<std::string>>(*it, "hidden", "view", {});
            v.expressions = get<std::string>(*it, "expressions", "view", "");
            v.shownDataSets = get<std::vector<std::string>>(*it, "data_sets", "view", {});
            if (v.points < ViewSettings::kMinPoints || v.points > ViewSettings::kMaxPoints) {
                throw FieldError{"view.points",
                                 "must be between " + std::to_string(ViewSettings::kMinPoints)
                                     + " and " + std::to_string(ViewSettings::kMaxPoints)};
            }
        }
        if (const auto it = j.find("history"); it != j.end()) {
            const auto rows = get<std::vector<std::vector<double>>>(j, "history", "", {});
            for (std::size_t k = 0; k < rows.size(); ++k) {
                if (rows[k].size() != 4) {
                    throw FieldError{"history[" + std::to_string(k) + "]",
                                     "must be [iteration, loss, gradient norm, seconds]"};
                }
                p.history.push_back(
                    {static_cast<int>(rows[k][0]), rows[k][1], rows[k][2], rows[k][3]});
            }
        }
        project = std::move(p);
        return true;
    } catch (const FieldError& e) {
        error = "in the project, \"" + e.path + "\" " + e.what;
        return false;
    }
}

bool saveProjectFile(const std::string& path, const Project& project, std::string& error) {
    const std::string temporary = path + ".saving";
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        out << writeProject(project);
        out.flush();
        if (!out) {
            error = "cannot write '" + temporary + "'";
            std::remove(temporary.c_str());
            return false;
        }
    }
    if (std::rename(temporary.c_str(), path.c_str()) != 0) {
        error = "cannot replace '" + path + "'";
        std::remove(temporary.c_str());
        return false;
    }
    return true;
}

bool loadProjectFile(const std::string& path, Project& project, std::string& error) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        error = "cannot read '" + path + "'";
        return false;
    }
    std::ostringstream text;
    text << in.rdbuf();
    if (!readProject(text.str(), project, error)) {
        error = path + ": " + error;
        return false;
    }
    return true;
}

bool isProjectPath(std::string_view path) {
    constexpr std::string_view ext = ".dynfit";
    return path.size() > ext.size() && path.substr(path.size() - ext.size()) == ext;
}

} // namespace dynfit::project
