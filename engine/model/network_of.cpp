// SPDX-License-Identifier: MIT
#include "model/network_of.hpp"

#include <utility>
#include <vector>

namespace dynfit::model {

nn::DenseNetwork denseNetworkOf(const NetworkInfo& info) {
    std::vector<nn::LayerShape> layers;
    for (std::size_t l = 0; l < info.layers.size(); ++l) {
        layers.push_back(
            {info.layers[l].first, info.layers[l].second,
             nn::activationByName(info.activations[l]).value_or(nn::Activation::Identity)});
    }
    return nn::DenseNetwork(std::move(layers));
}

} // namespace dynfit::model
