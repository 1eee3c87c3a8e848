// SPDX-License-Identifier: MIT
// Synthetic data for tests: a solution's saved states as a data table, every state observed.
#pragma once

#include "io/csv_data.hpp"

#include <string>
#include <vector>

namespace dynfit::test {

/// Column i is state i of every saved point; the columns are named `names`.
template<class Solution>
io::DataSet dataFromSolution(const Solution& sol, const std::vector<std::string>& names) {
    io::DataSet data;
    data.timeColumn.push_back('t'); // not = "t": g++ 12 warns falsely (-Wrestrict) there
    data.columns = names;
    data.times = sol.t;
    data.values.assign(names.size(), {});
    for (const auto& u : sol.u) {
        for (std::size_t i = 0; i < names.size(); ++i) {
            data.values[i].push_back(u[static_cast<Eigen::Index>(i)]);
        }
    }
    return data;
}

} // namespace dynfit::test
