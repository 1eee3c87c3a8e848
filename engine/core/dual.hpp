// SPDX-License-Identifier: MIT
// Forward-mode dual numbers with N partials, usable as an Eigen scalar.
#pragma once

#include "core/scalar_traits.hpp"

#include <Eigen/Core>
#include <array>
#include <cmath>

namespace dynfit {

/// A value with N directional derivatives, propagated by the chain rule. Use as the state scalar
/// of a solve to get du/dp alongside u. N is fixed at compile time so nothing is allocated.
template<class T, int N>
struct Dual {
    T val{};
    std::array<T, N> d{};

    Dual() = default;
    Dual(T value) : val(value) {} // NOLINT(google-explicit-constructor): constants promote
    Dual(T value, const std::array<T, N>& partials) : val(value), d(partials) {}

    /// A seeded independent variable: value x, derivative 1 in direction i.
    static Dual variable(T x, int i) {
        Dual r(x);
        r.d[static_cast<std::size_t>(i)] = T(1);
        return r;
    }

    Dual& operator+=(const Dual& o) {
        val += o.val;
        for (int i = 0; i < N; ++i) {
            d[i] += o.d[i];
        }
        return *this;
    }
    Dual& operator-=(const Dual& o) {
        val -= o.val;
        for (int i = 0; i < N; ++i) {
            d[i] -= o.d[i];
        }
        return *this;
    }
    Dual& operator*=(const Dual& o) {
        for (int i = 0; i < N; ++i) {
            d[i] = d[i] * o.val + val * o.d[i];
        }
        val *= o.val;
        return *this;
    }
    Dual& operator/=(const Dual& o) {
        const T inv = T(1) / o.val;
        const T q = val * inv;
        for (int i = 0; i < N; ++i) {
            d[i] = (d[i] - q * o.d[i]) * inv;
        }
        val = q;
        return *this;
    }
    Dual& operator+=(T s) {
        val += s;
        return *this;
    }
    Dual& operator-=(T s) {
        val -= s;
        return *this;
    }
    Dual& operator*=(T s) {
        val *= s;
        for (auto& x : d) {
            x *= s;
        }
        return *this;
    }
    Dual& operator/=(T s) { return *this *= (T(1) / s); }
};

// clang-format off
template <class T, int N> Dual<T, N> operator+(Dual<T, N> a, const Dual<T, N>& b) { return a += b; }
template <class T, int N> Dual<T, N> operator-(Dual<T, N> a, const Dual<T, N>& b) { return a -= b; }
template <class T, int N> Dual<T, N> operator*(Dual<T, N> a, const Dual<T, N>& b) { return a *= b; }
template <class T, int N> Dual<T, N> operator/(Dual<T, N> a, const Dual<T, N>& b) { return a /= b; }
template <class T, int N> Dual<T, N> operator+(Dual<T, N> a, T s) { return a += s; }
template <class T, int N> Dual<T, N> operator-(Dual<T, N> a, T s) { return a -= s; }
template <class T, int N> Dual<T, N> operator*(Dual<T, N> a, T s) { return a *= s; }
template <class T, int N> Dual<T, N> operator/(Dual<T, N> a, T s) { return a /= s; }
template <class T, int N> Dual<T, N> operator+(T s, Dual<T, N> a) { return a += s; }
template <class T, int N> Dual<T, N> operator*(T s, Dual<T, N> a) { return a *= s; }
template <class T, int N> Dual<T, N> operator-(T s, const Dual<T, N>& a) { return Dual<T, N>(s) -= a; }
template <class T, int N> Dual<T, N> operator/(T s, const Dual<T, N>& a) { return Dual<T, N>(s) /= a; }
template <class T, int N> Dual<T, N> operator+(const Dual<T, N>& a) { return a; }
template <class T, int N> Dual<T, N> operator-(Dual<T, N> a) { return a *= T(-1); }

template <class T, int N> bool operator==(const Dual<T, N>& a, const Dual<T, N>& b) { return a.val == b.val; }
template <class T, int N> bool operator!=(const Dual<T, N>& a, const Dual<T, N>& b) { return a.val != b.val; }
template <class T, int N> bool operator<(const Dual<T, N>& a, const Dual<T, N>& b) { return a.val < b.val; }
template <class T, int N> bool operator>(const Dual<T, N>& a, const Dual<T, N>& b) { return a.val > b.val; }
template <class T, int N> bool operator<=(const Dual<T, N>& a, const Dual<T, N>& b) { return a.val <= b.val; }
template <class T, int N> bool operator>=(const Dual<T, N>& a, const Dual<T, N>& b) { return a.val >= b.val; }
// clang-format on

namespace detail {

/// f(a) with derivative f'(a): the chain rule every elementary function shares.
template<class T, int N>
Dual<T, N> chain(const Dual<T, N>& a, T value, T derivative) {
    Dual<T, N> r(value);
    for (int i = 0; i < N; ++i) {
        r.d[i] = derivative * a.d[i];
    }
    return r;
}

} // namespace detail

template<class T, int N>
Dual<T, N> exp(const Dual<T, N>& a) {
    const T e = std::exp(a.val);
    return detail::chain(a, e, e);
}
template<class T, int N>
Dual<T, N> log(const Dual<T, N>& a) {
    return detail::chain(a, std::log(a.val), T(1) / a.val);
}
template<class T, int N>
Dual<T, N> log10(const Dual<T, N>& a) {
    return detail::chain(a, std::log10(a.val), T(1) / (a.val * std::log(T(10))));
}
template<class T, int N>
Dual<T, N> sqrt(const Dual<T, N>& a) {
    const T s = std::sqrt(a.val);
    return detail::chain(a, s, T(0.5) / s);
}
template<class T, int N>
Dual<T, N> sin(const Dual<T, N>& a) {
    return detail::chain(a, std::sin(a.val), std::cos(a.val));
}
template<class T, int N>
Dual<T, N> cos(const Dual<T, N>& a) {
    return detail::chain(a, std::cos(a.val), -std::sin(a.val));
}
template<class T, int N>
Dual<T, N> tan(const Dual<T, N>& a) {
    const T t = std::tan(a.val);
    return detail::chain(a, t, T(1) + t * t);
}
template<class T, int N>
Dual<T, N> tanh(const Dual<T, N>& a) {
    const T t = std::tanh(a.val);
    return detail::chain(a, t, T(1) - t * t);
}
template<class T, int N>
Dual<T, N> sinh(const Dual<T, N>& a) {
    return detail::chain(a, std::sinh(a.val), std::cosh(a.val));
}
template<class T, int N>
Dual<T, N> cosh(const Dual<T, N>& a) {
    return detail::chain(a, std::cosh(a.val), std::sinh(a.val));
}
template<class T, int N>
Dual<T, N> asin(const Dual<T, N>& a) {
    return detail::chain(a, std::asin(a.val), T(1) / std::sqrt(T(1) - a.val * a.val));
}
template<class T, int N>
Dual<T, N> acos(const Dual<T, N>& a) {
    return detail::chain(a, std::acos(a.val), T(-1) / std::sqrt(T(1) - a.val * a.val));
}
template<class T, int N>
Dual<T, N> atan(const Dual<T, N>& a) {
    return detail::chain(a, std::atan(a.val), T(1) / (T(1) + a.val * a.val));
}
template<class T, int N>
Dual<T, N> abs(const Dual<T, N>& a) {
    return detail::chain(a, std::abs(a.val), a.val < T(0) ? T(-1) : T(1));
}
template<class T, int N>
Dual<T, N> pow(const Dual<T, N>& a, T e) {
    return detail::chain(a, std::pow(a.val, e), e * std::pow(a.val, e - T(1)));
}
template<class T, int N>
Dual<T, N> pow(const Dual<T, N>& a, const Dual<T, N>& e) {
    // d(a^e) = e a^(e−1) da + a^e ln(a) de; the second term vanishes where de = 0.
    Dual<T, N> r = pow(a, e.val);
    const T lnA = a.val > T(0) ? std::log(a.val) : T(0);
    for (int i = 0; i < N; ++i) {
        r.d[i] += r.val * lnA * e.d[i];
    }
    return r;
}
template<class T, int N>
Dual<T, N> atan2(const Dual<T, N>& y, const Dual<T, N>& x) {
    const T r2 = x.val * x.val + y.val * y.val;
    Dual<T, N> r(std::atan2(y.val, x.val));
    for (int i = 0; i < N; ++i) {
        r.d[i] = (x.val * y.d[i] - y.val * x.d[i]) / r2;
    }
    return r;
}
template<class T, int N>
bool isfinite(const Dual<T, N>& a) {
    return std::isfinite(a.val);
}

template<class T, int N>
struct ScalarTraits<Dual<T, N>> {
    using Real = T;
    static double primal(const Dual<T, N>& x) { return static_cast<double>(x.val); }
};

} // namespace dynfit

namespace Eigen {

template<class T, int N>
struct NumTraits<dynfit::Dual<T, N>> : NumTraits<T> {
    using Real = dynfit::Dual<T, N>;
    using NonInteger = dynfit::Dual<T, N>;
    using Nested = dynfit::Dual<T, N>;
    using Literal = T;
    enum {
        IsComplex = 0,
        IsInteger = 0,
        IsSigned = 1,
        RequireInitialization = 1,
        ReadCost = N + 1,
        AddCost = N + 1,
        MulCost = 2 * N + 1
    };
};

// Mixed products (a Dual vector times a real coefficient) without promoting the coefficient.
template<class T, int N, class BinaryOp>
struct ScalarBinaryOpTraits<dynfit::Dual<T, N>, T, BinaryOp> {
    using ReturnType = dynfit::Dual<T, N>;
};
template<class T, int N, class BinaryOp>
struct ScalarBinaryOpTraits<T, dynfit::Dual<T, N>, BinaryOp> {
    using ReturnType = dynfit::Dual<T, N>;
};

} // namespace Eigen
