// SPDX-License-Identifier: MIT
// Compiling a model text: parse, analyse, differentiate, and compile every program.
#include "model/model.hpp"

#include "model/analyzer.hpp"
#include "model/parser.hpp"

#include <algorithm>

namespace dynfit::model {

namespace {

// Σ_k weights_k · terms_k as one DAG node.
NodeId weightedSum(ExprGraph& g, const std::vector<std::pair<NodeId, NodeId>>& terms) {
    NodeId sum = g.constant(0.0);
    for (const auto& [weight, term] : terms) {
        sum = g.binary(Op::Add, sum, g.binary(Op::Mul, weight, term));
    }
    return sum;
}

// ∂outputs/∂(set) with its sparsity pattern: the entries that are not identically zero.
std::vector<NodeId> jacobian(ExprGraph& g,
                             const std::vector<NodeId>& outputs,
                             InputSet set,
                             int cols,
                             SparsityPattern& pattern,
                             std::vector<std::vector<NodeId>>& dense) {
    const int rows = static_cast<int>(outputs.size());
    pattern = {rows, cols, {}};
    dense.assign(static_cast<std::size_t>(rows),
                 std::vector<NodeId>(static_cast<std::size_t>(cols)));
    std::vector<NodeId> entries;
    for (int i = 0; i < rows; ++i) {
        for (int j = 0; j < cols; ++j) {
            const NodeId d = g.derivative(outputs[static_cast<std::size_t>(i)], set, j);
            dense[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)] = d;
            if (!g.isConstant(d, 0.0)) {
                pattern.entries.emplace_back(i, j);
                entries.push_back(d);
            }
        }
    }
    return entries;
}

// Σ_i w_i ∂outputs_i/∂(set)[index] with w = Aux 0..; zero without differentiating when `skip`.
NodeId
weightedDerivative(ExprGraph& g, const std::vector<NodeId>& outputs, InputSet set, int index) {
    std::vector<std::pair<NodeId, NodeId>> terms;
    for (std::size_t i = 0; i < outputs.size(); ++i) {
        terms.emplace_back(g.input(InputSet::Aux, static_cast<int>(i)),
                           g.derivative(outputs[i], set, index));
    }
    return weightedSum(g, terms);
}

std::vector<NodeId> denseDerivatives(ExprGraph& g,
                                     const std::vector<NodeId>& outputs,
                                     std::initializer_list<std::pair<InputSet, int>> sets);

void buildPrograms(AnalyzedModel& a, CompiledModel& m) {
    ExprGraph& g = a.graph;
    const int n = m.stateCount();
    const int np = m.paramCount();
    const int delayed = static_cast<int>(a.delays.size()); // read after the states
    const InputLayout plain{n + delayed, np, 0};
    const InputLayout withAux{n + delayed, np, n};
    m.rhs = Program(g, a.rhs, plain);

    std::vector<std::vector<NodeId>> ju, jp, j0;
    m.jacobianU = Program(g, jacobian(g, a.rhs, InputSet::State, n, m.patternU, ju), plain);
    m.jacobianP = Program(g, jacobian(g, a.rhs, InputSet::Param, np, m.patternP, jp), plain);
    std::vector<NodeId> dt;
    for (const NodeId out : a.rhs) {
        dt.push_back(g.derivative(out, InputSet::Time, 0));
    }
    m.autonomous = delayed == 0 && std::all_of(dt.begin(), dt.end(), [&g](NodeId d) {
                       return g.isConstant(d, 0.0);
                   }); // delayed values move with t
    m.timeDerivative = Program(g, dt, plain);
    if (!m.autonomous) {
        // wᵀ ∂²f/∂t∂u and wᵀ ∂²f/∂t∂p: the Rosenbrock methods' discrete adjoint needs them.
        std::vector<NodeId> dtVjpU, dtVjpP;
        const InputLayout withWeights{n + delayed, np, n};
        for (int j = 0; j < n; ++j) {
            dtVjpU.push_back(weightedDerivative(g, dt, InputSet::State, j));
        }
        for (int k = 0; k < np; ++k) {
            dtVjpP.push_back(weightedDerivative(g, dt, InputSet::Param, k));
        }
        m.timeDerivativeVjpU = Program(g, dtVjpU, withWeights);
        m.timeDerivativeVjpP = Program(g, dtVjpP, withWeights);
    }

    std::vector<NodeId> jvp, vjpU, vjpP;
    for (int i = 0; i < n; ++i) {
        std::vector<std::pair<NodeId, NodeId>> terms;
        for (int j = 0; j < n; ++j) {
            terms.emplace_back(ju[i][j], g.input(InputSet::Aux, j));
        }
        jvp.push_back(weightedSum(g, terms));
    }
    for (int j = 0; j < n; ++j) {
        std::vector<std::pair<NodeId, NodeId>> terms;
        for (int i = 0; i < n; ++i) {
            terms.emplace_back(g.input(InputSet::Aux, i), ju[i][j]);
        }
        vjpU.push_back(weightedSum(g, terms));
    }
    for (int k = 0; k < np; ++k) {
        std::vector<std::pair<NodeId, NodeId>> terms;
        for (int i = 0; i < n; ++i) {
            terms.emplace_back(g.input(InputSet::Aux, i), jp[i][k]);
        }
        vjpP.push_back(weightedSum(g, terms));
    }
    m.jvp = Program(g, jvp, withAux);
    m.vjpU = Program(g, vjpU, withAux);
    m.vjpP = Program(g, vjpP, withAux);

    const InputLayout paramsOnly{0, np, 0}; // u0 and tspan never read the state
    m.initial = Program(g, a.init, paramsOnly);
    std::vector<NodeId> initJac;
    for (int i = 0; i < n; ++i) {
        for (int k = 0; k < np; ++k) {
            initJac.push_back(
                g.derivative(a.init[static_cast<std::size_t>(i)], InputSet::Param, k));
        }
    }
    m.initialJacobianP = Program(g, initJac, paramsOnly);
    if (a.timeSpan) {
        m.hasTimeSpan = true;
        m.timeSpan = Program(g, {a.timeSpan->first, a.timeSpan->second}, paramsOnly);
    }
    if (delayed > 0) {
        std::vector<NodeId> lags;
        for (const DelayedRef& ref : a.delays) {
            m.delays.push_back({ref.state, ref.where});
            lags.push_back(ref.lag);
        }
        m.lags = Program(g, lags, paramsOnly);
        m.history = Program(g, a.history, paramsOnly); // reads t and p only
        m.historyDeclared = a.historyDeclared;
        // What reverse mode through the steps needs to carry adjoints into the past.
        std::vector<NodeId> vjpDelayed;
        for (int k = 0; k < delayed; ++k) {
            vjpDelayed.push_back(weightedDerivative(g, a.rhs, InputSet::State, n + k));
        }
        m.vjpDelayed = Program(g, vjpDelayed, withAux);
        m.lagsJacobianP =
            Program(g, denseDerivatives(g, lags, {std::pair{InputSet::Param, np}}), paramsOnly);
        m.historyJacobianP = Program(
            g, denseDerivatives(g, a.history, {std::pair{InputSet::Param, np}}), paramsOnly);
    }
}

// g of an SDE: its shape (one process per state, all distinct: Diagonal; all the same: Scalar;
// otherwise General), whether it reads a state (additive when not), and its program.
void buildNoise(AnalyzedModel& a, CompiledModel& m) {
    const AnalyzedNoise& noise = a.noise;
    if (noise.processes.empty()) {
        return;
    }
    ExprGraph& g = a.graph;
    const int n = m.stateCount();
    const int processes = static_cast<int>(noise.processes.size());
    m.noiseProcesses = noise.processes;
    m.calculus = noise.stratonovich ? ode::Calculus::Stratonovich : ode::Calculus::Ito;
    bool perState = true;
    std::vector<int> users(static_cast<std::size_t>(processes), 0);
    for (const auto& terms : noise.terms) {
        perState = perState && terms.size() <= 1;
        for (const auto& [process, node] : terms) {
            ++users[static_cast<std::size_t>(process)];
        }
    }
    const bool distinct = std::all_of(users.begin(), users.end(), [](int u) { return u <= 1; });
    m.noiseShape = perState && processes == 1 && users[0] > 1 ? ode::NoiseShape::Scalar
                   : perState && distinct                     ? ode::NoiseShape::Diagonal
                                                              : ode::NoiseShape::General;
    m.noiseAdditive = true;
    for (const auto& terms : noise.terms) {
        for (const auto& [process, node] : terms) {
            for (int j = 0; j < n; ++j) {
                m.noiseAdditive =
                    m.noiseAdditive && g.isConstant(g.derivative(node, InputSet::State, j), 0.0);
            }
        }
    }
    const InputLayout plain{n, m.paramCount(), 0};
    std::vector<NodeId> outputs;
    if (m.noiseShape == ode::NoiseShape::General) {
        outputs.assign(static_cast<std::size_t>(n * processes), g.constant(0.0));
        for (int i = 0; i < n; ++i) {
            for (const auto& [process, node] : noise.terms[static_cast<std::size_t>(i)]) {
                outputs[static_cast<std::size_t>(process * n + i)] = node;
            }
        }
    } else {
        m.noiseProcessOf.assign(static_cast<std::size_t>(n), -1);
        outputs.assign(static_cast<std::size_t>(n), g.constant(0.0));
        for (int i = 0; i < n; ++i) {
            for (const auto& [process, node] : noise.terms[static_cast<std::size_t>(i)]) {
                outputs[static_cast<std::size_t>(i)] = node;
                m.noiseProcessOf[static_cast<std::size_t>(i)] = process;
            }
        }
    }
    m.noise = Program(g, outputs, plain);
    // wᵀ ∂g/∂u and wᵀ ∂g/∂p, w = aux (one weight per output): reverse mode through the steps.
    const InputLayout weighted{n, m.paramCount(), static_cast<int>(outputs.size())};
    std::vector<NodeId> vjpU, vjpP;
    for (int j = 0; j < n; ++j) {
        vjpU.push_back(weightedDerivative(g, outputs, InputSet::State, j));
    }
    for (int k = 0; k < m.paramCount(); ++k) {
        vjpP.push_back(weightedDerivative(g, outputs, InputSet::Param, k));
    }
    m.noiseVjpU = Program(g, vjpU, weighted);
    m.noiseVjpP = Program(g, vjpP, weighted);
}

// Every ∂outputs_i/∂(set)_j, dense row-major, for the sets in order (Time: one column).
std::vector<NodeId> denseDerivatives(ExprGraph& g,
                                     const std::vector<NodeId>& outputs,
                                     std::initializer_list<std::pair<InputSet, int>> sets) {
    std::vector<NodeId> entries;
    for (const auto& [set, count] : sets) {
        for (const NodeId out : outputs) {
            for (int j = 0; j < count; ++j) {
                entries.push_back(g.derivative(out, set, j));
            }
        }
    }
    return entries;
}

CompiledEvent buildEvent(ExprGraph& g, const AnalyzedEvent& a, int n, int np) {
    CompiledEvent e;
    e.trigger = a.trigger == EventClause::Trigger::Crossing ? CompiledEvent::Trigger::Crossing
                : a.trigger == EventClause::Trigger::Times  ? CompiledEvent::Trigger::Times
                                                            : CompiledEvent::Trigger::Every;
    e.comparison = a.comparison;
    e.stop = a.stop;
    e.where = a.where;
    e.targets = a.targets;
    e.hasReset = !a.reset.empty();
    const InputLayout plain{n, np, 0};
    const auto allInputs = {std::pair{InputSet::State, n}, std::pair{InputSet::Param, np},
                            std::pair{InputSet::Time, 1}};
    if (e.trigger == CompiledEvent::Trigger::Crossing) {
        e.condition = Program(g, {a.condition}, plain);
        e.conditionGradient = Program(g, denseDerivatives(g, {a.condition}, allInputs), plain);
    } else {
        const InputLayout paramsOnly{0, np, 0};
        e.times = Program(g, a.times, paramsOnly);
        e.timesJacobian =
            Program(g, denseDerivatives(g, a.times, {std::pair{InputSet::Param, np}}), paramsOnly);
    }
    if (e.hasReset) {
        e.reset = Program(g, a.reset, plain);
        e.resetJacobian = Program(g, denseDerivatives(g, a.reset, allInputs), plain);
    }
    return e;
}

void buildStage(AnalyzedModel& a, CompiledModel& m) {
    ExprGraph& g = a.graph;
    const StagedRhs& staged = *a.staged;
    const int n = m.stateCount();
    const int np = m.paramCount();
    NetworkStage stage;
    std::vector<NodeId> z;
    for (const StagedCall& call : staged.calls) {
        stage.calls.push_back({call.network, static_cast<int>(z.size()), call.outputOffset});
        z.insert(z.end(), call.inputs.begin(), call.inputs.end());
    }
    stage.inputCount = static_cast<int>(z.size());
    stage.outputCount = staged.outputCount;
    const InputLayout withOutputs{n, np, n + stage.outputCount};
    stage.inputs = Program(g, z, {n, np, 0});
    stage.rhs = Program(g, staged.rhs, withOutputs);
    // Weights appear only inside the networks: their derivatives come from the kernels.
    for (int k = 0; k < np; ++k) {
        if (m.params[static_cast<std::size_t>(k)].network.empty()) {
            stage.scalarParams.push_back(k);
        }
    }
    std::vector<NodeId> vjp, inputsVjp;
    for (int j = 0; j < n; ++j) {
        vjp.push_back(weightedDerivative(g, staged.rhs, InputSet::State, j));
        inputsVjp.push_back(weightedDerivative(g, z, InputSet::State, j));
    }
    for (const int k : stage.scalarParams) {
        vjp.push_back(weightedDerivative(g, staged.rhs, InputSet::Param, k));
        inputsVjp.push_back(weightedDerivative(g, z, InputSet::Param, k));
    }
    for (int y = 0; y < stage.outputCount; ++y) {
        vjp.push_back(weightedDerivative(g, staged.rhs, InputSet::Aux, n + y));
    }
    stage.vjp = Program(g, vjp, withOutputs);
    stage.inputsVjp = Program(g, inputsVjp, {n, np, stage.inputCount});
    m.stage = std::move(stage);
}

} // namespace

std::vector<double> CompiledModel::defaultParams() const {
    std::vector<double> values;
    for (const ParamInfo& p : params) {
        values.push_back(p.value);
    }
    return values;
}

int CompiledModel::stateIndex(std::string_view name) const {
    for (std::size_t i = 0; i < states.size(); ++i) {
        if (states[i] == name) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

int CompiledModel::paramIndex(std::string_view name) const {
    for (std::size_t i = 0; i < params.size(); ++i) {
        if (params[i].name == name) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

std::shared_ptr<const CompiledModel> compileModel(std::string_view text,
                                                  Diagnostics& diagnostics,
                                                  const Overrides& overrides,
                                                  const CompileOptions& options) {
    const ModelAst ast = parse(text, diagnostics);
    AnalyzedModel analyzed = Analyzer(ast, diagnostics, overrides, options.seed).run();
    if (analyzed.states.empty() && !diagnostics.hasErrors()) {
        diagnostics.error({1, 1}, "the model has no equation (write d(x)/dt = ... or x' = ...)");
    }
    diagnostics.sortBySource();
    if (diagnostics.hasErrors()) {
        return nullptr;
    }
    auto model = std::make_shared<CompiledModel>();
    model->states = analyzed.states;
    model->params = analyzed.params;
    model->networks = analyzed.networks;
    model->consts = analyzed.consts;
    buildPrograms(analyzed, *model);
    buildNoise(analyzed, *model);
    for (const AnalyzedEvent& event : analyzed.events) {
        model->events.push_back(
            buildEvent(analyzed.graph, event, model->stateCount(), model->paramCount()));
    }
    if (analyzed.staged && options.stageNetworks) {
        buildStage(analyzed, *model);
    }
    if (options.native && !model->stage) { // a staged model's programs are small glue
        std::string whyNot;
        model->native = compileNative(*model, whyNot);
    }
    return model;
}

} // namespace dynfit::model
