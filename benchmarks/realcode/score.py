"""Match gdpr-lint findings to judged verdicts and score precision per rule family.

Pure functions, no I/O beyond reading the files named: `run.py` does the scanning, the
tests feed made-up findings. A finding's key is what survives unrelated edits:

    (package, path, rule, code, n)

`code` is the flagged line's source with whitespace collapsed (not its line number), and
`n` numbers identical (package, path, rule, code) findings in source order. A verdict whose
key no longer matches may still match through gdpr-lint's own `fingerprint` (also
line-free), recorded next to the verdict.
"""

from __future__ import annotations

import json
import re
from collections import Counter, OrderedDict
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Tuple

VERDICTS = ("true", "false", "debatable")
FAMILIES = ("GDPR1", "GDPR2", "GDPR3")

Key = Tuple[str, str, str, str, int]


CODE_LIMIT = 200


def normalise(code: str) -> str:
    """The flagged source, whitespace collapsed and cut to CODE_LIMIT characters.

    This, not the line number, is what identifies a finding within its file: it survives
    lines added or removed elsewhere, and changes only when the flagged statement does.
    """
    return re.sub(r"\s+", " ", code).strip()[:CODE_LIMIT]


def family(rule: str) -> str:
    return rule[:5] if rule.startswith("GDPR") else rule


def first_line(code: str) -> str:
    """The first flagged line alone, normalised: the last-resort match."""
    return normalise(code.split("\n", 1)[0])


def keyed(findings: Iterable[dict]) -> List[dict]:
    """Give each finding (with `package`, `path`, `rule`, `code`) its occurrence number `n`.

    `code` may hold several lines (the flagged span); `line_code` keeps its first line.

    Findings must come in source order within a file (gdpr-lint sorts them by path, line,
    column, rule), so `n` is the index among identical (package, path, rule, code).
    """
    seen: Counter = Counter()
    out = []
    for finding in findings:
        finding = dict(finding)
        finding["line_code"] = first_line(finding.get("code", ""))
        finding["code"] = normalise(finding.get("code", ""))
        base = (finding["package"], finding["path"], finding["rule"], finding["code"])
        finding["n"] = seen[base]
        seen[base] += 1
        out.append(finding)
    return out


def key_of(record: dict) -> Key:
    return (record["package"], record["path"], record["rule"], normalise(record["code"]), int(record.get("n", 0)))


def load_verdicts(path: Path) -> List[dict]:
    """Read the JSON-lines verdicts file; blank lines and lines starting with # are skipped."""
    verdicts = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{number}: not JSON: {exc}") from None
        for field in ("package", "path", "rule", "code", "verdict", "why"):
            if field not in record:
                raise ValueError(f"{path}:{number}: missing {field!r}")
        if record["verdict"] not in VERDICTS:
            raise ValueError(f"{path}:{number}: verdict must be one of {VERDICTS}, not {record['verdict']!r}")
        if not str(record["why"]).strip():
            raise ValueError(f"{path}:{number}: an empty why")
        record["_line"] = number
        verdicts.append(record)
    keys = Counter(key_of(v) for v in verdicts)
    twice = [k for k, count in keys.items() if count > 1]
    if twice:
        raise ValueError(f"{path}: the same key judged twice: {twice[0]}")
    return verdicts


def match(findings: List[dict], verdicts: List[dict]):
    """Pair findings with verdicts. Returns (pairs, unjudged findings, stale verdicts).

    First by key; what is left, by (package, path, rule, fingerprint) where both carry one
    (the fingerprint is gdpr-lint's own line-free identity); what is still left, by
    (package, path, rule, first flagged line) where that is unique on both sides, so a
    change to how far a finding's span reaches does not orphan its verdict.
    """
    by_key: Dict[Key, dict] = {key_of(v): v for v in verdicts}
    used = set()
    pairs, rest = [], []
    for finding in findings:
        verdict = by_key.get(key_of(finding))
        if verdict is not None and id(verdict) not in used:
            used.add(id(verdict))
            pairs.append((finding, verdict))
        else:
            rest.append(finding)
    by_print = {}
    for verdict in verdicts:
        if id(verdict) not in used and verdict.get("fingerprint"):
            by_print[(verdict["package"], verdict["path"], verdict["rule"], verdict["fingerprint"])] = verdict
    still = []
    for finding in rest:
        verdict = by_print.get((finding["package"], finding["path"], finding["rule"], finding.get("fingerprint")))
        if verdict is not None and id(verdict) not in used:
            used.add(id(verdict))
            pairs.append((finding, verdict))
        else:
            still.append(finding)

    def line_key(record: dict):
        return (
            record["package"],
            record["path"],
            record["rule"],
            record.get("line_code") or first_line(record["code"]),
        )

    left = [v for v in verdicts if id(v) not in used]
    verdict_lines = Counter(line_key(v) for v in left)
    finding_lines = Counter(line_key(f) for f in still)
    by_line = {line_key(v): v for v in left if verdict_lines[line_key(v)] == 1}
    unjudged = []
    for finding in still:
        key = line_key(finding)
        verdict = by_line.get(key) if finding_lines[key] == 1 else None
        if verdict is not None:
            used.add(id(verdict))
            pairs.append((finding, verdict))
        else:
            unjudged.append(finding)
    stale = [v for v in verdicts if id(v) not in used]
    return pairs, unjudged, stale


def precision_table(pairs, unjudged=()) -> "OrderedDict[str, dict]":
    """Per family: findings, true, false, debatable, unjudged and precision both ways.

    `precision` counts debatable findings as false, `lenient` as true (the issue's table).
    None where nothing is judged.
    """
    table: "OrderedDict[str, dict]" = OrderedDict()
    for fam in FAMILIES + ("all",):
        table[fam] = {"findings": 0, "true": 0, "false": 0, "debatable": 0, "unjudged": 0}
    for finding, verdict in pairs:
        for fam in (family(finding["rule"]), "all"):
            row = table.setdefault(fam, {"findings": 0, "true": 0, "false": 0, "debatable": 0, "unjudged": 0})
            row["findings"] += 1
            row[verdict["verdict"]] += 1
    for finding in unjudged:
        for fam in (family(finding["rule"]), "all"):
            row = table.setdefault(fam, {"findings": 0, "true": 0, "false": 0, "debatable": 0, "unjudged": 0})
            row["findings"] += 1
            row["unjudged"] += 1
    for row in table.values():
        judged = row["true"] + row["false"] + row["debatable"]
        row["precision"] = round(row["true"] / judged, 3) if judged else None
        row["lenient"] = round((row["true"] + row["debatable"]) / judged, 3) if judged else None
    return table


def format_table(table) -> str:
    lines = [
        "| family | findings | true | false | debatable | unjudged | precision | debatable as true |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for fam, row in table.items():
        name = {"GDPR1": "GDPR1xx", "GDPR2": "GDPR2xx", "GDPR3": "GDPR3xx"}.get(fam, fam)

        def fmt(value: Optional[float]) -> str:
            return "-" if value is None else f"{value:.2f}"

        lines.append(
            f"| {name} | {row['findings']} | {row['true']} | {row['false']} | "
            f"{row['debatable']} | {row['unjudged']} | {fmt(row['precision'])} | "
            f"{fmt(row['lenient'])} |"
        )
    return "\n".join(lines)


def skeleton(finding: dict) -> str:
    """A verdicts-file line for a finding nobody judged yet (verdict and why to fill in)."""
    record = OrderedDict()
    for field in ("package", "path", "rule", "code", "n", "line_code"):
        record[field] = finding.get(field)
    record["line"] = finding.get("line")
    record["fingerprint"] = finding.get("fingerprint")
    record["verdict"] = ""
    record["why"] = ""
    return json.dumps(record, ensure_ascii=False)
