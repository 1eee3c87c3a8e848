// SPDX-License-Identifier: MIT
// Fitting an SDE by its pathwise loss (the seed's way): data made by the seed's stochastic
// Lotka–Volterra on one path at known drift parameters are fitted on that same path from a
// start 20 % off; L-BFGS (forward-mode gradients on common random numbers) recovers the drift
// parameters within 2 %.
#include "fit/fitter.hpp"
#include "model/model.hpp"
#include "model/model_sde.hpp"
#include "support/data_from_solution.hpp"
#include "support/require_loss.hpp"

#include <QTest>
#include <cmath>

using namespace dynfit;

namespace {

const char* const kSeedSde = "param α = 2.2 in [0.5, 5]\nparam β = 1.0 in [0.2, 3]\n"
                             "param δ = 2.0 in [0.5, 5]\nparam γ = 0.4 in [0.1, 2]\n"
                             "init x = 1\ninit y = 1\nd(x)/dt = (α - β*y)*x\n"
                             "d(y)/dt = (δ*x - γ)*y\nnoise x = 0.1*x\nnoise y = 0.1*y\n"
                             "tspan = 0 .. 5\n";

} // namespace

class TestSdeFit : public QObject {
    Q_OBJECT

  private slots:
    void pathwiseFitRecoversTheDrift() {
        model::Diagnostics d;
        const auto m = model::compileModel(kSeedSde, d);
        QVERIFY(m != nullptr);
        ode::SolveOptions opts;
        opts.reltol = opts.abstol = 1e-5;
        for (int k = 1; k <= 50; ++k) {
            opts.saveat.push_back(0.1 * k);
        }
        sens::SdePath path{ode::SOSRI{}, {}, 1.0 / 6.0};
        path.noise.seed = 5;
        const Eigen::Vector4d truth(2.2, 1.0, 2.0, 0.4);
        const auto sol = model::solveModelSde(m, {Eigen::Vector2d(1.0, 1.0), {0.0, 5.0}, truth},
                                              path.method, opts, {path.noise, path.delta});
        QVERIFY2(sol.ok(), sol.message.c_str());
        const auto loss = test::requireLoss(m->states, test::dataFromSolution(sol, m->states));
        fit::FitOptions options;
        options.solve = opts;
        options.solve.saveat.clear();
        options.sde = path;
        options.maxIterations = 200;
        const std::vector<double> start = {2.2 * 1.2, 1.0 * 0.8, 2.0 * 1.2, 0.4 * 0.8};
        const auto out = fit::fitParameters(*m, start, loss, options);
        QVERIFY2(!out.params.empty(), out.message.c_str());
        for (int k = 0; k < 4; ++k) {
            const double error =
                std::abs(out.params[static_cast<std::size_t>(k)] - truth[k]) / truth[k];
            QVERIFY2(error < 0.02,
                     qPrintable(QString("%1 = %2, truth %3 (loss %4 → %5, %6)")
                                    .arg(m->params[static_cast<std::size_t>(k)].name.c_str())
                                    .arg(out.params[static_cast<std::size_t>(k)])
                                    .arg(truth[k])
                                    .arg(out.lossInitial)
                                    .arg(out.lossFinal)
                                    .arg(out.message.c_str())));
        }
    }
};

QTEST_APPLESS_MAIN(TestSdeFit)
#include "tst_sde_fit.moc"
