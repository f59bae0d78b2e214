"""`--statistics`: how many findings each rule produced, most frequent first, like
`ruff --statistics`; as text, or as JSON with `--format json`."""

from __future__ import annotations

from typing import Dict, List, Optional, Tuple

from gdpr_lint.model import Rule, RunResult
from gdpr_lint.report.summary import rule_rows


#: the formats --statistics can print
FORMATS = ("text", "json")


def _rows(result: RunResult, rules: Dict[str, Rule]) -> List[Tuple[int, Optional[str], str, str]]:
    """(count, code, name, severity), most frequent first; files not checked last (no code).
    A rule reported at two severities has a row for each: the severity is the finding's."""
    rows: List[Tuple[int, Optional[str], str, str]] = list(rule_rows(result))
    if result.errors:
        rows.append((len(result.errors), None, "file-not-checked", "error"))
    return rows


def render(
    result: RunResult, rules: Dict[str, Rule], *, tool_version: str, root: str, output_format: str = "text"
) -> str:
    if output_format == "json":
        import json

        return (
            json.dumps(
                [
                    {"rule": code, "name": name, "severity": severity, "count": count}
                    for count, code, name, severity in _rows(result, rules)
                ],
                indent=2,
            )
            + "\n"
        )
    rows = [(str(count), code or "-", name, severity) for count, code, name, severity in _rows(result, rules)]
    if not rows:
        return ""
    width = max(len(r[0]) for r in rows)
    name_width = max(len(r[2]) for r in rows)
    return "".join(f"{c.rjust(width)}  {code:<7}  {name.ljust(name_width)}  {sev}\n" for c, code, name, sev in rows)
