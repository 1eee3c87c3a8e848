#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the Debian packages DynFit needs (only those missing; silent when all are there), then
# configures and builds with CMake + Ninja + ccache.
#   scripts/setup.sh [BUILD_DIR] [extra cmake -D options...]
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config
  qt6-base-dev qt6-charts-dev libqt6opengl6-dev qt6-svg-dev libqcustomplot-dev libgl1-mesa-dev
  libeigen3-dev libsundials-dev nlohmann-json3-dev libcli11-dev liblbfgspp-dev libgif-dev
  libbenchmark-dev librandom123-dev libtbb-dev xvfb xauth imagemagick fonts-dejavu-core clang clang-format
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
if ((${#missing[@]} > 0)); then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

BUILD_DIR=${1:-build}
shift || true
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.ccache}
# Paths under the checkout hash relative to it: a fresh clone elsewhere (CI) hits the cache.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}
# The app's and the CLI's precompiled headers are cached only with this sloppiness.
export CCACHE_SLOPPINESS=${CCACHE_SLOPPINESS:-pch_defines,time_macros,include_file_mtime,include_file_ctime}
mkdir -p "$BUILD_DIR"
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@" >"$BUILD_DIR/configure.log" 2>&1 \
  || { cat "$BUILD_DIR/configure.log"; exit 1; }
cmake --build "$BUILD_DIR" --parallel "$(nproc)"
