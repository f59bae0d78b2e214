"""`--diff REF`: only the lines added or changed since the merge base with REF.

Asks `git` itself (no diff parsing library, no guessing at repository layout): the merge
base of REF and HEAD, the working tree's diff against it (staged and unstaged changes),
and untracked files that are not ignored, counted as wholly added.
"""

from __future__ import annotations

import os
import re
import subprocess
from typing import Dict, List, Optional, Set

from gdpr_lint.model import Finding


class DiffError(Exception):
    """`--diff` cannot be honoured: not in a git repository, git missing, unknown ref.

    The CLI reports it as a usage error (exit 2) rather than checking nothing or everything.
    """


_HUNK = re.compile(rb"^@@ -\d+(?:,\d+)? \+(?P<start>\d+)(?:,(?P<count>\d+))? @@")


def _git(args: List[str], cwd: str) -> bytes:
    env = dict(os.environ)
    env.update({"LC_ALL": "C", "GIT_OPTIONAL_LOCKS": "0", "GIT_PAGER": "cat"})
    env.pop("GIT_EXTERNAL_DIFF", None)
    try:
        completed = subprocess.run(
            ["git", "-c", "core.quotePath=false", *args],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            check=False,
        )
    except FileNotFoundError:
        raise DiffError("--diff needs git, which was not found on PATH") from None
    if completed.returncode != 0:
        raise _GitFailed(completed.stderr.decode("utf-8", "replace").strip())
    return completed.stdout


class _GitFailed(Exception):
    pass


def repository_root(cwd: str) -> str:
    try:
        out = _git(["rev-parse", "--show-toplevel"], cwd)
    except _GitFailed as exc:
        raise DiffError(
            f"--diff needs a git repository, and {os.path.abspath(cwd)} is not inside one ({exc})"
        ) from None
    return os.fsdecode(out.rstrip(b"\n"))


def merge_base(ref: str, cwd: str) -> str:
    if not ref.strip():
        raise DiffError("--diff needs a git ref (a branch, tag or commit), not an empty string")
    if ref.startswith("-"):
        raise DiffError(f"--diff: {ref!r} is not a git ref")
    try:
        _git(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], cwd)
    except _GitFailed:
        # checked first: `--diff HEAD` in a fresh repository read "unknown git ref 'HEAD' (fetch it first)"
        raise DiffError(
            "--diff: the repository has no commit yet, so there is nothing to compare with; "
            "check without --diff, or commit first"
        ) from None
    try:
        _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"], cwd)
    except _GitFailed:
        raise DiffError(f"--diff: unknown git ref {ref!r} (fetch it first, e.g. `git fetch origin {ref}`)") from None
    try:
        out = _git(["merge-base", ref, "HEAD"], cwd)
    except _GitFailed as exc:
        raise DiffError(
            f"--diff: {ref!r} and HEAD have no common ancestor ({exc or 'unrelated histories'}); "
            "in a shallow CI clone fetch more history (fetch-depth: 0)"
        ) from None
    return out.decode("ascii").strip()


def changed_lines(ref: str, cwd: str) -> Dict[str, Set[int]]:
    """{path relative to `cwd`, `/`-separated: 1-based lines added or changed since the
    merge base of `ref` and HEAD}. Files only deleted from are absent; untracked files
    count as wholly added."""
    top = repository_root(cwd)
    base = merge_base(ref, cwd)
    try:
        diff = _git(
            [
                "diff",
                "--no-color",
                "--no-ext-diff",
                "--no-textconv",
                "--find-renames",
                "--unified=0",
                "--src-prefix=a/",
                "--dst-prefix=b/",
                "--ignore-submodules",
                "--diff-filter=d",
                base,
                "--",
            ],
            top,
        )
        untracked = _git(["ls-files", "--others", "--exclude-standard", "-z", "--full-name"], top)
    except _GitFailed as exc:
        raise DiffError(f"--diff: git failed: {exc}") from None
    by_top: Dict[str, Set[int]] = {
        name: _to_python_lines(lines, os.path.join(top, name)) for name, lines in parse_unified_diff(diff).items()
    }
    for raw in untracked.split(b"\0"):
        if not raw:
            continue
        name = os.fsdecode(raw)
        by_top[name] = _all_lines(os.path.join(top, name))
    cwd_abs = os.path.realpath(cwd)
    result: Dict[str, Set[int]] = {}
    for name, lines in by_top.items():
        if not lines:
            continue
        rel = os.path.relpath(os.path.join(os.path.realpath(top), name), cwd_abs)
        result[rel.replace(os.sep, "/")] = lines
    return result


def parse_unified_diff(diff: bytes) -> Dict[str, Set[int]]:
    """{new path: added lines} from `git diff --unified=0` output."""
    result: Dict[str, Set[int]] = {}
    current: Optional[Set[int]] = None
    for line in diff.split(b"\n"):
        if line.startswith(b"+++ "):
            target = line[4:]
            if target == b"/dev/null":
                current = None
                continue
            name = _unquote(target)
            if name.startswith("b/"):
                name = name[2:]
            current = result.setdefault(name, set())
        elif line.startswith(b"@@") and current is not None:
            match = _HUNK.match(line)
            if match:
                start = int(match.group("start"))
                count = int(match.group("count")) if match.group("count") is not None else 1
                current.update(range(start, start + count))
    return result


def _unquote(raw: bytes) -> str:
    """git C-quotes names with unusual bytes even with core.quotePath=false
    (e.g. a double quote or a newline in the name)."""
    raw = raw.rstrip(b"\t")  # git appends a tab when the name contains a space, for patch(1)
    if not (raw.startswith(b'"') and raw.endswith(b'"')):
        return os.fsdecode(raw)
    body = raw[1:-1]
    out = bytearray()
    i = 0
    escapes = {
        b"n": b"\n",
        b"t": b"\t",
        b'"': b'"',
        b"\\": b"\\",
        b"a": b"\a",
        b"b": b"\b",
        b"f": b"\f",
        b"r": b"\r",
        b"v": b"\v",
    }
    while i < len(body):
        char = body[i : i + 1]
        if char == b"\\" and i + 1 < len(body):
            nxt = body[i + 1 : i + 2]
            if nxt in escapes:
                out += escapes[nxt]
                i += 2
                continue
            if nxt.isdigit():
                out.append(int(body[i + 1 : i + 4], 8))
                i += 4
                continue
        out += char
        i += 1
    return os.fsdecode(bytes(out))


def _read(path: str) -> Optional[bytes]:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return None


def _all_lines(path: str) -> Set[int]:
    """Every line of a file, counted as Python counts them (a lone CR ends a line too)."""
    data = _read(path)
    return set(range(1, len(data.splitlines()) + 1)) if data else set()


def _to_python_lines(lines: Set[int], path: str) -> Set[int]:
    """git numbers lines by LF only; Python, and so the findings, also end a line at a lone
    CR (old Mac line ends). Without this, a file with CR line ends changed (or added) as
    git's one line 1 had every finding below its first line left out of the gate."""
    data = _read(path)
    if not data or b"\r" not in data.replace(b"\r\n", b""):
        return lines
    out: Set[int] = set()
    python_line = 1
    for git_line, chunk in enumerate(data.split(b"\n"), 1):
        # the CR of a CRLF ends the chunk and is no line end of its own
        ends = chunk.count(b"\r") - (1 if chunk.endswith(b"\r") else 0)
        if git_line in lines:
            out.update(range(python_line, python_line + ends + 1))
        python_line += ends + 1
    return out


def on_changed_lines(finding: Finding, changed: Dict[str, Set[int]], cwd: Optional[str] = None) -> bool:
    """Whether any line of the finding's span was added or changed. `finding.path` is
    relative to the working directory `changed_lines` was given (or absolute)."""
    lines = changed.get(_key(finding.path, cwd))
    if not lines:
        return False
    return any(line in lines for line in range(finding.line, max(finding.end_line, finding.line) + 1))


def filter_changed(findings: List[Finding], changed: Dict[str, Set[int]], cwd: Optional[str] = None) -> List[Finding]:
    return [f for f in findings if on_changed_lines(f, changed, cwd)]


def _key(path: str, cwd: Optional[str]) -> str:
    if os.path.isabs(path):
        path = os.path.relpath(os.path.realpath(path), os.path.realpath(cwd or os.getcwd()))
    path = path.replace(os.sep, "/")
    while path.startswith("./"):
        path = path[2:]
    return path
