"""The baseline: findings accepted when the gate was adopted, so CI fails only on new ones.

A finding's identity has no line number: it is the rule, the path and the normalised
source of the flagged statement, plus an occurrence index among identical statements in
the same file. Adding lines above, or moving code within the file, keeps a finding
matched; a second identical leak is new; a fixed finding leaves a stale entry that
`update` drops. The same identity, hashed by `fingerprint`, is `Finding.fingerprint`, so
SARIF and GitLab reports track findings across commits the same way.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tokenize
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from gdpr_lint.model import Finding

BASELINE_FILENAME = ".gdpr-lint-baseline.json"
TOOL_MARKER = "gdpr-lint-baseline"
FORMAT_VERSION = 1
FINGERPRINT_VERSION = "1"


class BaselineError(Exception):
    """The baseline file is missing, unreadable, corrupt or not a gdpr-lint baseline.

    The CLI reports it as a usage error (exit 2): a broken baseline must never turn the
    gate silently green or red.
    """


# --------------------------------------------------------------------------- identity

_WORDLIKE = (tokenize.NAME, tokenize.NUMBER, tokenize.STRING)
_SKIPPED = (
    tokenize.COMMENT,
    tokenize.NL,
    tokenize.NEWLINE,
    tokenize.INDENT,
    tokenize.DEDENT,
    tokenize.ENCODING,
    tokenize.ENDMARKER,
)
_FSTRING_START = getattr(tokenize, "FSTRING_START", -1)
_FSTRING_END = getattr(tokenize, "FSTRING_END", -1)


def normalise_source(code: str) -> str:
    """The statement's tokens without comments and layout.

    Reformatting (black, line wrapping) and adding or editing a comment, including a
    suppression comment, must not change a finding's identity. Tokens are joined without
    spaces except where two word-like tokens meet. An f-string is kept as written, so
    Python 3.12's finer f-string tokens give the same text as older versions.
    """
    from gdpr_lint.parse_guards import python_lines

    text = code.strip("\n") + "\n"
    lines = python_lines(text)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))

    def offset(position: Tuple[int, int]) -> int:
        return offsets[position[0] - 1] + position[1]

    pieces: List[Tuple[bool, str]] = []
    fstring_depth = 0
    fstring_start = 0
    try:
        # newline=None: lines as python_lines counts them (a lone CR ends one), so the offsets
        # above match; LF-only reading left a CR-line-ended statement one line of garbage
        for tok in tokenize.generate_tokens(io.StringIO(text, newline=None).readline):
            if tok.type == _FSTRING_START:
                if fstring_depth == 0:
                    fstring_start = offset(tok.start)
                fstring_depth += 1
                continue
            if tok.type == _FSTRING_END:
                fstring_depth -= 1
                if fstring_depth == 0:
                    pieces.append((True, text[fstring_start : offset(tok.end)]))
                continue
            if fstring_depth or tok.type in _SKIPPED:
                continue
            pieces.append((tok.type in _WORDLIKE, tok.string))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return " ".join(code.split())
    out: List[str] = []
    previous_wordlike = False
    for wordlike, piece in pieces:
        if piece in (")", "]", "}") and out and out[-1] == ",":
            out.pop()  # the "magic trailing comma" a formatter adds when it wraps a call
        if out and wordlike and previous_wordlike:
            out.append(" ")
        out.append(piece)
        previous_wordlike = wordlike
    return "".join(out)


def fingerprint(rule: str, path: str, source: str, occurrence: int) -> str:
    """Stable identity of a finding: what `Finding.fingerprint` holds.

    `path` is the repo/working-directory-relative path with `/` separators, `source` the
    normalised source of the flagged statement, `occurrence` the 0-based index of this
    (rule, path, source) among the file's findings in source order.
    """
    text = "\0".join((FINGERPRINT_VERSION, rule, path.replace(os.sep, "/"), source, str(occurrence)))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def assign_fingerprints(findings: Iterable[Finding]) -> List[Finding]:
    """Give each finding its fingerprint, numbering identical statements in source order.

    For the engine: call once per run (or per file) on findings that carry `source`.
    Findings without `source` fall back to their message, which is line-free too.
    """
    from gdpr_lint._records import replace

    ordered = sorted(findings, key=Finding.sort_key)
    seen: Counter = Counter()
    out = []
    for finding in ordered:
        key = identity_key(finding)
        occurrence = seen[key]
        seen[key] += 1
        out.append(replace(finding, fingerprint=fingerprint(key[0], key[1], key[2], occurrence)))
    return out


def identity_key(finding: Finding, path: Optional[str] = None) -> Tuple[str, str, str]:
    return (finding.rule, (path or finding.path).replace(os.sep, "/"), finding.source or finding.message)


# --------------------------------------------------------------------------- the file


@dataclass(frozen=True)
class BaselineEntry:
    rule: str
    path: str  # relative to the baseline file's folder, `/` separators
    source: str
    occurrence: int
    fingerprint: str
    message: str = ""  # for the reviewer reading the file; not part of the identity

    def key(self) -> Tuple[str, str, str]:
        return (self.rule, self.path, self.source)

    def to_dict(self) -> dict:
        return {
            "rule": self.rule,
            "path": self.path,
            "source": self.source,
            "occurrence": self.occurrence,
            "fingerprint": self.fingerprint,
            "message": self.message,
        }


@dataclass
class Baseline:
    entries: List[BaselineEntry] = field(default_factory=list)
    #: absolute folder that entry paths are relative to (the baseline file's folder)
    root: str = ""
    tool_version: str = ""

    def to_dict(self) -> dict:
        entries = sorted(self.entries, key=lambda e: (e.path, e.rule, e.source, e.occurrence))
        return {
            "tool": TOOL_MARKER,
            "format_version": FORMAT_VERSION,
            "generated_by": "gdpr-lint " + self.tool_version if self.tool_version else "gdpr-lint",
            "findings": [e.to_dict() for e in entries],
        }


def _relative(path: str, root: str, cwd: str) -> str:
    """A finding's path (relative to cwd, or absolute) made relative to the baseline root."""
    absolute = os.path.normpath(os.path.join(cwd, path))
    try:
        rel = os.path.relpath(absolute, root)
    except ValueError:  # another drive on Windows
        return absolute.replace(os.sep, "/")
    return rel.replace(os.sep, "/")


def _entries_for(findings: Sequence[Finding], root: str, cwd: str) -> List[BaselineEntry]:
    ordered = sorted(findings, key=Finding.sort_key)
    seen: Counter = Counter()
    entries = []
    for finding in ordered:
        key = identity_key(finding, _relative(finding.path, root, cwd))
        occurrence = seen[key]
        seen[key] += 1
        entries.append(
            BaselineEntry(
                rule=key[0],
                path=key[1],
                source=key[2],
                occurrence=occurrence,
                fingerprint=finding.fingerprint or fingerprint(key[0], key[1], key[2], occurrence),
                message=finding.message,
            )
        )
    return entries


def create(findings: Sequence[Finding], *, root: str, tool_version: str = "", cwd: Optional[str] = None) -> Baseline:
    """A baseline accepting every given finding. `root` is the folder of the baseline file."""
    root = os.path.abspath(root)
    return Baseline(_entries_for(findings, root, cwd or os.getcwd()), root=root, tool_version=tool_version)


def filter_new(
    findings: Sequence[Finding],
    baseline: Baseline,
    *,
    cwd: Optional[str] = None,
    checked_paths: Optional[Iterable[str]] = None,
) -> Tuple[List[Finding], List[BaselineEntry]]:
    """(findings not covered by the baseline, baseline entries no finding matches).

    Compared as a multiset per (rule, path, source): with two accepted identical leaks in
    a file and three present, one is new. Which of the three is reported is the last one
    in source order. `checked_paths` (relative to cwd) limits stale detection to the files
    this run checked, so a run on part of the tree does not call the rest stale.
    """
    cwd = cwd or os.getcwd()
    root = baseline.root or cwd
    budget: Dict[Tuple[str, str, str], int] = Counter(e.key() for e in baseline.entries)
    used: Counter = Counter()
    new: List[Finding] = []
    for finding in sorted(findings, key=Finding.sort_key):
        key = identity_key(finding, _relative(finding.path, root, cwd))
        if used[key] < budget.get(key, 0):
            used[key] += 1
        else:
            new.append(finding)
    checked = None
    if checked_paths is not None:
        checked = {_relative(p, root, cwd) for p in checked_paths}
    by_key: Dict[Tuple[str, str, str], List[BaselineEntry]] = defaultdict(list)
    for entry in baseline.entries:
        by_key[entry.key()].append(entry)
    stale: List[BaselineEntry] = []
    for key, entries in by_key.items():
        if checked is not None and key[1] not in checked:
            continue
        entries.sort(key=lambda e: e.occurrence)
        stale.extend(entries[used[key] :])
    stale.sort(key=lambda e: (e.path, e.rule, e.source, e.occurrence))
    return new, stale


def update(
    baseline: Baseline,
    findings: Sequence[Finding],
    *,
    tool_version: str = "",
    cwd: Optional[str] = None,
    checked_paths: Optional[Iterable[str]] = None,
    add_new: bool = False,
) -> Tuple[Baseline, List[BaselineEntry], List[Finding]]:
    """Drop stale entries and keep the matched ones. Returns (baseline, dropped, new).

    New findings are added only with `add_new` (an explicit decision to accept them): by
    default `update` can only shrink the baseline, so it cannot hide a new leak. Entries
    of files outside `checked_paths` (relative to cwd; None means every file was
    checked) are kept as they are. Occurrence indexes are renumbered from the code.
    """
    cwd = cwd or os.getcwd()
    root = baseline.root or cwd
    if checked_paths is not None:
        checked_paths = list(checked_paths)
    new, stale = filter_new(findings, baseline, cwd=cwd, checked_paths=checked_paths)
    new_ids = {id(f) for f in new}
    accepted = list(findings) if add_new else [f for f in findings if id(f) not in new_ids]
    untouched: List[BaselineEntry] = []
    if checked_paths is not None:
        checked = {_relative(p, root, cwd) for p in checked_paths}
        untouched = [e for e in baseline.entries if e.path not in checked]
    entries = untouched + _entries_for(accepted, root, cwd)
    return Baseline(entries, root=root, tool_version=tool_version or baseline.tool_version), stale, new


def load(path: str) -> Baseline:
    """Read a baseline file; BaselineError when it is not a valid gdpr-lint baseline."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        raise BaselineError(
            f"baseline file {path} does not exist (create it with `gdpr-lint baseline create`)"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(f"cannot read baseline file {path}: {exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BaselineError(f"baseline file {path} is not valid JSON: {exc}") from None
    if not isinstance(data, dict) or data.get("tool") != TOOL_MARKER:
        raise BaselineError(f'{path} is not a gdpr-lint baseline (missing "tool": "{TOOL_MARKER}")')
    version = data.get("format_version")
    if version != FORMAT_VERSION:
        raise BaselineError(
            f"baseline file {path} has format version {version!r}; this gdpr-lint reads version {FORMAT_VERSION}"
        )
    raw_entries = data.get("findings")
    if not isinstance(raw_entries, list):
        raise BaselineError(f'baseline file {path}: "findings" must be a list')
    entries = []
    for index, raw in enumerate(raw_entries):
        try:
            entry = BaselineEntry(
                rule=_typed(raw, "rule", str),
                path=_typed(raw, "path", str),
                source=_typed(raw, "source", str),
                occurrence=_typed(raw, "occurrence", int),
                fingerprint=_typed(raw, "fingerprint", str),
                message=raw.get("message", "") if isinstance(raw.get("message", ""), str) else "",
            )
        except KeyError as exc:  # str(KeyError) is only the quoted key
            raise BaselineError(f"baseline file {path}: entry {index} is invalid: it has no {exc}") from None
        except (TypeError, AttributeError) as exc:
            raise BaselineError(f"baseline file {path}: entry {index} is invalid: {exc}") from None
        entries.append(entry)
    generated_by = data.get("generated_by", "")
    tool_version = generated_by.split(" ", 1)[1] if isinstance(generated_by, str) and " " in generated_by else ""
    return Baseline(entries, root=os.path.dirname(os.path.abspath(path)), tool_version=tool_version)


def _typed(raw: dict, key: str, kind: type):
    if not isinstance(raw, dict):
        raise TypeError("not an object")
    value = raw[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise TypeError(f"{key!r} must be {kind.__name__}")
    return value


def save(baseline: Baseline, path: str) -> None:
    """Write atomically (files.write_file): a crash or a concurrent reader never sees half
    a baseline."""
    from gdpr_lint.files import write_file

    text = json.dumps(baseline.to_dict(), indent=2, ensure_ascii=True, sort_keys=False) + "\n"
    write_file(path, text.encode("utf-8"))
