"""`--format markdown`: a summary for a pull-request comment or the security officer's
review: counts, findings grouped by rule and by category of personal data, and each
finding as a `path:line` (a link when a base URL is given)."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from typing import Dict, Optional
from urllib.parse import quote

from gdpr_lint.model import Rule, RunResult, severity_rank
from gdpr_lint.report import github_link_base  # noqa: F401 (where it was first)
from gdpr_lint.report._common import escape_control, plural, rule_for, sorted_findings, uri_path
from gdpr_lint.report.summary import summarize

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
NO_CATEGORY = "(no personal-data category)"


def md_escape(text: str) -> str:
    """Inline text from scanned code, rendered literally: no HTML, links, emphasis,
    table breaks or @-mentions that would notify people."""
    text = escape_control(" ".join(text.split()))
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return text.replace("@", "&#64;")


def code_span(text: str) -> str:
    text = escape_control(text)
    if "`" not in text:
        return f"`{text}`"
    return md_escape(text)


def render(
    result: RunResult,
    rules: Dict[str, Rule],
    *,
    tool_version: str,
    root: str,
    link_base: Optional[str] = None,
    max_findings: Optional[int] = None,
) -> str:
    """`link_base` turns each `path:line` into a link (`<base>/<path>#L<line>`);
    `max_findings` caps the detailed list (a GitHub comment holds 65536 characters)."""
    findings = sorted_findings(result)
    out = []
    title = "gdpr-lint: no findings" if not findings else f"gdpr-lint: {plural(len(findings), 'finding')}"
    out.append(f"## {title}\n")
    counts = summarize(result)
    summary = " ".join([counts.headline()] + [md_escape(note) for note in counts.notes()])
    if tool_version:
        summary += f" (gdpr-lint {md_escape(tool_version)})"
    out.append(summary + "\n")

    if findings:
        by_rule = defaultdict(list)
        for finding in findings:
            by_rule[finding.rule].append(finding)
        order = sorted(by_rule, key=lambda code: (-max(severity_rank(f.severity) for f in by_rule[code]), code))

        out.append("### By rule\n")
        out.append("| Rule | Name | Severity | GDPR | Findings |")
        out.append("|---|---|---|---|---:|")
        for code in order:
            rule = rule_for(code, rules, by_rule[code][0])
            # the findings' own severities (GDPR101: an error for an e-mail, a warning for an IP)
            severities = Counter(f.severity for f in by_rule[code])
            severity = ", ".join(
                s if len(severities) == 1 else f"{s} ({n})"
                for s, n in sorted(severities.items(), key=lambda item: -severity_rank(item[0]))
            )
            out.append(
                f"| {code} | {md_escape(by_rule[code][0].name)} | {severity} | "
                f"{md_escape(rule.gdpr) or '-'} | {len(by_rule[code])} |"
            )
        out.append("")

        out.append("### By data category\n")
        out.append("| Data category | Findings | Rules |")
        out.append("|---|---:|---|")
        category_counts: Counter = Counter()
        category_rules = defaultdict(set)
        for finding in findings:
            for category in finding.categories or (NO_CATEGORY,):
                category_counts[category] += 1
                category_rules[category].add(finding.rule)
        for category in sorted(category_counts, key=lambda c: (c == NO_CATEGORY, -category_counts[c], c)):
            codes = ", ".join(sorted(category_rules[category]))
            out.append(f"| {md_escape(category)} | {category_counts[category]} | {codes} |")
        out.append("")

        out.append("### Findings\n")
        shown = 0
        for code in order:
            rule = rule_for(code, rules, by_rule[code][0])
            heading = f"#### {code} {md_escape(by_rule[code][0].name)}"
            if rule.summary and rule.summary != rule.name:
                heading += f": {md_escape(rule.summary)}"
            out.append(heading + "\n")
            for finding in by_rule[code]:
                if max_findings is not None and shown >= max_findings:
                    break
                path = uri_path(finding.path, root)
                location = code_span(f"{path}:{finding.line}")
                if link_base:
                    location = f"[{location}]({link_base.rstrip('/')}/{quote(path, safe='/')}#L{finding.line})"
                categories = f" ({md_escape(', '.join(finding.categories))})" if finding.categories else ""
                out.append(
                    f"- {location} {finding.severity}: {md_escape(finding.message)}{categories}, "
                    f"confidence {finding.confidence}"
                )
                shown += 1
            out.append("")
        if max_findings is not None and len(findings) > shown:
            out.append(f"…and {len(findings) - shown} more; see the full report.\n")

    if result.errors:
        out.append("### Files not checked\n")
        for error in sorted(result.errors, key=lambda e: e.path):
            out.append(f"- {code_span(uri_path(error.path, root))} {md_escape(error.message)}")
        out.append("")

    if result.stale_baseline:
        out.append("### Stale baseline entries\n")
        out.append(
            "These accepted findings are gone (fixed or moved to another file); "
            "`gdpr-lint baseline update` drops them.\n"
        )
        for entry in result.stale_baseline:
            path = getattr(entry, "path", None) or (entry.get("path", "") if isinstance(entry, dict) else "")
            code = getattr(entry, "rule", None) or (entry.get("rule", "") if isinstance(entry, dict) else "")
            source = getattr(entry, "source", None) or (entry.get("source", "") if isinstance(entry, dict) else "")
            out.append(f"- {code_span(path)} {code} {code_span(source) if source else ''}".rstrip())
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"
