// SPDX-License-Identifier: MIT
#include "fit/residuals.hpp"

#include <cmath>

namespace dynfit::fit {

std::vector<StateResiduals>
residualsByState(const objective::LeastSquaresLoss& loss,
                 const std::vector<std::vector<double>>& predictedColumns) {
    std::vector<StateResiduals> out(predictedColumns.size());
    const auto& times = loss.saveTimes();
    for (const auto& term : loss.terms()) {
        const auto state = static_cast<std::size_t>(term.state);
        const auto save = static_cast<std::size_t>(term.save);
        if (state >= predictedColumns.size() || save >= predictedColumns[state].size()
            || !std::isfinite(predictedColumns[state][save])) {
            continue;
        }
        out[state].times.push_back(times[save]);
        out[state].values.push_back(term.value - predictedColumns[state][save]);
    }
    for (auto& r : out) {
        double sum = 0.0;
        for (const double v : r.values) {
            sum += v * v;
        }
        r.rms = r.values.empty() ? 0.0 : std::sqrt(sum / static_cast<double>(r.values.size()));
    }
    return out;
}

} // namespace dynfit::fit
