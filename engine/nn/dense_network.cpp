// SPDX-License-Identifier: MIT
// Network shapes: activations by name, weight counts, FLOP counts.
#include "nn/dense_network.hpp"

#include <algorithm>

namespace dynfit::nn {

namespace {

constexpr struct {
    Activation activation;
    const char* name;
} kActivations[] = {{Activation::Identity, "identity"}, {Activation::Tanh, "tanh"},
                    {Activation::Relu, "relu"},         {Activation::Sigmoid, "sigmoid"},
                    {Activation::Softplus, "softplus"}, {Activation::Elu, "elu"},
                    {Activation::Swish, "swish"}};

} // namespace

std::optional<Activation> activationByName(std::string_view name) {
    for (const auto& a : kActivations) {
        if (name == a.name) {
            return a.activation;
        }
    }
    return std::nullopt;
}

std::string_view activationName(Activation activation) {
    for (const auto& a : kActivations) {
        if (activation == a.activation) {
            return a.name;
        }
    }
    return "?";
}

DenseNetwork::DenseNetwork(std::vector<LayerShape> layers) : m_layers(std::move(layers)) {
    for (const LayerShape& layer : m_layers) {
        m_weightCount += layer.outputs * layer.inputs + layer.outputs;
        m_widest = std::max({m_widest, layer.inputs, layer.outputs});
    }
}

long DenseNetwork::forwardFlops() const {
    long flops = 0;
    for (const LayerShape& layer : m_layers) {
        flops += 2L * layer.outputs * layer.inputs + layer.outputs; // W x + b
        if (layer.activation != Activation::Identity) {
            flops += layer.outputs;
        }
    }
    return flops;
}

long DenseNetwork::vjpFlops() const {
    long flops = 0;
    for (const LayerShape& layer : m_layers) {
        // z̄ = ȳ ⊙ f'(z); W̄ += z̄ xᵀ; b̄ += z̄; x̄ = Wᵀ z̄
        flops += 2L * layer.outputs + 4L * layer.outputs * layer.inputs + layer.outputs;
    }
    return flops;
}

} // namespace dynfit::nn
