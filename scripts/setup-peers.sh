#!/usr/bin/env bash
# Installs the speed peers' Python packages into a virtual environment of the repository,
# .venv-peers/ (git-ignored): PyTorch 2.x and JAX as `pip install` gives them (PyTorch's wheel links
# its own MKL and oneDNN; JAX its own XLA), which is what users of these frameworks run. The npm peer
# scripts (`npm run peer`, `peer:network`, `peer:bernoulli`, `peer:categorical`) use this
# environment's python unless --python / --torch-python / --jax-python says otherwise.
# Idempotent: an environment that already imports torch 2.x and jax is left as it is.
# Usage: npm run setup:peers   (or bash scripts/setup-peers.sh)
# Environment: PEERS_PYTHON  the Python that creates the environment (default python3, 3.10 or newer)
#              PEERS_VENV    where the environment goes (default .venv-peers in the repository root)
#              PEERS_TORCH_INDEX  an extra index for torch, e.g. https://download.pytorch.org/whl/cpu
#                            for the CPU-only wheel (PyPI's Linux wheel also carries CUDA libraries)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PEERS_PYTHON:-python3}"
venv="${PEERS_VENV:-$root/.venv-peers}"
log="$venv/pip-install.log"
say() { printf 'setup:peers: %s\n' "$*"; }
fail() { printf 'setup:peers: %s\n' "$*" >&2; exit 1; }

# 1. A Python that can make virtual environments.
command -v "$python" >/dev/null 2>&1 || fail "no '$python' on PATH (set PEERS_PYTHON to a Python 3.10 or newer)"
version="$("$python" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')"
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' || fail "$python is Python $version; PyTorch 2.x and JAX need 3.10 or newer (set PEERS_PYTHON)"
"$python" -c 'import venv, ensurepip' 2>/dev/null || fail "$python $version cannot make virtual environments (Debian/Ubuntu: apt-get install python3-venv)"
say "[1/4] $python $version: ok"

# 2. The environment.
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import pip' 2>/dev/null; then
  say "[2/4] virtual environment $venv: exists"
else
  "$python" -m venv "$venv" || fail "could not create a virtual environment at $venv"
  say "[2/4] virtual environment $venv: created"
fi

# 3. torch 2.x and jax, unless both are there already.
installed() { "$venv/bin/python" -c 'import sys, torch, jax; sys.exit(not torch.__version__.startswith("2."))' 2>/dev/null; }
if installed; then
  say "[3/4] torch and jax: already installed"
else
  extra=()
  [ -n "${PEERS_TORCH_INDEX:-}" ] && extra=(--extra-index-url "$PEERS_TORCH_INDEX")
  say "[3/4] pip install 'torch>=2,<3' jax (a few minutes; pip's output goes to $log)"
  if ! "$venv/bin/python" -m pip install "${extra[@]}" 'torch>=2,<3' jax >"$log" 2>&1; then
    reason="$(grep -E 'ERROR|Could not|No matching distribution' "$log" | tail -1 || true)"
    fail "pip could not install torch and jax${reason:+ ($reason)}; is a package index reachable? ('$venv/bin/python -m pip config list' shows pip's settings; full output in $log)"
  fi
  installed || fail "pip finished but $venv/bin/python cannot import torch 2.x and jax (see $log)"
fi

# 4. What the peers will report: versions, threads and BLAS.
summary="$(cd "$root/scripts/peers" && "$venv/bin/python" -c '
import torch, jax
from peer_config import torch_config, jax_config
t, j = torch_config(torch), jax_config(jax)
print("PyTorch %s (BLAS %s, MKL %s, oneDNN %s, %d threads), JAX %s (%s, %d cores)" % (t["version"], t["blas"], t["mkl"], t["onednn"], t["threads"], j["version"], j["backend"], j["threads"]))
')" || fail "$venv/bin/python imports torch and jax but could not describe them"
say "[4/4] ready: $summary"
