"""The project's files (a mixin of the project index, semantic/project.py): the file a module
name is (relative imports from the importing file's folder; absolute ones from the folder
above its top-level package, then the project root and its `src/`), whether a file is test
code, and a file read and parsed into its summary (semantic/summary.py).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Dict, List, Optional, Tuple

from gdpr_lint.semantic.path_roots import self_registered_roots
from gdpr_lint.semantic.source_bytes import read_source

if TYPE_CHECKING:
    import ast

_MAX_BYTES = 2_000_000  # a bigger file is generated code: not summarised


class ProjectFiles:
    """A mixin of ProjectIndex: the files of modules."""

    if TYPE_CHECKING:  # set by ProjectIndex
        roots: List[str]
        local_only: bool
        _files: Dict[Tuple[str, Tuple[str, ...]], Optional[str]]
        _package_roots: Dict[str, List[str]]
        _tops: Dict[tuple, bool]

    def _file(self, root: str, parts: Tuple[str, ...]) -> Optional[str]:
        key = (root, parts)
        if key in self._files:
            return self._files[key]
        found = None
        base = os.path.join(root, *parts) if parts else root
        if parts and os.path.isfile(base + ".py"):
            found = base + ".py"
        elif os.path.isfile(os.path.join(base, "__init__.py")):
            found = os.path.join(base, "__init__.py")
        self._files[key] = found
        return found

    def _roots_for(self, importer: str) -> List[str]:
        """Where absolute imports of a file are looked for: the folder above its top-level
        package, then the project root and its src/."""
        folder = importer.rpartition(os.sep)[0]
        roots = self._package_roots.get(folder)
        if roots is None:
            top = folder
            for _ in range(40):
                if not os.path.isfile(os.path.join(top, "__init__.py")):
                    break
                top = os.path.dirname(top)
            roots = [top]
            for root in self.roots:
                for candidate in (root, os.path.join(root, "src")):
                    if candidate not in roots:
                        roots.append(candidate)
            roots += [r for r in self_registered_roots(top, folder) if r not in roots]  # semantic/path_roots.py
            self._package_roots[folder] = roots
        return roots

    def is_test(self, path: str) -> bool:
        """Whether a file is test code of the project (judged on its path inside the project)."""
        for root in self.roots + self._roots_for(path)[:1]:
            if path.startswith(root + os.sep):
                return is_test_path(path[len(root) + 1 :])
        return is_test_path(os.path.basename(path))

    def in_project(self, dotted: str, importer: str) -> bool:
        """Whether a dotted name can be the project's: relative, or its top-level module
        is a file or package of the project (cheap: one answer per top-level name)."""
        if dotted[:1] in ".@":
            return True
        if self.local_only:
            return False
        top = dotted.partition(".")[0]
        key = (importer, top)
        known = self._tops.get(key)
        if known is None:
            known = self._tops[key] = any(self._file(root, (top,)) is not None for root in self._roots_for(importer))
        return known

    def locate(self, qualname: str, importer: str) -> Optional[Tuple[str, Tuple[str, ...]]]:
        """(file of the longest module prefix of `qualname`, the names after it), or None."""
        if self.local_only:
            return None
        level = len(qualname) - len(qualname.lstrip("."))
        parts = tuple(p for p in qualname[level:].split(".") if p)
        if level:
            base = os.path.dirname(importer)
            for _ in range(level - 1):
                base = os.path.dirname(base)
            for cut in range(len(parts), -1, -1):
                found = self._file(base, parts[:cut])
                if found is not None:
                    return found, parts[cut:]
            return None
        for cut in range(len(parts), 0, -1):
            for root in self._roots_for(importer):
                found = self._file(root, parts[:cut])
                if found is not None:
                    return found, parts[cut:]
        return None


_TEST_FOLDERS = frozenset(("tests", "test", "testing"))


def is_test_path(path: str) -> bool:
    """Whether a file is a project's test code (a test module, conftest, a tests/ folder)."""
    parts = path.replace(os.sep, "/").split("/")
    name = parts[-1]
    return (
        name.startswith("test_")
        or name.endswith("_test.py")
        or name == "conftest.py"
        or not _TEST_FOLDERS.isdisjoint(parts[:-1])
    )


def _read(path: str) -> Optional[bytes]:
    return read_source(path, _MAX_BYTES)


def _summarize_bytes(data: bytes, whole: bool = False) -> Optional[dict]:
    """The summary of a file's bytes: its module-level names and what its functions
    return (`partial`), or also its functions' flows (`whole`)."""
    tree = _parse_bytes(data)
    if tree is None:
        return None
    return _whole_summary(tree) if whole else _partial(tree)


def _parse_bytes(data: bytes) -> Optional[ast.Module]:
    """CPython's tree of a file's bytes, or None when they are no Python it can read."""
    import ast
    import warnings

    from gdpr_lint.prefilter import decode_source
    from gdpr_lint.semantic.spelled_lines import note

    try:
        text = decode_source(data)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text)
        note(tree, text)  # for its summary (semantic/spelled_lines.py)
        return tree
    except (SyntaxError, ValueError, UnicodeDecodeError, LookupError, RecursionError, MemoryError):
        return None


def _whole_summary(tree: ast.Module) -> Optional[dict]:
    """A module's whole summary: also each function's flows."""
    from gdpr_lint.semantic.summary import summarize

    try:
        return summarize(tree)
    except RecursionError:
        return None


def _partial(tree: ast.Module) -> Optional[dict]:
    """A module's partial summary: its module-level names and what its functions return."""
    from gdpr_lint.semantic.summary import summarize

    try:
        summary = summarize(tree, lazy=True)
    except RecursionError:
        return None
    del summary["_lazy"]
    summary["partial"] = True
    return summary
