#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages estibench needs, only those missing:
#  - headless-gl (npm `gl`) builds from source against X11/GL headers and needs an X display at run
#    time: the gpu backend starts Xvfb itself, and Mesa provides a software GL where there is no GPU;
#  - the PNG charts (@napi-rs/canvas, prebuilt from the npm registry) name the DejaVu Sans font;
#  - glxinfo (mesa-utils) names the GL renderer in the results;
#  - chromium runs the report.html test headless (test/reports/report-html.test.ts; it skips without it).
# With --with-torch it also installs Debian's python3-torch for the PyTorch speed peer.
# Runs as root, or through sudo when available. Usage: bash scripts/install-system-deps.sh [--with-torch]
set -euo pipefail

packages=(
  build-essential python3 pkg-config
  libx11-dev libxi-dev libxext-dev libglu1-mesa-dev libglew-dev
  xvfb xauth libgl1-mesa-dri libglx-mesa0 mesa-utils
  fonts-dejavu-core
  chromium
)
if [[ "${1:-}" == "--with-torch" ]]; then packages+=(python3-torch); fi

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-system-deps: not a Debian/Ubuntu system; install the equivalents of: ${packages[*]}" >&2
  exit 0
fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then missing+=("$package"); fi
done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-system-deps: all system packages present"
  exit 0
fi

run_as_root=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then run_as_root=(sudo); else
    echo "install-system-deps: need root to install: ${missing[*]}" >&2
    exit 1
  fi
fi
echo "install-system-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${run_as_root[@]}" apt-get update -qq
"${run_as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-system-deps: done"
