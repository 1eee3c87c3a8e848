// SPDX-License-Identifier: MIT
// dynfit: the desktop application.
#include "fit_session.hpp"
#include "main_window.hpp"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QTimer>
#include <cstdio>

namespace {

// Saves the window before, during and after a fit of the open project into `dir`, and the
// training animation as training.gif, then quits.
void captureFit(dynfit::ui::MainWindow& window, const QString& dir) {
    const auto grab = [&window, dir](const char* name) {
        window.grab().save(QDir(dir).filePath(name));
    };
    QTimer::singleShot(800, &window, [&window, grab, dir] {
        grab("before.png");
        auto* during = new bool(false);
        QObject::connect(window.session(), &dynfit::ui::FitSession::progress, &window,
                         [&window, grab, during](const dynfit::ui::FitSnapshot& s) {
                             if (!*during && s.iteration >= 60) {
                                 *during = true;
                                 QTimer::singleShot(0, &window, [grab] { grab("during.png"); });
                             }
                         });
        QObject::connect(window.session(), &dynfit::ui::FitSession::finished, &window,
                         [&window, grab, dir] {
                             QTimer::singleShot(700, &window, [&window, grab, dir] {
                                 grab("after.png");
                                 const QString gif = QDir(dir).filePath("training.gif");
                                 QApplication::exit(window.exportAnimation(gif) ? 0 : 1);
                             });
                         });
        window.startFit();
    });
}

} // namespace

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setApplicationName("DynFit");
    QApplication::setOrganizationName("DynFit");
    QApplication::setApplicationVersion(DYNFIT_VERSION);

    QCommandLineParser parser;
    parser.setApplicationDescription("Fit dynamical models to time-series data");
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument("project", "A .dynfit project or a .dyn model to open.");
    QCommandLineOption screenshot("screenshot", "Save a PNG of the window to FILE and quit.",
                                  "FILE");
    QCommandLineOption fitShots(
        "fit-screenshots", "Fit the project, save before/during/after PNGs in DIR, quit.", "DIR");
    QCommandLineOption view("view", "Show the plot tab VIEW: time, phase or residuals.", "VIEW");
    parser.addOption(screenshot);
    parser.addOption(fitShots);
    parser.addOption(view);
    parser.process(app);

    dynfit::ui::MainWindow window;
    const QStringList args = parser.positionalArguments();
    const QString project =
        args.isEmpty() ? dynfit::ui::MainWindow::startupProject() : args.front();
    QString error;
    if (!window.openProject(project, &error)) {
        std::fprintf(stderr, "dynfit: %s\n", qPrintable(error));
    }
    window.show();
    if (parser.isSet(view)) {
        using View = dynfit::ui::MainWindow::PlotView;
        const QString name = parser.value(view);
        window.showView(name == "phase"       ? View::PhasePlane
                        : name == "residuals" ? View::Residuals
                                              : View::TimeSeries);
    }
    if (parser.isSet(screenshot)) {
        QTimer::singleShot(800, &window, [&] {
            const bool saved = window.grab().save(parser.value(screenshot));
            QApplication::exit(saved ? 0 : 1);
        });
    }
    if (parser.isSet(fitShots)) {
        captureFit(window, parser.value(fitShots));
    }
    return QApplication::exec();
}
