// SPDX-License-Identifier: MIT
// The linear solves of the stiff methods: W x = b with W = I/(hγ) − J (Rosenbrock) or I − hγJ
// (ESDIRK), factorised once per step and reused by every stage.
#pragma once

#include "core/dual.hpp"

#include <Eigen/LU>
#include <Eigen/SparseCore>
#include <Eigen/SparseLU>
#include <array>
#include <cmath>
#include <optional>
#include <utility>
#include <vector>

namespace dynfit::ode {

/// Systems at least this large with a Jacobian at most kSparseDensity full are factorised by
/// sparse LU; smaller or denser ones by dense partial-pivoting LU.
inline constexpr int kSparseThreshold = 64;
inline constexpr double kSparseDensity = 0.2;

/// (row, column) entries where ∂f/∂u may be non-zero.
using JacobianPattern = std::vector<std::pair<int, int>>;

/// Dense LU for a floating-point scalar, or sparse LU above the threshold when the pattern of
/// the Jacobian is known (the diagonal is always part of W's pattern).
template<class Scalar, int Rows>
class LinearSolver {
  public:
    using Matrix = Eigen::Matrix<Scalar, Rows, Rows>;
    using Vector = Eigen::Matrix<Scalar, Rows, 1>;

    /// Chooses sparse LU when the pattern is large and sparse enough (call before factor()).
    void setPattern(const JacobianPattern& jacobian, int n);

    bool isSparse() const { return m_sparse.has_value(); }

    /// Factorises W; false when W is singular or not finite (the step is then retried smaller).
    bool factor(const Matrix& W);

    /// x = W⁻¹ b (x and b may not alias).
    void solve(const Vector& b, Vector& x);

    /// x = W⁻ᵀ b (dense only: the discrete adjoints of small systems).
    void solveTransposed(const Vector& b, Vector& x);

  private:
    using Sparse = Eigen::SparseMatrix<Scalar>;
    struct SparseState {
        Sparse matrix;
        Eigen::SparseLU<Sparse, Eigen::COLAMDOrdering<int>> lu;
    };
    Eigen::PartialPivLU<Matrix> m_lu;
    std::optional<SparseState> m_sparse;
};

// The members are defined out of the class (so not inline): the dynamic-size double and float
// solvers are then compiled once, in linear_solver.cpp, instead of in every file that steps.
template<class Scalar, int Rows>
void LinearSolver<Scalar, Rows>::setPattern(const JacobianPattern& jacobian, int n) {
    m_sparse.reset();
    if (n < kSparseThreshold || static_cast<double>(jacobian.size()) > kSparseDensity * n * n) {
        return;
    }
    std::vector<Eigen::Triplet<Scalar>> entries;
    for (const auto& [r, c] : jacobian) {
        entries.emplace_back(r, c, Scalar(1));
    }
    for (int i = 0; i < n; ++i) {
        entries.emplace_back(i, i, Scalar(1));
    }
    m_sparse.emplace();
    m_sparse->matrix.resize(n, n);
    m_sparse->matrix.setFromTriplets(entries.begin(), entries.end());
    m_sparse->matrix.makeCompressed();
    m_sparse->lu.analyzePattern(m_sparse->matrix);
}

template<class Scalar, int Rows>
bool LinearSolver<Scalar, Rows>::factor(const Matrix& W) {
    if (!W.allFinite()) {
        return false;
    }
    if (m_sparse) {
        auto& s = *m_sparse;
        for (Eigen::Index k = 0; k < s.matrix.outerSize(); ++k) {
            for (typename Sparse::InnerIterator it(s.matrix, k); it; ++it) {
                it.valueRef() = W(it.row(), it.col());
            }
        }
        s.lu.factorize(s.matrix);
        return s.lu.info() == Eigen::Success;
    }
    m_lu.compute(W);
    const auto diagonal = m_lu.matrixLU().diagonal();
    return diagonal.allFinite() && (diagonal.array() != Scalar(0)).all();
}

template<class Scalar, int Rows>
void LinearSolver<Scalar, Rows>::solve(const Vector& b, Vector& x) {
    if (m_sparse) {
        x = m_sparse->lu.solve(b);
    } else {
        x = m_lu.solve(b);
    }
}

template<class Scalar, int Rows>
void LinearSolver<Scalar, Rows>::solveTransposed(const Vector& b, Vector& x) {
    x = m_lu.transpose().solve(b);
}

extern template class LinearSolver<double, Eigen::Dynamic>;
extern template class LinearSolver<float, Eigen::Dynamic>;

/// For dual numbers: W = W₀ + Σ ε_d W_d. Only W₀ is factorised; a solve splits into
/// x₀ = W₀⁻¹ b₀ and x_d = W₀⁻¹ (b_d − W_d x₀), the exact derivative of x = W⁻¹ b.
template<class T, int N, int Rows>
class LinearSolver<Dual<T, N>, Rows> {
  public:
    using D = Dual<T, N>;
    using Matrix = Eigen::Matrix<D, Rows, Rows>;
    using Vector = Eigen::Matrix<D, Rows, 1>;
    using RealMatrix = Eigen::Matrix<T, Rows, Rows>;
    using RealVector = Eigen::Matrix<T, Rows, 1>;

    void setPattern(const JacobianPattern& jacobian, int n) { m_primal.setPattern(jacobian, n); }
    bool isSparse() const { return m_primal.isSparse(); }

    bool factor(const Matrix& W) {
        m_w0 = W.unaryExpr([](const D& x) { return x.val; });
        for (int d = 0; d < N; ++d) {
            m_wd[static_cast<std::size_t>(d)] =
                W.unaryExpr([d](const D& x) { return x.d[static_cast<std::size_t>(d)]; });
        }
        return m_primal.factor(m_w0);
    }

    void solve(const Vector& b, Vector& x) {
        m_b = b.unaryExpr([](const D& v) { return v.val; });
        m_primal.solve(m_b, m_x0);
        x.resize(b.size());
        for (Eigen::Index i = 0; i < b.size(); ++i) {
            x[i] = D(m_x0[i]);
        }
        for (int d = 0; d < N; ++d) {
            const auto dd = static_cast<std::size_t>(d);
            m_b = b.unaryExpr([dd](const D& v) { return v.d[dd]; });
            m_b.noalias() -= m_wd[dd] * m_x0;
            m_primal.solve(m_b, m_xd);
            for (Eigen::Index i = 0; i < b.size(); ++i) {
                x[i].d[dd] = m_xd[i];
            }
        }
    }

  private:
    LinearSolver<T, Rows> m_primal;
    RealMatrix m_w0;
    std::array<RealMatrix, N> m_wd;
    RealVector m_b, m_x0, m_xd;
};

} // namespace dynfit::ode
