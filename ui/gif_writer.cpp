// SPDX-License-Identifier: MIT
// Animated GIF output through giflib.
#include "gif_writer.hpp"

#include <QFile>
#include <QObject>
#include <gif_lib.h>
#include <memory>

namespace dynfit::ui {

namespace {

struct GifCloser {
    void operator()(GifFileType* gif) const {
        int error = 0;
        EGifCloseFile(gif, &error);
    }
};

struct MapFree {
    void operator()(ColorMapObject* map) const { GifFreeMapObject(map); }
};

bool fail(QString* error, const QString& message) {
    if (error != nullptr) {
        *error = message;
    }
    return false;
}

// "Loop forever": the NETSCAPE2.0 application extension.
bool putLoopExtension(GifFileType* gif) {
    static const unsigned char kApp[] = "NETSCAPE2.0";
    static const unsigned char kLoop[] = {1, 0, 0};
    return EGifPutExtensionLeader(gif, APPLICATION_EXT_FUNC_CODE) == GIF_OK
           && EGifPutExtensionBlock(gif, 11, kApp) == GIF_OK
           && EGifPutExtensionBlock(gif, 3, kLoop) == GIF_OK
           && EGifPutExtensionTrailer(gif) == GIF_OK;
}

bool putFrame(GifFileType* gif, const QImage& frame, int delay) {
    const int w = frame.width(), h = frame.height();
    const QImage rgb = frame.convertToFormat(QImage::Format_RGB888);
    std::vector<GifByteType> r(static_cast<std::size_t>(w * h)), g(r.size()), b(r.size()),
        indices(r.size());
    for (int y = 0; y < h; ++y) {
        const uchar* line = rgb.constScanLine(y);
        for (int x = 0; x < w; ++x) {
            const auto k = static_cast<std::size_t>(y * w + x);
            r[k] = line[3 * x];
            g[k] = line[3 * x + 1];
            b[k] = line[3 * x + 2];
        }
    }
    int colours = 256;
    std::unique_ptr<ColorMapObject, MapFree> map(GifMakeMapObject(colours, nullptr));
    if (!map
        || GifQuantizeBuffer(static_cast<unsigned>(w), static_cast<unsigned>(h), &colours, r.data(),
                             g.data(), b.data(), indices.data(), map->Colors)
               != GIF_OK) {
        return false;
    }
    GraphicsControlBlock control{};
    control.DelayTime = delay;
    control.TransparentColor = NO_TRANSPARENT_COLOR;
    GifByteType extension[4];
    EGifGCBToExtension(&control, extension);
    if (EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, 4, extension) != GIF_OK
        || EGifPutImageDesc(gif, 0, 0, w, h, false, map.get()) != GIF_OK) {
        return false;
    }
    for (int y = 0; y < h; ++y) {
        if (EGifPutLine(gif, indices.data() + static_cast<std::ptrdiff_t>(y) * w, w) != GIF_OK) {
            return false;
        }
    }
    return true;
}

} // namespace

bool writeAnimatedGif(const QString& path,
                      const std::vector<QImage>& frames,
                      int delay,
                      QString* error) {
    if (frames.empty() || frames.front().isNull()) {
        return fail(error, QObject::tr("no frames to write (run a fit first)"));
    }
    const QSize size = frames.front().size();
    int code = 0;
    std::unique_ptr<GifFileType, GifCloser> gif(
        EGifOpenFileName(path.toLocal8Bit().constData(), false, &code));
    if (!gif) {
        return fail(error, QObject::tr("cannot write %1: %2").arg(path, GifErrorString(code)));
    }
    EGifSetGifVersion(gif.get(), true);
    if (EGifPutScreenDesc(gif.get(), size.width(), size.height(), 8, 0, nullptr) != GIF_OK
        || !putLoopExtension(gif.get())) {
        return fail(error, QObject::tr("cannot write %1").arg(path));
    }
    for (std::size_t k = 0; k < frames.size(); ++k) {
        const QImage frame = frames[k].size() == size ? frames[k] : frames[k].scaled(size);
        if (!putFrame(gif.get(), frame, k + 1 == frames.size() ? 200 : delay)) {
            return fail(error, QObject::tr("cannot write frame %1 of %2").arg(k + 1).arg(path));
        }
    }
    gif.reset();
    // giflib creates the file readable by its owner only; give it the usual permissions.
    QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner
                                    | QFileDevice::ReadGroup | QFileDevice::ReadOther);
    return true;
}

} // namespace dynfit::ui
