"""What the engine hands back for one file, and the finding helpers the runner also needs
without parsing anything (no libcst here): the GDPR001 finding of a file that cannot be
parsed, fingerprints, and applying a file's inline suppressions."""

from __future__ import annotations

from typing import List

from gdpr_lint import baseline, suppressions
from gdpr_lint.model import Finding


def fingerprint(rule: str, path: str, source: str, occurrence: int) -> str:
    return baseline.fingerprint(rule, path, source, occurrence)


class FileOutcome:
    __slots__ = ("findings", "errors", "observations")

    def __init__(self, findings=(), errors=(), observations=()):
        self.findings = list(findings)
        self.errors = list(errors)
        self.observations = list(observations)  # model.Observation, for the inventory


def apply_file_suppressions(located, text: str, path: str, settings) -> List[Finding]:
    """Inline `# gdpr-lint: ignore[...]` comments, and the hygiene findings about them."""
    if "gdpr-lint:" not in text:
        return [finding for finding, _, _ in located]
    outcome = suppressions.apply_suppressions(
        located,
        suppressions.parse_suppressions(text),
        path=path,
        resolve=settings.resolve_code,
        enabled=settings.enabled_for(path),
        non_suppressible=settings.config.non_suppressible,
        require_justification=settings.config.require_justification,
        rules=settings.kb.rules,
    )
    return list(outcome.kept) + list(outcome.hygiene)


def syntax_error(settings, display: str, line: int, column: int, problem: str) -> Finding:
    """The GDPR001 finding of a file that cannot be parsed (or decoded)."""
    from gdpr_lint.baseline import fingerprint

    rule = settings.kb.rules.get("GDPR001")
    line, column = max(int(line), 1), max(int(column), 1)
    return Finding(
        "GDPR001",
        rule.name if rule else "syntax-error",
        "error",
        display,
        line,
        column,
        line,
        column,
        f"file could not be parsed: {problem}",
        (),
        "high",
        fingerprint("GDPR001", display, "", 0),
        "",
        {"confidence_reason": "the parser's own error"},
    )
