// SPDX-License-Identifier: MIT
// Dense feed-forward networks: forward, JVP and VJP derived by hand, batched over columns with
// Eigen, generic over the scalar (double, float, dual numbers), allocation-free after the
// workspace is sized.
#pragma once

#include <Eigen/Core>
#include <cmath>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace dynfit::nn {

enum class Activation { Identity, Tanh, Relu, Sigmoid, Softplus, Elu, Swish };

std::optional<Activation> activationByName(std::string_view name);
std::string_view activationName(Activation activation);

struct LayerShape {
    int inputs = 0;
    int outputs = 0;
    Activation activation = Activation::Identity;
};

/// The shape of a network: its layers. Weights live outside, flat, in the model's layout: per
/// layer W (outputs × inputs, row-major) then b (outputs).
class DenseNetwork {
  public:
    DenseNetwork() = default;
    explicit DenseNetwork(std::vector<LayerShape> layers);

    const std::vector<LayerShape>& layers() const { return m_layers; }
    int inputs() const { return m_layers.front().inputs; }
    int outputs() const { return m_layers.back().outputs; }
    int weightCount() const { return m_weightCount; }
    int widest() const { return m_widest; }

    /// Floating-point operations per sample: a multiply-add counts 2, an activation 1.
    long forwardFlops() const;
    /// A VJP with respect to inputs and weights (after the forward pass it reuses).
    long vjpFlops() const;

  private:
    std::vector<LayerShape> m_layers;
    int m_weightCount = 0;
    int m_widest = 0;
};

template<class S>
using Matrix = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>;

/// Per-layer pre-activations and activations of one batch, kept by forward() for jvp/vjp.
/// Sized once (resize) and reused: the passes then allocate nothing.
template<class S>
struct Workspace {
    std::vector<Matrix<S>> z; ///< pre-activations, outputs × batch
    std::vector<Matrix<S>> a; ///< activations, outputs × batch
    Matrix<S> bar, barNext;   ///< cotangents or tangents flowing between layers
    int batch = 0;

    void resize(const DenseNetwork& net, int batchSize) {
        batch = batchSize;
        z.resize(net.layers().size());
        a.resize(net.layers().size());
        for (std::size_t l = 0; l < net.layers().size(); ++l) {
            z[l].resize(net.layers()[l].outputs, batchSize);
            a[l].resize(net.layers()[l].outputs, batchSize);
        }
        bar.resize(net.widest(), batchSize);
        barNext.resize(net.widest(), batchSize);
    }
};

namespace detail {

template<class S>
S sigmoid(const S& x) {
    using std::exp;
    return S(1.0) / (S(1.0) + exp(-x));
}

template<class S>
S activate(Activation f, const S& x) {
    using std::exp;
    using std::log;
    using std::tanh;
    switch (f) {
    case Activation::Identity:
        return x;
    case Activation::Tanh:
        return tanh(x);
    case Activation::Relu:
        return x > S(0.0) ? x : S(0.0);
    case Activation::Sigmoid:
        return sigmoid(x);
    case Activation::Softplus:
        return log(S(1.0) + exp(x));
    case Activation::Elu:
        return x > S(0.0) ? x : S(exp(x) - S(1.0));
    case Activation::Swish:
        return x * sigmoid(x);
    }
    return x;
}

// f'(z), from z and a = f(z) (cheaper where the derivative is a function of a).
template<class S>
S derivative(Activation f, const S& z, const S& a) {
    switch (f) {
    case Activation::Identity:
        return S(1.0);
    case Activation::Tanh:
        return S(1.0) - a * a;
    case Activation::Relu:
        return z > S(0.0) ? S(1.0) : S(0.0);
    case Activation::Sigmoid:
        return a * (S(1.0) - a);
    case Activation::Softplus:
        return sigmoid(z);
    case Activation::Elu:
        return z > S(0.0) ? S(1.0) : S(a + S(1.0));
    case Activation::Swish: {
        const S s = sigmoid(z);
        return s + a * (S(1.0) - s);
    }
    }
    return S(1.0);
}

// a = f(z), elementwise; Eigen's vectorised array functions for plain floating point.
template<class S, class Z, class A>
void activateInto(Activation f, const Z& z, A& a) {
    if constexpr (std::is_floating_point_v<S>) {
        switch (f) {
        case Activation::Identity:
            a = z;
            return;
        case Activation::Tanh:
            a = z.array().tanh();
            return;
        case Activation::Relu:
            a = z.array().max(S(0));
            return;
        case Activation::Sigmoid:
            a = (S(1) + (-z.array()).exp()).inverse();
            return;
        default:
            break;
        }
    }
    a = z.unaryExpr([f](const S& v) { return activate(f, v); });
}

// bar ⊙= f'(z), elementwise (a = f(z)).
template<class S, class Z, class A, class Bar>
void scaleByDerivative(Activation f, const Z& z, const A& a, Bar& bar) {
    if constexpr (std::is_floating_point_v<S>) {
        switch (f) {
        case Activation::Identity:
            return;
        case Activation::Tanh:
            bar.array() *= S(1) - a.array().square();
            return;
        case Activation::Relu:
            bar.array() *= (z.array() > S(0)).template cast<S>();
            return;
        case Activation::Sigmoid:
            bar.array() *= a.array() * (S(1) - a.array());
            return;
        default:
            break;
        }
    }
    for (Eigen::Index c = 0; c < bar.cols(); ++c) {
        for (Eigen::Index r = 0; r < bar.rows(); ++r) {
            bar(r, c) *= derivative(f, z(r, c), a(r, c));
        }
    }
}

template<class S>
using RowMajorMap =
    Eigen::Map<const Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>;
template<class S>
using VectorMap = Eigen::Map<const Eigen::Matrix<S, Eigen::Dynamic, 1>>;

} // namespace detail

/// y = N(x) for each column of x (inputs × batch); y is outputs × batch. Keeps the layers'
/// values in `ws` (sized for this batch) for jvp() and vjp().
template<class S, class In, class Out>
void forward(const DenseNetwork& net,
             const S* weights,
             const Eigen::MatrixBase<In>& x,
             Workspace<S>& ws,
             Eigen::MatrixBase<Out>& y) {
    const S* w = weights;
    for (std::size_t l = 0; l < net.layers().size(); ++l) {
        const LayerShape& layer = net.layers()[l];
        const detail::RowMajorMap<S> W(w, layer.outputs, layer.inputs);
        const detail::VectorMap<S> b(w + layer.outputs * layer.inputs, layer.outputs);
        if (l == 0) {
            ws.z[l].noalias() = W * x;
        } else {
            ws.z[l].noalias() = W * ws.a[l - 1];
        }
        ws.z[l].colwise() += b;
        detail::activateInto<S>(layer.activation, ws.z[l], ws.a[l]);
        w += layer.outputs * layer.inputs + layer.outputs;
    }
    y = ws.a.back();
}

/// The tangent dy = (∂N/∂x) dx + (∂N/∂w) dw of every column, after forward() on the same x.
/// `dWeights` may be null (weights held fixed).
template<class S, class In, class DIn, class Out>
void jvp(const DenseNetwork& net,
         const S* weights,
         const std::type_identity_t<S>* dWeights,
         const Eigen::MatrixBase<In>& x,
         const Eigen::MatrixBase<DIn>& dx,
         Workspace<S>& ws,
         Eigen::MatrixBase<Out>& dy) {
    const S* w = weights;
    const S* dw = dWeights;
    for (std::size_t l = 0; l < net.layers().size(); ++l) {
        const LayerShape& layer = net.layers()[l];
        const auto rows = layer.outputs;
        const detail::RowMajorMap<S> W(w, rows, layer.inputs);
        auto tangent = ws.bar.topRows(rows);
        if (l == 0) {
            tangent.noalias() = W * dx;
        } else {
            tangent.noalias() = W * ws.barNext.topRows(layer.inputs);
        }
        if (dw != nullptr) {
            const detail::RowMajorMap<S> dW(dw, rows, layer.inputs);
            if (l == 0) {
                tangent.noalias() += dW * x;
            } else {
                tangent.noalias() += dW * ws.a[l - 1];
            }
            tangent.colwise() += detail::VectorMap<S>(dw + rows * layer.inputs, rows);
            dw += rows * layer.inputs + rows;
        }
        detail::scaleByDerivative<S>(layer.activation, ws.z[l], ws.a[l], tangent);
        std::swap(ws.bar, ws.barNext); // same sizes: swaps buffers, allocates nothing
        w += rows * layer.inputs + rows;
    }
    dy = ws.barNext.topRows(net.outputs());
}

/// Cotangents: x̄ = (∂N/∂x)ᵀ ȳ per column, and w̄ += Σ_columns (∂N/∂w)ᵀ ȳ (accumulated into the
/// flat `weightsBar`, which may be null), after forward() on the same x.
template<class S, class In, class YBar, class XBar>
void vjp(const DenseNetwork& net,
         const S* weights,
         const Eigen::MatrixBase<In>& x,
         const Eigen::MatrixBase<YBar>& yBar,
         Workspace<S>& ws,
         Eigen::MatrixBase<XBar>& xBar,
         std::type_identity_t<S>* weightsBar) {
    // Offsets of each layer's weights, walked backwards.
    int offset = net.weightCount();
    ws.bar.topRows(net.outputs()) = yBar;
    for (std::size_t l = net.layers().size(); l-- > 0;) {
        const LayerShape& layer = net.layers()[l];
        const auto rows = layer.outputs;
        offset -= rows * layer.inputs + rows;
        auto zBar = ws.bar.topRows(rows);
        detail::scaleByDerivative<S>(layer.activation, ws.z[l], ws.a[l], zBar);
        if (weightsBar != nullptr) {
            Eigen::Map<Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> WBar(
                weightsBar + offset, rows, layer.inputs);
            if (l == 0) {
                WBar.noalias() += zBar * x.transpose();
            } else {
                WBar.noalias() += zBar * ws.a[l - 1].transpose();
            }
            Eigen::Map<Eigen::Matrix<S, Eigen::Dynamic, 1>> bBar(
                weightsBar + offset + rows * layer.inputs, rows);
            bBar.noalias() += zBar.rowwise().sum();
        }
        const detail::RowMajorMap<S> W(weights + offset, rows, layer.inputs);
        ws.barNext.topRows(layer.inputs).noalias() = W.transpose() * zBar;
        std::swap(ws.bar, ws.barNext);
    }
    xBar = ws.bar.topRows(net.inputs());
}

} // namespace dynfit::nn
