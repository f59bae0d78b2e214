#!/bin/sh
# Set up a virtual environment with the project and its test extra, then run the whole suite.
set -eu
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
VENV="${VENV:-.venv}"
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e ".[test]"
# LIBCST=1.3.1: run against that libcst release (CI runs the oldest supported one too)
if [ -n "${LIBCST:-}" ]; then
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "libcst==$LIBCST"
fi
# a private temporary folder: pytest prunes old runs under /tmp/pytest-of-$USER, which would
# pull the folders from under another run going on at the same time
TMPDIR="$(mktemp -d)"
export TMPDIR
trap 'rm -rf "$TMPDIR"' EXIT
"$VENV/bin/python" -m pytest -q -p no:cacheprovider "$@"
