// SPDX-License-Identifier: MIT
// The dense network a model declared with `nn`: the bridge from the model's description of a
// network to the kernel that runs it (nn/ knows nothing of models).
#pragma once

#include "model/model.hpp"
#include "nn/dense_network.hpp"

namespace dynfit::model {

/// The network `info` describes (its activations were checked by the analyzer; an unknown one
/// would be the identity).
nn::DenseNetwork denseNetworkOf(const NetworkInfo& info);

} // namespace dynfit::model
