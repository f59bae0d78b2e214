"""Finding assembly: positions, enclosing statements, severities, fingerprints, then
suppressions, for the reports of one walk.
"""

from __future__ import annotations

import json
from typing import Dict, List, Optional, Tuple

import libcst as cst

from gdpr_lint import baseline
from gdpr_lint._records import replace
from gdpr_lint.engine.context import _Report
from gdpr_lint.engine.outcome import apply_file_suppressions, fingerprint
from gdpr_lint.engine.walker import Walker
from gdpr_lint.model import CONFIDENCES, Finding, severity_rank


def _contains(outer, inner) -> bool:
    return (outer.start.line, outer.start.column) <= (inner.start.line, inner.start.column) and (
        outer.end.line,
        outer.end.column,
    ) >= (inner.end.line, inner.end.column)


def _enclosing_statement(module: cst.Module, positions, node_pos):
    """The innermost statement whose range holds node_pos (None: none does)."""
    found: Optional[cst.BaseStatement] = None
    nodes: List[cst.CSTNode] = list(module.body)
    while nodes:
        node = nodes.pop()
        pos = positions.get(node)
        if pos is None or not _contains(pos, node_pos):
            continue
        if isinstance(node, cst.BaseStatement):
            found = node
        nodes = list(node.children)
    return found


def _stmt_lines(walker: Walker, report: _Report, node_pos) -> Tuple[int, int, object]:
    positions = walker.positions()
    stmt = report.stmt
    stmt_pos = positions.get(stmt) if stmt is not None else None
    if stmt_pos is None or not _contains(stmt_pos, node_pos):
        # a report made after the walk moved on (at the end of a scope) names a node of
        # an earlier statement: that statement, not the last one walked, is its context
        stmt = _enclosing_statement(walker.module, positions, node_pos)
    if type(stmt) is cst.SimpleStatementLine:
        pos = positions.get(stmt)
        if pos is not None:
            return walker.original_line(pos.start.line), walker.original_line(pos.end.line), stmt
    if stmt is not None and type(stmt) is not cst.SimpleStatementLine:
        pos = positions.get(stmt)
        body = getattr(stmt, "body", None)
        if pos is not None and type(body) is cst.SimpleStatementSuite:
            return walker.original_line(pos.start.line), walker.original_line(pos.end.line), stmt
    return walker.original_line(node_pos.start.line), walker.original_line(node_pos.end.line), report.node


def _findings(walker: Walker, text: str, path: str, settings) -> List[Finding]:
    """Positions, severities and fingerprints for the walk's reports, then suppressions."""
    positions = walker.positions()
    kb = settings.kb
    vocab = settings.vocab
    raw = []
    for report in walker.reports:
        pos = positions.get(report.node)
        if pos is None:
            continue
        first, last, stmt_node = _stmt_lines(walker, report, pos)
        rule = kb.rules[report.code]
        severity = report.severity
        if severity is None:
            if report.categories:
                severity = max(
                    (vocab.category(c).severity for c in report.categories if c in vocab.categories),
                    key=severity_rank,
                    default=rule.severity,
                )
            else:
                severity = rule.severity
        if type(stmt_node) is cst.SimpleStatementLine:
            source = "; ".join(walker.module.code_for_node(small).strip() for small in stmt_node.body)
        else:
            source = walker.module.code_for_node(report.node)
        report.facts = json.loads(json.dumps(report.facts, default=str))
        related = tuple(report.facts.pop("related", ()))
        raw.append((pos, report, severity, baseline.normalise_source(source), first, last, related))
    raw.sort(key=lambda item: (item[0].start.line, item[0].start.column, item[1].code))
    occurrences: Dict[Tuple[str, str], int] = {}
    located = []
    seen = set()
    for pos, report, severity, source, first, last, related in raw:
        key = (report.code, pos.start.line, pos.start.column, report.message)
        if key in seen:
            continue
        seen.add(key)
        index = occurrences.get((report.code, source), 0)
        occurrences[(report.code, source)] = index + 1
        rule = kb.rules[report.code]
        located.append(
            (
                Finding(
                    rule=report.code,
                    name=rule.name,
                    severity=severity,
                    path=path,
                    line=walker.original_line(pos.start.line),
                    column=pos.start.column + 1,
                    end_line=walker.original_line(pos.end.line),
                    end_column=pos.end.column + 1,
                    message=report.message,
                    categories=report.categories,
                    confidence=report.confidence,
                    fingerprint=fingerprint(report.code, path, source, index),
                    source=source,
                    facts=report.facts,
                    related=related,
                ),
                first,
                last,
            )
        )
    return confident_enough(
        made_up(apply_file_suppressions(located, text, path, settings), text, path, settings),
        settings,
        getattr(walker, "project", None),
    )


def made_up(findings: List[Finding], text: str, path: str, settings) -> List[Finding]:
    """The GDPR1xx findings of a file that makes up the people it handles, low
    (analysis/generated.py)."""
    if not any(f.rule[:5] == "GDPR1" and f.confidence != "low" for f in findings):
        return findings
    from gdpr_lint.analysis.generated import made_up_people

    reason = made_up_people(text, path, settings.kb.tables)
    if reason is None:
        return developer_fixtures(findings, text, path, settings)
    return [
        replace(f, confidence="low", facts=dict(f.facts, confidence_reason=reason))
        if f.rule[:5] == "GDPR1" and f.confidence != "low"
        else f
        for f in findings
    ]


def developer_fixtures(findings: List[Finding], text: str, path: str, settings) -> List[Finding]:
    """The GDPR1xx findings of people's data (not credentials) of a file that provisions a
    developer's own environment, low (analysis/dev_environment.py)."""
    from gdpr_lint.analysis.dev_environment import development_role

    reason = development_role(text, path, settings.kb.tables)
    if reason is None:
        return findings
    categories = settings.kb.tables.get("pii", {}).get("categories", {})

    def people(f: Finding) -> bool:
        return all(categories.get(c, {}).get("group") != "credential" for c in f.categories)

    return [
        replace(f, confidence="low", facts=dict(f.facts, confidence_reason=reason))
        if f.rule[:5] == "GDPR1" and f.confidence != "low" and people(f)
        else f
        for f in findings
    ]


def confident_enough(findings: List[Finding], settings, project=None) -> List[Finding]:
    """The findings at the configured `min-confidence` or above (after suppressions, so that a
    suppression of a finding too unsure to report is not called unused). Findings in test,
    example and demo code are low (rules/confidence.toml), and so are those of a module only
    the project's tests use (analysis/test_support.py)."""
    from gdpr_lint.analysis.confidence import file_role

    if any(f.confidence != "low" for f in findings):
        role = file_role(_project_path(findings[0].path, settings), settings.kb.tables)
        reason = f"{role} code (by its path): made-up people and mocked services" if role is not None else None
        if reason is None:
            from gdpr_lint.analysis.test_support import test_support

            reason = test_support(project, findings[0].path, settings.kb.tables)
        if reason is not None:
            findings = [
                replace(f, confidence="low", facts=dict(f.facts, confidence_reason=reason))
                if f.rule[:5] in ("GDPR1", "GDPR2", "GDPR3") and f.confidence != "low"
                else f
                for f in findings
            ]
    threshold = CONFIDENCES.index(getattr(settings.config, "min_confidence", "medium"))
    if threshold == 0:
        return findings
    return [f for f in findings if CONFIDENCES.index(f.confidence) >= threshold]


def _project_path(path: str, settings) -> str:
    """`path` as seen from the project's root (the folder of the config that applies): a
    project that lives in a folder named `examples` or `tests` is not test code for that,
    only its own `tests/` are."""
    import os

    root = getattr(settings.config, "root", None)
    if not root or path == "-":
        return path
    relative = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
    return path if relative.startswith("..") else relative
