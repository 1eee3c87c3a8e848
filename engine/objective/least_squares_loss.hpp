// SPDX-License-Identifier: MIT
// The objective the gradient methods differentiate: the weighted sum of squared errors between a
// solution and data, at the data times. It knows states by index and name only, not models.
#pragma once

#include "core/scalar_traits.hpp"
#include "io/csv_data.hpp"

#include <map>
#include <string>
#include <vector>

namespace dynfit::objective {

/// L = Σ_k Σ_i w_i (u_i(t_k) − d_ik)² over the observed cells. Data columns are matched to states
/// by name; times may be uneven and need not match anything the solver does (the solution is
/// saved at them through its interpolant). Other losses of the saved solution can follow the
/// same shape: saveTimes() and evaluate().
class LeastSquaresLoss {
  public:
    struct Term {
        int save;  ///< index into saveTimes()
        int state; ///< index of the state
        double value;
        double weight;
    };

    /// Matches `data` to the states named `states` (in state order). Unknown columns or weights,
    /// and non-positive weights, are errors (returned false with the reason). A missing weight
    /// is 1.
    [[nodiscard]] static bool build(const std::vector<std::string>& states,
                                    const io::DataSet& data,
                                    const std::map<std::string, double>& weights,
                                    LeastSquaresLoss& loss,
                                    std::string& error);

    /// The same loss on the data up to `tMax` only (a growing time window's stage).
    LeastSquaresLoss upTo(double tMax) const;

    /// The same loss on the data at times in [from, to), or [from, to] when `includeTo`.
    LeastSquaresLoss between(double from, double to, bool includeTo) const;

    /// This loss plus Σ_i weight (u_i(time) − values[i])² over every state i (values has one
    /// entry per state): a continuity penalty. Its terms come last, in state order.
    LeastSquaresLoss
    withTargets(double time, const std::vector<double>& values, double weight) const;

    /// The distinct data times, increasing: solve with these as saveat.
    const std::vector<double>& saveTimes() const { return m_times; }
    const std::vector<Term>& terms() const { return m_terms; }

    /// The data as columns by state, at saveTimes() (NaN where a state is not observed).
    std::vector<std::vector<double>> observedColumns(int states) const;

    /// L from the states saved at saveTimes() (any scalar: double, Dual...).
    template<class State>
    typename State::Scalar evaluate(const std::vector<State>& saved) const {
        using S = typename State::Scalar;
        S sum(0.0);
        for (const Term& term : m_terms) {
            const S r = saved[static_cast<std::size_t>(term.save)][term.state] - S(term.value);
            sum += S(term.weight) * r * r;
        }
        return sum;
    }

    /// ∂L/∂u(t_k) at every save time k, from the states saved there (an adjoint's jumps).
    std::vector<Eigen::VectorXd> stateGradients(const std::vector<Eigen::VectorXd>& saved) const;

    /// ∂L/∂u(t_k) at the one save time k, from the state u saved there.
    Eigen::VectorXd stateGradientAt(std::size_t save, const Eigen::VectorXd& u) const;

  private:
    std::vector<double> m_times;
    std::vector<Term> m_terms;
};

} // namespace dynfit::objective
