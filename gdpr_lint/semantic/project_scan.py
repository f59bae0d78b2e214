"""The project's files for the scans that look across the whole project for a word: who calls
a function (semantic/callers.py: a parameter's default; semantic/catching_callers.py: an
exception every caller drops; analysis/command_callers.py: what a command's operator typed)
and where error handlers are registered (semantic/project_registered.py).

Each scan asks for the files that spell a word, then for what CPython's `ast` makes of them.
Here that is done once per process and project: the list of `.py` files is made once; a
file's bytes are read per question (cheap, and never kept); a file that spells the word is
parsed once, quietly (no SyntaxWarning on standard error), and the last few parsed files are
kept with an index of their names (`ScannedModule.uses`), so a file several questions name is
neither parsed nor walked again for each of them.
"""

from __future__ import annotations

import ast
import os
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Set, Tuple

from gdpr_lint._lazy import sha256
from gdpr_lint.semantic.source_bytes import read_source
from gdpr_lint.semantic.spelled_files import ASKED_BEFORE, SpelledFiles

# A dependency of a cached result that asked a question of the whole project: not one file but
# every file of the project, since a file that was not there may now matter. Its digest is the
# project's file list with each file's size and modification time, so any edit anywhere redoes
# the result. The scans here record a narrower one instead: the files that spell their words
# (spelling_index.spelled_key), told to `on_spell` by `spelling()`.
PROJECT_FILES = "\0project-files"

_SKIP_DIRS = frozenset(("__pycache__", "node_modules", "site-packages", "venv", "env"))
_KEPT_BYTES = 400_000  # the parsed files kept, by the size of their text (a tree and its index are ~15x it)


class ScannedModule:
    """One project file as the scans read it: its tree, what it imports, and (made when first
    asked, in one walk) where each name is used."""

    __slots__ = ("tree", "_from_names", "_any_import", "_names", "_attrs", "_calls", "_parents")

    def __init__(self, tree: ast.Module):
        self.tree = tree
        self._from_names: Optional[Set[str]] = None
        self._any_import = False
        self._names: Optional[Dict[str, List[ast.Name]]] = None
        self._attrs: Dict[str, List[ast.Attribute]] = {}
        self._calls: Dict[int, ast.Call] = {}
        self._parents: Optional[Dict[int, ast.AST]] = None

    def imports(self, name: str) -> Tuple[bool, bool]:
        """(whether the module imports `name` from somewhere, at any depth; whether it
        imports anything)."""
        if self._from_names is None:
            self._index()
        assert self._from_names is not None
        return name in self._from_names, self._any_import

    def uses(self, name: str) -> Tuple[List[Tuple[ast.Call, bool]], List[ast.Name], List[ast.Attribute]]:
        """([(a call whose callee is `name` or `x.name`, whether by attribute)], the other
        `name` nodes, the other `x.name` nodes), each in no particular order."""
        if self._names is None:
            self._index()
        assert self._names is not None
        calls: List[Tuple[ast.Call, bool]] = []
        names: List[ast.Name] = []
        attrs: List[ast.Attribute] = []
        found: Tuple[Tuple[Sequence[ast.expr], bool, list], ...] = (
            (self._names.get(name, ()), False, names),
            (self._attrs.get(name, ()), True, attrs),
        )
        for nodes, by_attribute, others in found:
            for node in nodes:
                call = self._calls.get(id(node))
                if call is not None:
                    calls.append((call, by_attribute))
                else:
                    others.append(node)
        return calls, names, attrs

    def named(self, name: str) -> List[ast.Name]:
        """Every `name` node of the tree (callees of calls too)."""
        if self._names is None:
            self._index()
        assert self._names is not None
        return self._names.get(name, [])

    def parents(self) -> Dict[int, ast.AST]:
        """id(node) -> its parent, for every node of the tree."""
        parents = self._parents
        if parents is None:
            parents = self._parents = {}
            for node in ast.walk(self.tree):
                for child in ast.iter_child_nodes(node):
                    parents[id(child)] = node
        return parents

    def _index(self) -> None:
        from_names: Set[str] = set()
        any_import = False
        names: Dict[str, List[ast.Name]] = {}
        attrs: Dict[str, List[ast.Attribute]] = {}
        calls: Dict[int, ast.Call] = {}
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Name):
                names.setdefault(node.id, []).append(node)
            elif isinstance(node, ast.Attribute):
                attrs.setdefault(node.attr, []).append(node)
            elif isinstance(node, ast.Call):
                calls[id(node.func)] = node
            elif isinstance(node, ast.ImportFrom):
                any_import = True
                from_names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.Import):
                any_import = True
        self._from_names, self._any_import = from_names, any_import
        self._names, self._attrs, self._calls = names, attrs, calls


class ProjectScan:
    """The files of one project and their parsed modules (one per project index and process)."""

    def __init__(self, roots: List[str]):
        self.roots = roots
        self.on_scan: Optional[Callable[[], None]] = None  # told of each listing by files()
        self.on_spell: Optional[Callable[[Sequence[bytes]], None]] = None  # told of the words of spelling()
        # the files that spell some words, when the run's spelling index knows (runner.py), else None
        self.known_spellers: Optional[Callable[[Sequence[bytes]], Optional[List[str]]]] = None
        self._files: Optional[List[str]] = None
        self._kept: Dict[str, Tuple[bytes, Optional[ScannedModule]]] = {}  # path -> (bytes, module), oldest first
        self._kept_bytes = 0
        self._asked = 0  # questions spelling() answered by reading every file
        self._spelled: Optional[SpelledFiles] = None  # made at the fifth (semantic/spelled_files.py)
        self._spelled_tried = False

    def files(self) -> List[str]:
        """The project's `.py` files, sorted (hidden folders, caches and environments left out),
        for a question that depends on all of them (`on_scan` is told: PROJECT_FILES)."""
        if self.on_scan is not None:
            self.on_scan()
        return self.listed()

    def listed(self) -> List[str]:
        """The same list, for a question that records what it depends on itself (the files
        that spell its words: spelled_key)."""
        if self._files is None:
            self._files = sorted(set(_python_files(self.roots)))
        return self._files

    def fingerprint(self) -> str:
        """The digest of PROJECT_FILES: each project file's path, size and modification time
        (stat only: nothing is read)."""
        digest = sha256()
        for path in self.listed():
            try:
                status = os.stat(path)
            except OSError:
                continue
            digest.update(
                ("%s\0%d\0%d\n" % (path, status.st_size, status.st_mtime_ns)).encode("utf-8", "surrogatepass")
            )
        return digest.hexdigest()

    def spelling(self, words: Sequence[bytes], limit: int) -> Iterator[Tuple[str, bytes]]:
        """(path, bytes) of each project file of at most `limit` bytes that spells one of
        `words`, in the order of `files()`; `on_spell` is told of the words (the answer being
        computed depends on the files that spell them: spelled_key)."""
        if self.on_spell is not None:
            self.on_spell(words)
        known = self.known_spellers(words) if self.known_spellers is not None else None
        if known is None:
            if self._asked >= ASKED_BEFORE:
                self.prepare_spellers()
            known = self._spelled.spellers(words) if self._spelled is not None else None
            self._asked += known is None
        for path in known if known is not None else self.listed():  # (all sorted)
            data = read_source(path, limit)
            if data is not None and any(word in data for word in words):
                yield path, data

    def prepare_spellers(self) -> None:
        """The project's files read once for the questions of spelling() to come
        (semantic/spelled_files.py): before the workers fork, for a run that will ask many."""
        if not self._spelled_tried:  # (None after it: too large, read as before)
            self._spelled_tried = True
            self._spelled = SpelledFiles.make(self.listed())

    def module(self, path: str, data: bytes) -> Optional[ScannedModule]:
        """The file's module as parsed from `data` (its bytes), or None when they are no
        Python that CPython reads."""
        kept = self._kept.get(path)
        if kept is not None and kept[0] == data:
            return kept[1]
        module = _parse(data)
        if kept is not None:
            del self._kept[path]
            self._kept_bytes -= len(kept[0])
        if len(data) <= _KEPT_BYTES:
            self._kept[path] = (data, module)
            self._kept_bytes += len(data)
            while self._kept_bytes > _KEPT_BYTES:
                oldest = next(iter(self._kept))
                self._kept_bytes -= len(self._kept.pop(oldest)[0])
        return module


def project_modules(
    index, words: Sequence[bytes], limit: int, keep: Optional[Callable[[bytes], bool]] = None
) -> Iterator[Tuple[str, ScannedModule]]:
    """(path, module) of each project file a project-wide question reads: one that spells one of
    `words` (at most `limit` bytes), is not test code and, with `keep`, whose bytes it accepts.
    Each such file is recorded as a dependency of every answer being computed; a file that
    does not parse is skipped after that (its next edit may make it matter)."""
    scan = index.scan
    for path, data in scan.spelling(words, limit):
        if index.is_test(path) or (keep is not None and not keep(data)):
            continue
        for deps in index._deps:
            deps.add(path)
        module = scan.module(path, data)
        if module is not None:
            yield path, module


def _parse(data: bytes) -> Optional[ScannedModule]:
    import warnings

    from gdpr_lint.prefilter import decode_source
    from gdpr_lint.semantic.spelled_lines import note

    try:
        text = decode_source(data)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text)
        note(tree, text)  # for the summaries made from it (semantic/spelled_lines.py)
        return ScannedModule(tree)
    except (SyntaxError, ValueError, UnicodeDecodeError, LookupError, RecursionError, MemoryError):
        return None


def _python_files(roots: List[str]) -> Iterator[str]:
    seen = set()
    for root in roots:
        for folder, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if not d.startswith(".") and d not in _SKIP_DIRS]
            real = os.path.realpath(folder)
            if real in seen:
                dirs[:] = []
                continue
            seen.add(real)
            for file in files:
                if file.endswith(".py"):
                    yield os.path.join(folder, file)
