"""`--format json`: the machine-readable contract of DESIGN.md.

Keys of the contract are never removed or renamed; `confidence` and `facts` are extra
keys on each finding, `suppressed` and `stale_baseline` extra keys of the summary, as are the counts of gdpr_lint.report.summary
(files with findings, findings per severity, how many are below `fail-on`, baselined).
"""

from __future__ import annotations

import json
from typing import Dict

from gdpr_lint.model import Rule, RunResult
from gdpr_lint.report._common import sorted_findings, uri_path
from gdpr_lint.report.summary import summarize


def _entry(finding, root: str) -> dict:
    data = finding.to_dict()
    data["path"] = uri_path(finding.path, root)
    for place in data.get("related", ()):
        place["path"] = uri_path(str(place.get("path", "")), root)
    return data


def build(result: RunResult, *, tool_version: str, root: str) -> dict:
    summary = {"files": result.files, "findings": len(result.findings), "errors": len(result.errors)}
    summary.update(summarize(result).to_dict())
    if result.suppressed:
        summary["suppressed"] = result.suppressed
    if result.stale_baseline is not None:
        summary["stale_baseline"] = len(result.stale_baseline)
    return {
        "tool": "gdpr-lint",
        "version": tool_version,
        "findings": [_entry(f, root) for f in sorted_findings(result)],
        "errors": [
            {"path": uri_path(e.path, root), "message": e.message}
            for e in sorted(result.errors, key=lambda e: (e.path, e.message))
        ],
        "summary": summary,
    }


def render(result: RunResult, rules: Dict[str, Rule], *, tool_version: str, root: str) -> str:
    # default=str: facts are data from the checks; a value JSON cannot hold (a tuple is
    # fine, a Path or a Decimal is not) is written as text rather than crashing the report.
    return (
        json.dumps(build(result, tool_version=tool_version, root=root), indent=2, ensure_ascii=True, default=str) + "\n"
    )
