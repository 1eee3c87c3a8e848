// SPDX-License-Identifier: MIT
// A compiled expression program: register bytecode over a flat array, generic over the scalar.
#pragma once

#include "model/expr_graph.hpp"
#include "model/scalar_ops.hpp"

#include <string>
#include <vector>

namespace dynfit::model {

/// Sizes of the input vectors a program reads.
struct InputLayout {
    int states = 0;
    int params = 0;
    int aux = 0;
};

/// The outputs of a set of DAG nodes, compiled once: every node reachable from the outputs gets
/// one register, shared subexpressions are computed once, and evaluation walks a flat
/// instruction list with no allocation. Registers: [u | p | aux | t | constants | temporaries].
class Program {
  public:
    struct Instruction {
        Op op;
        int dst, a, b;
    };

    Program() = default;
    Program(const ExprGraph& graph, const std::vector<NodeId>& outputs, InputLayout layout);

    int registerCount() const { return m_registers; }
    int outputCount() const { return static_cast<int>(m_outputs.size()); }
    std::size_t instructionCount() const { return m_code.size(); }
    const InputLayout& layout() const { return m_layout; }

    /// The program as a C++ function `extern "C" void name(u, p, aux, t, out)` (native_code.cpp).
    std::string toCpp(const std::string& name) const;

    /// Writes the constants into a register file of registerCount() entries (once per file).
    template<class S>
    void prepare(std::vector<S>& regs) const {
        regs.assign(static_cast<std::size_t>(m_registers), S(0.0));
        for (const auto& [reg, value] : m_constants) {
            regs[static_cast<std::size_t>(reg)] = S(value);
        }
    }

    /// out[k] = output k at (u, p, aux, t), using a register file made by prepare().
    template<class S>
    void
    evaluate(std::vector<S>& regs, const S* u, const S* p, const S* aux, double t, S* out) const {
        S* r = regs.data();
        for (int i = 0; i < m_layout.states; ++i) {
            r[i] = u[i];
        }
        for (int i = 0; i < m_layout.params; ++i) {
            r[m_layout.states + i] = p[i];
        }
        for (int i = 0; i < m_layout.aux; ++i) {
            r[m_layout.states + m_layout.params + i] = aux[i];
        }
        r[timeRegister()] = S(t);
        for (const Instruction& in : m_code) {
            r[in.dst] = applyOp(in.op, r[in.a], r[in.b]);
        }
        for (std::size_t k = 0; k < m_outputs.size(); ++k) {
            out[k] = r[m_outputs[k]];
        }
    }

  private:
    int timeRegister() const { return m_layout.states + m_layout.params + m_layout.aux; }

    InputLayout m_layout;
    int m_registers = 0;
    std::vector<Instruction> m_code;
    std::vector<std::pair<int, double>> m_constants;
    std::vector<int> m_outputs;
};

} // namespace dynfit::model
