"""Runs tests/fixtures/retention/ through the stand-in Context (GDPR3xx codes only).

The lead-owned tests/test_fixtures.py runs the same files through the real engine; this
one keeps the family's expectations checkable on their own.
"""

import json
import re
from pathlib import Path

import pytest

from test_retention_check import config, run

FIXTURES = sorted((Path(__file__).resolve().parent / "fixtures" / "retention").glob("*.py"))
EXPECT = re.compile(r"#\s*expect:\s*([A-Z0-9, ]+)")


def expected(source):
    found = set()
    for number, line in enumerate(source.splitlines(), 1):
        match = EXPECT.search(line)
        if match:
            found.update(
                (number, code.strip()) for code in match.group(1).split(",") if code.strip().startswith("GDPR3")
            )
    return found


def fixture_config(source):
    first = source.splitlines()[0] if source else ""
    match = re.match(r"#\s*gdpr-lint-config:\s*(\{.*\})\s*$", first)
    retention = json.loads(match.group(1)).get("retention", {}) if match else {}
    return config(retention.get("max-days", 365), retention.get("limits"))


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_fixture(path):
    source = path.read_text()
    # what the CLI reports by default: findings at confidence low are not (`min-confidence`)
    actual = {
        (r.line, r.code)
        for r in run(source, cfg=fixture_config(source), codes=("GDPR301", "GDPR302", "GDPR303"))
        if r.confidence != "low"
    }
    assert sorted(actual) == sorted(expected(source))
