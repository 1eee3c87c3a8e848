// SPDX-License-Identifier: MIT
// Ensembles of SDE trajectories: the summary is bit-identical for 1 and 2 threads (and the
// kept trajectories too); trajectory k is the single solve keyed by k; the moments of GBM and
// of Ornstein–Uhlenbeck match their exact values within Monte-Carlo error; a trajectory that
// blows up is counted, not fatal; the quantile sketch keeps ranks within 1 % in bounded memory,
// and the ensemble's quantiles match the exact ones (lognormal, normal) and are bit-identical
// for 1 and 2 threads.
#include "ensemble/sde_ensemble.hpp"
#include "model/model.hpp"
#include "support/compile_model.hpp"

#include <QTest>
#include <algorithm>
#include <array>
#include <cmath>
#include <random>

using namespace dynfit;

namespace {

const char* const kGbmAndOu = "param mu = 0.4\nparam s = 0.3\nparam theta = 2\nparam sou = 0.5\n"
                              "init x = 1\ninit y = 1\n"
                              "d(x)/dt = mu*x\nnoise x = s*x\n"
                              "d(y)/dt = -theta*y\nnoise y = sou\ntspan = 0 .. 1\n";

model::SdeStart startOf(const model::CompiledModel& m) {
    const auto p = m.defaultParams();
    return {Eigen::Vector2d(1.0, 1.0),
            {0.0, 1.0},
            Eigen::Map<const Eigen::VectorXd>(p.data(), static_cast<Eigen::Index>(p.size()))};
}

ensemble::EnsembleResult
run(const std::shared_ptr<const model::CompiledModel>& m, long n, int threads, long keep = 0) {
    ode::SolveOptions opts;
    opts.reltol = opts.abstol = 1e-3;
    opts.saveat = {0.25, 0.5, 1.0};
    ensemble::EnsembleOptions e;
    e.trajectories = n;
    e.seed = 2026;
    e.threads = threads;
    e.keep = keep;
    e.saveNoise = keep > 0;
    e.quantiles = {0.05, 0.5, 0.95};
    return ensemble::runEnsemble(m, startOf(*m), ode::SOSRI{}, opts, e);
}

} // namespace

class TestSdeEnsemble : public QObject {
    Q_OBJECT

  private slots:
    void bitIdenticalAcrossThreads() {
        const auto m = test::compileModel(kGbmAndOu);
        const auto one = run(m, 300, 1, 3);
        const auto two = run(m, 300, 2, 3);
        QVERIFY2(one.status == SolveStatus::Success, one.message.c_str());
        QCOMPARE(two.threads, 2);
        QVERIFY((one.moments.mean() == two.moments.mean()).all());
        QVERIFY((one.moments.variance() == two.moments.variance()).all());
        QCOMPARE(one.quantiles.size(), std::size_t(3));
        for (std::size_t q = 0; q < 3; ++q) {
            QVERIFY((one.quantiles[q] == two.quantiles[q]).all());
        }
        QCOMPARE(one.kept.size(), std::size_t{3});
        for (std::size_t k = 0; k < one.kept.size(); ++k) {
            QCOMPARE(one.kept[k].index, static_cast<long>(k));
            QVERIFY(one.kept[k].u.back() == two.kept[k].u.back());
            QVERIFY(one.kept[k].noise == two.kept[k].noise);
        }
    }

    // Kept trajectory k is the lone solve of trajectory k: seeds do not depend on the run.
    void trajectoryIsItsKey() {
        const auto m = test::compileModel(kGbmAndOu);
        const auto ensemble = run(m, 40, 2, 8);
        ode::SolveOptions opts;
        opts.reltol = opts.abstol = 1e-3;
        opts.saveat = {0.25, 0.5, 1.0};
        ode::SdeSettings single;
        single.noise.seed = 2026;
        single.noise.trajectory = 5;
        const auto sol = model::solveModelSde(m, startOf(*m), ode::SOSRI{}, opts, single);
        QVERIFY(sol.u.back() == ensemble.kept[5].u.back());
        // and its W at t = 1 is what --save-noise reports: x's GBM solution is close to exact
        const double w = ensemble.kept[5].noise(0, 2);
        const double exact = std::exp((0.4 - 0.5 * 0.09) + 0.3 * w);
        QVERIFY2(std::abs(sol.u.back()[0] - exact) < 0.02,
                 qPrintable(QString("%1 vs exact %2").arg(sol.u.back()[0]).arg(exact)));
    }

    // GBM: E = e^{μt}, Var = e^{2μt}(e^{σ²t} − 1); OU: E = e^{−θt}, Var = σ²(1 − e^{−2θt})/2θ.
    void momentsMatchTheExactOnes() {
        const auto m = test::compileModel(kGbmAndOu);
        const long n = 6000;
        const auto r = run(m, n, 0);
        QCOMPARE(r.failed, 0L);
        const double times[] = {0.25, 0.5, 1.0};
        for (int j = 0; j < 3; ++j) {
            const double t = times[j];
            const double gbmMean = std::exp(0.4 * t);
            const double gbmVar = std::exp(0.8 * t) * (std::exp(0.09 * t) - 1);
            const double ouMean = std::exp(-2 * t);
            const double ouVar = 0.25 * (1 - std::exp(-4 * t)) / 4;
            const auto mean = r.moments.mean();
            const auto variance = r.moments.variance();
            QVERIFY2(std::abs(mean(0, j) - gbmMean) < 5 * std::sqrt(gbmVar / n),
                     qPrintable(QString("GBM mean %1 vs %2").arg(mean(0, j)).arg(gbmMean)));
            QVERIFY2(std::abs(mean(1, j) - ouMean) < 5 * std::sqrt(ouVar / n),
                     qPrintable(QString("OU mean %1 vs %2").arg(mean(1, j)).arg(ouMean)));
            QVERIFY2(std::abs(variance(0, j) - gbmVar) < 0.1 * gbmVar,
                     qPrintable(QString("GBM var %1 vs %2").arg(variance(0, j)).arg(gbmVar)));
            QVERIFY2(std::abs(variance(1, j) - ouVar) < 0.1 * ouVar,
                     qPrintable(QString("OU var %1 vs %2").arg(variance(1, j)).arg(ouVar)));
        }
    }

    // Rank error of the sketch's quantiles against the sorted stream, fed whole and in merged
    // shards (as an ensemble's blocks are); memory a few thousand values for 200,000.
    void sketchKeepsRanks() {
        std::mt19937_64 rng(7);
        std::normal_distribution<double> normal;
        std::vector<double> values(200000);
        for (double& v : values) {
            v = std::exp(normal(rng)); // skewed, like a population
        }
        ensemble::QuantileSketch whole, merged;
        std::vector<ensemble::QuantileSketch> shards(7);
        for (std::size_t k = 0; k < values.size(); ++k) {
            whole.add(values[k]);
            shards[k % 7].add(values[k]);
        }
        for (const auto& shard : shards) {
            merged.merge(shard);
        }
        std::vector<double> sorted = values;
        std::sort(sorted.begin(), sorted.end());
        const auto rankOf = [&](double v) {
            return double(std::upper_bound(sorted.begin(), sorted.end(), v) - sorted.begin())
                   / double(sorted.size());
        };
        for (const auto* sketch : {&whole, &merged}) {
            QCOMPARE(sketch->count(), long(values.size()));
            QVERIFY2(sketch->retained() < 5000, qPrintable(QString::number(sketch->retained())));
            for (const double q : {0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99}) {
                const double rank = rankOf(sketch->quantile(q));
                QVERIFY2(std::abs(rank - q) < 0.01,
                         qPrintable(QString("q %1: rank %2").arg(q).arg(rank)));
            }
        }
        QVERIFY(std::isnan(ensemble::QuantileSketch().quantile(0.5)));
    }

    // GBM's X_t is lognormal, OU's normal: the ensemble's 5/50/95 % quantiles lie within the
    // exact quantiles at levels ±1.5 % (Monte-Carlo and sketch error together).
    void quantilesMatchTheExactOnes() {
        const auto m = test::compileModel(kGbmAndOu);
        const auto r = run(m, 6000, 0);
        const double levels[] = {0.05, 0.5, 0.95};
        const auto normalQuantile = [](double q) { // by bisection on erfc: tests only
            double lo = -10, hi = 10;
            for (int k = 0; k < 200; ++k) {
                const double mid = 0.5 * (lo + hi);
                (0.5 * std::erfc(-mid / std::sqrt(2.0)) < q ? lo : hi) = mid;
            }
            return 0.5 * (lo + hi);
        };
        const double times[] = {0.25, 0.5, 1.0};
        for (int j = 0; j < 3; ++j) {
            const double t = times[j];
            for (int q = 0; q < 3; ++q) {
                const auto exact = [&](double level) {
                    const double zq = normalQuantile(level);
                    return std::array<double, 2>{
                        std::exp((0.4 - 0.045) * t + 0.3 * std::sqrt(t) * zq),
                        std::exp(-2 * t) + std::sqrt(0.25 * (1 - std::exp(-4 * t)) / 4) * zq};
                };
                const auto low = exact(levels[q] - 0.015), high = exact(levels[q] + 0.015);
                for (int i = 0; i < 2; ++i) {
                    const double got = r.quantiles[static_cast<std::size_t>(q)](i, j);
                    QVERIFY2(got > low[static_cast<std::size_t>(i)]
                                 && got < high[static_cast<std::size_t>(i)],
                             qPrintable(QString("state %1, t %2, q %3: %4 not in (%5, %6)")
                                            .arg(i)
                                            .arg(t)
                                            .arg(levels[q])
                                            .arg(got)
                                            .arg(low[static_cast<std::size_t>(i)])
                                            .arg(high[static_cast<std::size_t>(i)])));
                }
            }
        }
    }

    void blowUpsAreCounted() {
        const auto m =
            test::compileModel("init x = 2\nd(x)/dt = x*x\nnoise x = 0.01*x\ntspan = 0 .. 2\n");
        ode::SolveOptions opts;
        opts.dt = 0.01;
        ensemble::EnsembleOptions e;
        e.trajectories = 20;
        const auto r = ensemble::runEnsemble(
            m, {Eigen::VectorXd::Constant(1, 2.0), {0.0, 2.0}, Eigen::VectorXd(0)}, ode::EM{}, opts,
            e);
        QCOMPARE(r.failed, 20L);
        QCOMPARE(r.status, SolveStatus::InvalidInput);
        QVERIFY2(r.message.find("trajectory 0") != std::string::npos, r.message.c_str());
    }
};

QTEST_APPLESS_MAIN(TestSdeEnsemble)
#include "tst_sde_ensemble.moc"
