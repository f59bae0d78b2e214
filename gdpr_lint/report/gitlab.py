"""`--format gitlab`: GitLab Code Quality report (a subset of the Code Climate spec),
for `artifacts: reports: codequality:`, shown in merge request widgets and diffs."""

from __future__ import annotations

import hashlib
import json
from typing import Dict

from gdpr_lint.model import Rule, RunResult
from gdpr_lint.report._common import sorted_findings, uri_path

#: GitLab severities: info, minor, major, critical, blocker
SEVERITIES = {"error": "critical", "warning": "major", "info": "info"}


def render(result: RunResult, rules: Dict[str, Rule], *, tool_version: str, root: str) -> str:
    issues = []
    seen = set()
    for finding in sorted_findings(result):
        path = uri_path(finding.path, root)
        fingerprint = finding.fingerprint or _fallback(
            finding.rule, path, str(finding.line), str(finding.column), finding.message
        )
        # GitLab drops issues whose fingerprint repeats; never let two findings collide.
        while fingerprint in seen:
            fingerprint = _fallback(fingerprint, str(finding.line), str(finding.column))
        seen.add(fingerprint)
        issues.append(
            {
                "type": "issue",
                "check_name": finding.rule,
                "description": f"{finding.rule} [{finding.name}] {finding.message}",
                "categories": ["Security"],
                "severity": SEVERITIES.get(finding.severity, "minor"),
                "fingerprint": fingerprint,
                "location": {
                    "path": path,
                    "lines": {"begin": finding.line, "end": max(finding.end_line, finding.line)},
                },
            }
        )
    for error in sorted(result.errors, key=lambda e: e.path):
        path = uri_path(error.path, root)
        issues.append(
            {
                "type": "issue",
                "check_name": "gdpr-lint-error",
                "description": f"file not checked: {error.message}",
                "categories": ["Bug Risk"],
                "severity": "blocker",
                "fingerprint": _fallback("error", path, error.message),
                "location": {"path": path, "lines": {"begin": 1, "end": 1}},
            }
        )
    return json.dumps(issues, indent=2, ensure_ascii=True) + "\n"


def _fallback(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]
