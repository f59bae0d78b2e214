"""Names of calls and attribute chains in CPython's tree (`ast`), shared by the modules that
read a project's other files without libcst (semantic/answering_handlers.py,
semantic/catching_callers.py)."""

from __future__ import annotations

import ast


def last_name(node) -> str:
    """`f`, `obj.f`, `a.b.f` -> "f"; anything else (a call, a subscript) -> ""."""
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def dotted_tail(node) -> str:
    """The names of an attribute chain down to its root name: `a.b.f` -> "a.b.f"; a chain on
    anything else keeps the names it has (`client().post` -> "post"; a call -> "")."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))
