#!/bin/sh
# Set up a virtual environment with the project and its test extra, then run the whole suite.
set -eu
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
VENV="${VENV:-.venv}"
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e ".[test]"
exec "$VENV/bin/python" -m pytest -q "$@"
