#!/bin/sh
# Set up a virtual environment with gdpr-lint and run it on the bundled example app.
set -eu
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
VENV="${VENV:-.venv}"
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e .
# the example is meant to have findings: exit code 1 is the expected outcome here
"$VENV/bin/gdpr-lint" check --no-cache examples/ || [ $? -eq 1 ]
