#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Quick start, the main job: set up, build, and open DynFit on the bundled Lotka–Volterra example.
# With no display, solves the same example headless and prints the result.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build
if [[ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]]; then
  exec build/app/dynfit "$@"
fi
echo "No display: solving the bundled Lotka-Volterra example headless."
exec build/app/dynfit-cli demo "$@"
