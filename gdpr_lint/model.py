"""The types that flow from checks to reporters.

Kept free of libcst so that reporters, the cache and the CLI never import it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, Optional, Tuple

SEVERITIES = ("info", "warning", "error")
CONFIDENCES = ("low", "medium", "high")


def severity_rank(severity: str) -> int:
    """Order of severities: a higher rank weighs more."""
    return SEVERITIES.index(severity)


@dataclass(frozen=True)
class Rule:
    """A rule's identity and documentation, loaded from rules/*.toml."""

    code: str
    name: str
    family: str
    severity: str
    gdpr: str
    summary: str
    what: str = ""
    why: str = ""
    example: str = ""
    use_instead: str = ""
    configuration: str = ""
    confidence_notes: str = ""  # how sure its findings are, on the low/medium/high scale
    fix: str = ""          # one line: how to fix a finding (shown under each finding)
    principle: str = ""    # short GDPR reference shown with each finding
    default_enabled: bool = True
    security_relevant: bool = False
    tags: Tuple[str, ...] = ()


@dataclass(frozen=True)
class Finding:
    """One reported problem.

    `facts` keeps what the finding is about as data (which category reaches which sink,
    which region, which lifetime) so that reporters and a later inventory never parse
    the message.
    """

    rule: str
    name: str
    severity: str
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    message: str
    categories: Tuple[str, ...] = ()
    confidence: str = "medium"
    fingerprint: str = ""
    source: str = ""  # normalised source of the flagged statement (baseline identity)
    facts: Dict[str, object] = field(default_factory=dict, compare=False, hash=False)

    def sort_key(self) -> tuple:
        return (self.path, self.line, self.column, self.rule, self.end_line, self.end_column, self.message)

    def to_dict(self) -> dict:
        return {
            "rule": self.rule,
            "name": self.name,
            "severity": self.severity,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "message": self.message,
            "categories": list(self.categories),
            "confidence": self.confidence,
            "fingerprint": self.fingerprint,
            "facts": dict(self.facts),
        }

    @classmethod
    def from_dict(cls, data: dict) -> "Finding":
        return cls(
            rule=data["rule"],
            name=data["name"],
            severity=data["severity"],
            path=data["path"],
            line=data["line"],
            column=data["column"],
            end_line=data["end_line"],
            end_column=data["end_column"],
            message=data["message"],
            categories=tuple(data.get("categories", ())),
            confidence=data.get("confidence", "medium"),
            fingerprint=data.get("fingerprint", ""),
            source=data.get("source", ""),
            facts=dict(data.get("facts", {})),
        )


@dataclass(frozen=True)
class FileError:
    """A file the run could not check (unreadable, vanished, internal error)."""

    path: str
    message: str
    internal: bool = False  # an internal error makes the exit code 2

    def to_dict(self) -> dict:
        return {"path": self.path, "message": self.message}


@dataclass
class RunResult:
    findings: list
    errors: list
    files: int
    suppressed: int = 0
    stale_baseline: Optional[list] = None
    baselined: int = 0       # findings the baseline accepted (not in `findings`)
    fail_on: str = "info"    # the lowest severity that fails the run (for the summary's word why)
