"""`--statistics`: how many findings each rule produced, most frequent first, like
`ruff --statistics`."""

from __future__ import annotations

from collections import Counter
from typing import Dict

from gdpr_lint.model import Rule, RunResult
from gdpr_lint.report._common import rule_for


def render(result: RunResult, rules: Dict[str, Rule], *, tool_version: str, root: str) -> str:
    counts = Counter(f.rule for f in result.findings)
    if not counts and not result.errors:
        return ""
    names = {f.rule: f.name for f in result.findings}
    rows = []
    for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        rule = rule_for(code, rules)
        rows.append((str(count), code, names.get(code, rule.name), rule.severity))
    if result.errors:
        rows.append((str(len(result.errors)), "-", "file-not-checked", "error"))
    width = max(len(r[0]) for r in rows)
    name_width = max(len(r[2]) for r in rows)
    return "".join(f"{c.rjust(width)}  {code:<7}  {name.ljust(name_width)}  {sev}\n" for c, code, name, sev in rows)
