"""The calls of one function across a project, for one question: does any of them fall
back to a parameter's default?

A keyword default that names a destination (`def embed(texts, url="https://api.openai.com/v1")`)
sends data there only when a call leaves the argument out. When the project calls the
function and every call passes it, nothing falls back to the default and there is no
transfer to report; when a call leaves it out, or the function is passed around as a value,
or nothing in the project calls it (a library's API), the default stands.

The question is asked only where a parameter's default would be reported (a handful of
times in a large code base), so this is a plain scan, paid once per function and run: the
project's `.py` files are read as bytes, and only those that spell the function's name
are parsed, with CPython's `ast` (never libcst). The files that name it become
dependencies of the asking file's cached result; a new file that adds a call is not one
(the cached result of the defining file is kept until that file or a dependency changes).
"""

from __future__ import annotations

import ast
import os
from gdpr_lint.semantic.source_bytes import read_source
from typing import Dict, Iterator, List, Optional, Tuple

_SKIP_DIRS = frozenset(("__pycache__", "node_modules", "site-packages", "venv", "env"))
_MAX_FILES = 200  # files naming the function: more than this, and the name is too common to judge
_MAX_BYTES = 4_000_000


class Callers:
    """Answers per function for one project (one per run and process)."""

    def __init__(self, roots: List[str]):
        self.roots = roots
        self._files: Optional[List[str]] = None
        self._answers: Dict[tuple, Tuple[Optional[int], Tuple[str, ...]]] = {}

    def files(self) -> List[str]:
        if self._files is None:
            self._files = sorted(set(_python_files(self.roots)))
        return self._files

    def every_call_passes(
        self, path: str, name: str, param: str, position: Optional[int], method: bool
    ) -> Tuple[Optional[int], Tuple[str, ...]]:
        """(the number of calls, if there is at least one and each passes `param`, else None;
        the files that spell `name`). `position`: the parameter's index among the positional
        ones as the function is declared (a method's counts `self`), None if keyword-only."""
        if name.startswith("__"):
            return None, ()  # `__init__`: called as its class, not by name
        key = (path, name, param, position, method)
        answer = self._answers.get(key)
        if answer is None:
            answer = self._answers[key] = self._scan(path, name, param, position, method)
        return answer

    def _scan(self, path, name, param, position, method) -> Tuple[Optional[int], Tuple[str, ...]]:
        spelled = name.encode()
        naming: List[str] = []
        calls = 0
        for file in self.files():
            data = read_source(file, _MAX_BYTES)
            if data is None:
                continue
            if spelled not in data:
                continue
            naming.append(file)
            if len(naming) > _MAX_FILES:
                return None, tuple(naming)
            try:
                tree = ast.parse(data)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                return None, tuple(naming)  # a file that names it and cannot be read: unknown
            own = os.path.abspath(file) == path
            counted = _calls_in(tree, name, param, position, method, own)
            if counted is None:
                return None, tuple(naming)
            calls += counted
        return (calls or None), tuple(naming)


def _calls_in(tree, name, param, position, method, own) -> Optional[int]:
    """The calls of the function in one module's tree that pass `param`, or None when one
    does not, or the name is used other than by calling it (a callback, a reference). In
    another module, `name(...)` is the function's only where the module imports the name
    (else it is a namesake), and `x.name(...)` where it imports anything."""
    from_imported, any_import = _imports(tree, name)
    by_name = own or from_imported
    by_attribute = own or method or any_import
    call_funcs = set()
    calls = 0
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id == name and not method and by_name:
                shift = 0
            elif isinstance(func, ast.Attribute) and func.attr == name and by_attribute:
                shift = 1 if method else 0
            else:
                continue
            call_funcs.add(id(func))
            if not _passes(node, param, position, shift):
                return None
            calls += 1
    for node in ast.walk(tree):
        if id(node) in call_funcs:
            continue
        if isinstance(node, ast.Name) and node.id == name and by_name and not method:
            return None  # passed around or stored: who calls it is not known
        if isinstance(node, ast.Attribute) and node.attr == name and by_attribute:
            if not isinstance(node.ctx, ast.Store):
                return None
    return calls


def _passes(call: ast.Call, param: str, position: Optional[int], shift: int) -> bool:
    if any(isinstance(arg, ast.Starred) for arg in call.args):
        return False
    for keyword in call.keywords:
        if keyword.arg is None:
            return False  # `**options`: what it holds is not known here
        if keyword.arg == param:
            return True
    return position is not None and len(call.args) > position - shift


def _imports(tree, name: str) -> Tuple[bool, bool]:
    """(whether the module imports `name` from somewhere, whether it imports anything)."""
    any_import = False
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            any_import = True
            if isinstance(node, ast.ImportFrom) and any(alias.name == name for alias in node.names):
                return True, True
    return False, any_import


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
