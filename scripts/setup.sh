#!/usr/bin/env bash
# Installs what webgpu-bayesopt needs on a Debian 12 (bookworm) machine:
# Mesa's software Vulkan driver (lavapipe, from bookworm-backports: Dawn needs
# Mesa >= 23) so WebGPU runs without a GPU, Chromium for the browser tests,
# then the npm dependencies. Run as root (or with sudo available).
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

need_pkgs=0
dpkg -s chromium >/dev/null 2>&1 || need_pkgs=1
mesa_ver="$(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null || true)"
case "$mesa_ver" in 2[3-9].*|[3-9][0-9].*) ;; *) need_pkgs=1 ;; esac

if [ "$need_pkgs" = 1 ]; then
  if . /etc/os-release && [ "${VERSION_CODENAME:-}" = bookworm ]; then
    if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
      # Same mirror (or proxy) and keyring as the machine's own bookworm entry: no host named here.
      src="$(bash scripts/backports-source.sh bookworm)"
      printf '%s\n' "$src" | $SUDO tee /etc/apt/sources.list.d/bookworm-backports.sources >/dev/null
    fi
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq -t bookworm-backports mesa-vulkan-drivers libvulkan1
  else
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq mesa-vulkan-drivers libvulkan1
  fi
  $SUDO apt-get install -y -qq chromium
fi

# Real peers for the storage and pruner tests: Optuna 3.1 (Python, /usr/bin/python3) and
# a Redis server the tests start on a free loopback port.
# scikit-learn (with SciPy and NumPy) for the re-created bayes_opt anchor in bench/anchors/.
if ! dpkg -s python3-optuna python3-redis redis-server python3-sklearn >/dev/null 2>&1; then
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq python3-optuna python3-redis redis-server python3-sklearn
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
