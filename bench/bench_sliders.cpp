// SPDX-License-Identifier: MIT
// Slider latency (issue 12): for each bundled example, drag every parameter slider across its
// range and time each frame — the slider's move, the re-simulation of every drawn data set, the
// plot's replot and paint — as the app does it, in the real main window (offscreen platform).
// Prints the median and worst frame per example; the goal is one frame, 16 ms.
//   QT_QPA_PLATFORM=offscreen build/bench/bench_sliders [positions per slider, default 120]
#include "main_window.hpp"
#include "parameter_sliders.hpp"
#include "solution_plot.hpp"

#include <QApplication>
#include <QElapsedTimer>
#include <QSlider>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <qcustomplot.h>
#include <vector>

namespace {

struct FrameTimes {
    std::vector<double> ms;
    double quantile(double q) {
        std::sort(ms.begin(), ms.end());
        return ms.empty() ? 0.0 : ms[static_cast<std::size_t>(q * double(ms.size() - 1))];
    }
    double median() { return quantile(0.5); }
    double overBudget() const { // the share of frames over one frame (16 ms)
        return ms.empty() ? 0.0 : double(std::count_if(ms.begin(), ms.end(), [](double t) {
                                      return t > 16.0;
                                  })) / double(ms.size());
    }
    double worst() const { return ms.empty() ? 0.0 : *std::max_element(ms.begin(), ms.end()); }
};

// One drag of slider `row` over `positions` steps, each step a frame: move, redraw, paint.
void drag(dynfit::ui::MainWindow& window, int row, int positions, FrameTimes& times) {
    QSlider* slider = window.sliders()->slider(row);
    const int start = slider->value();
    slider->setSliderDown(true);
    QElapsedTimer clock;
    for (int k = 0; k < positions; ++k) {
        const int position = (start + (k + 1) * slider->maximum() / positions) % slider->maximum();
        clock.start();
        slider->setValue(position);
        QCoreApplication::processEvents(); // the coalesced redraw, then the queued replot
        window.solutionPlot()->repaint();  // and its paint on the screen, now
        times.ms.push_back(clock.nsecsElapsed() / 1e6);
        if (std::getenv("BENCH_SLIDERS_VERBOSE") != nullptr && times.ms.back() > 16.0) {
            std::fprintf(stderr, "slow frame: slider %d at %d: %.1f ms\n", row, position,
                         times.ms.back());
        }
    }
    slider->setValue(start);
    slider->setSliderDown(false);
    QCoreApplication::processEvents();
}

} // namespace

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    const int positions = argc > 1 ? std::max(10, std::atoi(argv[1])) : 120;
    std::printf("| example | sliders | frames | median frame | 95th percentile | worst frame "
                "| frames over 16 ms |\n");
    std::printf("|---|---:|---:|---:|---:|---:|---:|\n");
    FrameTimes all;
    for (const char* name :
         {"lotka_volterra", "lotka_volterra_ude", "rober", "spiral_neural_ode"}) {
        dynfit::ui::MainWindow window;
        window.resize(1600, 900);
        window.show();
        const QString path = QStringLiteral(DYNFIT_PROJECTS_DIR "/") + name + ".dynfit";
        if (!window.openProject(path)) {
            std::fprintf(stderr, "cannot open %s\n", name);
            return 1;
        }
        QCoreApplication::processEvents();
        FrameTimes times;
        for (int row = 0; row < window.sliders()->sliderCount(); ++row) {
            drag(window, row, positions, times);
        }
        all.ms.insert(all.ms.end(), times.ms.begin(), times.ms.end());
        const int frames = static_cast<int>(times.ms.size());
        const double worst = times.worst();
        const double over = 100.0 * times.overBudget();
        std::printf("| %s | %d | %d | %.2f ms | %.2f ms | %.2f ms | %.1f %% |\n", name,
                    window.sliders()->sliderCount(), frames, times.median(), times.quantile(0.95),
                    worst, over);
    }
    const double worst = all.worst();
    const double over = 100.0 * all.overBudget();
    std::printf("| all | | %d | %.2f ms | %.2f ms | %.2f ms | %.1f %% |\n",
                static_cast<int>(all.ms.size()), all.median(), all.quantile(0.95), worst, over);
    return 0;
}
