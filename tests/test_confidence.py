"""Confidence on every finding: the verdict and its reason, and what `min-confidence` reports."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import analyse_text

ROOT = Path(__file__).resolve().parent.parent

HOOK = textwrap.dedent("""\
    import logging

    log = logging.getLogger(__name__)


    class NotebookKernelHook:
        def stop(self, session_id):
            log.info("stopping notebook session %s", session_id)


    def logout(request):
        log.info("logout of session %s", request.session.session_key)
""")


def run(args, cwd):
    env = dict(os.environ, PYTHONPATH=str(ROOT), NO_COLOR="1")
    return subprocess.run(
        [sys.executable, "-m", "gdpr_lint"] + args, cwd=str(cwd), capture_output=True, text=True, env=env, timeout=120
    )


def test_ambiguous_word_is_low_without_context_and_medium_with_it():
    findings, _ = analyse_text(HOOK, {"min-confidence": "low"})
    by_line = {f.line: f for f in findings}
    assert by_line[8].confidence == "low"
    assert "notebook" in by_line[8].facts["confidence_reason"]
    assert by_line[12].confidence == "medium"
    assert "request" in by_line[12].facts["confidence_reason"]


def test_default_reports_medium_and_above_only():
    findings, _ = analyse_text(HOOK)
    assert [f.line for f in findings] == [12]
    high_only, _ = analyse_text(HOOK, {"min-confidence": "high"})
    assert high_only == []


def test_strong_identifier_is_high_from_a_person_and_medium_alone():
    text = (
        "import logging\nlog = logging.getLogger(__name__)\n\ndef f(user, email):\n"
        "    log.info('%s', user.email)\n    log.info('%s', email)\n"
    )
    findings, _ = analyse_text(text)
    assert {f.line: f.confidence for f in findings} == {5: "high", 6: "medium"}


def test_bad_config_value_is_one_clear_error(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.gdpr-lint]\nmin-confidence = "sure"\n')
    (tmp_path / "app.py").write_text(HOOK)
    result = run(["check", "--no-cache", "app.py"], tmp_path)
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "min-confidence" in lines[0] and "low, medium, high" in lines[0], result.stderr


@pytest.mark.parametrize("value", ["sure", "LOW", ""])
def test_bad_flag_value_is_one_line_exit_2(tmp_path, value):
    (tmp_path / "app.py").write_text(HOOK)
    result = run(["check", "--no-cache", "--min-confidence", value, "app.py"], tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("gdpr-lint: error: --min-confidence"), result.stderr


def test_flag_overrides_config_and_outputs_carry_the_verdict(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.gdpr-lint]\nmin-confidence = "high"\n')
    (tmp_path / "app.py").write_text(HOOK)
    assert run(["check", "--no-cache", "app.py"], tmp_path).returncode == 0
    result = run(["check", "--no-cache", "--min-confidence", "low", "--format", "json", "app.py"], tmp_path)
    assert result.returncode == 1
    findings = json.loads(result.stdout)["findings"]
    assert [(f["line"], f["confidence"]) for f in findings] == [(8, "low"), (12, "medium")]
    assert all(f["facts"]["confidence_reason"] for f in findings)
    sarif = json.loads(
        run(["check", "--no-cache", "--min-confidence", "low", "--format", "sarif", "app.py"], tmp_path).stdout
    )
    precisions = [r["properties"]["precision"] for r in sarif["runs"][0]["results"]]
    assert precisions == ["low", "medium"]


def test_explain_documents_the_scale_for_every_rule(tmp_path):
    rules = run(["rules"], tmp_path).stdout.split()
    codes = [word for word in rules if word.startswith("GDPR") and word[4:].isdigit()]
    assert len(codes) >= 10
    for code in codes:
        doc = run(["explain", code], tmp_path).stdout
        assert "## Confidence" in doc and "min-confidence" in doc, code
