// SPDX-License-Identifier: MIT
// A model text compiled: names, values, and programs for f, its Jacobians, JVP/VJP, u0 and tspan.
#pragma once

#include "model/compiled_event.hpp"
#include "model/diagnostic.hpp"
#include "model/native_code.hpp"
#include "model/program.hpp"
#include "problem/noise.hpp"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dynfit::model {

/// A fitted parameter as declared: `param name = value [in [lower, upper]] [log]`.
struct ParamInfo {
    std::string name;
    double value = 0.0;
    std::optional<double> lower;
    std::optional<double> upper;
    bool logScale = false;
    SourceLocation where;
    std::string network; ///< the network this weight belongs to; empty for a scalar param
};

/// A network declared with `nn`: its layers and where its weights sit among the params
/// (W1 row-major, b1, W2, b2, ...).
struct NetworkInfo {
    std::string name;
    std::vector<std::pair<int, int>> layers; ///< (inputs, outputs) per layer
    std::vector<std::string> activations;
    int firstParam = 0;
    int weightCount = 0;
    SourceLocation where;
};

/// f with its networks cut out, so that they run as dense kernels (nn/dense_network.hpp):
/// z = inputs(u, p, t); y_c = network_c(z_c); f = rhs(u, p, t; aux = [· (n) | y]).
struct NetworkStage {
    struct Call {
        int network = 0;      ///< index into CompiledModel::networks
        int inputOffset = 0;  ///< where its inputs sit in z
        int outputOffset = 0; ///< where its outputs sit in y
    };
    std::vector<Call> calls;
    std::vector<int> scalarParams; ///< the params that are not weights (ŝ below)
    int inputCount = 0;            ///< size of z
    int outputCount = 0;           ///< size of y
    Program inputs;                ///< z(u, p, t)
    Program rhs;                   ///< f(u, p, t; aux = [unused (n) | y])
    Program vjp; ///< aux = [w (n) | y] → [wᵀ∂f/∂u (n) | wᵀ∂f/∂ŝ | wᵀ∂f/∂y]
    Program inputsVjp; ///< aux = z̄ → [z̄ᵀ∂z/∂u (n) | z̄ᵀ∂z/∂ŝ]
};

/// A delayed state x(t − lag) read by f: State input n + its index (after the n states).
struct DelaySlot {
    int state = 0;
    SourceLocation where;
};

/// (row, column) entries of a sparse Jacobian, row-major order.
struct SparsityPattern {
    int rows = 0;
    int cols = 0;
    std::vector<std::pair<int, int>> entries;
};

/// How to compile beyond the bytecode.
struct CompileOptions {
    /// Also build native code with the system C++ compiler when one is available (a fast path
    /// for double; silently skipped otherwise). Costs a compiler run the first time a text is
    /// seen (cached afterwards).
    bool native = false;
    /// Seed of the initial network weights (Glorot uniform; biases 0) where no `weights`
    /// statement gives them. Deterministic on every platform.
    unsigned long long seed = 0;
    /// Run networks as dense kernels (NetworkStage) rather than written out scalar by scalar
    /// (which native code then compiles: worth it only for tiny networks; kept for comparison).
    bool stageNetworks = true;
};

/// Values that replace declared ones when compiling: param and const names, or "init:<state>".
using Overrides = std::map<std::string, double, std::less<>>;

/// Everything derived from a model text. Built by compileModel(); immutable afterwards, so one
/// instance can be shared by many solves and threads (each evaluator keeps its own registers).
struct CompiledModel {
    std::vector<std::string> states;   ///< in order of first appearance
    std::vector<ParamInfo> params;     ///< in order of declaration
    std::vector<NetworkInfo> networks; ///< their weights are params too, after the scalar ones
    std::vector<std::pair<std::string, double>> consts;
    bool hasTimeSpan = false;

    Program rhs;       ///< f(u, p, t): n outputs
    Program jacobianU; ///< ∂f/∂u at the entries of patternU
    Program jacobianP; ///< ∂f/∂p at the entries of patternP
    SparsityPattern patternU;
    SparsityPattern patternP;
    Program timeDerivative;     ///< ∂f/∂t: n outputs (all zero when `autonomous`)
    bool autonomous = true;     ///< f does not read t
    Program timeDerivativeVjpU; ///< wᵀ ∂(∂f/∂t)/∂u, w = aux (n); only when not autonomous
    Program timeDerivativeVjpP; ///< wᵀ ∂(∂f/∂t)/∂p, w = aux (n); only when not autonomous
    Program jvp;                ///< (∂f/∂u) v, v = aux (n)
    Program vjpU;               ///< wᵀ ∂f/∂u, w = aux (n): n outputs
    Program vjpP;               ///< wᵀ ∂f/∂p, w = aux (n): np outputs
    Program initial;            ///< u0(p): n outputs
    Program initialJacobianP;   ///< ∂u0/∂p, dense n × np, row-major
    Program timeSpan;           ///< (t0, t1)(p) when hasTimeSpan
    std::vector<CompiledEvent> events; ///< in the order written
    /// Delays (issue 15): f's programs (rhs, jacobianU, jacobianP, ...) read [u (n) | the delayed
    /// values (delays.size())] as their state inputs; Jacobians are taken in the n states only.
    std::vector<DelaySlot> delays;
    Program lags;                      ///< lag_k(p): one output per slot
    Program history;                   ///< φ(t, p): n outputs (the declared ones; others 0)
    std::vector<char> historyDeclared; ///< per state; undeclared: the state's start value
    Program vjpDelayed;    ///< wᵀ ∂f/∂(the delayed values), w = aux (n): one output per slot
    Program lagsJacobianP; ///< ∂lag_k/∂p, dense slots × np, row-major
    Program historyJacobianP; ///< ∂φ/∂p at t, dense n × np, row-major
    /// Noise (issue 16): du = f dt + g dW. Diagonal and Scalar: `noise` gives each state's g (0
    /// where it has none) and noiseProcessOf its process (−1: none); General: `noise` gives the
    /// n × m matrix, column-major. No processes: not an SDE.
    Program noise;
    Program noiseVjpU; ///< wᵀ ∂g/∂u, w = aux (one weight per output of `noise`): n outputs
    Program noiseVjpP; ///< wᵀ ∂g/∂p: np outputs
    std::vector<int> noiseProcessOf;
    std::vector<std::string> noiseProcesses; ///< names; a state's own process is '#state'
    ode::NoiseShape noiseShape = ode::NoiseShape::Diagonal;
    bool noiseAdditive = false; ///< g reads no state
    ode::Calculus calculus = ode::Calculus::Ito;
    std::shared_ptr<const NativeModule> native; ///< optional fast path for double
    /// Present when the model has networks (and none feeds another): f and its VJPs then run
    /// the networks as dense kernels; the programs above keep them written out (Jacobians).
    std::optional<NetworkStage> stage;

    int stateCount() const { return static_cast<int>(states.size()); }
    int paramCount() const { return static_cast<int>(params.size()); }
    bool hasEvents() const { return !events.empty(); }
    bool hasDelays() const { return !delays.empty(); }
    bool hasNoise() const { return !noiseProcesses.empty(); }
    int delayCount() const { return static_cast<int>(delays.size()); }
    std::vector<double> defaultParams() const;
    int stateIndex(std::string_view name) const; ///< −1 if not a state
    int paramIndex(std::string_view name) const; ///< −1 if not a param
};

/// Parses, checks and compiles a model text. Returns nullptr when there are errors; warnings
/// and errors (all of them, located) go to `diagnostics`.
std::shared_ptr<const CompiledModel> compileModel(std::string_view text,
                                                  Diagnostics& diagnostics,
                                                  const Overrides& overrides = {},
                                                  const CompileOptions& options = {});

} // namespace dynfit::model
