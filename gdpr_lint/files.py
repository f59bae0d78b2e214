"""Which files to check: explicit paths, folder walks, default and configured excludes,
.gitignore files (gitignore-style patterns throughout)."""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Set, Tuple

DEFAULT_EXCLUDES = (
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    "env",
    "__pycache__",
    "node_modules",
    "build",
    "dist",
    "site-packages",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".ruff_cache",
    ".eggs",
    ".gdpr_lint_cache",
)
PYTHON_SUFFIXES = (".py", ".pyi")


@lru_cache(maxsize=4096)
def _pattern_regex(pattern: str) -> Tuple["re.Pattern", bool, bool]:
    """Translate one gitignore pattern: (regex over a relative path, negated, dir_only)."""
    negated = pattern.startswith("!")
    if negated:
        pattern = pattern[1:]
    dir_only = pattern.endswith("/")
    pattern = pattern.rstrip("/")
    anchored = "/" in pattern
    pattern = pattern.lstrip("/")
    out = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("/**", i) and i + 3 == len(pattern):
            out.append("/.*")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            translated, end = _bracket_regex(pattern, i)
            if end == -1:
                out.append(re.escape(c))
            else:
                out.append(translated)
                i = end
        elif c == "\\" and i + 1 < len(pattern):
            i += 1
            out.append(re.escape(pattern[i]))
        else:
            out.append(re.escape(c))
        i += 1
    body = "".join(out)
    prefix = "" if anchored else "(?:.*/)?"
    # a pattern matching a folder also matches everything below it
    return re.compile(f"^{prefix}{body}(?:/.*)?$"), negated, dir_only


_POSIX_CLASSES = {
    "alnum": "a-zA-Z0-9",
    "alpha": "a-zA-Z",
    "blank": " \\t",
    "cntrl": "\\x00-\\x1f\\x7f",
    "digit": "0-9",
    "graph": "\\x21-\\x7e",
    "lower": "a-z",
    "print": "\\x20-\\x7e",
    "punct": re.escape("!\"#$%&'()*+,-.:;<=>?@[\\]^_`{|}~"),
    "space": " \\t\\n\\r\\f\\v",
    "upper": "A-Z",
    "xdigit": "0-9a-fA-F",
}  # "/" is left out of punct: a bracket expression never matches a path separator


def _bracket_regex(pattern: str, start: int) -> Tuple[str, int]:
    """Translate the bracket expression at pattern[start] ("[") as git's wildmatch reads it:
    (regex, index of its closing "]"), or ("", -1) when it is not closed (then "[" is literal).
    `!` or `^` first negates, a `]` first is a member, `\\` escapes, `[:alpha:]` is a class;
    a reversed range (`[z-a]`) matches its first character only, as in git, instead of being
    a regex error.
    Members are escaped, so no pattern can make an invalid or differently-read regex."""
    i = start + 1
    negated = i < len(pattern) and pattern[i] in "!^"
    if negated:
        i += 1
    members: List[str] = []
    first = True
    while i < len(pattern):
        c = pattern[i]
        if c == "]" and not first:
            if negated:
                return f"[^/{''.join(members)}]", i
            return (f"[{''.join(members)}]" if members else "(?!)"), i
        first = False
        if c == "[" and pattern.startswith("[:", i):
            end = pattern.find(":]", i + 2)
            if end != -1:
                members.append(_POSIX_CLASSES.get(pattern[i + 2 : end], ""))
                i = end + 2
                continue
        if c == "\\" and i + 1 < len(pattern):
            i += 1
            c = pattern[i]
        if pattern.startswith("-", i + 1) and i + 2 < len(pattern) and pattern[i + 2] != "]":
            high_at = i + 2
            if pattern[high_at] == "\\" and high_at + 1 < len(pattern):
                high_at += 1
            high = pattern[high_at]
            if c <= high and not (c <= "/" <= high and not negated):
                members.append(f"{re.escape(c)}-{re.escape(high)}")
            elif c <= high:  # a range over "/": a path separator is never matched
                if c < "/":
                    members.append(f"{re.escape(c)}-{re.escape(chr(ord('/') - 1))}")
                if high > "/":
                    members.append(f"{re.escape(chr(ord('/') + 1))}-{re.escape(high)}")
            elif c != "/":  # reversed: git matches its first character only
                members.append(re.escape(c))
            i = high_at + 1
            continue
        if c != "/":
            members.append(re.escape(c))
        i += 1
    return "", -1


class PatternSet:
    """Ordered gitignore-style patterns relative to a base folder; the last match wins."""

    def __init__(self, base: Path, patterns: Sequence[str]):
        self.base = base
        self.patterns = [p.strip() for p in patterns if p.strip() and not p.strip().startswith("#")]

    def matches(self, path: Path, is_dir: bool) -> bool:
        try:
            rel = path.relative_to(self.base).as_posix()
        except ValueError:
            return False
        if rel in ("", "."):
            return False
        result = False
        for pattern in self.patterns:
            regex, negated, dir_only = _pattern_regex(pattern)
            if dir_only and not is_dir:
                # `build/` still excludes files below a folder named build
                if not regex.match(rel) or "/" not in rel:
                    continue
            if regex.match(rel):
                result = not negated
        return result


def is_python_file(path: Path) -> bool:
    if path.suffix in PYTHON_SUFFIXES:
        return True
    try:
        if not path.is_file():
            return False
        with open(path, "rb") as handle:
            first = handle.readline(200)
    except OSError:
        return False
    return first.startswith(b"#!") and b"python" in first


def display_path(path: Path, cwd: Path) -> str:
    """Relative to the working directory when under it, with `/`. Symlinks are not
    resolved: a finding names the file as the user sees it (and a link loop cannot raise)."""
    absolute = os.path.abspath(str(path))
    base = os.path.abspath(str(cwd))
    if absolute == base:
        return "."
    prefix = base.rstrip(os.sep) + os.sep
    if absolute.startswith(prefix):  # both normalised by abspath: the rest is the relative path
        absolute = absolute[len(prefix) :]
    return absolute.replace(os.sep, "/") if os.sep != "/" else absolute


class FileCollector:
    def __init__(self, root: Path, exclude: Sequence[str], respect_gitignore: bool, force_exclude: bool):
        self.root = root.resolve()
        self.excludes = PatternSet(self.root, list(exclude))
        self.respect_gitignore = respect_gitignore
        self.force_exclude = force_exclude
        self.warnings: List[str] = []
        self.missing: List[str] = []
        #: folder -> (the .gitignore pattern sets above it, nearest first, each with whether its
        #: folder is in the project; whether a repository root was reached)
        self._above: Dict[Path, Tuple[List[Tuple[PatternSet, bool]], bool]] = {}
        self._chains: Dict[Path, List[PatternSet]] = {}

    def _gitignore_sets(self, folder: Path) -> List[PatternSet]:
        """The .gitignore files that apply to folder: its own and its parents' up to the repo
        (worked out once per folder), as git reads them. Outside a repository git reads none,
        and a stray .gitignore above the project (in /tmp, in a home folder) made the walk skip
        the project's files, so there only the project's own (the config's folder and below)
        count."""
        chain = self._chains.get(folder)
        if chain is None:
            sets, in_repository = self._sets_above(folder)
            chain = [patterns for patterns, in_project in sets if in_repository or in_project]
            self._chains[folder] = chain
        return chain

    def _sets_above(self, folder: Path) -> Tuple[List[Tuple[PatternSet, bool]], bool]:
        """Built from the parent's, so each folder is looked at once: outside a repository the
        walk up to the file system's root (and a realpath for each folder on the way) was
        repeated for every folder of the tree, twice the cost of a run inside git."""
        known = self._above.get(folder)
        if known is not None:
            return known
        pending = []
        current = folder
        base: Tuple[List[Tuple[PatternSet, bool]], bool] = ([], False)
        while True:
            known = self._above.get(current)
            if known is not None:
                base = known
                break
            pending.append(current)
            if (current / ".git").exists() or current.parent == current:
                break
            current = current.parent
        sets, in_repository = base
        for where in reversed(pending):  # from the top down
            own = self._own_gitignore(where)
            if (where / ".git").exists():
                sets, in_repository = [], True
            entry = [(own, self._in_project(where))] if own.patterns else []
            sets = entry + sets
            self._above[where] = (sets, in_repository)
        return self._above[folder]

    def _own_gitignore(self, folder: Path) -> PatternSet:
        file = folder / ".gitignore"
        patterns: List[str] = []
        if file.is_file():
            try:
                patterns = file.read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                patterns = []
        return PatternSet(folder, patterns)

    def _in_project(self, folder: Path) -> bool:
        real = Path(os.path.realpath(folder))  # the root is resolved: compare like with like
        return real == self.root or self.root in real.parents

    def _excluded(self, path: Path, is_dir: bool) -> bool:
        if path.name in DEFAULT_EXCLUDES and is_dir:
            return True
        if self.excludes.matches(path, is_dir):
            return True
        if self.respect_gitignore:
            for patterns in self._gitignore_sets(path.parent):
                if patterns.patterns and patterns.matches(path, is_dir):
                    return True
        return False

    def excludes_named_file(self, absolute: Path) -> bool:
        """Whether --force-exclude leaves out a file named on the command line (or the
        --stdin-filename of standard input): the configured and gitignored patterns, and
        the default excluded folders above it."""
        return self._excluded(absolute, False) or any(part in DEFAULT_EXCLUDES for part in absolute.parts[:-1])

    def collect(self, paths: Sequence[str]) -> List[Path]:
        found: List[Path] = []
        seen: Set[str] = set()
        for raw in paths:
            path = Path(raw)
            if not path.exists() and not path.is_symlink():
                # named but missing (or deleted since): checked, so it is reported as an error
                self.missing.append(raw)
                found.append(path.absolute())
                continue
            if path.is_dir():
                self._walk(path.absolute(), found, seen)
                continue
            absolute = path.absolute()
            if self.force_exclude and self.excludes_named_file(absolute):
                continue
            if not is_python_file(path):
                self.warnings.append(f"{raw}: not a Python file; skipped")
                continue
            key = _identity(absolute)
            if key not in seen:
                seen.add(key)
                found.append(absolute)
        return found

    def _walk(self, folder: Path, found: List[Path], seen: set) -> None:
        stack = [folder]
        visited = set()
        while stack:
            current = stack.pop()
            try:
                real = os.path.realpath(current)
                if real in visited:
                    continue  # symlink loop
                visited.add(real)
                entries = sorted(os.scandir(current), key=lambda e: e.name)
            except OSError as exc:
                self.warnings.append(f"{current}: cannot read folder ({exc.strerror or exc})")
                continue
            subfolders = []
            for entry in entries:
                path = Path(entry.path)
                try:
                    is_dir = entry.is_dir()
                    linked_folder = is_dir and entry.is_symlink()
                except OSError:
                    continue
                if linked_folder:
                    # as git and ruff do: a link to a folder is not walked into. A repository
                    # can commit `x -> /`, and the walk then read the whole machine (and
                    # reported, in a pull request's annotations, code from outside the project)
                    continue
                if is_dir:
                    if not self._excluded(path, True):
                        subfolders.append(path)
                elif entry.name.endswith(PYTHON_SUFFIXES):
                    if not _regular_or_link(entry):
                        continue  # a named pipe or device called x.py: reading it would block
                    if not self._excluded(path, False):
                        key = _identity(path)
                        if key not in seen:
                            seen.add(key)
                            found.append(path)
            stack.extend(reversed(subfolders))


def _identity(path: Path) -> str:
    """A file's identity for "checked once": its path as findings name it (display_path
    collapses `sub/../` too), so `app.py sub/../app.py` or `. ./pkg` do not report it twice."""
    return os.path.normcase(os.path.abspath(str(path)))


def _regular_or_link(entry) -> bool:
    """Regular files, and symlinks (a dangling or looping link is reported when read)."""
    try:
        return entry.is_symlink() or entry.is_file()
    except OSError:
        return True


def matches_any(patterns: Sequence[str], base: Path, path: Path) -> bool:
    return PatternSet(base, patterns).matches(path, False)


def write_file(path: str, data: bytes) -> None:
    """Write a file the user asked for (a report, a baseline). A regular file is written
    atomically: a temp file in the same folder, then os.replace, so a crash or a concurrent
    reader never sees half of it; it keeps the mode of the file it replaces. Anything else
    (/dev/null, /dev/stdout, a named pipe) is written in place: a rename would put a regular
    file where the device was. A symlink is followed, so the link stays and its target is
    replaced."""
    import stat

    real = os.path.realpath(path)
    try:
        mode = os.stat(real).st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode):
        with open(real, "wb") as handle:
            handle.write(data)
        return
    os.makedirs(os.path.dirname(real), exist_ok=True)
    if mode is None:  # a new file: what open() would have made under the umask
        umask = os.umask(0)
        os.umask(umask)
        new_mode = 0o666 & ~umask
    else:
        new_mode = stat.S_IMODE(mode)
    replace_atomically(real, data, mode=new_mode, durable=True)


def replace_atomically(path: str, data: bytes, *, mode: Optional[int] = None, durable: bool = False) -> None:
    """The one atomic write (reports, baselines, cache files): `data` goes to a new file of a
    name no other process uses, in the same folder, which then replaces `path`, so a crash or
    a concurrent reader never sees half a file. `mode` is the new file's (else 0o600);
    `durable` syncs it to disk first. Needs no `tempfile` (a cache write is on the pre-commit
    hook's start-up path). The temporary file is removed when anything fails."""
    folder = os.path.dirname(path) or "."
    tmp = os.path.join(folder, f".{os.path.basename(path)}.{os.getpid()}-{os.urandom(6).hex()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
