#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Quick start, the main job: set up, build, and open DynFit on the bundled Lotka–Volterra example.
# With no display, fits the same project headless and prints the progress and the result.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build
if [[ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]]; then
  exec build/app/dynfit projects/lotka_volterra.dynfit "$@"
fi
echo "No display: fitting the bundled Lotka-Volterra project headless."
exec build/app/dynfit-cli fit projects/lotka_volterra.dynfit --progress "$@"
