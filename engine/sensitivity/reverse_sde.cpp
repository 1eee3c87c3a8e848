// SPDX-License-Identifier: MIT
// Reverse mode through an SDE's steps, on the one fixed path of the pathwise loss: the forward
// solve keeps the state after every accepted step; each step's increments are read again from
// the same Brownian trees (W is a pure function of t, so they are the forward pass's); the
// stages are recomputed and swept back exactly. Every method of the registry is written as one
// stage scheme (below), so that one backward sweep serves them all; the drift-implicit step has
// its own (a transposed solve).
#include "model/model_rhs.hpp"
#include "model/model_sde.hpp"
#include "model/model_system.hpp"
#include "sensitivity/gradient_methods.hpp"
#include "sensitivity/saved_solve.hpp"

#include <array>
#include <memory>

namespace dynfit::sens::detail {

namespace {

constexpr int kMaxStages = 4;

// One step of an SDE method as stages: the drift point X_i = u + Σ_{j<i} (a_ij F_j + b_ij ⊙ G_j)
// and the noise point Y_i = u + Σ_{j<i} (c_ij F_j + d_ij ⊙ G_j), F_i = f(X_i, t + cf_i h),
// G_i = g(Y_i, t + cg_i h), and u⁺ = u + Σ_i (w_i F_i + v_i ⊙ G_i). a, c, w are numbers; b, d, v
// are per state (they carry the step's noise: ΔW, the iterated integrals).
struct StageScheme {
    int stages = 0;
    std::array<double, kMaxStages> cf{}, cg{}, w{};
    std::array<std::array<double, kMaxStages>, kMaxStages> a{}, c{};
    std::array<std::array<Eigen::VectorXd, kMaxStages>, kMaxStages> b, d;
    std::array<Eigen::VectorXd, kMaxStages> v;

    void zero(int count, Eigen::Index n) {
        stages = count;
        for (int i = 0; i < count; ++i) {
            v[static_cast<std::size_t>(i)] = Eigen::VectorXd::Zero(n);
            for (int j = 0; j < count; ++j) {
                b[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)] =
                    Eigen::VectorXd::Zero(n);
                d[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)] =
                    Eigen::VectorXd::Zero(n);
            }
        }
    }
};

// The scheme of `method`'s step of size h with increments `noise` (sde_steppers.hpp's formulas).
StageScheme schemeOf(const ode::SdeMethod& method, double h, const ode::StepNoise& noise) {
    const Eigen::Index n = noise.dW.size();
    const Eigen::ArrayXd dW = noise.dW.array();
    const double sqh = std::sqrt(std::abs(h));
    const Eigen::ArrayXd chi1 = (dW.square() - h) / (2 * sqh);
    const Eigen::ArrayXd chi2 = noise.i10.array() / h;
    const Eigen::ArrayXd chi3 = (dW.cube() - 3 * h * dW) / (6 * h);
    StageScheme s;
    std::visit(
        [&](auto tag) {
            using Tag = decltype(tag);
            if constexpr (std::is_same_v<Tag, ode::ImplicitEM>) {
                // implicit: not a stage scheme (reverseImplicitStep)
            } else if constexpr (std::is_same_v<Tag, ode::EM>) {
                s.zero(1, n);
                s.w[0] = h;
                s.v[0] = noise.dW;
            } else if constexpr (std::is_same_v<Tag, ode::EulerHeun>) {
                s.zero(2, n);
                s.a[1][0] = s.c[1][0] = h;
                s.b[1][0] = s.d[1][0] = noise.dW;
                s.cf = s.cg = {0.0, 1.0};
                s.w = {0.5 * h, 0.5 * h};
                s.v[0] = s.v[1] = 0.5 * noise.dW;
            } else if constexpr (std::is_same_v<Tag,
                                                ode::SRA1> || std::is_same_v<Tag, ode::SOSRA>) {
                const auto& tab = Tag::tableau;
                s.zero(tab.stages, n);
                for (int i = 0; i < tab.stages; ++i) {
                    const auto si = static_cast<std::size_t>(i);
                    s.cf[si] = tab.c0[i];
                    s.cg[si] = tab.c1[i];
                    s.w[si] = h * tab.alpha[i];
                    s.v[si] = (tab.beta1[i] * dW + tab.beta2[i] * chi2).matrix();
                    for (int j = 0; j < i; ++j) { // g is taken at the drift's point
                        const auto sj = static_cast<std::size_t>(j);
                        s.a[si][sj] = s.c[si][sj] = h * tab.A0[i][j];
                        s.b[si][sj] = s.d[si][sj] = (tab.B0[i][j] * chi2).matrix();
                    }
                }
            } else {
                const auto& tab = Tag::tableau;
                s.zero(tab.stages, n);
                for (int i = 0; i < tab.stages; ++i) {
                    const auto si = static_cast<std::size_t>(i);
                    s.cf[si] = tab.c0[i];
                    s.cg[si] = tab.c1[i];
                    s.w[si] = h * tab.alpha[i];
                    s.v[si] = (tab.beta1[i] * dW + tab.beta2[i] * chi1 + tab.beta3[i] * chi2
                               + tab.beta4[i] * chi3)
                                  .matrix();
                    for (int j = 0; j < i; ++j) {
                        const auto sj = static_cast<std::size_t>(j);
                        s.a[si][sj] = h * tab.A0[i][j];
                        s.c[si][sj] = h * tab.A1[i][j];
                        s.b[si][sj] = (tab.B0[i][j] * chi2).matrix();
                        s.d[si][sj] = Eigen::VectorXd::Constant(n, sqh * tab.B1[i][j]);
                    }
                }
            }
        },
        method);
    return s;
}

// f and g of the model with their VJPs, counted.
class DriftAndNoise {
  public:
    explicit DriftAndNoise(const model::CompiledModel& m)
        : m_system(m), m_g(m.noise), m_gVjpU(m.noiseVjpU), m_gVjpP(m.noiseVjpP),
          m_np(m.paramCount()) {}

    void f(const Vec<double>& u, const Vec<double>& p, double t, Vec<double>& out) {
        out.resize(u.size());
        m_system.rhs(u.data(), p.data(), t, out.data());
        ++evaluations;
    }
    void g(const Vec<double>& u, const Vec<double>& p, double t, Vec<double>& out) {
        out.resize(u.size());
        m_g(u.data(), p.data(), nullptr, t, out.data());
    }
    enum class Part { Drift, Noise };
    // uBar += wᵀ∂h/∂u at (u, t) and pBar += wᵀ∂h/∂p, for h = f (the drift) or g (the noise).
    void vjp(Part part,
             const Vec<double>& u,
             const Vec<double>& p,
             double t,
             const Vec<double>& w,
             Vec<double>& uBar,
             Vec<double>& pBar) {
        m_u.resize(u.size());
        m_p.resize(m_np);
        if (part == Part::Drift) {
            m_system.vjp(u.data(), p.data(), w.data(), t, m_u.data(), m_p.data());
            ++evaluations;
        } else {
            m_gVjpU(u.data(), p.data(), w.data(), t, m_u.data());
            m_gVjpP(u.data(), p.data(), w.data(), t, m_p.data());
        }
        uBar += m_u;
        pBar += m_p;
    }

    // ∂f/∂u at (u, t), dense.
    void jacobian(const Vec<double>& u, const Vec<double>& p, double t, Eigen::MatrixXd& jac) {
        m_system.jacobianU(u, p, t, jac);
    }

    model::ModelSystem& system() { return m_system; }
    long evaluations = 0;

  private:
    model::ModelSystem m_system;
    model::ProgramEvaluator<double> m_g, m_gVjpU, m_gVjpP;
    int m_np;
    Vec<double> m_u, m_p;
};

// The stage vectors of reverseStep, kept across steps (the same sizes every step).
struct StageWork {
    std::array<Vec<double>, kMaxStages> X, Y, F, G, Fbar, Gbar;
    Vec<double> xBar, yBar;
};

// ∂L/∂u before the step from ∂L/∂u after it (uBar, in place); pBar gains the step's share.
void reverseStep(const StageScheme& s,
                 double t,
                 double h,
                 const Vec<double>& u,
                 const Vec<double>& p,
                 DriftAndNoise& model,
                 StageWork& work,
                 Vec<double>& uBar,
                 Vec<double>& pBar) {
    const auto S = static_cast<std::size_t>(s.stages);
    auto& [X, Y, F, G, Fbar, Gbar, xBar, yBar] = work;
    for (std::size_t i = 0; i < S; ++i) { // the stages again
        X[i] = u;
        Y[i] = u;
        for (std::size_t j = 0; j < i; ++j) {
            X[i] += s.a[i][j] * F[j] + s.b[i][j].cwiseProduct(G[j]);
            Y[i] += s.c[i][j] * F[j] + s.d[i][j].cwiseProduct(G[j]);
        }
        model.f(X[i], p, t + s.cf[i] * h, F[i]);
        model.g(Y[i], p, t + s.cg[i] * h, G[i]);
    }
    for (std::size_t i = 0; i < S; ++i) {
        Fbar[i] = s.w[i] * uBar;
        Gbar[i] = s.v[i].cwiseProduct(uBar);
    }
    for (std::size_t i = S; i-- > 0;) { // uBar keeps the identity's share
        xBar.setZero(u.size());
        yBar.setZero(u.size());
        model.vjp(DriftAndNoise::Part::Drift, X[i], p, t + s.cf[i] * h, Fbar[i], xBar, pBar);
        model.vjp(DriftAndNoise::Part::Noise, Y[i], p, t + s.cg[i] * h, Gbar[i], yBar, pBar);
        uBar += xBar + yBar;
        for (std::size_t j = 0; j < i; ++j) {
            Fbar[j] += s.a[i][j] * xBar + s.c[i][j] * yBar;
            Gbar[j] += s.b[i][j].cwiseProduct(xBar) + s.d[i][j].cwiseProduct(yBar);
        }
    }
}

// The drift-implicit step u⁺ − h f(u⁺, t + h) = u + g(u, t) ⊙ ΔW swept back: with
// λ = (I − h ∂f/∂u(u⁺))⁻ᵀ ū⁺, ū = λ + (∂g/∂u)ᵀ(ΔW ⊙ λ), p̄ += h (∂f/∂p)ᵀλ + (∂g/∂p)ᵀ(ΔW ⊙ λ).
void reverseImplicitStep(double t,
                         double h,
                         const Vec<double>& u,
                         const Vec<double>& uNext,
                         const ode::StepNoise& noise,
                         const Vec<double>& p,
                         DriftAndNoise& model,
                         Vec<double>& uBar,
                         Vec<double>& pBar) {
    const Eigen::Index n = u.size();
    Eigen::MatrixXd jac;
    model.jacobian(uNext, p, t + h, jac);
    const Eigen::MatrixXd iteration = Eigen::MatrixXd::Identity(n, n) - h * jac;
    const Vec<double> lambda = iteration.transpose().partialPivLu().solve(uBar);
    Vec<double> ignored = Vec<double>::Zero(n);
    model.vjp(DriftAndNoise::Part::Drift, uNext, p, t + h, h * lambda, ignored,
              pBar); // its u part is inside the solve
    uBar = lambda;
    model.vjp(DriftAndNoise::Part::Noise, u, p, t, noise.dW.cwiseProduct(lambda), uBar, pBar);
}

} // namespace

void reverseSdeGradient(const GradientProblem& gp,
                        const ode::SolveOptions& baseOptions,
                        GradientResult& result,
                        const SaveAdjoints& adjoints) {
    const model::CompiledModel& m = *gp.model;
    if (m.noiseShape == ode::NoiseShape::General) { // the stage scheme's noise is per state
        result.status = SolveStatus::InvalidInput;
        result.message = "reverse mode does not carry a general noise matrix yet: use forward";
        return;
    }
    const int np = m.paramCount();
    const Vec<double> p = Eigen::Map<const Eigen::VectorXd>(gp.params.data(), np);
    Vec<double> u0;
    double t0 = 0.0, t1 = 0.0;
    initialConditions(gp, p, u0, t0, t1);
    ode::SolveOptions options = baseOptions;
    options.saveat = gp.loss->saveTimes();
    options.saveEverystep = true; // the state after every step: where each step starts
    const ode::SdeSettings run{gp.sde->noise, gp.sde->delta};
    const std::shared_ptr<const model::CompiledModel> shared(&m,
                                                             [](const model::CompiledModel*) {});
    const auto sol = model::solveModelSde(shared, {u0, {t0, t1}, p}, gp.sde->method, options, run);
    result.nfForward += sol.stats.nRhs;
    if (!sol.ok()) {
        result.status = sol.status;
        result.message = sol.message;
        return;
    }
    // The saves among the steps' ends (the steps land on them exactly).
    const auto& times = gp.loss->saveTimes();
    std::vector<int> saveAt(sol.t.size(), -1);
    std::vector<Vec<double>> saved;
    for (std::size_t k = 0, s = 0; k < sol.t.size() && s < times.size(); ++k) {
        if (sol.t[k] == times[s]) {
            saveAt[k] = static_cast<int>(s++);
            saved.push_back(sol.u[k]);
        }
    }
    if (saved.size() != times.size()) { // cannot happen: solveSde lands on every save time
        result.status = SolveStatus::InvalidInput;
        result.message = "reverse mode: the SDE solve missed a save time";
        return;
    }
    keepSaved(saved, result);
    std::vector<Vec<double>> saveAdjoint;
    if (adjoints) {
        saveAdjoint = adjoints(saved);
    } else {
        result.loss = gp.loss->evaluate(saved);
        saveAdjoint = gp.loss->stateGradients(saved);
    }

    // Each step's increments, read in step order from fresh trees (the forward pass's values).
    ode::WienerPaths paths(run.noise, static_cast<int>(m.noiseProcesses.size()), {t0, t1});
    std::vector<int> processOf = m.noiseProcessOf;
    std::vector<ode::StepNoise> noise(sol.t.size() - 1);
    for (std::size_t k = 0; k + 1 < sol.t.size(); ++k) {
        paths.increments(sol.t[k], sol.t[k + 1] - sol.t[k], processOf, noise[k]);
        paths.accept();
    }
    DriftAndNoise model(m);
    StageWork work;
    Vec<double> uBar = Vec<double>::Zero(m.stateCount());
    Vec<double> pBar = Vec<double>::Zero(np);
    for (std::size_t k = sol.t.size(); k-- > 0;) {
        if (saveAt[k] >= 0) {
            uBar += saveAdjoint[static_cast<std::size_t>(saveAt[k])];
        }
        if (k == 0) {
            break;
        }
        const double h = sol.t[k] - sol.t[k - 1];
        if (std::holds_alternative<ode::ImplicitEM>(gp.sde->method)) {
            reverseImplicitStep(sol.t[k - 1], h, sol.u[k - 1], sol.u[k], noise[k - 1], p, model,
                                uBar, pBar);
        } else {
            reverseStep(schemeOf(gp.sde->method, h, noise[k - 1]), sol.t[k - 1], h, sol.u[k - 1], p,
                        model, work, uBar, pBar);
        }
    }
    result.nfBackward += model.evaluations;
    assembleGradient(gp, model.system(), p, u0, t0, uBar, pBar, result);
}

} // namespace dynfit::sens::detail

namespace dynfit::sens {

GradientResult sdePathAdjoint(const GradientProblem& problem,
                              const ode::SolveOptions& options,
                              const SaveAdjoints& adjoints) {
    GradientResult result;
    result.dParams.assign(static_cast<std::size_t>(problem.model->paramCount()), 0.0);
    result.dInit.assign(static_cast<std::size_t>(problem.model->stateCount()), 0.0);
    if (!problem.model->hasNoise() || !problem.sde || !problem.loss) {
        result.status = SolveStatus::InvalidInput;
        result.message = "sdePathAdjoint: a model with noise, a path and save times are needed";
        return result;
    }
    detail::reverseSdeGradient(problem, options, result, adjoints);
    return result;
}

} // namespace dynfit::sens
