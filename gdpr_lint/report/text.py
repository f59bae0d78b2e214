"""Human-readable output, one line per finding, ruff style, with the finding's severity
and confidence (GDPR101 is an error for an e-mail address, a warning for an IP address):

app/views.py:12:5: GDPR101 [pii-in-log] error (high confidence): email address (user.email) is written to a log
"""

from __future__ import annotations

from typing import Dict

from gdpr_lint.model import Rule, RunResult
from gdpr_lint.report._common import escape_control, sorted_findings
from gdpr_lint.report.summary import summarize

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
        severity = paint(finding.severity, _SEVERITY_COLOUR.get(finding.severity, ""))
        confidence = f" ({finding.confidence} confidence)" if finding.confidence else ""
        lines.append(
            f"{paint(location, _BOLD)} {code} {name} {severity}{confidence}: {escape_control(finding.message)}"
        )
        rule = rules.get(finding.rule)
        if rule is not None and rule.fix:
            principle = f" (GDPR {rule.principle})" if rule.principle else ""
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
    """The closing count, and the notes: findings below --fail-on, inline suppressions,
    stale baseline entries (gdpr_lint.report.summary words them, for every output)."""
    summary = summarize(result)
    return [summary.headline()] + summary.notes()
