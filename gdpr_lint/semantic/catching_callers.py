"""The calls of one function across a project, for one question: does every one of them
catch an exception the function raises and drop its text?

`raise UnknownUser(username)` puts the username in the exception's text. The text is
exposed where something logs, prints or shows it; when every call of the raising function
in the project sits in a `try` whose handler catches the class and never touches the caught
object (`except UnknownUser: abort(404)`, `except UnknownUser: click.echo(f"no user {name}")`:
the handler's own text is its own finding), nothing ever reads the text. So does a handler that
raises a framework's HTTP answer in its place, reading the caught object at most as the cause
(`except TokenExpired as exc: raise HTTPException(401, detail="Token expired") from exc`): the
framework answers with the new text and logs neither it nor its cause. A call in a function
that lets the exception pass (no `try` of its own catches it) counts as that function's calls
do, up to three callers up (`sso()` raises, `github_sso()` calls it, the login view catches it).
A call that cannot reach the raise counts as one that drops it: the caller looked the name up
on the same object and goes on only when it was found, or passes a constant that rules out the
raise's test (semantic/raise_guards.py: `if user is not None: manager.activate(name)`,
`add_user(name, replace=True)`). The project's tests do not count. When a call does
not catch it, or re-raises, or binds the exception and uses it, or the function is passed
around as a value, or nothing in the project calls it (a library's API), the text may reach
a log and the finding stands.

As semantic/callers.py does for parameter defaults (with its scan, semantic/project_scan.py):
asked only for a raise that would otherwise be reported, a plain scan with CPython's `ast` of
the project's files that spell the function's name; those files become dependencies of the
asking file's cached result.
"""

from __future__ import annotations

import ast
import os
import weakref
from typing import Callable, Dict, FrozenSet, Optional, Tuple

from gdpr_lint.semantic.ast_names import dotted_tail, last_name
from gdpr_lint.semantic.project_scan import ProjectScan, ScannedModule
from gdpr_lint.semantic.raise_guards import Need, cannot_reach, raise_needs

_BROAD = frozenset(("Exception", "BaseException"))
_MAX_DEPTH = 3  # callers up from the raising function
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


class CatchingCallers:
    """Answers per (function, exception class) for one project (one per run and process)."""

    def __init__(
        self,
        scan: ProjectScan,
        answers: FrozenSet[str] = frozenset(),
        is_test=None,
        answered_class: Optional[Callable[[str, str], Optional[str]]] = None,
        responses: FrozenSet[str] = frozenset(),
        commands: tuple = (),
    ):
        self._scan_of = scan
        self._commands = commands  # what makes a command ([exposure.commands]): _operator_typed
        self._answer_calls = answers
        self._responses = responses  # the last names of the framework's HTTP answer classes
        self._answered_class = answered_class  # (class as spelled, file) -> the file of its answering handler
        self._is_test = is_test
        self._answers: Dict[tuple, Tuple[Optional[int], Tuple[str, ...], bool, int]] = {}
        self._active: set = set()

    def every_call_catches(
        self, path: str, name: str, exception: str, method: bool, needs: Tuple[Need, ...] = ()
    ) -> Tuple[Optional[int], Tuple[str, ...], bool, int]:
        """(the number of calls, if there is at least one and each is caught quietly or cannot
        reach the raise, else None; what the answer depends on, callers.scan_calls; whether a
        handler shows the text to the person who made the request, semantic/answering_handlers.py;
        how many calls cannot reach it, by `needs`: what the raise needs of the function's parameters)."""
        if name.startswith("__"):
            return None, (), False, 0  # `__init__`, `__call__`: called as their class or object
        key = (path, name, exception, method, needs)
        answer = self._answers.get(key)
        if answer is None:
            if key in self._active or len(self._active) > _MAX_DEPTH:
                return None, (), False, 0  # a cycle, or too far up: not known
            self._active.add(key)
            try:
                answer = self._answers[key] = self._scan(path, name, exception, method, needs)
            finally:
                self._active.discard(key)
        return answer

    def _scan(self, path, name, exception, method, needs) -> Tuple[Optional[int], Tuple[str, ...], bool, int]:
        """Which calls count is semantic/callers.py's rule: `name(...)` in its own module or
        where the module imports the name, `x.name(...)` where the module imports anything
        (the project's tests aside); each must sit in the body of a `try` that catches
        `exception` quietly, or in a function that lets it pass (no `try` of its own catches
        it) and whose own calls all do, up to a few callers up (`sso()` raises, `github_sso()`
        calls it, the login view catches it and shows the message)."""
        from gdpr_lint.semantic.callers import scan_calls

        answered = []
        naming_up: list = []
        unreached = []

        def judge(call: ast.Call, by_attribute: bool, module: ScannedModule, file: str) -> bool:
            parents = module.parents()
            if needs and cannot_reach(call, needs, parents, 0):
                unreached.append(call)
                return True
            how = _caught_quietly(
                call, exception, parents, self._answer_calls, self._reraised(file, naming_up), self._responses
            )
            if how is None:
                outer = _passed_up(call, exception, parents)
                if outer is not None and _operator_typed(call, outer, module, self._commands):
                    how = "answered"  # `remove_user(username)` in `@click.argument("username")`: on their own terminal
                elif outer is not None:
                    count, naming, shown, _ = self.every_call_catches(
                        os.path.abspath(file), outer.name, exception, isinstance(parents.get(id(outer)), ast.ClassDef)
                    )
                    naming_up.extend(naming)
                    if count is not None:
                        how = "answered" if shown else "dropped"
            if how == "answered":
                answered.append(call)
            return how is not None

        count, naming = scan_calls(self._scan_of, path, name, method, judge, skip=self._is_test)
        return count, tuple(dict.fromkeys(naming + tuple(naming_up))), bool(answered), len(unreached)

    def _reraised(self, file: str, naming: list):
        """Whether `raise X(...)` in a handler of `file` raises a class the project answers with
        (checks/answers.py: caught where it is defined by a handler that neither logs nor
        re-raises it); the module of that handler becomes a dependency."""
        answered_class = self._answered_class
        if answered_class is None:
            return None
        where = os.path.abspath(file)

        def reraised(exc: ast.Call) -> bool:
            spelled = dotted_tail(exc.func)
            found = answered_class(spelled, where) if spelled else None
            if found is not None:
                naming.append(found)
            return found is not None

        return reraised


def _caught_quietly(
    call: ast.Call,
    exception: str,
    parents: Dict[int, ast.AST],
    answers=frozenset(),
    reraised=None,
    responses=frozenset(),
) -> Optional[str]:
    """ "dropped" when the innermost `try` around the call (in the same function) that catches
    `exception` has a handler that neither raises nor reads the caught object (or raises only a
    framework's HTTP answer of its own text, `responses`), "answered" when
    it only shows its text to who made the request (also by raising an exception the project
    answers with, `reraised`); else None."""
    from gdpr_lint.semantic.answering_handlers import answers_only

    child: ast.AST = call
    node = parents.get(id(call))
    while node is not None and not isinstance(node, _SCOPES):
        if isinstance(node, ast.Try) and any(child is stmt for stmt in node.body):
            for handler in node.handlers:
                if _catches(handler, exception):
                    if _quiet(handler, responses=responses):
                        return "dropped"
                    answered = _quiet(handler, use_ok=True, raise_ok=reraised) and answers_only(
                        handler, parents, answers, reraised
                    )
                    return "answered" if answered else None
        child, node = node, parents.get(id(node))
    return None


def _operator_typed(call: ast.Call, function: ast.AST, module: ScannedModule, commands) -> bool:
    """Whether the call sits in a command-line command that lets the exception pass, and gives the
    called function only what the command's operator typed (at least one value) or constants: the
    parameters of a function with a decorator from one of the command modules (`@click.argument(
    "username")`), or the items of the options of a management command's entry method
    (`options["username"]` in `handle`), none of them rebound in the command. An uncaught exception
    ends the command with its text on the terminal of the operator, who just typed what it holds.
    `commands`: (decorator modules, command base classes, entry methods, options parameters), from
    [exposure.commands]."""
    from gdpr_lint.analysis.command_callers import _is_command, _params, command_imports

    if not commands:
        return False
    modules, bases, entries, options = commands
    parents = module.parents()
    typed_options: FrozenSet[str] = frozenset()
    if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    if _is_command(function, command_imports(module.tree, modules), modules):
        typed_names = _params(function)
    elif function.name in entries and _in_command_class(function, parents, bases):
        typed_names = frozenset(a.arg for a in function.args.args[1:] + function.args.kwonlyargs)
        typed_options = typed_names & options
        if function.args.kwarg is not None and function.args.kwarg.arg in options:
            typed_options = typed_options | {function.args.kwarg.arg}
        typed_names = typed_names - options
    else:
        return False
    rebound = _rebound(function)
    values = list(call.args) + [keyword.value for keyword in call.keywords]
    typed = False
    for value in values:
        root = _option_root(value)
        if isinstance(value, ast.Name) and value.id in typed_names and value.id not in rebound:
            typed = True
        elif root is not None and root in typed_options and root not in rebound:
            typed = True
        elif not isinstance(value, ast.Constant):
            return False  # `*args`, a value the command computed or looked up: not what the operator typed
    return typed


def _in_command_class(function: ast.AST, parents: Dict[int, ast.AST], bases: FrozenSet[str]) -> bool:
    """Whether the method is one of a class derived from a command base (`BaseCommand`)."""
    cls = parents.get(id(function))
    return isinstance(cls, ast.ClassDef) and any(last_name(base) in bases for base in cls.bases)


def _option_root(value: ast.AST) -> Optional[str]:
    """`options` of `options["email"]` or `options.get("email")` (a literal key); else None."""
    if isinstance(value, ast.Subscript) and isinstance(value.value, ast.Name):
        key = value.slice
        return value.value.id if isinstance(key, ast.Constant) and isinstance(key.value, str) else None
    if (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Attribute)
        and value.func.attr == "get"
        and isinstance(value.func.value, ast.Name)
        and value.args
        and isinstance(value.args[0], ast.Constant)
    ):
        return value.func.value.id
    return None


def _rebound(function: ast.AST) -> FrozenSet[str]:
    """The names the function's body assigns (its parameters then hold something else)."""
    out = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            out.add(node.id)
    return frozenset(out)


def _passed_up(call: ast.Call, exception: str, parents: Dict[int, ast.AST]):
    """The function the call sits in when no `try` of that function around it catches
    `exception` (the exception leaves the function to its callers); None otherwise."""
    child: ast.AST = call
    node = parents.get(id(call))
    while node is not None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return None if node.name.startswith("__") else node
        if isinstance(node, (ast.Lambda, ast.ClassDef, ast.Module)):
            return None
        if isinstance(node, ast.Try) and any(child is stmt for stmt in node.body):
            if any(_catches(handler, exception) for handler in node.handlers):
                return None  # its handler decides, and was not quiet
        child, node = node, parents.get(id(node))
    return None


def _catches(handler: ast.ExceptHandler, exception: str) -> bool:
    caught = handler.type
    if caught is None:
        return True  # a bare `except:`
    names = caught.elts if isinstance(caught, ast.Tuple) else [caught]
    for item in names:
        last = last_name(item)
        if last == exception or last in _BROAD:
            return True
    return False


def _quiet(handler: ast.ExceptHandler, use_ok: bool = False, raise_ok=None, responses=frozenset()) -> bool:
    answered = _answering_raises(handler, responses)
    for stmt in handler.body:
        for node in ast.walk(stmt):
            if id(node) in answered:
                continue
            if isinstance(node, ast.Raise):
                if raise_ok is not None and isinstance(node.exc, ast.Call) and raise_ok(node.exc):
                    continue  # chained into an exception the project answers with (answering_handlers.py)
                return False  # re-raised, or chained into another exception
            if not use_ok and handler.name and isinstance(node, ast.Name) and node.id == handler.name:
                return False  # the caught object is used: its text may be logged or shown
            if isinstance(node, ast.Call) and _logs_current(node):
                return False  # `logger.exception(...)`, `exc_info=True`: the caught exception's text is logged
    return True


def _answering_raises(handler: ast.ExceptHandler, responses: FrozenSet[str]) -> set:
    """The nodes of each `raise HTTPException(401, detail="Token expired") from exc` in the handler:
    a framework's HTTP answer ([exposure.exceptions] responses, status-responses) whose own arguments
    do not read the caught object. The framework answers with that text and logs neither it nor its
    cause, so the caught text goes nowhere (what the new text carries is its own finding)."""
    if not responses:
        return set()
    inside: set = set()
    for stmt in handler.body:
        for node in ast.walk(stmt):
            if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
                continue
            if last_name(node.exc.func) not in responses:
                continue
            if handler.name and any(
                isinstance(name, ast.Name) and name.id == handler.name for name in ast.walk(node.exc)
            ):
                continue  # `detail=str(exc)`: the caught text is the answer (answering_handlers.py)
            inside.update(id(part) for part in ast.walk(node))
    return inside


def _logs_current(call: ast.Call) -> bool:
    func = call.func
    last = last_name(func)
    if last in _CURRENT:
        return True
    return any(keyword.arg in ("exc_info", "stack_info") for keyword in call.keywords)


def dropped_by_callers(
    ctx,
    target: str,
    answers: FrozenSet[str] = frozenset(),
    raise_node=None,
    exposes=None,
    responses: FrozenSet[str] = frozenset(),
    commands: tuple = (),
) -> Optional[Tuple[str, bool]]:
    """(why the text of `raise target(...)` in the current function is never read, or only
    shown to who made the request: every call of the function in the project catches the
    class and drops it or answers with it; whether one answers with it), or None."""
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
        index = project.index
        answered_class = None
        if exposes is not None:

            def answered_class(spelled: str, where: str) -> Optional[str]:
                found = index.quiet_handler("@" + spelled, where, exposes)  # a name of the module, as imported
                return found[0] if found is not None else None

        finder = _FINDERS[index] = CatchingCallers(
            index.scan, answers, index.is_test, answered_class, responses=responses, commands=commands
        )
    name = function.name.value
    needs = _needs(project, ctx.line_of(raise_node)) if raise_node is not None else ()
    count, naming, answered, unreached = finder.every_call_catches(
        project.path, name, exception, scope.class_scope is not None, needs
    )
    project.deps.update(naming)  # (the files that spell the names scanned too: callers.scan_calls)
    if count is None:
        return None
    calls = "the one call" if count == 1 else f"all {count} calls"
    if unreached == count:
        return (
            f"{calls} of {name}() in the project cannot reach this raise (a look-up or an argument rules it out)",
            False,
        )
    also = f" ({unreached} of them cannot reach this raise: a look-up or an argument rules it out)" if unreached else ""
    if answered:
        return (
            f"{calls} of {name}() in the project (or their callers) catch {exception} and drop its text or show it only to "
            f"the person who made the request (a message, a form error, or the terminal of the operator who typed it){also}",
            True,
        )
    return f"{calls} of {name}() in the project (or their callers) catch {exception} and drop its text{also}", False


def _needs(project, line: Optional[int]) -> Tuple[Need, ...]:
    """What the raise on `line` of the file being checked needs of its function's parameters."""
    from gdpr_lint.semantic.source_bytes import read_source

    if line is None:
        return ()
    data = read_source(project.path, 2_000_000)
    module = project.index.scan.module(project.path, data) if data is not None else None
    return raise_needs(module.tree, module.parents(), line) if module is not None else ()


def _handler_names(expr) -> Tuple[str, ...]:
    """The last names of what a libcst `except` clause catches."""
    from gdpr_lint.syntax.nodes import dotted_name

    items = [e.value for e in expr.elements] if hasattr(expr, "elements") else [expr]
    return tuple((dotted_name(item) or "").rsplit(".", 1)[-1] for item in items)


_CURRENT = frozenset(("exception", "print_exc", "format_exc", "exc_info", "print_exception", "format_exception"))
_FINDERS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
