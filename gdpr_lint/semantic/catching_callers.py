"""The calls of one function across a project, for one question: does every one of them
catch an exception the function raises and drop its text?

`raise UnknownUser(username)` puts the username in the exception's text. The text is
exposed where something logs, prints or shows it; when every call of the raising function
in the project sits in a `try` whose handler catches the class and never touches the caught
object (`except UnknownUser: abort(404)`, `except UnknownUser: click.echo(f"no user {name}")`:
the handler's own text is its own finding), nothing ever reads the text. When a call does
not catch it, or re-raises, or binds the exception and uses it, or the function is passed
around as a value, or nothing in the project calls it (a library's API), the text may reach
a log and the finding stands.

As semantic/callers.py does for parameter defaults: asked only for a raise that would
otherwise be reported, a plain scan with CPython's `ast` of the project's files that spell
the function's name; those files become dependencies of the asking file's cached result.
"""

from __future__ import annotations

import ast
import os
import weakref
from typing import Dict, List, Optional, Tuple

from gdpr_lint.semantic.source_bytes import read_source

_MAX_FILES = 200  # files naming the function: more than this, and the name is too common to judge
_MAX_BYTES = 4_000_000
_BROAD = frozenset(("Exception", "BaseException"))
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


class CatchingCallers:
    """Answers per (function, exception class) for one project (one per run and process)."""

    def __init__(self, files: List[str]):
        self._files = files
        self._answers: Dict[tuple, Tuple[Optional[int], Tuple[str, ...]]] = {}

    def every_call_catches(
        self, path: str, name: str, exception: str, method: bool
    ) -> Tuple[Optional[int], Tuple[str, ...]]:
        """(the number of calls, if there is at least one and each is caught quietly, else
        None; the files that spell `name`)."""
        if name.startswith("__"):
            return None, ()  # `__init__`, `__call__`: called as their class or object
        key = (path, name, exception, method)
        answer = self._answers.get(key)
        if answer is None:
            answer = self._answers[key] = self._scan(path, name, exception, method)
        return answer

    def _scan(self, path, name, exception, method) -> Tuple[Optional[int], Tuple[str, ...]]:
        spelled = name.encode()
        naming: List[str] = []
        calls = 0
        for file in self._files:
            data = read_source(file, _MAX_BYTES)
            if data is None or spelled not in data:
                continue
            naming.append(file)
            if len(naming) > _MAX_FILES:
                return None, tuple(naming)
            try:
                tree = ast.parse(data)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                return None, tuple(naming)
            counted = _caught_calls(tree, name, exception, method, os.path.abspath(file) == path)
            if counted is None:
                return None, tuple(naming)
            calls += counted
        return (calls or None), tuple(naming)


def _caught_calls(tree, name: str, exception: str, method: bool, own: bool) -> Optional[int]:
    """The calls of the function in one module, when each sits in the body of a `try` that
    catches `exception` quietly; None when one does not, or the name is used other than by
    calling it. Which calls count is semantic/callers.py's rule: `name(...)` in its own module
    or where the module imports the name, `x.name(...)` where the module imports anything."""
    imports = [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
    from_imported = any(isinstance(n, ast.ImportFrom) and any(alias.name == name for alias in n.names) for n in imports)
    by_name = (own or from_imported) and not method
    by_attribute = own or method or bool(imports)
    parents: Dict[int, ast.AST] = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[id(child)] = node
    calls = 0
    called = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == name and by_name:
            pass
        elif isinstance(func, ast.Attribute) and func.attr == name and by_attribute:
            pass
        else:
            continue
        called.add(id(func))
        if not _caught_quietly(node, exception, parents):
            return None
        calls += 1
    for node in ast.walk(tree):
        if id(node) in called:
            continue
        if isinstance(node, ast.Name) and node.id == name and by_name:
            return None  # passed around or stored: who calls it is not known
        if (
            isinstance(node, ast.Attribute)
            and node.attr == name
            and by_attribute
            and not isinstance(node.ctx, ast.Store)
        ):
            return None
    return calls


def _caught_quietly(call: ast.Call, exception: str, parents: Dict[int, ast.AST]) -> bool:
    """Whether the innermost `try` around the call (in the same function) that catches
    `exception` has a handler that neither raises nor reads the caught object."""
    child: ast.AST = call
    node = parents.get(id(call))
    while node is not None and not isinstance(node, _SCOPES):
        if isinstance(node, ast.Try) and any(child is stmt for stmt in node.body):
            for handler in node.handlers:
                if _catches(handler, exception):
                    return _quiet(handler)
        child, node = node, parents.get(id(node))
    return False


def _catches(handler: ast.ExceptHandler, exception: str) -> bool:
    caught = handler.type
    if caught is None:
        return True  # a bare `except:`
    names = caught.elts if isinstance(caught, ast.Tuple) else [caught]
    for item in names:
        last = item.attr if isinstance(item, ast.Attribute) else item.id if isinstance(item, ast.Name) else None
        if last == exception or last in _BROAD:
            return True
    return False


def _quiet(handler: ast.ExceptHandler) -> bool:
    for stmt in handler.body:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Raise):
                return False  # re-raised, or chained into another exception
            if handler.name and isinstance(node, ast.Name) and node.id == handler.name:
                return False  # the caught object is used: its text may be logged or shown
            if isinstance(node, ast.Call) and _logs_current(node):
                return False  # `logger.exception(...)`, `exc_info=True`: the caught exception's text is logged
    return True


def _logs_current(call: ast.Call) -> bool:
    func = call.func
    last = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    if last in _CURRENT:
        return True
    return any(keyword.arg in ("exc_info", "stack_info") for keyword in call.keywords)


def dropped_by_callers(ctx, target: str) -> Optional[str]:
    """Why the text of `raise target(...)` in the current function is never read (every call
    of the function in the project catches the class and drops it), or None."""
    project = getattr(ctx, "project", None)
    scope = ctx.scope
    if project is None or scope.kind != "function" or project.index.local_only:
        return None
    function = scope.node
    exception = target.rsplit(".", 1)[-1]
    for stmt in ctx.trys:
        for handler in stmt.handlers:
            if handler.type is None or exception in _handler_names(handler.type):
                return None  # the function's own handler decides (answers.caught_quietly)
    finder = _FINDERS.get(project.index)
    if finder is None:
        from gdpr_lint.semantic.callers import Callers

        finder = _FINDERS[project.index] = CatchingCallers(Callers(project.index.roots).files())
    name = function.name.value
    count, naming = finder.every_call_catches(project.path, name, exception, scope.class_scope is not None)
    project.deps.update(naming)
    if count is None:
        return None
    calls = "the one call" if count == 1 else f"all {count} calls"
    return f"{calls} of {name}() in the project catch {exception} and drop its text"


def _handler_names(expr) -> Tuple[str, ...]:
    """The last names of what a libcst `except` clause catches."""
    from gdpr_lint.syntax.nodes import dotted_name

    items = [e.value for e in expr.elements] if hasattr(expr, "elements") else [expr]
    return tuple((dotted_name(item) or "").rsplit(".", 1)[-1] for item in items)


_CURRENT = frozenset(("exception", "print_exc", "format_exc", "exc_info", "print_exception", "format_exception"))
_FINDERS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
