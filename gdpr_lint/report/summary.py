"""What a run did, counted once: the text summary on standard error, `--format text`'s
closing lines, the markdown report, JSON's `summary` and `--statistics` all read these
counts, so they cannot disagree."""

from __future__ import annotations

from collections import Counter
from typing import Dict, List, Optional, Tuple

from gdpr_lint._records import record

from gdpr_lint.model import SEVERITIES, RunResult, severity_rank

#: severities, worst first (how they are listed)
WORST_FIRST = tuple(reversed(SEVERITIES))


def plural(count: int, word: str, plural_word: Optional[str] = None) -> str:
    return f"{count} {word if count == 1 else (plural_word or word + 's')}"


@record(frozen=True)
class RunSummary:
    findings: int
    by_severity: Dict[str, int]  # every severity, worst first, 0 included
    files_with_findings: int
    files_checked: int
    not_checked: int  # files that could not be checked (errors)
    suppressed: int
    baselined: int  # findings accepted by the baseline (not reported)
    stale_baseline: int
    fail_on: str
    below_fail_on: Dict[str, int]  # severities reported that do not fail the run

    def severity_text(self) -> str:
        """ "4 errors, 1 warning" (only the severities that occur)."""
        return ", ".join(plural(n, s) for s, n in self.by_severity.items() if n)

    def headline(self) -> str:
        """ "16 findings (3 errors, 13 warnings) in 7 files (13 files checked; 10 accepted by
        the baseline; 2 files could not be checked)." """
        notes = []
        if self.baselined:
            notes.append(f"{self.baselined} accepted by the baseline")
        if self.not_checked:
            notes.append(f"{plural(self.not_checked, 'file')} could not be checked")
        if not self.findings:
            tail = f" ({'; '.join(notes)})" if notes else ""
            return f"No findings in {plural(self.files_checked, 'checked file')}{tail}."
        notes.insert(0, f"{plural(self.files_checked, 'file')} checked")
        return (
            f"{plural(self.findings, 'finding')} ({self.severity_text()}) in "
            f"{plural(self.files_with_findings, 'file')} ({'; '.join(notes)})."
        )

    def notes(self) -> List[str]:
        """The lines after the headline: why the exit code is 0 despite findings,
        suppressions, stale baseline entries."""
        lines = []
        below = sum(self.below_fail_on.values())
        if below and below == self.findings and not self.not_checked:
            counted = ", ".join(plural(n, s) for s, n in self.below_fail_on.items() if n)
            lines.append(f"{counted} below --fail-on {self.fail_on}: the run passes.")
        elif below:
            counted = ", ".join(plural(n, s) for s, n in self.below_fail_on.items() if n)
            lines.append(f"{counted} below --fail-on {self.fail_on} (not failing the run).")
        if self.suppressed:
            lines.append(f"{plural(self.suppressed, 'finding')} suppressed inline.")
        if self.stale_baseline:
            lines.append(
                f"{plural(self.stale_baseline, 'baseline entry', 'baseline entries')} no longer "
                f"{'matches' if self.stale_baseline == 1 else 'match'} a finding (fixed?): "
                "run `gdpr-lint baseline update` to drop them."
            )
        return lines

    def to_dict(self) -> dict:
        """The extra keys of JSON's `summary` (the contract's files/findings/errors stay)."""
        data: dict = {
            "files_with_findings": self.files_with_findings,
            "severities": dict(self.by_severity),
            "fail_on": self.fail_on,
            "below_fail_on": sum(self.below_fail_on.values()),
        }
        if self.baselined:
            data["baselined"] = self.baselined
        return data


def summarize(result: RunResult) -> RunSummary:
    counts = Counter(f.severity for f in result.findings)
    by_severity = {s: counts.get(s, 0) for s in WORST_FIRST}
    fail_on = getattr(result, "fail_on", "info") or "info"
    threshold = severity_rank(fail_on)
    below = {s: n for s, n in by_severity.items() if n and severity_rank(s) < threshold}
    return RunSummary(
        findings=len(result.findings),
        by_severity=by_severity,
        files_with_findings=len({f.path for f in result.findings}),
        files_checked=result.files,
        not_checked=len(result.errors),
        suppressed=result.suppressed,
        baselined=getattr(result, "baselined", 0),
        stale_baseline=len(result.stale_baseline or ()),
        fail_on=fail_on,
        below_fail_on=below,
    )


def rule_rows(result: RunResult) -> List[Tuple[int, str, str, str]]:
    """(count, code, name, severity) per rule and severity actually reported (GDPR101 is an
    error for an e-mail, a warning for an IP address), most frequent first."""
    counts = Counter((f.rule, f.name, f.severity) for f in result.findings)
    return [
        (count, code, name, severity)
        for (code, name, severity), count in sorted(
            counts.items(), key=lambda item: (-item[1], item[0][0], -severity_rank(item[0][2]))
        )
    ]
