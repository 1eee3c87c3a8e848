#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs the app under Xvfb on the spiral neural ODE, fits it, and saves the main window before,
# during and after the fit, and the training animation, into docs/screenshots/ (the README shows
# them).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build >/dev/null
out=docs/screenshots
mkdir -p "$out"
xvfb-run -a -s "-screen 0 1600x1000x24" \
  build/app/dynfit projects/spiral_neural_ode.dynfit --fit-screenshots "$out"
ls -l "$out"/before.png "$out"/during.png "$out"/after.png "$out"/training.gif
