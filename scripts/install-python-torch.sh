#!/usr/bin/env bash
# Optional, for the PyTorch tests of the Python package: Debian's CPU-only python3-torch (1.13, about a
# minute) and python3-venv, so `npm run setup:python` can make a venv that sees torch. PyPI's torch
# wheel would pull several GB of CUDA libraries. Without it the torch tests skip and say so.
set -euo pipefail
if /usr/bin/python3 -c 'import torch' 2>/dev/null && /usr/bin/python3 -c 'import ensurepip' 2>/dev/null; then
  echo "python3-torch and python3-venv already installed"; exit 0
fi
command -v apt-get >/dev/null || { echo "no apt-get: install PyTorch (CPU) for /usr/bin/python3 yourself, or skip the torch tests"; exit 0; }
SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends python3-torch python3-venv
