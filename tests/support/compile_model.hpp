// SPDX-License-Identifier: MIT
// A fixture's model, compiled or the test ends with its diagnostics.
#pragma once

#include "model/model.hpp"

#include <QtGlobal>
#include <memory>
#include <string>

namespace dynfit::test {

inline std::shared_ptr<const model::CompiledModel> compileModel(const std::string& text) {
    model::Diagnostics d;
    auto m = model::compileModel(text, d);
    if (!m) {
        qFatal("%s", model::formatDiagnostics(d, "test", text).c_str());
    }
    return m;
}

} // namespace dynfit::test
