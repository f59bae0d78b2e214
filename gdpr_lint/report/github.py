"""`--format github`: GitHub Actions workflow commands, so findings show as annotations
on the pull request without code scanning:

    ::error file=app/views.py,line=12,col=5,endLine=12,endColumn=41,title=GDPR101 pii-in-log::message

Values are escaped as the runner expects, so text from scanned code can neither start a
new workflow command (`::add-mask::`, `::stop-commands::`) nor break the property list.
"""

from __future__ import annotations

from typing import Dict

from gdpr_lint.model import Rule, RunResult
from gdpr_lint.report._common import escape_control, sorted_findings, uri_path

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    text = escape_control(text, keep_newlines=True)
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(kind: str, message: str, **properties) -> str:
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items() if value is not None)
    return f"::{kind} {props}::{escape_data(message)}" if props else f"::{kind}::{escape_data(message)}"


def render(result: RunResult, rules: Dict[str, Rule], *, tool_version: str, root: str) -> str:
    lines = []
    for finding in sorted_findings(result):
        same_line = finding.end_line == finding.line
        lines.append(
            command(
                COMMANDS.get(finding.severity, "warning"),
                finding.message,
                file=uri_path(finding.path, root),
                line=finding.line,
                col=finding.column,
                endLine=finding.end_line if finding.end_line >= finding.line else None,
                # GitHub draws a column range only within one line
                endColumn=finding.end_column if same_line and finding.end_column > finding.column else None,
                title=f"{finding.rule} {finding.name}",
            )
        )
    for error in sorted(result.errors, key=lambda e: e.path):
        lines.append(
            command("error", error.message, file=uri_path(error.path, root), title="gdpr-lint: file not checked")
        )
    return "".join(line + "\n" for line in lines)
