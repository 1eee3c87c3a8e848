// SPDX-License-Identifier: MIT
// The hand-derived network passes: forward against the model language's written-out network,
// JVP against central differences, VJP against JVP (⟨ȳ, J ẋ⟩ = ⟨x̄, ẋ⟩), batches, float, and
// no allocation once the workspace is sized.
// clang-format off
#include "support/alloc_counter.hpp" // first: it hooks Eigen's allocations
// clang-format on
#include "model/model.hpp"
#include "model/model_rhs.hpp"
#include "model/network_of.hpp"
#include "nn/dense_network.hpp"

#include <QTest>
#include <random>

using namespace dynfit;

namespace {

const char* kActivations[] = {"identity", "tanh", "relu", "sigmoid", "softplus", "elu", "swish"};

// A 3 → 6 → 4 → 3 network as a model whose right-hand side is the network itself.
std::shared_ptr<const model::CompiledModel> networkModel(const char* first, const char* second) {
    const std::string text = std::string("nn U = dense(3, 6, ") + first + ") >> dense(6, 4, "
                             + second + ") >> dense(4, 3)\ninit a = 0.3\ninit b = -0.2\n"
                             + "init c = 0.5\nd(a)/dt = U(a, b, c)[1]\nd(b)/dt = U(a, b, c)[2]\n"
                             + "d(c)/dt = U(a, b, c)[3]\n";
    model::Diagnostics d;
    model::CompileOptions options;
    options.seed = 7;
    auto m = model::compileModel(text, d, {}, options);
    if (!m) {
        qFatal("%s", model::formatDiagnostics(d, "network", text).c_str());
    }
    return m;
}

Eigen::MatrixXd random(int rows, int cols, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> u(-1.0, 1.0);
    Eigen::MatrixXd m(rows, cols);
    for (Eigen::Index k = 0; k < m.size(); ++k) {
        m.data()[k] = u(rng);
    }
    return m;
}

} // namespace

class TestDenseNetwork : public QObject {
    Q_OBJECT
  private slots:
    void flopCounts() {
        const nn::DenseNetwork spiral({{2, 50, nn::Activation::Tanh}, {50, 2}});
        QCOMPARE(spiral.weightCount(), 2 * 50 + 50 + 50 * 2 + 2);
        QCOMPARE(spiral.forwardFlops(), 2L * 100 + 50 + 50 + 2L * 100 + 2);
        QCOMPARE(spiral.widest(), 50);
    }

    // The kernel and the model language agree on every activation and the weight layout.
    void forwardMatchesTheModelLanguage_data() {
        QTest::addColumn<QString>("first");
        QTest::addColumn<QString>("second");
        for (const char* a : kActivations) {
            QTest::newRow(a) << QString(a) << QString(kActivations[(&a - kActivations + 3) % 7]);
        }
    }
    void forwardMatchesTheModelLanguage() {
        QFETCH(QString, first);
        QFETCH(QString, second);
        const auto m = networkModel(first.toUtf8().constData(), second.toUtf8().constData());
        const auto net = model::denseNetworkOf(m->networks.front());
        QCOMPARE(net.weightCount(), m->networks.front().weightCount);
        const auto params = m->defaultParams();
        const double* weights = params.data() + m->networks.front().firstParam;
        nn::Workspace<double> ws;
        ws.resize(net, 1);
        for (unsigned trial = 0; trial < 5; ++trial) {
            const Eigen::VectorXd x = random(3, 1, trial);
            Eigen::VectorXd y(3), f(3);
            nn::forward(net, weights, x, ws, y);
            model::ProgramEvaluator<double> rhs(m->rhs);
            rhs(x.data(), params.data(), nullptr, 0.0, f.data());
            QVERIFY2((y - f).norm() < 1e-13 * (1.0 + f.norm()),
                     qPrintable(QString("kernel %1, model %2").arg(y[0]).arg(f[0])));
        }
    }

    // JVP against central differences, in inputs and weights at once.
    void jvpMatchesFiniteDifferences_data() { forwardMatchesTheModelLanguage_data(); }
    void jvpMatchesFiniteDifferences() {
        QFETCH(QString, first);
        QFETCH(QString, second);
        const auto m = networkModel(first.toUtf8().constData(), second.toUtf8().constData());
        const auto net = model::denseNetworkOf(m->networks.front());
        const auto all = m->defaultParams();
        Eigen::VectorXd w = Eigen::Map<const Eigen::VectorXd>(
            all.data() + m->networks.front().firstParam, net.weightCount());
        w += 0.1 * random(net.weightCount(), 1, 99); // nonzero biases too
        const Eigen::MatrixXd x = random(3, 4, 1);
        const Eigen::MatrixXd dx = random(3, 4, 2);
        const Eigen::VectorXd dw = random(net.weightCount(), 1, 3);
        nn::Workspace<double> ws;
        ws.resize(net, 4);
        Eigen::MatrixXd y(3, 4), dy(3, 4), yPlus(3, 4), yMinus(3, 4);
        nn::forward(net, w.data(), x, ws, y);
        nn::jvp(net, w.data(), dw.data(), x, dx, ws, dy);
        const double h = 1e-6;
        Eigen::VectorXd wPlus = w + h * dw, wMinus = w - h * dw;
        nn::forward(net, wPlus.data(), Eigen::MatrixXd(x + h * dx), ws, yPlus);
        nn::forward(net, wMinus.data(), Eigen::MatrixXd(x - h * dx), ws, yMinus);
        const Eigen::MatrixXd fd = (yPlus - yMinus) / (2 * h);
        QVERIFY2((dy - fd).cwiseAbs().maxCoeff() < 1e-7 * (1.0 + fd.cwiseAbs().maxCoeff()),
                 qPrintable(QString("jvp %1, fd %2").arg(dy(0, 0)).arg(fd(0, 0))));
    }

    // The VJP is the JVP's transpose: ⟨ȳ, ẏ⟩ = ⟨x̄, ẋ⟩ + ⟨w̄, ẇ⟩ over a batch.
    void vjpIsTheTransposeOfJvp_data() { forwardMatchesTheModelLanguage_data(); }
    void vjpIsTheTransposeOfJvp() {
        QFETCH(QString, first);
        QFETCH(QString, second);
        const auto m = networkModel(first.toUtf8().constData(), second.toUtf8().constData());
        const auto net = model::denseNetworkOf(m->networks.front());
        const Eigen::VectorXd w = random(net.weightCount(), 1, 11);
        const Eigen::MatrixXd x = random(3, 5, 12);
        const Eigen::MatrixXd dx = random(3, 5, 13);
        const Eigen::VectorXd dw = random(net.weightCount(), 1, 14);
        const Eigen::MatrixXd yBar = random(3, 5, 15);
        nn::Workspace<double> ws;
        ws.resize(net, 5);
        Eigen::MatrixXd y(3, 5), dy(3, 5), xBar(3, 5);
        Eigen::VectorXd wBar = Eigen::VectorXd::Zero(net.weightCount());
        nn::forward(net, w.data(), x, ws, y);
        nn::jvp(net, w.data(), dw.data(), x, dx, ws, dy);
        nn::vjp(net, w.data(), x, yBar, ws, xBar, wBar.data());
        const double lhs = (yBar.array() * dy.array()).sum();
        const double rhs = (xBar.array() * dx.array()).sum() + wBar.dot(dw);
        QVERIFY2(std::abs(lhs - rhs) < 1e-12 * (1.0 + std::abs(lhs)),
                 qPrintable(QString("%1 vs %2").arg(lhs, 0, 'g', 17).arg(rhs, 0, 'g', 17)));
    }

    // A batch is its columns evaluated one by one.
    void batchIsColumnByColumn() {
        const nn::DenseNetwork net({{2, 8, nn::Activation::Tanh}, {8, 2, nn::Activation::Swish}});
        const Eigen::VectorXd w = random(net.weightCount(), 1, 21);
        const Eigen::MatrixXd x = random(2, 6, 22);
        nn::Workspace<double> batch, single;
        batch.resize(net, 6);
        single.resize(net, 1);
        Eigen::MatrixXd y(2, 6);
        nn::forward(net, w.data(), x, batch, y);
        for (int c = 0; c < 6; ++c) {
            Eigen::VectorXd yc(2);
            nn::forward(net, w.data(), x.col(c), single, yc);
            QVERIFY((yc - y.col(c)).norm() < 1e-15);
        }
    }

    void floatAgreesWithDouble() {
        const nn::DenseNetwork net({{2, 50, nn::Activation::Tanh}, {50, 2}});
        const Eigen::VectorXd w = 0.3 * random(net.weightCount(), 1, 31);
        const Eigen::MatrixXd x = random(2, 3, 32);
        nn::Workspace<double> wsd;
        nn::Workspace<float> wsf;
        wsd.resize(net, 3);
        wsf.resize(net, 3);
        Eigen::MatrixXd y(2, 3), xBar(2, 3);
        Eigen::MatrixXf yf(2, 3), xBarF(2, 3);
        const Eigen::VectorXf wf = w.cast<float>();
        nn::forward(net, w.data(), x, wsd, y);
        nn::forward(net, wf.data(), Eigen::MatrixXf(x.cast<float>()), wsf, yf);
        QVERIFY((yf.cast<double>() - y).cwiseAbs().maxCoeff() < 1e-5);
        nn::vjp(net, w.data(), x, Eigen::MatrixXd::Ones(2, 3), wsd, xBar, nullptr);
        nn::vjp(net, wf.data(), Eigen::MatrixXf(x.cast<float>()), Eigen::MatrixXf::Ones(2, 3), wsf,
                xBarF, nullptr);
        QVERIFY((xBarF.cast<double>() - xBar).cwiseAbs().maxCoeff() < 1e-5);
    }

    // Once the workspace is sized, the passes allocate nothing; and the counter does count.
    void noAllocationPerCall() {
        const nn::DenseNetwork net({{2, 50, nn::Activation::Tanh}, {50, 2}});
        const Eigen::VectorXd w = random(net.weightCount(), 1, 41);
        const Eigen::MatrixXd x = random(2, 4, 42), dx = random(2, 4, 43), yBar = random(2, 4, 44);
        Eigen::MatrixXd y(2, 4), dy(2, 4), xBar(2, 4);
        Eigen::VectorXd wBar = Eigen::VectorXd::Zero(net.weightCount());
        nn::Workspace<double> ws;
        ws.resize(net, 4);
        std::size_t allocations = 0;
        {
            test::AllocationScope scope;
            nn::forward(net, w.data(), x, ws, y);
            nn::jvp(net, w.data(), nullptr, x, dx, ws, dy);
            nn::vjp(net, w.data(), x, yBar, ws, xBar, wBar.data());
            allocations = scope.count();
        }
        QCOMPARE(allocations, std::size_t(0));
        {
            test::AllocationScope scope;
            nn::Workspace<double> fresh;
            fresh.resize(net, 4);
            QVERIFY(scope.count() > 0);
        }
    }
};

QTEST_GUILESS_MAIN(TestDenseNetwork)
#include "tst_dense_network.moc"
