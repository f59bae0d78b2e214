"""Names of calls and attribute chains in CPython's tree (`ast`), shared by the modules that
read a project's other files without libcst (semantic/answering_handlers.py,
semantic/catching_callers.py)."""

from __future__ import annotations

import ast
from typing import Iterator


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


_BODIES = ("body", "orelse", "finalbody", "handlers", "cases")


def statements(tree: ast.AST) -> Iterator[ast.AST]:
    """Every statement under `tree` (itself too, when it is one), those of nested blocks,
    functions and classes included, found by walking statement bodies only: a statement is
    never inside an expression, so the expressions (most of a tree's nodes) are not visited
    as `ast.walk` would. In source order, each block before the statements after it."""
    todo = [tree]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.stmt):
            yield node
        for field in _BODIES:  # (`handlers`, `cases`: except clauses and match cases, with bodies)
            children = getattr(node, field, None)
            if type(children) is list:
                todo.extend(reversed(children))


def function_defs(tree: ast.AST) -> Iterator[ast.AST]:
    """Every function definition (`def`, `async def`) in the tree, nested ones too."""
    return (node for node in statements(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)))
