"""The stores personal data is written to (inventory `stored` entries, rules/stores.toml).

Each fixture under tests/fixtures/inventory/ notes, on the line of a write, the categories
and the store the inventory must record there (`# stored: email, phone -> database:
Customer (Django ORM)`); every other line, the look-alikes included, must record none.
"""

import re

import pytest

from conftest import FIXTURES, fixture_config, make_settings

_STORED = re.compile(r"#\s*stored:\s*([a-z_,\s]+?)\s*->\s*(.+?)\s*$")
STORE_FIXTURES = sorted((FIXTURES / "inventory").glob("stores_*.py"))


def _recorded(path):
    from gdpr_lint.file_check import check_data, observations_of

    text = path.read_text(encoding="utf-8")
    findings, errors = check_data(text.encode("utf-8"), path.name, make_settings(fixture_config(text)), True)
    assert not errors, errors
    return [o for o in observations_of(findings) if o.kind == "stored"]


def _store_text(facts) -> str:
    name = f": {facts['name']}" if facts.get("name") else ""
    return f"{facts['store']}{name} ({facts['via']})"


@pytest.mark.parametrize("path", STORE_FIXTURES, ids=lambda p: p.name)
def test_each_write_records_its_store_and_nothing_else(path):
    expected = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        match = _STORED.search(line)
        if match:
            categories = tuple(sorted(c.strip() for c in match.group(1).split(",") if c.strip()))
            expected[number] = (categories, match.group(2))
    actual = {o.line: (tuple(o.facts["categories"]), _store_text(o.facts)) for o in _recorded(path)}
    assert actual == expected


def test_how_long_each_kind_of_store_keeps_what_it_is_given():
    by_line = {o.line: o.facts["expiry"] for o in _recorded(FIXTURES / "inventory" / "stores_cloud.py")}
    text = (FIXTURES / "inventory" / "stores_cloud.py").read_text(encoding="utf-8").splitlines()

    def line_of(needle):
        return next(n for n, line in enumerate(text, 1) if needle in line)

    assert by_line[line_of("s3.put_object(Bucket=EXPORT_BUCKET, Key=f")] == "no expiry"
    assert by_line[line_of('sqs.send_message(QueueUrl=SIGNUPS_QUEUE, MessageBody=json.dumps({"email"')] == (
        "until consumed"
    )
    # an item with a TTL attribute expires; one without is kept until deleted
    assert by_line[line_of('sessions.put_item(Item={"id": session_id, "email"')] == ""
    assert by_line[line_of('dynamodb.Table("audit").put_item')] == "no expiry"


def test_writes_are_no_findings():
    """A write is a fact for the record of processing, not a rule's finding."""
    from gdpr_lint.file_check import check_data

    for path in STORE_FIXTURES:
        text = path.read_text(encoding="utf-8")
        findings, _ = check_data(text.encode("utf-8"), path.name, make_settings(fixture_config(text)), True)
        assert [f for f in findings if f.rule.startswith("GDPR3")] == [], path.name


@pytest.mark.parametrize("path", STORE_FIXTURES, ids=lambda p: p.name)
def test_prefilter_keeps_every_write(path):
    from gdpr_lint.file_check import check_data, observations_of

    text = path.read_text(encoding="utf-8")
    settings = make_settings(fixture_config(text))
    with_filter, _ = check_data(text.encode("utf-8"), path.name, settings, True)
    without, _ = check_data(text.encode("utf-8"), path.name, settings, False)
    assert [o.to_dict() for o in observations_of(with_filter)] == [o.to_dict() for o in observations_of(without)]
