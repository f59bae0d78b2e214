"""`--statistics`: how many findings each rule produced, most frequent first, like
`ruff --statistics`; as text, or as JSON with `--format json`."""

from __future__ import annotations

from collections import Counter
from typing import Dict, List, Optional, Tuple

from gdpr_lint.model import Rule, RunResult
from gdpr_lint.report._common import rule_for


#: the formats --statistics can print
FORMATS = ("text", "json")


def _rows(result: RunResult, rules: Dict[str, Rule]) -> List[Tuple[int, Optional[str], str, str]]:
    """(count, code, name, severity), most frequent first; files not checked last (no code)."""
    counts = Counter(f.rule for f in result.findings)
    names = {f.rule: f.name for f in result.findings}
    rows: List[Tuple[int, Optional[str], str, str]] = []
    for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        rule = rule_for(code, rules)
        rows.append((count, code, names.get(code, rule.name), rule.severity))
    if result.errors:
        rows.append((len(result.errors), None, "file-not-checked", "error"))
    return rows


def render(result: RunResult, rules: Dict[str, Rule], *, tool_version: str, root: str,
           output_format: str = "text") -> str:
    if output_format == "json":
        import json

        return json.dumps([{"rule": code, "name": name, "severity": severity, "count": count}
                           for count, code, name, severity in _rows(result, rules)], indent=2) + "\n"
    rows = [(str(count), code or "-", name, severity) for count, code, name, severity in _rows(result, rules)]
    if not rows:
        return ""
    width = max(len(r[0]) for r in rows)
    name_width = max(len(r[2]) for r in rows)
    return "".join(f"{c.rjust(width)}  {code:<7}  {name.ljust(name_width)}  {sev}\n" for c, code, name, sev in rows)
