// SPDX-License-Identifier: MIT
// Checks a parsed model and builds its expression DAG (internal to compileModel()).
#pragma once

#include "model/ast.hpp"
#include "model/diagnostic.hpp"
#include "model/expr_graph.hpp"
#include "model/model.hpp"

#include <map>
#include <set>
#include <string>
#include <vector>

namespace dynfit::model {

/// One distinct network call of the staged right-hand side: its inputs as DAG nodes, its outputs
/// read by the staged f as Aux inputs n + outputOffset + k.
struct StagedCall {
    int network = 0;
    std::vector<NodeId> inputs;
    int outputOffset = 0;
};

/// f with every network call cut out: the calls' outputs are inputs (Aux slots after the first
/// n), so the networks can run as hand-derived dense kernels between two small programs.
struct StagedRhs {
    std::vector<StagedCall> calls;
    std::vector<NodeId> rhs;
    int outputCount = 0;
};

/// An event as DAG nodes (see CompiledEvent for what each means).
struct AnalyzedEvent {
    EventClause::Trigger trigger = EventClause::Trigger::Crossing;
    char comparison = '<';
    bool stop = false;
    SourceLocation where;
    NodeId condition = 0;      ///< Crossing: lhs − rhs
    std::vector<NodeId> times; ///< Times: each time; Every: period, first, last
    std::vector<NodeId> reset; ///< the whole state after the event; empty without actions
    std::vector<int> targets;  ///< the states the actions set
};

/// A delayed state in the equations, x(t − lag): f reads it as State input n + its index.
struct DelayedRef {
    int state = 0;
    NodeId lag = 0; ///< an expression of params and consts, positive
    SourceLocation where;
};

/// The noise of an SDE: per state its terms (process, g), and the Wiener processes' names.
struct AnalyzedNoise {
    std::vector<std::string> processes; ///< in order of appearance (unnamed: the state's own)
    std::vector<std::vector<std::pair<int, NodeId>>> terms; ///< per state
    bool stratonovich = false;
};

/// The checked model as DAG nodes: f, u0 and tspan, with names and values.
struct AnalyzedModel {
    ExprGraph graph;
    std::vector<std::string> states;
    std::vector<ParamInfo> params;
    std::vector<NetworkInfo> networks;
    std::vector<std::pair<std::string, double>> consts;
    std::vector<NodeId> rhs;
    std::vector<NodeId> init;
    std::optional<std::pair<NodeId, NodeId>> timeSpan;
    /// f with the networks cut out, when the model has networks and no network's input uses
    /// another network's output.
    std::optional<StagedRhs> staged;
    std::vector<AnalyzedEvent> events; ///< in the order written
    /// Every let as a DAG node in the equations' context (states, params, t, networks).
    std::map<std::string, NodeId> lets;
    std::vector<DelayedRef> delays;    ///< distinct (state, lag) pairs, in order of appearance
    std::vector<NodeId> history;       ///< per state: its history φ(t, p) (0 where undeclared)
    std::vector<char> historyDeclared; ///< per state: `history x = ...` given
    AnalyzedNoise noise;               ///< no processes: not an SDE
};

/// True when `id` reads an Aux input (in a staged equation: a network's output).
bool dependsOnAux(const ExprGraph& graph, NodeId id);

/// Resolves names (states, params, consts, lets, t), detects duplicates, cycles, unknown names
/// and functions and wrong arities, and reports all of them; failed pieces become 0 so that the
/// rest of the text is still checked.
class Analyzer {
  public:
    Analyzer(const ModelAst& ast,
             Diagnostics& diagnostics,
             const Overrides& overrides,
             unsigned long long seed = 0);
    AnalyzedModel run();

  private:
    struct Symbol {
        const char* kind;
        const Statement* statement;
    };
    struct Context {
        std::string what;            ///< for messages: "the init of 'x'"
        bool constantOnly = false;   ///< numbers and consts only (values, bounds)
        bool parametersOnly = false; ///< no states, no t (init, tspan)
        bool staged = false;         ///< network calls become inputs (StagedRhs)
        bool delays = false;         ///< delayed states x(t − lag) allowed (the equations)
        bool noStates = false;       ///< t and params, no state (a history)
    };

    bool declare(const Statement& s, const char* what);
    void collectDeclarations();
    void noteStateAppearance(const Statement& s);
    void resolveConsts();
    double constValue(const std::string& name);
    double constantExpression(const Expr& e, const std::string& what);
    void resolveParams();
    void resolveNetworks();
    std::vector<NodeId> networkOutputs(const NetworkInfo& net, const std::vector<NodeId>& inputs);
    NodeId activate(const std::string& activation, NodeId x);
    NodeId
    networkCall(const Expr& call, const Context& context, int outputIndex, SourceLocation at);
    void resolveEquations();
    void resolveStagedEquations();
    NodeId stagedCall(int network, std::vector<NodeId> inputs, int outputIndex);
    void resolveInitsAndSpan();
    void resolveEvents();
    NodeId delayedState(const Expr& e, const Context& context);
    void resolveHistories();
    void checkDelayScope();
    void resolveNoise();
    AnalyzedEvent resolveEvent(const Statement& s);
    std::vector<NodeId> eventTimes(const EventClause& e, const std::string& what);
    void checkSchedule(const EventClause& e, const std::vector<NodeId>& nodes);
    std::vector<NodeId> eventReset(const EventClause& e, int line, std::vector<int>& targets);
    double atDeclaredParams(NodeId id) const;
    void warnUnusedParams();

    NodeId build(const Expr& e, const Context& context);
    NodeId call(const Expr& e, const Context& context);
    NodeId name(const Expr& e, const Context& context);
    NodeId let(const Expr& e, const Context& context);
    void unknownName(const Expr& e);

    const ModelAst& m_ast;
    Diagnostics& m_diag;
    const Overrides& m_overrides;
    ExprGraph m_graph;
    AnalyzedModel m_result;

    std::map<std::string, Symbol> m_symbols; // params, consts, lets
    std::vector<const Statement*> m_paramStatements;
    std::map<std::string, const Statement*> m_equations;
    std::map<std::string, const Statement*> m_inits;
    std::map<std::string, const Statement*> m_histories;
    const Statement* m_timeSpan = nullptr;
    std::vector<std::string> m_stateOrder;
    std::map<std::string, int> m_stateIndex;
    std::map<std::string, int> m_paramIndex;
    std::map<std::string, double> m_constValues;
    std::map<std::string, NodeId> m_letNodes;
    std::set<std::string> m_resolving;
    std::set<std::string> m_usedParams;
    std::vector<const Statement*> m_eventStatements;
    std::map<std::string, const Statement*> m_noiseStatements;
    const Statement* m_calculus = nullptr;
    std::vector<const Statement*> m_networkStatements;
    std::map<std::string, const Statement*> m_weightStatements;
    std::map<std::string, int> m_networkIndex;
    std::map<std::pair<int, std::vector<NodeId>>, std::vector<NodeId>> m_networkCache;
    std::map<std::pair<int, std::vector<NodeId>>, int> m_stagedCallIndex;
    bool m_stagingFailed = false; ///< a network's input uses a network's output
    unsigned long long m_seed = 0;
};

} // namespace dynfit::model
