"""The gate's order of steps and exit codes, without the CLI."""

from __future__ import annotations

from gdpr_lint import _records

from ciflow_support import sample_run
from gdpr_lint import baseline as bl
from gdpr_lint.gate import apply_gate, exit_code, failing, write_output
from gdpr_lint.model import FileError, RunResult


def test_baseline_applies_before_changed_lines(tmp_path):
    run = sample_run()
    accepted = bl.create(run.findings, root=str(tmp_path), cwd=str(tmp_path))
    # only shop/views.py line 42 was touched; every accepted finding still matches
    gated = apply_gate(run, baseline=accepted, changed={"shop/views.py": {42}}, cwd=str(tmp_path))
    assert gated.findings == [] and gated.stale_baseline == []


def test_changed_lines_alone():
    gated = apply_gate(sample_run(), changed={"shop/views.py": {42}})
    assert [(f.path, f.line) for f in gated.findings] == [("shop/views.py", 42)]


def test_exit_codes():
    run = sample_run()
    assert exit_code(run) == 1
    assert exit_code(run, exit_zero=True) == 0
    clean = RunResult(findings=[], errors=[], files=3)
    assert exit_code(clean) == 0
    info_only = _records.replace(clean, findings=[f for f in run.findings if f.severity == "info"])
    assert exit_code(info_only) == 1 and exit_code(info_only, fail_on="warning") == 0
    assert len(failing(run, "error")) == 4
    unreadable = _records.replace(clean, errors=[FileError("a.py", "unreadable")])
    assert exit_code(unreadable, fail_on="error") == 1
    internal = _records.replace(clean, errors=[FileError("a.py", "RecursionError", internal=True)])
    assert exit_code(internal, exit_zero=True) == 2


def test_write_output_is_atomic(tmp_path):
    target = tmp_path / "reports" / "gdpr.sarif"
    write_output("{}\n", str(target))
    assert target.read_text() == "{}\n" and [p.name for p in target.parent.iterdir()] == ["gdpr.sarif"]


def test_write_output_keeps_a_symlink_and_writes_its_target(tmp_path):
    """It had its own temp-file-and-rename, which replaces whatever the path is (a symlink,
    or /dev/null run as root) with a regular file; it now goes through files.write_file."""
    real = tmp_path / "real.sarif"
    real.write_text("old\n")
    link = tmp_path / "link.sarif"
    link.symlink_to(real)
    write_output("{}\n", str(link))
    assert link.is_symlink() and real.read_text() == "{}\n"
