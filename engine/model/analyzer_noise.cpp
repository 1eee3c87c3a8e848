// SPDX-License-Identifier: MIT
// The noise terms of an SDE (issue 16): `noise x = g` (x's own Wiener process), `noise x = g1
// by W1, g2 by W2` (named processes, shared between states), `calculus stratonovich`.
#include "model/analyzer.hpp"

namespace dynfit::model {

void Analyzer::resolveNoise() {
    AnalyzedNoise& noise = m_result.noise;
    noise.terms.assign(m_result.states.size(), {});
    if (m_noiseStatements.empty()) {
        if (m_calculus != nullptr) {
            m_diag.warning(m_calculus->where, "calculus is not used: no state has noise");
        }
        return;
    }
    noise.stratonovich = m_calculus != nullptr && m_calculus->name == "stratonovich";
    std::map<std::string, int> processIndex;
    const auto processOf = [&](const std::string& name) {
        const auto [it, added] =
            processIndex.try_emplace(name, static_cast<int>(noise.processes.size()));
        if (added) {
            noise.processes.push_back(name);
        }
        return it->second;
    };
    for (const auto& [name, statement] : m_noiseStatements) {
        if (m_stateIndex.count(name) == 0) {
            m_diag.error(statement->where, "noise for '" + name + "', which has no equation d("
                                               + name + ")/dt = ...");
        }
    }
    for (const std::string& name : m_stateOrder) { // processes numbered in the states' order
        const auto found = m_noiseStatements.find(name);
        const auto state = m_stateIndex.find(name);
        if (found == m_noiseStatements.end() || state == m_stateIndex.end()) {
            continue;
        }
        const Statement* statement = found->second;
        for (const NoiseTerm& term : statement->noise) {
            if (!term.process.empty()
                && (m_symbols.count(term.process) != 0 || m_stateIndex.count(term.process) != 0)) {
                m_diag.error(term.processWhere, "'" + term.process
                                                    + "' is already a name in the model; a Wiener "
                                                      "process needs a name of its own");
                continue;
            }
            Context context;
            context.what = "the noise of '" + name + "'";
            const NodeId g = build(*term.value, context);
            // Unnamed: the state's own process ('#' keeps it apart from any name written).
            const int process = processOf(term.process.empty() ? "#" + name : term.process);
            noise.terms[static_cast<std::size_t>(state->second)].emplace_back(process, g);
        }
    }
    if (!m_result.delays.empty()) {
        m_diag.error(m_noiseStatements.begin()->second->where,
                     "noise in a model with delays is not supported yet");
    }
    for (const Statement* s : m_eventStatements) {
        m_diag.error(s->where, "events in a model with noise are not supported yet");
    }
    // The Brownian path is written in absolute time from t0 (its key's tree spans the solve).
    if (m_result.timeSpan && !m_graph.isConstant(m_result.timeSpan->first)) {
        m_diag.error(m_timeSpan->lower->where,
                     "the start of tspan must be a number in a model with noise (its Brownian "
                     "path starts there)");
    }
}

} // namespace dynfit::model
