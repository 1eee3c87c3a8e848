// SPDX-License-Identifier: MIT
// f and its VJP for a model whose networks run as dense kernels between two small programs.
#pragma once

#include "model/model.hpp"
#include "model/network_of.hpp"
#include "nn/dense_network.hpp"

#include <Eigen/Core>
#include <vector>

namespace dynfit::model {

/// Evaluates a model with a NetworkStage: z = inputs(u, p, t), y_c = network_c(z_c), then f (or
/// the VJP: the program's cotangents for u, p and y, each network's VJP from ȳ, and the inputs'
/// VJP from z̄). Any scalar: double, float, dual numbers. Copies are independent; no allocation
/// per call.
template<class S>
class StagedEvaluator {
  public:
    explicit StagedEvaluator(const CompiledModel& m)
        : m_stage(&*m.stage), m_n(m.stateCount()), m_np(m.paramCount()), m_inputs(m_stage->inputs),
          m_rhs(m_stage->rhs), m_vjp(m_stage->vjp), m_inputsVjp(m_stage->inputsVjp) {
        for (const NetworkStage::Call& call : m_stage->calls) {
            const NetworkInfo& info = m.networks[static_cast<std::size_t>(call.network)];
            Net net{denseNetworkOf(info), {}, info.firstParam};
            net.workspace.resize(net.shape, 1);
            m_networks.push_back(std::move(net));
        }
        m_z.resize(static_cast<std::size_t>(m_stage->inputCount));
        m_zBar.resize(m_z.size());
        m_aux.assign(static_cast<std::size_t>(m_n + m_stage->outputCount), S(0.0));
        m_ns = static_cast<int>(m_stage->scalarParams.size());
        m_bars.resize(static_cast<std::size_t>(m_n + m_ns + m_stage->outputCount));
        m_inputBars.resize(static_cast<std::size_t>(m_n + m_ns));
    }

    void rhs(const S* u, const S* p, double t, S* out) {
        forwardNetworks(u, p, t);
        m_rhs.evaluate(u, p, m_aux.data(), t, out);
    }

    /// gu = wᵀ ∂f/∂u and gp = wᵀ ∂f/∂p (overwritten).
    void vjp(const S* u, const S* p, const S* w, double t, S* gu, S* gp) {
        forwardNetworks(u, p, t);
        std::copy(w, w + m_n, m_aux.begin());
        m_vjp.evaluate(u, p, m_aux.data(), t, m_bars.data());
        std::copy(m_bars.begin(), m_bars.begin() + m_n, gu);
        std::fill(gp, gp + m_np, S(0.0));
        for (int k = 0; k < m_ns; ++k) {
            gp[m_stage->scalarParams[static_cast<std::size_t>(k)]] =
                m_bars[static_cast<std::size_t>(m_n + k)];
        }
        for (std::size_t c = 0; c < m_networks.size(); ++c) {
            Net& net = m_networks[c];
            const auto& call = m_stage->calls[c];
            const ConstMap z(m_z.data() + call.inputOffset, net.shape.inputs());
            const ConstMap yBar(m_bars.data() + m_n + m_ns + call.outputOffset,
                                net.shape.outputs());
            Map zBar(m_zBar.data() + call.inputOffset, net.shape.inputs());
            nn::vjp(net.shape, p + net.firstParam, z, yBar, net.workspace, zBar,
                    gp + net.firstParam);
        }
        m_inputsVjp.evaluate(u, p, m_zBar.data(), t, m_inputBars.data());
        for (int i = 0; i < m_n; ++i) {
            gu[i] += m_inputBars[static_cast<std::size_t>(i)];
        }
        for (int k = 0; k < m_ns; ++k) {
            gp[m_stage->scalarParams[static_cast<std::size_t>(k)]] +=
                m_inputBars[static_cast<std::size_t>(m_n + k)];
        }
    }

  private:
    using Map = Eigen::Map<Eigen::Matrix<S, Eigen::Dynamic, 1>>;
    using ConstMap = Eigen::Map<const Eigen::Matrix<S, Eigen::Dynamic, 1>>;

    // A program with its own registers.
    struct Runner {
        explicit Runner(const Program& program) : program(&program) { program.prepare(regs); }
        void evaluate(const S* u, const S* p, const S* aux, double t, S* out) {
            program->evaluate(regs, u, p, aux, t, out);
        }
        const Program* program;
        std::vector<S> regs;
    };
    struct Net {
        nn::DenseNetwork shape;
        nn::Workspace<S> workspace;
        int firstParam = 0;
    };

    void forwardNetworks(const S* u, const S* p, double t) {
        m_inputs.evaluate(u, p, nullptr, t, m_z.data());
        for (std::size_t c = 0; c < m_networks.size(); ++c) {
            Net& net = m_networks[c];
            const auto& call = m_stage->calls[c];
            const ConstMap z(m_z.data() + call.inputOffset, net.shape.inputs());
            Map y(m_aux.data() + m_n + call.outputOffset, net.shape.outputs());
            nn::forward(net.shape, p + net.firstParam, z, net.workspace, y);
        }
    }

    const NetworkStage* m_stage;
    int m_n, m_np;
    int m_ns = 0; // scalar (non-weight) params
    Runner m_inputs, m_rhs, m_vjp, m_inputsVjp;
    std::vector<Net> m_networks;
    std::vector<S> m_z, m_zBar, m_aux, m_bars, m_inputBars;
};

} // namespace dynfit::model
