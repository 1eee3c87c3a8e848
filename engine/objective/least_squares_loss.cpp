// SPDX-License-Identifier: MIT
// Matching data to a model for the least-squares loss.
#include "objective/least_squares_loss.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace dynfit::objective {

bool LeastSquaresLoss::build(const std::vector<std::string>& states,
                             const io::DataSet& data,
                             const std::map<std::string, double>& weights,
                             LeastSquaresLoss& loss,
                             std::string& error) {
    loss = LeastSquaresLoss{};
    for (const auto& [name, weight] : weights) {
        if (std::find(data.columns.begin(), data.columns.end(), name) == data.columns.end()) {
            error = "a weight is given for '" + name + "', which is not a data column";
            return false;
        }
        if (!(weight > 0.0) || !std::isfinite(weight)) {
            error = "the weight of '" + name + "' must be a positive number";
            return false;
        }
    }
    loss.m_times = data.times;
    loss.m_times.erase(std::unique(loss.m_times.begin(), loss.m_times.end()), loss.m_times.end());
    for (std::size_t c = 0; c < data.columns.size(); ++c) {
        const auto named = std::find(states.begin(), states.end(), data.columns[c]);
        const int state = static_cast<int>(named - states.begin());
        if (named == states.end()) {
            error = "data column '" + data.columns[c] + "' is not a state of the model";
            return false;
        }
        const auto w = weights.find(data.columns[c]);
        const double weight = w == weights.end() ? 1.0 : w->second;
        for (std::size_t k = 0; k < data.times.size(); ++k) {
            const double value = data.values[c][k];
            if (std::isnan(value)) {
                continue;
            }
            const auto save =
                std::lower_bound(loss.m_times.begin(), loss.m_times.end(), data.times[k]);
            loss.m_terms.push_back(
                {static_cast<int>(save - loss.m_times.begin()), state, value, weight});
        }
    }
    if (loss.m_terms.empty()) {
        error = "the data have no observed value";
        return false;
    }
    return true;
}

std::vector<std::vector<double>> LeastSquaresLoss::observedColumns(int states) const {
    std::vector<std::vector<double>> columns(
        static_cast<std::size_t>(states),
        std::vector<double>(m_times.size(), std::numeric_limits<double>::quiet_NaN()));
    for (const Term& term : m_terms) {
        columns[static_cast<std::size_t>(term.state)][static_cast<std::size_t>(term.save)] =
            term.value;
    }
    return columns;
}

LeastSquaresLoss LeastSquaresLoss::upTo(double tMax) const {
    return between(-std::numeric_limits<double>::infinity(), tMax, true);
}

LeastSquaresLoss LeastSquaresLoss::between(double from, double to, bool includeTo) const {
    LeastSquaresLoss window;
    std::vector<int> newIndex(m_times.size(), -1);
    for (std::size_t k = 0; k < m_times.size(); ++k) {
        const double t = m_times[k];
        if (t >= from && (t < to || (includeTo && t == to))) {
            newIndex[k] = static_cast<int>(window.m_times.size());
            window.m_times.push_back(t);
        }
    }
    for (const Term& term : m_terms) {
        const int save = newIndex[static_cast<std::size_t>(term.save)];
        if (save >= 0) {
            window.m_terms.push_back({save, term.state, term.value, term.weight});
        }
    }
    return window;
}

LeastSquaresLoss
LeastSquaresLoss::withTargets(double time, const std::vector<double>& values, double weight) const {
    LeastSquaresLoss out = *this;
    const auto at = std::lower_bound(out.m_times.begin(), out.m_times.end(), time);
    const int save = static_cast<int>(at - out.m_times.begin());
    if (at == out.m_times.end() || *at != time) {
        out.m_times.insert(at, time);
        for (Term& term : out.m_terms) {
            if (term.save >= save) {
                ++term.save;
            }
        }
    }
    for (std::size_t i = 0; i < values.size(); ++i) {
        out.m_terms.push_back({save, static_cast<int>(i), values[i], weight});
    }
    return out;
}

std::vector<Eigen::VectorXd>
LeastSquaresLoss::stateGradients(const std::vector<Eigen::VectorXd>& saved) const {
    std::vector<Eigen::VectorXd> gradients(m_times.size());
    for (std::size_t k = 0; k < gradients.size(); ++k) {
        gradients[k].setZero(saved[k].size());
    }
    for (const Term& term : m_terms) {
        const auto k = static_cast<std::size_t>(term.save);
        gradients[k][term.state] += 2.0 * term.weight * (saved[k][term.state] - term.value);
    }
    return gradients;
}

Eigen::VectorXd LeastSquaresLoss::stateGradientAt(std::size_t save,
                                                  const Eigen::VectorXd& u) const {
    Eigen::VectorXd gradient = Eigen::VectorXd::Zero(u.size());
    for (const Term& term : m_terms) {
        if (static_cast<std::size_t>(term.save) == save) {
            gradient[term.state] += 2.0 * term.weight * (u[term.state] - term.value);
        }
    }
    return gradient;
}

} // namespace dynfit::objective
