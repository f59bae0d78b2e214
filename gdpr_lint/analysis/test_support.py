"""A module of the package that only the project's tests use: test code, wherever it sits.

GeoNode's `geonode/base/populate_test_data.py` sits beside the application's modules, not in a
`tests/` folder, so its path does not say it is test code ([confidence.file-roles]); it creates
the users `bobby` and `norman` from a literal table another function returns and logs each
(`logger.debug(f"[SetUp] Get or create user {user_name}")`). What says it serves tests is the
project around it: its file name says so (one of [confidence.test-support] `file-words` is a
word of its stem: `test`, `fixtures`, `mock`...) and every other project file that names the
module (an import, a dotted path in a string) is test code: by its path (`test_*.py`, a `tests/`
folder) or by what it defines (a `...TestCase` class, a module-level `test_...` function). Such a module's findings are those of test code: low, as file roles make them.

Not so for a module that no file names (a library's API: who uses it is unknown), one that a
single non-test file names (a view, a settings module listing it), or one that is itself a
command (a class deriving from one of [exposure.commands] `command-bases`, a `__main__` guard
that does more than call functions with no arguments or literal ones: one that reads
`sys.argv`, parses options or binds anything): an operator runs it, on whatever data they have. One scan per file and run, of the project's
files that spell the module's name (semantic/project_scan.py records them as the answer's
dependencies for the result cache).
"""

from __future__ import annotations

import ast
import os
from typing import Optional, Tuple

from gdpr_lint.analysis.names import split_words

_MAX_BYTES = 2_000_000
_MAX_FILES = 200  # files naming the module: past that, the name is too common to tell


def test_support(project, path: str, tables: dict) -> Optional[str]:
    """The reason the file being checked is test support code, or None."""
    if project is None or project.index.local_only or path == "-":
        return None
    words = tables.get("confidence", {}).get("test-support", {}).get("file-words", ())
    stem = os.path.basename(path).rsplit(".", 1)[0]
    said = next((w for w in words if w in split_words(stem)), None)
    if said is None or stem == "__init__":
        return None
    commands = frozenset(tables.get("exposure", {}).get("commands", {}).get("command-bases", ()))
    index = project.index
    own = project.path
    found = project.ask(
        index._tracked, ("test support", own), lambda: _named_by_tests(index, own, stem, commands, tables)
    )
    if not found:
        return None
    first, count = found
    return (
        f"test support: its file name says {said!r}, and the project files that name the module are "
        f"{count} test file{'s' if count > 1 else ''} ({project.shown(first)}{', ...' if count > 1 else ''}) and nothing else"
    )


def _named_by_tests(index, own: str, stem: str, commands, tables: dict) -> Optional[Tuple[str, int]]:
    """(the first test file that names the module, how many do) when every other project file
    that names it is test code and the module is no command; else None."""
    from gdpr_lint.semantic.source_bytes import read_source

    scan = index.scan
    data = read_source(own, _MAX_BYTES)
    module = scan.module(own, data) if data is not None else None
    if module is None or _is_command(module.tree, commands):
        return None
    first, tests = None, 0
    for count, (other, text) in enumerate(scan.spelling([stem.encode("utf-8")], _MAX_BYTES)):
        if count > _MAX_FILES:
            return None
        if os.path.abspath(other) == own or not _names(text, stem):
            continue
        if not _is_test(index, os.path.abspath(other), text, tables):
            return None
        first, tests = first or os.path.abspath(other), tests + 1
    return (first, tests) if first is not None else None


def _is_test(index, path: str, text: bytes, tables: dict) -> bool:
    """Whether a project file is test code: by its path inside the project (the index's notion,
    or [confidence.file-roles]'), or by what it defines (a class deriving from a `...TestCase`,
    a module-level `test_...` function: GeoNode's `tests_vector.py`)."""
    from gdpr_lint.analysis.confidence import file_role

    if index.is_test(path):
        return True
    inside = next((path[len(root) + 1 :] for root in index.roots if path.startswith(root + os.sep)), None)
    if file_role(inside or os.path.basename(path), tables) == "test":
        return True
    module = index.scan.module(path, text)
    if module is None:
        return False
    for node in module.tree.body:
        if type(node) in (ast.FunctionDef, ast.AsyncFunctionDef) and node.name.startswith("test_"):
            return True
        if type(node) is ast.ClassDef and any(_base_name(b).endswith("TestCase") for b in node.bases):
            return True
    return False


def _fixed_run(body) -> bool:
    """Statements that only call functions with no arguments or literal ones."""
    for stmt in body:
        call = stmt.value if type(stmt) is ast.Expr else None
        if type(call) is not ast.Call or type(call.func) not in (ast.Name, ast.Attribute):
            return False
        values = list(call.args) + [k.value for k in call.keywords]
        if any(type(v) is not ast.Constant for v in values) or any(k.arg is None for k in call.keywords):
            return False
    return True


def _base_name(base: ast.expr) -> str:
    return base.attr if type(base) is ast.Attribute else getattr(base, "id", "")


def _names(text: bytes, stem: str) -> bool:
    """Whether `stem` appears in `text` as a name of its own (not inside a longer one)."""
    word = stem.encode("utf-8")
    start = text.find(word)
    while start >= 0:
        before = text[start - 1 : start]
        after = text[start + len(word) : start + len(word) + 1]
        if not _ident(before) and not _ident(after):
            return True
        start = text.find(word, start + 1)
    return False


def _ident(char: bytes) -> bool:
    return bool(char) and (char.isalnum() or char == b"_")


def _is_command(tree: ast.Module, commands) -> bool:
    """A `__main__` guard that takes input (anything but calls with no arguments or literal
    ones: GeoNode's `create_models(); dump_models()` makes what the module always makes), or a
    class deriving from a management command's base."""
    for node in tree.body:
        if type(node) is ast.If and "__main__" in ast.dump(node.test) and not _fixed_run(node.body):
            return True
        if type(node) is ast.ClassDef:
            if any(_base_name(base) in commands for base in node.bases):
                return True
    return False
