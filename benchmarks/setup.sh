#!/usr/bin/env bash
# Install the peer linters the benchmark compares against into their own venv,
# benchmarks/.venv-peers, so they never mix with gdpr-lint's dependencies.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
python="${PYTHON:-python3}"
venv="$here/.venv-peers"
if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet ruff bandit semgrep
for tool in ruff bandit semgrep; do
    printf '%-8s ' "$tool"
    "$venv/bin/$tool" --version 2>/dev/null | head -n 1
done
