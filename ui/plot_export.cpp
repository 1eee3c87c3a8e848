// SPDX-License-Identifier: MIT
#include "plot_export.hpp"

#include <QChart>
#include <QChartView>
#include <QFileInfo>
#include <QImage>
#include <QPainter>
#include <QPdfWriter>
#include <QSvgGenerator>
#include <qcustomplot.h>

namespace dynfit::ui {

namespace {

QString extensionOf(const QString& path) {
    return QFileInfo(path).suffix().toLower();
}

// Runs paint(painter) on an SVG generator of the given size.
template<class Paint>
bool writeSvg(const QString& path, int width, int height, const Paint& paint) {
    QSvgGenerator svg;
    svg.setFileName(path);
    svg.setSize(QSize(width, height));
    svg.setViewBox(QRect(0, 0, width, height));
    svg.setTitle("DynFit plot");
    return paint(svg);
}

} // namespace

bool savePlot(QCustomPlot* plot, const QString& path, int width, int height) {
    const QString ext = extensionOf(path);
    if (ext == "png") {
        return plot->savePng(path, width, height);
    }
    if (ext == "pdf") {
        return plot->savePdf(path, width, height);
    }
    if (ext == "svg") {
        return writeSvg(path, width, height, [&](QSvgGenerator& svg) {
            QCPPainter painter;
            if (!painter.begin(&svg)) {
                return false;
            }
            plot->toPainter(&painter, width, height);
            return painter.end();
        });
    }
    return false;
}

bool saveChart(QChartView* view, const QString& path, int width, int height) {
    const QString ext = extensionOf(path);
    if (ext != "png" && ext != "pdf" && ext != "svg") {
        return false;
    }
    // Lay the chart out at the export size for the drawing, then give it back its own.
    QChart* chart = view->chart();
    const QSizeF shown = chart->size();
    chart->resize(width, height);
    const QRectF source(0, 0, width, height);
    const auto render = [&](QPaintDevice& device, const QRectF& target) {
        QPainter painter;
        if (!painter.begin(&device)) {
            return false;
        }
        painter.setRenderHint(QPainter::Antialiasing);
        chart->scene()->render(&painter, target, chart->mapRectToScene(source));
        return painter.end();
    };
    bool ok = false;
    if (ext == "png") {
        QImage image(width, height, QImage::Format_ARGB32);
        image.fill(Qt::white);
        ok = render(image, source) && image.save(path, "PNG");
    } else if (ext == "svg") {
        ok = writeSvg(path, width, height, [&](QSvgGenerator& svg) { return render(svg, source); });
    } else {
        QPdfWriter pdf(path);
        pdf.setPageSize(QPageSize(QSizeF(width, height), QPageSize::Point));
        pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
        pdf.setResolution(72);
        ok = render(pdf, source);
    }
    chart->resize(shown);
    return ok;
}

} // namespace dynfit::ui
