"""The real-code benchmark's matching and scoring (benchmarks/realcode/score.py, run.py).

Made-up findings and verdicts; no network, no scan of the real packages.
"""

import json
import sys
from pathlib import Path

import pytest

REALCODE = Path(__file__).resolve().parent.parent / "benchmarks" / "realcode"
sys.path.insert(0, str(REALCODE))

import run  # noqa: E402
import score  # noqa: E402


def finding(path, rule, code, line, package="shop", fingerprint=None):
    return {
        "package": package,
        "path": path,
        "rule": rule,
        "code": code,
        "line": line,
        "end_line": line,
        "message": f"{rule} on line {line}",
        "fingerprint": fingerprint,
    }


def verdict(path, rule, code, verdict_, n=0, package="shop", why="because", **extra):
    record = {"package": package, "path": path, "rule": rule, "code": code, "n": n, "verdict": verdict_, "why": why}
    record.update(extra)
    return record


def write_verdicts(tmp_path, records, comment=True):
    path = tmp_path / "verdicts.jsonl"
    lines = ["# a comment line, skipped"] if comment else []
    lines += [json.dumps(r) for r in records]
    path.write_text("\n".join(lines) + "\n\n", encoding="utf-8")
    return path


def test_a_verdict_survives_its_finding_moving_to_another_line(tmp_path):
    judged = [verdict("app/views.py", "GDPR101", 'log.info("mail to %s", user.email)', "true")]
    moved = score.keyed(
        [finding("app/views.py", "GDPR101", '    log.info("mail to %s",\n             user.email)', 240)]
    )
    pairs, unjudged, stale = score.match(moved, score.load_verdicts(write_verdicts(tmp_path, judged)))
    assert [(f["line"], v["verdict"]) for f, v in pairs] == [(240, "true")]
    assert unjudged == [] and stale == []


def test_identical_statements_are_told_apart_by_their_order(tmp_path):
    code = "logger.debug(token)"
    judged = [
        verdict("a.py", "GDPR101", code, "false", n=0, why="first"),
        verdict("a.py", "GDPR101", code, "true", n=1, why="second"),
    ]
    found = score.keyed([finding("a.py", "GDPR101", code, 10), finding("a.py", "GDPR101", code, 90)])
    assert [f["n"] for f in found] == [0, 1]
    pairs, _, _ = score.match(found, score.load_verdicts(write_verdicts(tmp_path, judged)))
    assert [(f["line"], v["why"]) for f, v in pairs] == [(10, "first"), (90, "second")]


def test_new_findings_are_unjudged_and_vanished_ones_stale(tmp_path):
    judged = [
        verdict("a.py", "GDPR101", "print(user.email)", "true"),
        verdict("b.py", "GDPR201", 'REGION = "us-east-1"', "false"),
    ]
    found = score.keyed(
        [finding("a.py", "GDPR101", "print(user.email)", 3), finding("c.py", "GDPR103", "raise ValueError(phone)", 7)]
    )
    pairs, unjudged, stale = score.match(found, score.load_verdicts(write_verdicts(tmp_path, judged)))
    assert [f["path"] for f, _ in pairs] == ["a.py"]
    assert [f["path"] for f in unjudged] == ["c.py"]
    assert [v["path"] for v in stale] == ["b.py"]


def test_a_changed_span_still_matches_by_fingerprint_or_first_line(tmp_path):
    judged = [
        verdict("a.py", "GDPR101", "log.info( 'x %s', user.email, )", "true", line_code="log.info("),
        verdict("b.py", "GDPR101", "old text", "false", fingerprint="f00d"),
    ]
    found = score.keyed(
        [
            finding("a.py", "GDPR101", "log.info(\n    'x %s', user.email, extra)", 5),  # span grew
            finding("b.py", "GDPR101", "new text", 9, fingerprint="f00d"),
        ]
    )
    pairs, unjudged, stale = score.match(found, score.load_verdicts(write_verdicts(tmp_path, judged)))
    assert sorted((f["path"], v["verdict"]) for f, v in pairs) == [("a.py", "true"), ("b.py", "false")]
    assert unjudged == [] and stale == []


def test_the_first_line_fallback_refuses_to_guess_between_two_candidates(tmp_path):
    judged = [verdict("a.py", "GDPR101", "log.info( 'one', user.email, )", "true", line_code="log.info(")]
    found = score.keyed(
        [
            finding("a.py", "GDPR101", "log.info(\n 'one', user.name)", 1),
            finding("a.py", "GDPR101", "log.info(\n 'two', user.email)", 2),
        ]
    )
    pairs, unjudged, stale = score.match(found, score.load_verdicts(write_verdicts(tmp_path, judged)))
    assert pairs == [] and len(unjudged) == 2 and len(stale) == 1


def test_precision_per_family_counts_debatable_both_ways():
    def pair(rule, v):
        return ({"rule": rule}, {"verdict": v})

    pairs = [
        pair("GDPR101", "true"),
        pair("GDPR103", "true"),
        pair("GDPR102", "false"),
        pair("GDPR101", "debatable"),
        pair("GDPR201", "false"),
        pair("GDPR202", "true"),
    ]
    table = score.precision_table(pairs, unjudged=[{"rule": "GDPR301"}])
    assert table["GDPR1"] == {
        "findings": 4,
        "true": 2,
        "false": 1,
        "debatable": 1,
        "unjudged": 0,
        "precision": 0.5,
        "lenient": 0.75,
    }
    assert (table["GDPR2"]["precision"], table["GDPR2"]["lenient"]) == (0.5, 0.5)
    assert table["GDPR3"]["unjudged"] == 1 and table["GDPR3"]["precision"] is None
    assert table["all"]["findings"] == 7
    assert "| GDPR1xx | 4 | 2 | 1 | 1 | 0 | 0.50 | 0.75 |" in score.format_table(table)


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"verdict": "maybe"}, "verdict must be one of"),
        ({"why": "  "}, "empty why"),
    ],
)
def test_a_malformed_verdict_is_refused(tmp_path, bad, message):
    record = verdict("a.py", "GDPR101", "x", "true")
    record.update(bad)
    with pytest.raises(ValueError, match=message):
        score.load_verdicts(write_verdicts(tmp_path, [record]))


def test_the_same_key_judged_twice_is_refused(tmp_path):
    record = verdict("a.py", "GDPR101", "print(user.email)", "true")
    with pytest.raises(ValueError, match="judged twice"):
        score.load_verdicts(write_verdicts(tmp_path, [record, dict(record, verdict="false")]))


def test_run_scores_a_saved_scan_and_strict_gates(tmp_path, capsys):
    found = score.keyed(
        [
            finding("a.py", "GDPR101", "print(user.email)", 3),
            finding("a.py", "GDPR102", "print(card)", 4),
            finding("t.py", "GDPR001", "", 1),
        ]
    )
    saved = tmp_path / "findings.json"
    saved.write_text(json.dumps(found))
    verdicts = write_verdicts(tmp_path, [verdict("a.py", "GDPR101", "print(user.email)", "true")])
    argv = ["--load", str(saved), "--verdicts", str(verdicts)]

    assert run.main(argv) == 0
    out = capsys.readouterr().out
    assert "2 findings, 1 judged, 1 unjudged, 0 stale verdicts" in out
    assert "shop/a.py:4 GDPR102" in out
    assert "Not scored (1 tool notices" in out

    skeletons = tmp_path / "new.jsonl"
    assert run.main(argv + ["--strict", "--skeletons", str(skeletons)]) == 1
    line = json.loads(skeletons.read_text())
    assert (line["path"], line["rule"], line["code"], line["verdict"]) == ("a.py", "GDPR102", "print(card)", "")


def test_the_repository_verdicts_file_loads():
    verdicts = score.load_verdicts(REALCODE / "verdicts.jsonl")
    assert verdicts and {v["verdict"] for v in verdicts} <= set(score.VERDICTS)
