"""An `except` handler of a caller that shows the caught exception's text to the person who made
the request, and nothing else: an answer, not an exposure.

`except OIDCError as e: messages.error(request, str(e)); return redirect("login")` puts the text
in a message on the sign-in page of whoever is signing in (their own username); `except
LinkError as exc: form.add_error("email", exc)` shows it as a form error to whoever typed the
address. semantic/catching_callers.py asks this for a handler that uses the caught object: every
use must be an argument of one of `handler-answers` ([exposure.exceptions] in
rules/exposure.toml: Django's messages, a form's `add_error`, Flask's `flash`), directly or through
`str(...)`, an f-string, `%`, `.format`, `e.args[0]` or `e.message`. Anything else done with it
(logged, stored, passed to another function, re-raised) and the handler is not an answer.
"""

from __future__ import annotations

import ast
from fnmatch import fnmatchcase
from typing import Dict, FrozenSet

#: calls that may stand between the caught object and the answer call: they make text of it
_TEXT_CALLS = frozenset(("str", "format", "_", "gettext", "gettext_lazy", "ugettext"))


def answers_only(handler: ast.ExceptHandler, parents: Dict[int, ast.AST], answers: FrozenSet[str]) -> bool:
    """Whether the handler binds the caught object and each use of it is shown by an answer
    call (and there is at least one)."""
    if not handler.name or not answers:
        return False
    uses = [
        node
        for stmt in handler.body
        for node in ast.walk(stmt)
        if isinstance(node, ast.Name) and node.id == handler.name and isinstance(node.ctx, ast.Load)
    ]
    return bool(uses) and all(_shown(use, handler, parents, answers) for use in uses)


def _shown(use: ast.Name, handler: ast.ExceptHandler, parents: Dict[int, ast.AST], answers: FrozenSet[str]) -> bool:
    child: ast.AST = use
    node = parents.get(id(use))
    while node is not None and node is not handler:
        if isinstance(node, ast.Call):
            if child is node.func:
                if not (isinstance(node.func, ast.Attribute) and node.func.attr == "format"):
                    return False  # `e.something(...)`: a method of the exception
            else:
                name = _dotted(node.func)
                if any(name == pattern or fnmatchcase(name, pattern) for pattern in answers):
                    return True
                if name.rsplit(".", 1)[-1] not in _TEXT_CALLS:
                    return False  # passed to a function that may log or keep it
        elif isinstance(node, ast.stmt):
            return False  # assigned, returned, appended... before reaching an answer call
        elif not isinstance(
            node, (ast.JoinedStr, ast.FormattedValue, ast.BinOp, ast.Attribute, ast.Subscript, ast.keyword)
        ):
            return False
        child, node = node, parents.get(id(node))
    return False


def _dotted(func: ast.expr) -> str:
    parts = []
    while isinstance(func, ast.Attribute):
        parts.append(func.attr)
        func = func.value
    if isinstance(func, ast.Name):
        parts.append(func.id)
    return ".".join(reversed(parts))
