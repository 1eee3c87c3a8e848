// SPDX-License-Identifier: MIT
// The GUI thread during a fit: the main window fits a bundled example on its worker thread while a
// 5 ms timer ticks on the GUI thread; prints the gaps between ticks (median, 99th percentile,
// worst), the share of nominal ticks that ran, and the fit's wall time. The tests only check that
// the window never freezes; the figures live here.
//   QT_QPA_PLATFORM=offscreen build/bench/bench_fit_responsiveness [iterations, default 100]
#include "main_window.hpp"

#include <QApplication>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTimer>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

double quantile(std::vector<double> gaps, double q) {
    std::sort(gaps.begin(), gaps.end());
    return gaps.empty() ? 0.0 : gaps[static_cast<std::size_t>(q * double(gaps.size() - 1))];
}

bool measure(const char* name, int iterations) {
    dynfit::ui::MainWindow window;
    window.resize(1600, 900);
    window.show();
    if (!window.openProject(QStringLiteral(DYNFIT_PROJECTS_DIR "/") + name + ".dynfit")) {
        std::fprintf(stderr, "cannot open %s\n", name);
        return false;
    }
    window.findChild<QSpinBox*>()->setValue(iterations);
    QCoreApplication::processEvents();
    std::vector<double> gaps;
    double worstAt = 0.0;
    QElapsedTimer clock;
    double last = 0.0;
    QTimer tick;
    QObject::connect(&tick, &QTimer::timeout, [&] {
        const double now = clock.nsecsElapsed() / 1e6;
        if (gaps.empty() || now - last > *std::max_element(gaps.begin(), gaps.end())) {
            worstAt = last;
        }
        gaps.push_back(now - last);
        last = now;
    });
    QSignalSpy finished(&window, &dynfit::ui::MainWindow::fitFinished);
    clock.start();
    tick.start(5);
    window.startFit();
    if (!finished.wait(600000)) {
        std::fprintf(stderr, "%s: the fit did not finish\n", name);
        return false;
    }
    tick.stop();
    const double wall = clock.nsecsElapsed() / 1e9;
    const double nominal = wall * 1000.0 / 5.0;
    std::printf("| %s | %d | %.2f s | %zu (%.0f %% of nominal) | %.1f ms | %.1f ms | %.1f ms (from "
                "%.0f ms) |\n",
                name, iterations, wall, gaps.size(), 100.0 * double(gaps.size()) / nominal,
                quantile(gaps, 0.5), quantile(gaps, 0.99), quantile(gaps, 1.0), worstAt);
    return true;
}

} // namespace

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    const int iterations = argc > 1 ? std::max(1, std::atoi(argv[1])) : 100;
    std::printf("| example | iterations | fit wall time | 5 ms ticks | median gap | 99th "
                "percentile | worst gap |\n");
    std::printf("|---|---:|---:|---:|---:|---:|---:|\n");
    for (const char* name : {"spiral_neural_ode", "lotka_volterra_ude", "lotka_volterra"}) {
        if (!measure(name, iterations)) {
            return 1;
        }
    }
    return 0;
}
