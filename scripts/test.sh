#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Quick start, the tests: set up, build, and run every test with ctest.
#   scripts/test.sh [ctest options...]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build
cd build
QT_QPA_PLATFORM=offscreen ctest --output-on-failure --timeout 600 -j "$(nproc)" "$@"
