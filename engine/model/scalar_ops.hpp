// SPDX-License-Identifier: MIT
// The arithmetic of every expression operation, generic over the scalar (double, float, Dual).
#pragma once

#include "core/scalar_traits.hpp"
#include "model/expr_graph.hpp"

#include <cmath>

namespace dynfit::model {

/// op(x, y) (y unused for unary operations). Found by ADL for Dual scalars.
template<class S>
S applyOp(Op op, const S& x, const S& y) {
    using std::abs, std::acos, std::asin, std::atan, std::atan2, std::cos, std::cosh, std::exp,
        std::log, std::log10, std::pow, std::sin, std::sinh, std::sqrt, std::tan, std::tanh;
    switch (op) {
    case Op::Neg:
        return -x;
    case Op::Add:
        return x + y;
    case Op::Sub:
        return x - y;
    case Op::Mul:
        return x * y;
    case Op::Div:
        return x / y;
    case Op::Pow:
        return pow(x, y);
    case Op::Exp:
        return exp(x);
    case Op::Log:
        return log(x);
    case Op::Log10:
        return log10(x);
    case Op::Sqrt:
        return sqrt(x);
    case Op::Abs:
        return abs(x);
    case Op::Sign:
        return S(primal(x) > 0.0 ? 1.0 : -1.0);
    case Op::Step:
        return S(primal(x) > 0.0 ? 1.0 : 0.0);
    case Op::Sin:
        return sin(x);
    case Op::Cos:
        return cos(x);
    case Op::Tan:
        return tan(x);
    case Op::Sinh:
        return sinh(x);
    case Op::Cosh:
        return cosh(x);
    case Op::Tanh:
        return tanh(x);
    case Op::Asin:
        return asin(x);
    case Op::Acos:
        return acos(x);
    case Op::Atan:
        return atan(x);
    case Op::Atan2:
        return atan2(x, y);
    case Op::Min:
        return primal(y) < primal(x) ? y : x;
    case Op::Max:
        return primal(y) > primal(x) ? y : x;
    default:
        return x; // leaves are never applied
    }
}

} // namespace dynfit::model
