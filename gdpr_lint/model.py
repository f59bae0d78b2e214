"""The types that flow from checks to reporters.

Kept free of libcst so that reporters, the cache and the CLI never import it.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Tuple

from gdpr_lint._records import field, record

SEVERITIES = ("info", "warning", "error")
CONFIDENCES = ("low", "medium", "high")


def severity_rank(severity: str) -> int:
    """Order of severities: a higher rank weighs more."""
    return SEVERITIES.index(severity)


@record(frozen=True)
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
    fix: str = ""  # one line: how to fix a finding (shown under each finding)
    principle: str = ""  # short GDPR reference shown with each finding
    default_enabled: bool = True
    security_relevant: bool = False
    tags: Tuple[str, ...] = ()


@record(frozen=True)
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
    # other places of a finding across places: [{path, line, message}], the call's own line
    # being `line` (suppressions and baselines stay there)
    related: Tuple[Dict[str, object], ...] = field(default=(), compare=False, hash=False)

    def sort_key(self) -> tuple:
        return (self.path, self.line, self.column, self.rule, self.end_line, self.end_column, self.message)

    def to_dict(self) -> dict:
        data = {
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
        if self.related:
            data["related"] = [dict(place) for place in self.related]
        return data

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
            related=tuple(dict(place) for place in data.get("related", ())),
        )


@record(frozen=True)
class Observation:
    """A fact the walk saw about personal data, whether or not any rule objects to it: a
    model field holding an email address, a category written to a log, a cloud region, a
    lifetime set. The inventory (`gdpr-lint inventory`, the data map) is built from these.

    `kind` says which facts it carries (docs/inventory.md lists them); `scope` is the
    dotted name of the enclosing class and function (`SignupView.post`, `<module>`), which,
    unlike the line, does not change when code moves within its file; `rule` is the code
    whose check saw it (per-file-ignores and selection apply to it), "" for the engine's own.
    """

    kind: str
    path: str
    line: int
    scope: str
    facts: Dict[str, object] = field(default_factory=dict, compare=False, hash=False)
    rule: str = ""

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "path": self.path,
            "line": self.line,
            "scope": self.scope,
            "facts": dict(self.facts),
            "rule": self.rule,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "Observation":
        return cls(
            data["kind"], data["path"], int(data["line"]), data["scope"], dict(data["facts"]), data.get("rule", "")
        )


class FileFindings(list):
    """The findings of one file (a list, as before), with the observations the same walk
    made, so that `check` and `inventory` share one parse and one cache entry per file."""

    observations: List[Observation] = []

    @classmethod
    def of(cls, findings, observations=()) -> "FileFindings":
        out = cls(findings)
        out.observations = list(observations)
        return out


@record(frozen=True)
class FileError:
    """A file the run could not check (unreadable, vanished, internal error)."""

    path: str
    message: str
    internal: bool = False  # an internal error makes the exit code 2

    def to_dict(self) -> dict:
        return {"path": self.path, "message": self.message}


@record
class RunResult:
    findings: list
    errors: list
    files: int
    suppressed: int = 0
    stale_baseline: Optional[list] = None
    baselined: int = 0  # findings the baseline accepted (not in `findings`)
    fail_on: str = "info"  # the lowest severity that fails the run (for the summary's word why)
    observations: list = field(default_factory=list)  # Observation, sorted; for the inventory
