// SPDX-License-Identifier: MIT
// Compiling DAG outputs into a register program.
#include "model/program.hpp"

namespace dynfit::model {

Program::Program(const ExprGraph& graph, const std::vector<NodeId>& outputs, InputLayout layout)
    : m_layout(layout) {
    // Mark what the outputs need; children have smaller ids, so a backward sweep suffices.
    NodeId top = -1;
    for (NodeId o : outputs) {
        top = std::max(top, o);
    }
    std::vector<char> needed(static_cast<std::size_t>(top + 1), 0);
    for (NodeId o : outputs) {
        needed[static_cast<std::size_t>(o)] = 1;
    }
    for (NodeId i = top; i >= 0; --i) {
        const Node& n = graph.node(i);
        if (needed[static_cast<std::size_t>(i)] && arity(n.op) > 0) {
            needed[static_cast<std::size_t>(n.a)] = 1;
            if (n.b >= 0) {
                needed[static_cast<std::size_t>(n.b)] = 1;
            }
        }
    }
    std::vector<int> reg(needed.size(), -1);
    int next = timeRegister() + 1;
    for (NodeId i = 0; i <= top; ++i) {
        if (!needed[static_cast<std::size_t>(i)]) {
            continue;
        }
        const Node& n = graph.node(i);
        int& r = reg[static_cast<std::size_t>(i)];
        switch (n.op) {
        case Op::Input:
            r = n.set == InputSet::State   ? n.index
                : n.set == InputSet::Param ? layout.states + n.index
                                           : layout.states + layout.params + n.index;
            break;
        case Op::Time:
            r = timeRegister();
            break;
        case Op::Const:
            r = next++;
            m_constants.emplace_back(r, n.value);
            break;
        default:
            r = next++;
            // Unary operations read their operand twice; the second read is ignored.
            m_code.push_back({n.op, r, reg[static_cast<std::size_t>(n.a)],
                              n.b >= 0 ? reg[static_cast<std::size_t>(n.b)]
                                       : reg[static_cast<std::size_t>(n.a)]});
        }
    }
    for (NodeId o : outputs) {
        m_outputs.push_back(reg[static_cast<std::size_t>(o)]);
    }
    m_registers = next;
}

} // namespace dynfit::model
