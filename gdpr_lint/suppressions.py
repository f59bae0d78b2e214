"""Inline suppressions and their hygiene (GDPR002 unjustified, GDPR003 unused).

    logger.info(email)  # gdpr-lint: ignore[GDPR101] -- consented newsletter audit log
    # gdpr-lint: skip-file   (in the file's first comment block)

Comments are found with `tokenize`, so a string that merely contains the directive text
does not count. A suppression silences the findings of the statement it ends; any
physical line of a multi-line statement may carry it, so the engine passes each finding
with its statement's line range.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass, field
from typing import Callable, Collection, Dict, List, Optional, Sequence, Set, Tuple

from gdpr_lint import _records
from gdpr_lint.model import Finding, Rule

MARKER = "gdpr-lint"
_DIRECTIVE = re.compile(
    r"#\s*gdpr-lint\s*:\s*(?P<kind>ignore|skip-file)(?![\w-])"
    r"(?:\[(?P<codes>[^\]]*)\])?"
    r"(?P<rest>.*)$",
    re.IGNORECASE,
)
_JUSTIFICATION = re.compile(r"^\s*--(?P<reason>.*)$")
#: other tools' pragmas that may come first in the same comment (a noqa, `type: ignore`, then
#: `# gdpr-lint: ignore`);
#: any other text before the directive is prose quoting the syntax, not a suppression
_OTHER_PRAGMAS = re.compile(
    r"(?:#\s*(?:noqa\b|nosec\b|type\s*:|pragma\s*:|pylint\s*:|mypy\s*:|pyright\s*:|fmt\s*:|isort\s*:|"
    r"ruff\s*:|flake8\s*:|pyre-\w+|nolint\b)[^#]*)+",
    re.IGNORECASE,
)

UNJUSTIFIED = "GDPR002"
UNUSED = "GDPR003"
#: meta findings are about files and comments themselves; an inline comment cannot hide them
NEVER_SUPPRESSED = frozenset({"GDPR001", UNJUSTIFIED, UNUSED})

_DEFAULT_META = {
    UNJUSTIFIED: ("suppression-without-justification", "warning"),
    UNUSED: ("unused-suppression", "warning"),
}


@dataclass(frozen=True)
class Suppression:
    line: int
    column: int  # 1-based column of the comment's `#`
    codes: Optional[Tuple[str, ...]]  # None: every rule (`# gdpr-lint: ignore`)
    justification: str  # text after ` -- `, stripped; "" when missing
    kind: str = "ignore"  # "ignore" or "skip-file"
    comment: str = ""  # the comment as written
    end_column: int = 0  # column just past the comment
    own_line: bool = False  # no code before it on its line (a comment above a statement)

    @property
    def justified(self) -> bool:
        return bool(self.justification)


@dataclass
class FileSuppressions:
    by_line: Dict[int, List[Suppression]] = field(default_factory=dict)
    skip_file: Optional[Suppression] = None
    #: `skip-file` comments after the first comment block: not honoured, reported unused
    misplaced_skip_file: List[Suppression] = field(default_factory=list)

    def all(self) -> List[Suppression]:
        items = [s for line in sorted(self.by_line) for s in self.by_line[line]]
        if self.skip_file:
            items.append(self.skip_file)
        items.extend(self.misplaced_skip_file)
        return sorted(items, key=lambda s: (s.line, s.column))


def parse_suppressions(source: str) -> FileSuppressions:
    """Every gdpr-lint directive in the file's comments.

    A file that does not tokenize to the end (a syntax error) keeps the directives
    found before the error.
    """
    result = FileSuppressions()
    if MARKER not in source.lower():
        return result
    header = True  # still in the first comment block (before any code)
    code_line = 0  # the last line a code token ended on
    try:
        # newline=None: a lone CR ends a line, as it does for Python and for the findings' lines
        for tok in tokenize.generate_tokens(io.StringIO(source, newline=None).readline):
            if tok.type in (tokenize.NL, tokenize.NEWLINE, tokenize.ENCODING, tokenize.INDENT, tokenize.DEDENT):
                continue
            if tok.type != tokenize.COMMENT:
                header = False
                code_line = tok.end[0]
                continue
            suppression = parse_comment(tok.string, tok.start[0], tok.start[1] + 1)
            if suppression is None:
                continue
            if tok.start[0] != code_line:
                suppression = _records.replace(suppression, own_line=True)
            if suppression.kind == "skip-file":
                if header and result.skip_file is None:
                    result.skip_file = suppression
                else:
                    result.misplaced_skip_file.append(suppression)
            else:
                result.by_line.setdefault(suppression.line, []).append(suppression)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return result


def parse_comment(comment: str, line: int = 1, column: int = 1) -> Optional[Suppression]:
    """The directive in one comment token, or None. Only a comment that *is* a directive
    counts (perhaps after another tool's pragma): `# write "# gdpr-lint: ignore" at the end`
    documents the syntax and suppresses nothing."""
    match = _DIRECTIVE.search(comment)
    if match is None:
        return None
    before = comment[: match.start()].strip()
    if before and not _OTHER_PRAGMAS.fullmatch(before):
        return None
    codes: Optional[Tuple[str, ...]] = None
    if match.group("codes") is not None:
        codes = tuple(_normal_code(c) for c in match.group("codes").split(",") if c.strip())
    justification = ""
    reason = _JUSTIFICATION.match(match.group("rest"))
    if reason:
        justification = reason.group("reason").strip()
    return Suppression(
        line=line,
        column=column,
        codes=codes,
        justification=justification,
        kind=match.group("kind").lower(),
        comment=comment.strip(),
        end_column=column + len(comment.rstrip()),
    )


def _normal_code(text: str) -> str:
    text = text.strip()
    # a code, or what looks like a mistyped one (GPDR101): upper-case, as the hint shows it
    return text.upper() if re.fullmatch(r"(?i)[a-z]{4}\d+|gdpr", text) else text.lower()


@dataclass
class SuppressionOutcome:
    kept: List[Finding]  # reported (including those whose suppression was refused)
    suppressed: List[Finding]  # silenced by a comment
    hygiene: List[Finding]  # GDPR002 / GDPR003 findings about the comments themselves


def apply_suppressions(
    located: Sequence[Tuple[Finding, int, int]],
    suppressions: FileSuppressions,
    *,
    path: str,
    resolve: Callable[[str], Optional[str]],
    enabled: Optional[Collection[str]] = None,
    non_suppressible: Collection[str] = (),
    require_justification: bool = False,
    rules: Optional[Dict[str, Rule]] = None,
) -> SuppressionOutcome:
    """Decide which findings the file's comments silence, and report the comments.

    `located` holds (finding, first line, last line of its statement). `resolve` maps a
    code, prefix-free code or kebab-case name to a rule code (None when unknown).
    `enabled` are the codes enabled for this file (None: all); a suppression naming only
    disabled rules is not called unused. `non_suppressible` codes are reported anyway,
    their comment refused. GDPR002 needs `require_justification`; GDPR002/GDPR003 are
    produced only when enabled.
    """
    rules = rules or {}
    refused = tuple(non_suppressible)
    used: Dict[Tuple[int, int], Set[str]] = {}  # suppression -> codes it silenced (or refused)
    kept: List[Finding] = []
    suppressed: List[Finding] = []

    for finding, first, last in located:
        matching = []
        for line in range(min(first, finding.line), max(last, finding.line) + 1):
            for suppression in suppressions.by_line.get(line, ()):
                if _covers(suppression, finding.rule, resolve):
                    matching.append(suppression)
        if not matching or finding.rule in NEVER_SUPPRESSED:
            kept.append(finding)
            continue
        for suppression in matching:
            used.setdefault((suppression.line, suppression.column), set()).add(finding.rule)
        if is_selected(finding.rule, refused, resolve):
            facts = dict(finding.facts)
            facts["suppression_refused"] = True
            kept.append(
                _records.replace(
                    finding,
                    message=f"{finding.message} (inline suppression refused: {finding.rule} "
                    "can only be accepted through the baseline)",
                    facts=facts,
                )
            )
        else:
            suppressed.append(finding)

    def is_enabled(code: str) -> bool:
        return enabled is None or code in enabled

    hygiene: List[Finding] = []
    for suppression in [s for line in sorted(suppressions.by_line) for s in suppressions.by_line[line]]:
        silenced = used.get((suppression.line, suppression.column), set())
        if is_enabled(UNUSED):
            message = _unused_message(suppression, silenced, resolve, is_enabled, rules)
            if message:
                hygiene.append(_meta_finding(UNUSED, suppression, path, message, rules))
        if require_justification and is_enabled(UNJUSTIFIED) and not suppression.justified:
            hygiene.append(_meta_finding(UNJUSTIFIED, suppression, path, _unjustified_message(suppression), rules))
    if is_enabled(UNUSED):
        for suppression in suppressions.misplaced_skip_file:
            hygiene.append(
                _meta_finding(
                    UNUSED,
                    suppression,
                    path,
                    "`gdpr-lint: skip-file` is not honoured here: it must be in the file's first comment block",
                    rules,
                )
            )
    return SuppressionOutcome(kept=kept, suppressed=suppressed, hygiene=_fingerprinted(hygiene))


def skipped_file_hygiene(
    suppressions: FileSuppressions,
    *,
    path: str,
    enabled: Optional[Collection[str]] = None,
    require_justification: bool = False,
    rules: Optional[Dict[str, Rule]] = None,
) -> List[Finding]:
    """For a file skipped by `# gdpr-lint: skip-file`: GDPR002 when its reason is missing."""
    skip = suppressions.skip_file
    if skip is None or not require_justification or skip.justified:
        return []
    if enabled is not None and UNJUSTIFIED not in enabled:
        return []
    return _fingerprinted([_meta_finding(UNJUSTIFIED, skip, path, _unjustified_message(skip), rules or {})])


def is_selected(code: str, selectors: Sequence[str], resolve: Callable[[str], Optional[str]]) -> bool:
    """Whether a config selector list (`non-suppressible`) names the rule: its code, a
    code prefix such as `GDPR1`, or its kebab-case name."""
    for selector in selectors:
        if resolve(selector) == code:
            return True
        if re.fullmatch(r"(?i)gdpr\d*", selector) and code.startswith(selector.upper()):
            return True
        if selector.upper() == "ALL":
            return True
    return False


def _covers(suppression: Suppression, code: str, resolve: Callable[[str], Optional[str]]) -> bool:
    if suppression.codes is None:
        return True
    return any((resolve(c) or c) == code for c in suppression.codes)


#: GDPR003 for a suppression on a line of its own, which covers no statement
OWN_LINE = (
    "a suppression on a line of its own silences nothing: put it on the statement's line "
    "(`logger.info(...)  # gdpr-lint: ignore[GDPR101]`)"
)


def _unused_message(suppression, silenced: Set[str], resolve, is_enabled, rules=None) -> str:
    if suppression.codes is None:
        if silenced:
            return ""
        return OWN_LINE if suppression.own_line else "unused suppression: no finding on this statement"
    if not suppression.codes:
        return "suppression names no rule: write `ignore[GDPR101]` or `ignore`"
    unknown = [c for c in suppression.codes if resolve(c) is None]
    unused = [
        c for c in suppression.codes if resolve(c) is not None and resolve(c) not in silenced and is_enabled(resolve(c))
    ]
    parts = []
    if unknown:
        from gdpr_lint.hints import did_you_mean

        known = [r.code for r in (rules or {}).values()] + [r.name for r in (rules or {}).values()]
        parts.append(f"unknown rule {', '.join(unknown)} in suppression{did_you_mean(unknown[0], known)}")
    if unused:
        if suppression.own_line and not silenced:
            parts.append(OWN_LINE)
        else:
            parts.append(f"unused suppression of {', '.join(unused)}: no such finding on this statement")
    return "; ".join(parts)


def _unjustified_message(suppression: Suppression) -> str:
    what = "skip-file" if suppression.kind == "skip-file" else "suppression"
    return f"{what} without a justification: add ` -- <reason>` for the reviewer"


def _meta_finding(code: str, suppression: Suppression, path: str, message: str, rules: Dict[str, Rule]) -> Finding:
    rule = rules.get(code)
    name, severity = (rule.name, rule.severity) if rule else _DEFAULT_META[code]
    return Finding(
        rule=code,
        name=name,
        severity=severity,
        path=path,
        line=suppression.line,
        column=suppression.column,
        end_line=suppression.line,
        end_column=suppression.end_column or suppression.column + 1,
        message=message,
        confidence="high",
        source=suppression.comment,
        facts={
            "suppression": suppression.comment,
            "justification": suppression.justification,
            "confidence_reason": "about the comment itself",
        },
    )


def _fingerprinted(findings: List[Finding]) -> List[Finding]:
    from gdpr_lint.baseline import assign_fingerprints

    return assign_fingerprints(findings)
