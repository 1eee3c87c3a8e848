// SPDX-License-Identifier: MIT
// dynfit: the desktop application.
#include "main_window.hpp"

#include <QApplication>
#include <QCommandLineParser>
#include <QTimer>

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setApplicationName("DynFit");
    QApplication::setApplicationVersion(DYNFIT_VERSION);

    QCommandLineParser parser;
    parser.setApplicationDescription("Fit dynamical models to time-series data");
    parser.addHelpOption();
    parser.addVersionOption();
    QCommandLineOption screenshot("screenshot", "Save a PNG of the window to FILE and quit.",
                                  "FILE");
    parser.addOption(screenshot);
    parser.process(app);

    dynfit::ui::MainWindow window;
    window.show();
    if (parser.isSet(screenshot)) {
        QTimer::singleShot(500, &window, [&] {
            const bool saved = window.grab().save(parser.value(screenshot));
            QApplication::exit(saved ? 0 : 1);
        });
    }
    return QApplication::exec();
}
