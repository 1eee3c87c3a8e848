// SPDX-License-Identifier: MIT
// A fixture's least-squares loss: built, or the test ends with the reason. A fixture never goes
// on with an empty loss, whose zero gradients would pass every comparison between methods.
//
// Mutation check: with DYNFIT_MUTATE_EMPTY_LOSS set, requireLoss() returns an empty loss
// instead; tests/CMakeLists.txt runs the tests that use it so and requires them to fail.
#pragma once

#include "io/csv_data.hpp"
#include "objective/least_squares_loss.hpp"

#include <QtGlobal>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

namespace dynfit::test {

inline objective::LeastSquaresLoss requireLoss(const std::vector<std::string>& states,
                                               const io::DataSet& data,
                                               const std::map<std::string, double>& weights = {}) {
    if (std::getenv("DYNFIT_MUTATE_EMPTY_LOSS") != nullptr) {
        return {};
    }
    objective::LeastSquaresLoss loss;
    std::string error;
    if (!objective::LeastSquaresLoss::build(states, data, weights, loss, error)
        || loss.terms().empty()) {
        qFatal("the fixture's loss did not build: %s", error.c_str());
    }
    return loss;
}

} // namespace dynfit::test
