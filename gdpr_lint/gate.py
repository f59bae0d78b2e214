"""The CI gate between the engine and the reporters: baseline, changed lines, exit code.

Kept out of cli.py so the order of the steps is decided once and tested without click:
the baseline is applied to every finding of the run *before* the changed-lines filter,
otherwise accepted findings on unchanged lines would all look stale.
"""

from __future__ import annotations

from typing import Dict, Iterable, Optional, Set

from gdpr_lint._records import replace
from gdpr_lint.model import RunResult, severity_rank


def apply_gate(
    result: RunResult,
    *,
    baseline=None,
    changed: Optional[Dict[str, Set[int]]] = None,
    cwd: Optional[str] = None,
    checked_paths: Optional[Iterable[str]] = None,
) -> RunResult:
    """A new RunResult holding only what the gate reports.

    `baseline` is a loaded `gdpr_lint.baseline.Baseline`; its stale entries (for the
    files this run checked) go to `stale_baseline`. `changed` comes from
    `gdpr_lint.diffmode.changed_lines`; findings on no changed line are dropped.
    """
    findings = list(result.findings)
    stale = result.stale_baseline
    baselined = result.baselined
    if baseline is not None:
        from gdpr_lint.baseline import filter_new

        findings, stale = filter_new(findings, baseline, cwd=cwd, checked_paths=checked_paths)
        baselined += len(result.findings) - len(findings)
    if changed is not None:
        from gdpr_lint.diffmode import filter_changed

        findings = filter_changed(findings, changed, cwd=cwd)
    return replace(result, findings=findings, stale_baseline=stale, baselined=baselined)


def failing(result: RunResult, fail_on: str = "info") -> list:
    """Findings at or above the failing severity."""
    threshold = severity_rank(fail_on)
    return [f for f in result.findings if severity_rank(f.severity) >= threshold]


def exit_code(result: RunResult, *, fail_on: str = "info", exit_zero: bool = False) -> int:
    """0 clean, 1 findings at or above `fail_on` or files not checked, 2 internal error.

    `--exit-zero` turns 1 into 0, never 2: an internal error is never swallowed.
    """
    if any(getattr(e, "internal", False) for e in result.errors):
        return 2
    if exit_zero:
        return 0
    return 1 if failing(result, fail_on) or result.errors else 0


def write_output(text: str, output_file: Optional[str]) -> None:
    """Write a report to `--output-file` atomically, so a CI step that uploads it never
    reads half a file; None means the caller prints it. The one writer of files.write_file:
    a temp file and a rename of its own put a regular file where /dev/null was."""
    if output_file is None:
        raise ValueError("no output file")
    from gdpr_lint.files import write_file

    # file names need not be valid UTF-8: their surrogate escapes are written back as the bytes
    write_file(output_file, text.encode("utf-8", "surrogateescape"))
