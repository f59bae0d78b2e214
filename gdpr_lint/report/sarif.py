"""`--format sarif`: SARIF 2.1.0 as GitHub code scanning consumes it.

One reportingDescriptor per rule (documentation, default level, tags, precision,
security-severity for security-relevant rules), results with repo-relative URIs under
%SRCROOT%, regions, and partialFingerprints from Finding.fingerprint, which does not
change when unrelated lines are added above.
"""

from __future__ import annotations

import json
import pathlib
from typing import Any, Dict, List, Optional
from urllib.parse import quote

from gdpr_lint.model import Finding, Rule, RunResult
from gdpr_lint.report._common import rule_for, sorted_findings, uri_path

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
FINGERPRINT_KEY = "gdprLintFingerprint/v1"

#: GitHub code scanning limits (longer text is truncated or the upload rejected)
MAX_DESCRIPTION = 1024
MAX_TAGS = 10

LEVELS = {"error": "error", "warning": "warning", "info": "note"}
PRECISIONS = {"high": "high", "medium": "medium", "low": "low"}
#: GitHub: >= 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low
SECURITY_SEVERITY = {"error": "7.5", "warning": "5.0", "info": "2.0"}


def _clip(text: str, limit: int = MAX_DESCRIPTION) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def article_tag(gdpr: str) -> str:
    """`Art. 5(1)(f) (integrity and confidentiality)` -> `GDPR Art. 5(1)(f)`."""
    article = gdpr.split(" (", 1)[0].strip()
    return f"GDPR {article}" if article else ""


def help_sections(rule: Rule) -> List[tuple]:
    return [
        ("What it does", rule.what or rule.summary, False),
        ("Why is this bad", rule.why, False),
        ("Example", rule.example, True),
        ("Use instead", rule.use_instead, True),
        ("Configuration", rule.configuration, False),
    ]


def help_markdown(rule: Rule) -> str:
    parts = [f"**{rule.code} {rule.name}**" + (f" ({rule.gdpr})" if rule.gdpr else "")]
    for title, body, is_code in help_sections(rule):
        if not body:
            continue
        body = body.strip("\n")
        fence = "````" if "```" in body else "```"
        parts.append(f"## {title}\n\n" + (f"{fence}python\n{body}\n{fence}" if is_code else body))
    return "\n\n".join(parts) + "\n"


def help_text(rule: Rule) -> str:
    parts = [f"{rule.code} {rule.name}" + (f" ({rule.gdpr})" if rule.gdpr else "")]
    for title, body, _ in help_sections(rule):
        if body:
            parts.append(f"{title}:\n{body.strip(chr(10))}")
    return "\n\n".join(parts) + "\n"


def descriptor(rule: Rule) -> dict:
    tags = ["privacy", "gdpr"]
    if rule.security_relevant:
        tags.append("security")  # GitHub reads security-severity only with this tag
    tags += [article_tag(rule.gdpr), rule.family, *rule.tags]
    unique = []
    for tag in tags:
        if tag and tag not in unique:
            unique.append(tag)
    properties: dict = {
        "tags": unique[:MAX_TAGS],
        "precision": PRECISIONS.get(getattr(rule, "confidence", "") or "", "medium"),
    }
    if rule.security_relevant:
        properties["security-severity"] = SECURITY_SEVERITY.get(rule.severity, "5.0")
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": _clip(rule.summary or rule.name)},
        "fullDescription": {"text": _clip(" ".join(p for p in (rule.what or rule.summary, rule.why) if p))},
        "help": {"text": help_text(rule), "markdown": help_markdown(rule)},
        "defaultConfiguration": {"level": LEVELS.get(rule.severity, "warning"), "enabled": rule.default_enabled},
        "properties": properties,
    }


def _location(path: str, root: str, finding: Optional[Finding] = None) -> dict:
    # a file name that is not UTF-8 holds surrogate escapes: percent-encode its raw bytes
    uri = quote(uri_path(path, root), safe="/", errors="surrogateescape")
    physical: dict = {"artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"}}
    if finding is not None:
        region = {"startLine": max(finding.line, 1), "startColumn": max(finding.column, 1)}
        end_line = max(finding.end_line, region["startLine"])
        if end_line > region["startLine"] or finding.end_column > region["startColumn"]:
            region["endLine"] = end_line
            region["endColumn"] = max(finding.end_column, 1)
        physical["region"] = region
    return {"physicalLocation": physical}


def _related_location(place: dict, root: str, number: int) -> dict:
    uri = quote(uri_path(str(place.get("path", "")), root), safe="/", errors="surrogateescape")
    physical = {
        "artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": max(int(place.get("line") or 1), 1)},
    }
    return {"id": number, "physicalLocation": physical, "message": {"text": str(place.get("message", ""))}}


def _add_related(entry: dict, finding: Finding, root: str) -> None:
    """A finding across places: its other places as relatedLocations, and the whole path
    (the call, then each place in order) as one code flow."""
    related = [_related_location(place, root, number) for number, place in enumerate(finding.related, 1)]
    entry["relatedLocations"] = related
    start = dict(_location(finding.path, root, finding), message={"text": finding.message})
    steps = [{"location": start}] + [{"location": {k: v for k, v in place.items() if k != "id"}} for place in related]
    entry["codeFlows"] = [{"threadFlows": [{"locations": steps}]}]


def build(result: RunResult, rules: Dict[str, Rule], *, tool_version: str, root: str) -> dict:
    findings = sorted_findings(result)
    all_rules = dict(rules)
    for finding in findings:
        if finding.rule not in all_rules:
            all_rules[finding.rule] = rule_for(finding.rule, rules, finding)
    codes = sorted(all_rules)
    index = {code: i for i, code in enumerate(codes)}
    results = []
    for finding in findings:
        entry: Dict[str, Any] = {
            "ruleId": finding.rule,
            "ruleIndex": index[finding.rule],
            "level": LEVELS.get(finding.severity, "warning"),
            "message": {"text": finding.message},
            "locations": [_location(finding.path, root, finding)],
            "properties": {
                "name": finding.name,
                "categories": list(finding.categories),
                "confidence": finding.confidence,
                "precision": PRECISIONS.get(finding.confidence, "medium"),
            },
        }
        if finding.facts.get("confidence_reason"):
            entry["properties"]["confidenceReason"] = finding.facts["confidence_reason"]
        if finding.fingerprint:
            entry["partialFingerprints"] = {FINGERPRINT_KEY: finding.fingerprint}
        if finding.related:
            _add_related(entry, finding, root)
        results.append(entry)
    notifications = [
        {
            "level": "error",
            "message": {"text": error.message},
            "locations": [_location(error.path, root)],
        }
        for error in sorted(result.errors, key=lambda e: e.path)
    ]
    invocation = {
        "executionSuccessful": not any(getattr(e, "internal", False) for e in result.errors),
        "toolExecutionNotifications": notifications,
    }
    driver = {
        "name": "gdpr-lint",
        "version": tool_version,
        "semanticVersion": tool_version,
        "rules": [descriptor(all_rules[code]) for code in codes],
    }
    if not tool_version:
        del driver["version"], driver["semanticVersion"]
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": driver},
                "originalUriBaseIds": {"%SRCROOT%": {"uri": pathlib.Path(root).resolve().as_uri().rstrip("/") + "/"}},
                "columnKind": "unicodeCodePoints",
                "invocations": [invocation],
                "results": results,
            }
        ],
    }


def render(result: RunResult, rules: Dict[str, Rule], *, tool_version: str, root: str) -> str:
    return json.dumps(build(result, rules, tool_version=tool_version, root=root), indent=2, ensure_ascii=True) + "\n"
