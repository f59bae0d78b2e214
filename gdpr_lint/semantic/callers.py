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
are parsed, with CPython's `ast` (never libcst), once per process for every scan that asks
(semantic/project_scan.py). The files that name it become
dependencies of the asking file's cached result, and so does the list of the files that spell
it (spelling_index.spelled_key): a file added later, or one that starts calling the function,
makes the defining file's cached result be redone; an edit to a file that never names it does not.
"""

from __future__ import annotations

import ast
import os
from typing import Callable, Dict, List, Optional, Tuple

from gdpr_lint.semantic.project_scan import ProjectScan, ScannedModule

_MAX_FILES = 200  # files naming the function: more than this, and the name is too common to judge
_MAX_BYTES = 4_000_000


class Callers:
    """Answers per function for one project (one per run and process)."""

    def __init__(self, roots: List[str], scan: Optional[ProjectScan] = None, is_test=None):
        self.roots = roots
        self.scan = scan if scan is not None else ProjectScan(roots)
        self.is_test = is_test  # the project's tests call it with made-up values: they do not count
        self._answers: Dict[tuple, tuple] = {}

    def files(self) -> List[str]:
        return self.scan.files()

    def every_call_passes(
        self, path: str, name: str, param: str, position: Optional[int], method: bool
    ) -> Tuple[Optional[int], Tuple[str, ...]]:
        """(the number of calls, if there is at least one and each passes `param`, else None;
        what the answer depends on: scan_calls). `position`: the parameter's index among the positional
        ones as the function is declared (a method's counts `self`), None if keyword-only."""
        if name.startswith("__"):
            return None, ()  # `__init__`: called as its class, not by name
        key = (path, name, param, position, method)
        answer = self._answers.get(key)
        if answer is None:
            answer = self._answers[key] = self._scan(path, name, param, position, method)
        return answer

    def every_call_argument(
        self, path: str, name: str, param: str, position: Optional[int], method: bool
    ) -> Tuple[Optional[Tuple[str, ...]], Tuple[str, ...]]:
        """(the dotted names every call of the function passes as `param`, when there is at
        least one call and each passes a dotted name, `settings.MAIL_FROM`, else None; what the
        answer depends on: scan_calls)."""
        if name.startswith("__"):
            return None, ()
        key = ("argument", path, name, param, position, method)
        answer = self._answers.get(key)
        if answer is None:
            given: List[str] = []

            def judge(call: ast.Call, by_attribute: bool, module: ScannedModule, file: str) -> bool:
                arg = passed_argument(call, param, position, 1 if by_attribute and method else 0)
                dotted = _dotted(arg) if arg is not None else None
                if dotted is None:
                    return False
                given.append(dotted)
                return True

            count, naming = scan_calls(self.scan, path, name, method, judge, skip=self.is_test)
            answer = self._answers[key] = (tuple(given) if count else None, naming)
        return answer

    def _scan(self, path, name, param, position, method) -> Tuple[Optional[int], Tuple[str, ...]]:
        def judge(call: ast.Call, by_attribute: bool, module: ScannedModule, file: str) -> bool:
            return _passes(call, param, position, 1 if by_attribute and method else 0)

        return scan_calls(self.scan, path, name, method, judge, skip=self.is_test)


def scan_calls(
    scan: ProjectScan, path: str, name: str, method: bool, judge, skip=None
) -> Tuple[Optional[int], Tuple[str, ...]]:
    """(the number of calls of the function `name` defined in `path` across the project, when
    there is at least one and `judge(call, by_attribute)` accepts each, else None; what the
    answer depends on: the files that spell `name` that count, and the dependency on which files
    spell it, spelled_key). `judge(call, by_attribute, module, file)`; `skip(file)`: files whose
    calls do not count. Shared by semantic/catching_callers.py."""
    from gdpr_lint.spelling_index import spelled_key

    word = name.encode()
    naming: List[str] = [spelled_key((word,))]  # (carried with a memoised answer)
    calls = 0
    listed = []
    for file, data in scan.spelling((word,), _MAX_BYTES):
        if skip is not None and file != path and skip(file):
            continue
        naming.append(file)
        if len(naming) > _MAX_FILES + 1:
            return None, tuple(naming)
        listed.append((file, data))
    fits = _Namesakes(scan, listed, path, name).fits if method else None
    for file, data in listed:
        module = scan.module(file, data)
        if module is None:
            return None, tuple(naming)  # a file that names it and cannot be read: unknown
        counted = _calls_in(module, name, method, os.path.abspath(file) == path, judge, file, fits)
        if counted is None:
            return None, tuple(naming)
        calls += counted
    return (calls or None), tuple(naming)


def _calls_in(
    module: ScannedModule, name: str, method: bool, own: bool, judge, file: str = "", fits=None
) -> Optional[int]:
    """The calls of the function in one module that `judge` accepts, or None when it
    refuses one, or the name is used other than by calling it (a callback, a reference). In
    another module, `name(...)` is the function's only where the module imports the name
    (else it is a namesake), and `x.name(...)` where it imports anything; a call that only
    another class's method of the name can take (`fits`, _Namesakes) is a namesake's too."""
    from_imported, any_import = module.imports(name)
    by_name = (own or from_imported) and not method
    by_attribute = own or method or any_import
    found, names, attrs = module.uses(name)
    calls = 0
    for call, attribute in found:
        if not (by_attribute if attribute else by_name) or (fits is not None and not fits(call, attribute)):
            continue  # a namesake's call: neither counted nor a use
        if attribute and _extends(call, name, module):
            continue  # `super().remove_user(name)` in an override: its callers are the method's own
        if not judge(call, attribute, module, file):
            return None
        calls += 1
    if by_name and names:
        return None  # passed around or stored: who calls it is not known
    if by_attribute and any(not isinstance(node.ctx, ast.Store) for node in attrs):
        return None
    return calls


def _extends(call: ast.Call, name: str, module: ScannedModule) -> bool:
    """Whether the call is an override's call of the method it overrides: `super().name(...)` or
    `Base.name(self, ...)` in a method also called `name`. What it raises or is given passes
    through the override to the override's callers, which are counted as the method's own calls."""
    func = call.func
    if not isinstance(func, ast.Attribute):
        return False
    parents = module.parents()
    node = parents.get(id(call))
    while node is not None and not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        node = parents.get(id(node))
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or node.name != name:
        return False
    if not isinstance(parents.get(id(node)), ast.ClassDef):
        return False
    receiver = func.value
    if isinstance(receiver, ast.Call) and isinstance(receiver.func, ast.Name) and receiver.func.id == "super":
        return True
    params = node.args.posonlyargs + node.args.args
    own = params[0].arg if params else None
    first = call.args[0] if call.args else None
    return (
        own is not None
        and isinstance(receiver, (ast.Name, ast.Attribute))
        and isinstance(first, ast.Name)
        and first.id == own
    )


class _Namesakes:
    """`fits(call, by_attribute)`: False for a call that the method's parameters cannot take
    and that another class's method of the same name can (`event.shred(person=user)` is
    `Event.shred(self, person=None)`'s, not `User.shred(self)`'s); True otherwise, and when the
    method is not known (no definition in its module, or more than one). The other files are
    parsed for their methods only when a call does not fit the method's own parameters."""

    def __init__(self, scan: ProjectScan, listed, path: str, name: str):
        self.scan, self.listed, self.path, self.name = scan, listed, path, name
        self._ours: Optional[Callable[[ast.Call], bool]] = None
        self._others: Optional[List[Callable[[ast.Call], bool]]] = None

    def fits(self, call: ast.Call, _by_attribute: bool) -> bool:
        ours = self._ours
        if ours is None:
            own = [node for module in self._modules(True) for node in _defs(module.tree, self.name)]
            ours = self._ours = _fits(own[0]) if len(own) == 1 else (lambda _call: True)
        if ours(call):
            return True
        others = self._others
        if others is None:
            others = self._others = [_fits(n) for module in self._modules(False) for n in _defs(module.tree, self.name)]
        return not any(other(call) for other in others)

    def _modules(self, own: bool):
        for file, data in self.listed:
            if (os.path.abspath(file) == self.path) == own:
                module = self.scan.module(file, data)
                if module is not None:
                    yield module


def _defs(tree: ast.Module, name: str) -> List[ast.AST]:
    """The methods named `name` of the module's classes."""
    return [
        node
        for cls in tree.body
        if isinstance(cls, ast.ClassDef)
        for node in cls.body
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name
    ]


def _fits(function):
    """Whether a call's arguments can bind to a method's parameters (positional ones counted
    with `self`: a method may be called through its class with the object first)."""
    args = function.args
    positional = len(args.posonlyargs) + len(args.args)
    keywords = frozenset(a.arg for a in args.args + args.kwonlyargs)
    required = frozenset(a.arg for a, default in zip(args.kwonlyargs, args.kw_defaults) if default is None)

    def fits(call: ast.Call) -> bool:
        if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
            return True  # `*args`, `**options`: what they hold is not known here
        if args.vararg is None and len(call.args) > positional:
            return False
        given = frozenset(k.arg for k in call.keywords if k.arg is not None)
        return (args.kwarg is not None or given <= keywords) and required <= given

    return fits


def _passes(call: ast.Call, param: str, position: Optional[int], shift: int) -> bool:
    if any(isinstance(arg, ast.Starred) for arg in call.args):
        return False
    for keyword in call.keywords:
        if keyword.arg is None:
            return False  # `**options`: what it holds is not known here
        if keyword.arg == param:
            return True
    return position is not None and len(call.args) > position - shift


def passed_argument(call: ast.Call, param: str, position: Optional[int], shift: int) -> Optional[ast.expr]:
    """The expression a call passes as `param`, or None (left out, or behind `*args`/`**kw`)."""
    if any(isinstance(arg, ast.Starred) for arg in call.args):
        return None
    for keyword in call.keywords:
        if keyword.arg is None:
            return None
        if keyword.arg == param:
            return keyword.value
    if position is not None and 0 <= position - shift < len(call.args):
        return call.args[position - shift]
    return None


def _dotted(node: ast.expr) -> Optional[str]:
    """`settings.MAIL_FROM` for a name or a chain of attributes, else None."""
    parts: List[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))
