"""Runs the real engine over every fixture and compares with the inline `# expect:` notes."""

from collections import Counter

import pytest

from conftest import FIXTURES, analyse_text, expected_findings, fixture_config

# small multi-module projects are checked as projects (tests/test_project.py), not file by file
FIXTURE_FILES = sorted(p for p in FIXTURES.rglob("*.py") if "projects" not in p.relative_to(FIXTURES).parts)


def _ids(path):
    return str(path.relative_to(FIXTURES))


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=_ids)
def test_fixture(path):
    text = path.read_text(encoding="utf-8")
    expected = expected_findings(text)
    findings, errors = analyse_text(text, fixture_config(text), path=_ids(path))
    actual = Counter((f.line, f.rule) for f in findings)
    missing = expected - actual
    unexpected = actual - expected
    messages = {(f.line, f.rule): f.message for f in findings}
    assert not errors, errors
    assert not missing and not unexpected, (
        f"missing: {sorted(missing)}\nunexpected: {[(k, messages.get(k)) for k in sorted(unexpected)]}"
    )


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=_ids)
def test_prefilter_changes_nothing(path):
    text = path.read_text(encoding="utf-8")
    config = fixture_config(text)
    with_filter, _ = analyse_text(text, config, path=_ids(path), use_prefilter=True)
    without, _ = analyse_text(text, config, path=_ids(path), use_prefilter=False)
    assert [f.to_dict() for f in with_filter] == [f.to_dict() for f in without]


@pytest.mark.parametrize("family", ["GDPR1", "GDPR2", "GDPR3"])
@pytest.mark.parametrize("path", FIXTURE_FILES, ids=_ids)
def test_prefilter_changes_nothing_for_one_family(path, family):
    """The runner runs a check only on files that have one of that check's own anchors:
    each check's tokens alone must cover what it finds."""
    from gdpr_lint.file_check import check_data
    from conftest import make_settings

    text = path.read_text(encoding="utf-8")
    table = dict(fixture_config(text) or {})
    table["select"] = [family]
    settings = make_settings(table)
    with_filter, _ = check_data(text.encode("utf-8"), _ids(path), settings, True)
    without, _ = check_data(text.encode("utf-8"), _ids(path), settings, False)
    assert [f.to_dict() for f in with_filter] == [f.to_dict() for f in without]


def test_fixture_corpus_size():
    """The exposure fixtures carry at least 150 expected findings and 150 look-alikes."""
    positives = 0
    negatives = 0
    for path in (FIXTURES / "exposure").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        positives += sum(expected_findings(text).values())
        negatives += sum(1 for line in text.splitlines() if "# ok:" in line)
    assert positives >= 150, positives
    assert negatives >= 150, negatives


def test_object_printed_whole_names_the_objects_fields():
    """A pydantic model logged whole is reported by the object's fields (`body.email`), not by
    the class's declarations (`email`), which the user would look for on the wrong line."""
    text = (
        "import logging\n"
        "from pydantic import BaseModel\n"
        "log = logging.getLogger(__name__)\n"
        "class LoginIn(BaseModel):\n"
        "    email: str\n"
        "    full_name: str\n"
        "def login(body: LoginIn):\n"
        "    log.debug('login attempt %s', body)\n"
    )
    findings, _ = analyse_text(text)
    assert [f.message for f in findings] == [
        "email address (body.email) and person's name (body.full_name) are written to a log"
    ]


def test_record_read_by_key_does_not_depend_on_the_selected_family():
    """`row` carries the email read from it by key whichever checks run: a retention-only run
    reports the redis write that a full run reports."""
    text = (
        "import logging\n"
        "import redis\n"
        "log = logging.getLogger(__name__)\n"
        "r = redis.Redis()\n"
        "def cache(row):\n"
        "    log.info('caching %s', row['email'])\n"
        "    r.set(f\"row:{row['id']}\", str(row))\n"
    )
    everything, _ = analyse_text(text)
    retention_only, _ = analyse_text(text, {"select": ["GDPR3"]})
    assert [(f.line, f.rule) for f in everything] == [(6, "GDPR101"), (7, "GDPR302")]
    assert [(f.line, f.rule) for f in retention_only] == [(7, "GDPR302")]
