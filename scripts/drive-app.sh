#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Drives the app as a user would, with the mouse and the keyboard under a real window manager
# (Xvfb + openbox + xdotool), through: new model → type it → import a CSV (columns matched to
# states by name) → fit → fit again and stop → apply → Save As without an extension → quit →
# restart (the last project reopens) → export the plot as SVG by its type → export the
# parameters → F1 on a word → a stacked plot with an expression. A screenshot after each step
# goes to OUT_DIR (default /tmp/dynfit-drive), and the files it made are checked at the end.
#   scripts/drive-app.sh [OUT_DIR]
# Needs a built app (scripts/setup.sh) and installs xdotool, openbox and x11-utils if missing.
# Screen positions assume the 1600x1000 screen and the default layout it starts.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-/tmp/dynfit-drive}
rm -rf "$out" && mkdir -p "$out/home"
for pkg in xdotool openbox x11-utils; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
    || DEBIAN_FRONTEND=noninteractive ${SUDO:-} apt-get install -y -qq --no-install-recommends "$pkg" >/dev/null
done
export DISPLAY=:${DRIVE_DISPLAY:-77}
Xvfb "$DISPLAY" -screen 0 1600x1000x24 -nolisten tcp >"$out/xvfb.log" 2>&1 &
xvfb=$!
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT
sleep 1
openbox >"$out/openbox.log" 2>&1 &
sleep 1
app() {
  HOME="$out/home" XDG_CONFIG_HOME="$out/home/.config" build/app/dynfit "$@" >>"$out/app.log" 2>&1 &
  sleep 3
  xdotool windowactivate --sync "$(xdotool search --name ' — DynFit' | head -1)"
}
shot() { sleep "${2:-0.8}"; import -window root "$out/$1.png"; }
type_lines() { # xdotool's own newline is a Linefeed keysym, which Qt's text edits ignore
  while IFS= read -r line; do
    xdotool type --delay 8 -- "$line"
    xdotool key Return
  done
}

# Data made by simulating a hare–lynx model with 5 % noise, in a file as a spreadsheet writes it.
build/app/dynfit-cli solve /dev/stdin --saveat 0:1:20 >"$out/truth.csv" <<'MODEL'
param a = 0.55
param b = 0.028
param c = 0.84
param d = 0.026
init hare = 30
init lynx = 4
d(hare)/dt = a*hare - b*hare*lynx
d(lynx)/dt = -c*lynx + d*hare*lynx
tspan = 0 .. 20
MODEL
awk -F, 'BEGIN{srand(3); print "Year,Hare,Lynx"} NR>1{printf "%d,%.2f,%.2f\n", 1900+$1,
  $2*(1+0.05*(rand()-0.5)), $3*(1+0.05*(rand()-0.5))}' "$out/truth.csv" >"$out/pelts.csv"

app
shot 01-start
xdotool key ctrl+n
xdotool mousemove 200 200 click 1 key ctrl+a Delete
type_lines <<'MODEL'
# Hares and lynx, typed in the app
param a = 0.4 in [0.01, 2] log
param b = 0.02 in [0.001, 1] log
param c = 1.0 in [0.01, 5] log
param d = 0.02 in [0.001, 1] log
init hare = 30
init lynx = 4
d(hare)/dt = a*hare - b*hare*lynx
d(lynx)/dt = -c*lynx + d*hare*lynx
tspan = 1900 .. 1920
MODEL
shot 02-typed
xdotool key ctrl+i && sleep 1 && xdotool type --delay 5 "$out/pelts.csv" && xdotool key Return
shot 03-import 1.5
xdotool key Return
xdotool mousemove 1388 246 click 1 && sleep 0.5 && xdotool key Down Return # Optimiser: Adam
xdotool mousemove 1382 303 click --repeat 3 1 && xdotool type 100000 && xdotool key Tab
xdotool key ctrl+r
shot 04-fitted 3
xdotool mousemove 1382 274 click --repeat 3 1 && xdotool type 0.0005 && xdotool key Tab
xdotool key ctrl+r
shot 05-fitting 1.5
xdotool key ctrl+period
shot 06-stopped
xdotool key ctrl+shift+a
xdotool key ctrl+shift+s && sleep 1 && xdotool type --delay 5 "$out/hares" && xdotool key Return
shot 07-saved
xdotool key ctrl+q
sleep 1
app # no file given: the last project
shot 08-reopened
xdotool key alt+f && sleep 0.3 && xdotool key l && sleep 0.3 && xdotool key t && sleep 1
xdotool mousemove 795 632 click 1 && sleep 0.5 && xdotool key Down Return # Files of type: SVG
xdotool mousemove 797 602 click 1 && xdotool type hares_plot && xdotool key Return
sleep 1
xdotool key alt+f && sleep 0.3 && xdotool key p && sleep 1
xdotool type "hares_params.json" && xdotool key Return
sleep 1
xdotool mousemove 60 86 click 1 && xdotool key F1 # on "param"
shot 09-help
xdotool key Escape
xdotool mousemove 915 51 click 1 && xdotool type "hare/lynx" && xdotool key Return
xdotool mousemove 720 51 click 1 && sleep 0.4 && xdotool key Down Return # Layout: Stacked
shot 10-stacked
xdotool key ctrl+q
sleep 1

# What the session made: the project with its extension, the plot as SVG by its type, the
# parameters as JSON, and the title of the reopened window.
grep -q '"format": "dynfit-project"' "$out/hares.dynfit"
grep -q '<svg' "$(dirname "$out/hares.dynfit")/hares_plot.svg"
grep -q '"a"' "$(dirname "$out/hares.dynfit")/hares_params.json"
echo "drive-app: every step done; screenshots in $out"
