#!/bin/sh
# Code health: ruff check, ruff format --check (gdpr_lint/, tests/, benchmarks/, scripts/) and mypy
# on gdpr_lint/, with the settings of pyproject.toml and the versions pinned in the test extra.
# Runs all three and fails if any fails. Uses the environment scripts/test.sh set up.
set -u
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
[ -x "$VENV/bin/ruff" ] || "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e ".[test]"
status=0
echo "== ruff check"
"$VENV/bin/ruff" check gdpr_lint tests benchmarks scripts || status=1
echo "== ruff format --check"
"$VENV/bin/ruff" format --check gdpr_lint tests benchmarks scripts || status=1
echo "== mypy gdpr_lint"
"$VENV/bin/mypy" || status=1
exit $status
