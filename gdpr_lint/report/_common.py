"""Helpers shared by the reporters."""

from __future__ import annotations

import os
import re
from typing import Dict, Iterable, List, Optional

from gdpr_lint.model import Finding, Rule, RunResult, severity_rank
from gdpr_lint.report.summary import plural  # noqa: F401 (the reporters' one plural)

# C0 and C1 control characters (ANSI escapes start with ESC) and the Unicode bidi
# overrides/isolates of "Trojan Source": text that came from scanned code must not be
# able to move the cursor, recolour the terminal or reorder what a reviewer reads.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
_UNSAFE_WITH_NEWLINES = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def _escape_char(match: "re.Match[str]") -> str:
    char = match.group(0)
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_control(text: str, *, keep_newlines: bool = False) -> str:
    """Replace control and bidi characters by visible `\\xNN` / `\\uNNNN` escapes."""
    pattern = _UNSAFE if keep_newlines else _UNSAFE_WITH_NEWLINES
    return pattern.sub(_escape_char, text)


def uri_path(path: str, root: str) -> str:
    """A finding's path as a relative URI-ish path with `/` separators.

    Paths are already relative to the working directory (the DESIGN contract); an
    absolute path under `root` is made relative to it so code-scanning UIs can resolve it.
    """
    posix = path.replace(os.sep, "/")
    if os.path.isabs(path) and root:
        try:
            rel = os.path.relpath(path, root)
        except ValueError:
            return posix
        if not rel.startswith(".."):
            return rel.replace(os.sep, "/")
    return posix[2:] if posix.startswith("./") else posix


def sorted_findings(result: RunResult) -> List[Finding]:
    return sorted(result.findings, key=Finding.sort_key)


def rule_for(code: str, rules: Dict[str, Rule], finding: Optional[Finding] = None) -> Rule:
    """The rule's documentation; a minimal stand-in when a finding's rule is not loaded."""
    rule = rules.get(code)
    if rule is not None:
        return rule
    return Rule(
        code=code,
        name=finding.name if finding else code.lower(),
        family="meta" if code.startswith("GDPR0") else "",
        severity=finding.severity if finding else "warning",
        gdpr="",
        summary=finding.name if finding else code,
    )


def worst_first(findings: Iterable[Finding]) -> List[Finding]:
    return sorted(findings, key=lambda f: (-severity_rank(f.severity), f.sort_key()))
