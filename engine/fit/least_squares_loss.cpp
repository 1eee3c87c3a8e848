// SPDX-License-Identifier: MIT
// Matching data to a model for the least-squares loss.
#include "fit/least_squares_loss.hpp"

#include <algorithm>
#include <cmath>

namespace dynfit::fit {

bool LeastSquaresLoss::build(const model::CompiledModel& model,
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
        const int state = model.stateIndex(data.columns[c]);
        if (state < 0) {
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

LeastSquaresLoss LeastSquaresLoss::upTo(double tMax) const {
    LeastSquaresLoss window;
    for (double t : m_times) {
        if (t <= tMax) {
            window.m_times.push_back(t);
        }
    }
    for (const Term& term : m_terms) {
        if (static_cast<std::size_t>(term.save) < window.m_times.size()) {
            window.m_terms.push_back(term);
        }
    }
    return window;
}

} // namespace dynfit::fit
