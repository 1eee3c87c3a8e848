#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs the app under Xvfb on the spiral neural ODE, fits it, and saves the main window before,
# during and after the fit, and the training animation, and ROBER's residuals tab, into
# docs/screenshots/ (the README shows them).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build >/dev/null
out=docs/screenshots
mkdir -p "$out"
xvfb-run -a -s "-screen 0 1600x1000x24" \
  build/app/dynfit projects/spiral_neural_ode.dynfit --fit-screenshots "$out"
# ROBER (stiff, log time) on its residuals tab: data − prediction before the fit.
xvfb-run -a -s "-screen 0 1600x1000x24" \
  build/app/dynfit projects/rober.dynfit --view residuals --screenshot "$out"/rober_residuals.png
ls -l "$out"/before.png "$out"/during.png "$out"/after.png "$out"/training.gif \
  "$out"/rober_residuals.png
