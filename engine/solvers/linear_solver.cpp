// SPDX-License-Identifier: MIT
// The dense and sparse LU of the stiff methods for dynamic-size double and float states, compiled
// once here (linear_solver.hpp declares them extern).
#include "solvers/linear_solver.hpp"

namespace dynfit::ode {

template class LinearSolver<double, Eigen::Dynamic>;
template class LinearSolver<float, Eigen::Dynamic>;

} // namespace dynfit::ode
