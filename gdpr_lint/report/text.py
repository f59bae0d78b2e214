"""Human-readable output, one line per finding, ruff style:

app/views.py:12:5: GDPR101 [pii-in-log] email address (user.email) is written to a log
"""

from __future__ import annotations

from typing import Dict

from gdpr_lint.model import Rule, RunResult
from gdpr_lint.report._common import escape_control, plural, severity_counts, sorted_findings

_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_DIM = "\x1b[2m"
_SEVERITY_COLOUR = {"error": "\x1b[31m", "warning": "\x1b[33m", "info": "\x1b[36m"}


def render(
    result: RunResult,
    rules: Dict[str, Rule],
    *,
    tool_version: str,
    root: str,
    color: bool = False,
    summary: bool = False,
) -> str:
    """`color` adds ANSI colours (the CLI decides: a terminal, no NO_COLOR, or --color);
    `summary` adds the closing count and the notes on suppressions and the baseline (the
    CLI prints those on standard error instead)."""

    def paint(text: str, style: str) -> str:
        return f"{style}{text}{_RESET}" if color else text

    lines = []
    for finding in sorted_findings(result):
        location = f"{escape_control(finding.path)}:{finding.line}:{finding.column}:"
        code = paint(finding.rule, _BOLD + _SEVERITY_COLOUR.get(finding.severity, ""))
        name = paint(f"[{finding.name}]", _DIM)
        lines.append(f"{paint(location, _BOLD)} {code} {name} {escape_control(finding.message)}")
        rule = rules.get(finding.rule)
        if rule is not None and getattr(rule, "fix", ""):
            principle = f" (GDPR {rule.principle})" if getattr(rule, "principle", "") else ""
            lines.append(f"    {paint('help:', _DIM)} {rule.fix}{principle}")
    for error in sorted(result.errors, key=lambda e: e.path):
        label = "internal error" if getattr(error, "internal", False) else "error"
        lines.append(
            f"{paint(escape_control(error.path) + ':', _BOLD)} {paint(label + ':', _SEVERITY_COLOUR['error'])} "
            f"{escape_control(error.message)}"
        )
    if summary:
        lines.extend(summary_lines(result))
    return "".join(line + "\n" for line in lines)


def summary_lines(result: RunResult) -> list:
    """The closing count, and notes on inline suppressions and stale baseline entries."""
    lines = [summary_line(result)]
    if result.suppressed:
        lines.append(f"{plural(result.suppressed, 'finding')} suppressed inline.")
    if result.stale_baseline:
        count = len(result.stale_baseline)
        lines.append(
            f"{plural(count, 'baseline entry', 'baseline entries')} no longer "
            f"{'matches' if count == 1 else 'match'} a finding (fixed?): "
            "run `gdpr-lint baseline update` to drop them."
        )
    return lines


def summary_line(result: RunResult) -> str:
    files = plural(result.files, "file")
    errors = f", {plural(len(result.errors), 'file')} could not be checked" if result.errors else ""
    if not result.findings:
        return f"No findings in {files}{errors}."
    counts = severity_counts(result.findings)
    parts = [plural(counts[s], s) for s in ("error", "warning", "info") if counts.get(s)]
    return f"Found {plural(len(result.findings), 'finding')} ({', '.join(parts)}) in {files}{errors}."
