// SPDX-License-Identifier: MIT
// A program evaluated with its own registers, and the vector type of model states.
#pragma once

#include "model/program.hpp"

#include <Eigen/Core>
#include <vector>

namespace dynfit::model {

template<class S>
using Vector = Eigen::Matrix<S, Eigen::Dynamic, 1>;

/// Evaluates a program with its own register file (one per copy: copies are independent, so a
/// solver may copy it per thread). No allocation per call.
template<class S>
class ProgramEvaluator {
  public:
    ProgramEvaluator() = default;
    explicit ProgramEvaluator(const Program& program) : m_program(&program) {
        program.prepare(m_regs);
    }

    void operator()(const S* u, const S* p, const S* aux, double t, S* out) {
        m_program->evaluate(m_regs, u, p, aux, t, out);
    }

  private:
    const Program* m_program = nullptr;
    std::vector<S> m_regs;
};

} // namespace dynfit::model
