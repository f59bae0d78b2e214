"""An `except` handler of a caller that shows the caught exception's text to the person who made
the request, and nothing else: an answer, not an exposure.

`except OIDCError as e: messages.error(request, str(e)); return redirect("login")` puts the text
in a message on the sign-in page of whoever is signing in (their own username); `except
LinkError as exc: form.add_error("email", exc)` shows it as a form error to whoever typed the
address. semantic/catching_callers.py asks this for a handler that uses the caught object: every
use must be an argument of one of `handler-answers` ([exposure.exceptions] in
rules/exposure.toml: Django's messages, a form's `add_error`, Flask's `flash`), directly or through
`str(...)`, an f-string, `%`, `.format`, `e.args[0]` or `e.message`; or of an exception the handler
raises whose class the project answers with (`except ValueError as e: raise FormError("username",
str(e))`, FormError caught where it is defined by a handler that neither logs nor re-raises it and
puts its message on the form: the `reraised` question, checks/answers.py); or it is collected in a
list (`errors.append(exc)`) that its function only tests and hands to a function of the module that
shows each item with an answer call (`for error in errors: form.add_error(None, error)`). Anything
else done with it (logged, stored, passed to another function, re-raised) and the handler is not
an answer.
"""

from __future__ import annotations

import ast
from fnmatch import fnmatchcase
from typing import Callable, Dict, FrozenSet, Optional, Union

from gdpr_lint.semantic.ast_names import dotted_tail, last_name

#: calls that may stand between the caught object and the answer call: they make text of it
_TEXT_CALLS = frozenset(("str", "format", "_", "gettext", "gettext_lazy", "ugettext"))


#: whether `raise <call>` is an exception the project answers with (semantic/catching_callers.py)
Reraised = Optional[Callable[[ast.Call], bool]]


def answers_only(
    handler: ast.ExceptHandler, parents: Dict[int, ast.AST], answers: FrozenSet[str], reraised: Reraised = None
) -> bool:
    """Whether the handler binds the caught object and each use of it is shown by an answer
    call, or raised again in an exception the project answers with (and there is at least one)."""
    if not handler.name or not (answers or reraised):
        return False
    uses = [
        node
        for stmt in handler.body
        for node in ast.walk(stmt)
        if isinstance(node, ast.Name) and node.id == handler.name and isinstance(node.ctx, ast.Load)
    ]
    return bool(uses) and all(_shown(use, handler, parents, answers, reraised) for use in uses)


def _shown(
    use: ast.Name,
    handler: ast.ExceptHandler,
    parents: Dict[int, ast.AST],
    answers: FrozenSet[str],
    reraised: Reraised = None,
) -> bool:
    child: ast.AST = use
    node = parents.get(id(use))
    while node is not None and node is not handler:
        if isinstance(node, ast.Call) and child is not node.func and _appended(node, parents):
            return _collected(node.func.value.id, handler, parents, answers)  # type: ignore[attr-defined]
        if isinstance(node, ast.Call):
            if child is node.func:
                if not (isinstance(node.func, ast.Attribute) and node.func.attr == "format"):
                    return False  # `e.something(...)`: a method of the exception
            else:
                if _answer(node, answers):
                    return True
                raising = parents.get(id(node))
                if reraised is not None and isinstance(raising, ast.Raise) and raising.exc is node:
                    return reraised(node)  # `raise FormError("username", str(e))`
                if last_name(node.func) not in _TEXT_CALLS:
                    return False  # passed to a function that may log or keep it
        elif isinstance(node, ast.stmt):
            return False  # assigned, returned, appended... before reaching an answer call
        elif not isinstance(
            node, (ast.JoinedStr, ast.FormattedValue, ast.BinOp, ast.Attribute, ast.Subscript, ast.keyword)
        ):
            return False
        child, node = node, parents.get(id(node))
    return False


def _appended(call: ast.Call, parents: Dict[int, ast.AST]) -> bool:
    """`errors.append(exc)` as a statement, onto a local list."""
    func = call.func
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "append"
        and isinstance(func.value, ast.Name)
        and isinstance(parents.get(id(call)), ast.Expr)
    )


def _collected(name: str, handler: ast.ExceptHandler, parents: Dict[int, ast.AST], answers: FrozenSet[str]) -> bool:
    """Whether the list `name` that a handler appends the caught object to is only answered
    with: in its function it is made, appended to, tested, and handed to a function of the
    module (`cls._form_errors(form, errors=errors)`) that adds each item with an answer call
    (`for error in errors: form.add_error(None, error)`)."""
    function = _enclosing(handler, parents)
    if function is None:
        return False
    module = _enclosing(function, parents, ast.Module)
    handed = False
    for node in ast.walk(function):
        if not (isinstance(node, ast.Name) and node.id == name) or isinstance(node.ctx, ast.Store):
            continue
        parent = parents.get(id(node))
        if isinstance(parent, ast.Attribute) and parent.attr == "append":
            continue
        if isinstance(parent, (ast.If, ast.While)) and parent.test is node:
            continue
        if isinstance(parent, ast.UnaryOp) and isinstance(parent.op, ast.Not):
            continue  # `if not errors:`, `return not errors`: a bool
        param: Union[int, str, None]
        if isinstance(parent, ast.keyword):
            param, parent = parent.arg, parents.get(id(parent))
        elif isinstance(parent, ast.Call) and node in parent.args:
            param = parent.args.index(node)
        else:
            return False
        if not isinstance(parent, ast.Call) or module is None or param is None:
            return False
        if not _adds_each(module, parent, param, answers):
            return False
        handed = True
    return handed


def _adds_each(module: ast.AST, call: ast.Call, param, answers: FrozenSet[str]) -> bool:
    """Whether the module's function the call names (`helper(...)`, `self.helper(...)`,
    `cls.helper(...)`) only loops over the parameter given there and shows each item with an
    answer call."""
    func = call.func
    name = last_name(func)
    targets = [n for n in ast.walk(module) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == name]
    if len(targets) != 1:
        return False
    params = [a.arg for a in targets[0].args.posonlyargs + targets[0].args.args]
    if isinstance(param, int):
        if isinstance(func, ast.Attribute) and params and params[0] in ("self", "cls"):
            param += 1  # a method called on its object or class
        if param >= len(params):
            return False
        param = params[param]
    uses = [n for n in ast.walk(targets[0]) if isinstance(n, ast.Name) and n.id == param]
    loops = [n for n in ast.walk(targets[0]) if isinstance(n, ast.For) and isinstance(n.target, ast.Name)]
    for use in uses:
        loop = next((f for f in loops if f.iter is use), None)
        if loop is None:
            return False
        item = loop.target.id  # type: ignore[attr-defined]
        for inner in ast.walk(loop):
            if isinstance(inner, ast.Name) and inner.id == item and inner is not loop.target:
                if not any(isinstance(c, ast.Call) and inner in c.args and _answer(c, answers) for c in ast.walk(loop)):
                    return False
    return bool(uses)


def _answer(call: ast.Call, answers: FrozenSet[str]) -> bool:
    name = dotted_tail(call.func)
    return any(name == pattern or fnmatchcase(name, pattern) for pattern in answers)


def _enclosing(node: ast.AST, parents: Dict[int, ast.AST], kinds=(ast.FunctionDef, ast.AsyncFunctionDef)):
    found = parents.get(id(node))
    while found is not None and not isinstance(found, kinds):
        found = parents.get(id(found))
    return found
