// SPDX-License-Identifier: MIT
// The moment loss's cells and their deviance.
#include "objective/moment_loss.hpp"

#include <algorithm>
#include <cmath>
#include <map>

namespace dynfit::objective {

namespace {

// ½ w Σ_r [(d_r − μ)²/v′ + log v′] at the cell's best μ (the values' mean) and v′ ≥ floor (their
// mean squared deviation, or the floor).
double saturatedShare(const std::vector<double>& values, double weight, double floor) {
    double mean = 0.0;
    for (double d : values) {
        mean += d;
    }
    mean /= static_cast<double>(values.size());
    double squares = 0.0;
    for (double d : values) {
        squares += (d - mean) * (d - mean);
    }
    const double best = std::max(squares / static_cast<double>(values.size()), floor);
    return 0.5 * weight * (squares / best + static_cast<double>(values.size()) * std::log(best));
}

} // namespace

MomentLoss::MomentLoss(const LeastSquaresLoss& data, double relativeFloor)
    : m_times(data.saveTimes()) {
    std::map<std::pair<int, int>, Cell> cells; // by (save, state): a fixed order
    std::map<int, double> scale;               // largest |d| per state
    for (const auto& term : data.terms()) {
        Cell& cell = cells[{term.save, term.state}];
        cell.save = term.save;
        cell.state = term.state;
        cell.weight = term.weight;
        cell.values.push_back(term.value);
        scale[term.state] = std::max(scale[term.state], std::abs(term.value));
    }
    for (auto& [key, cell] : cells) {
        const double s = std::max(scale[cell.state], 1e-300);
        cell.floor = relativeFloor * s * s;
        cell.saturated = saturatedShare(cell.values, cell.weight, cell.floor);
        m_cells.push_back(std::move(cell));
    }
}

int MomentLoss::replicatedCells() const {
    return static_cast<int>(std::count_if(m_cells.begin(), m_cells.end(),
                                          [](const Cell& c) { return c.values.size() > 1; }));
}

MomentLoss::Value MomentLoss::evaluate(const Eigen::ArrayXXd& mean,
                                       const Eigen::ArrayXXd& variance) const {
    Value out;
    out.dMean = Eigen::ArrayXXd::Zero(mean.rows(), mean.cols());
    out.dVariance = out.dMean;
    for (const Cell& cell : m_cells) {
        const double mu = mean(cell.state, cell.save);
        const double v = std::max(variance(cell.state, cell.save), 0.0) + cell.floor;
        double sum = 0.0, dMu = 0.0, squares = 0.0;
        for (double d : cell.values) {
            const double r = d - mu;
            squares += r * r;
            dMu -= r;
        }
        const double count = static_cast<double>(cell.values.size());
        sum = squares / v + count * std::log(v);
        out.loss += 0.5 * cell.weight * sum - cell.saturated;
        out.dMean(cell.state, cell.save) += cell.weight * dMu / v;
        out.dVariance(cell.state, cell.save) += 0.5 * cell.weight * (count / v - squares / (v * v));
    }
    return out;
}

} // namespace dynfit::objective
