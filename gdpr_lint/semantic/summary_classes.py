"""Module summaries of classes (semantic/summary.py): a module-level class's bases, its
methods (summarised as the functions `Class.method`, a static one marked `static`) and the
attributes its body or its methods give one form (`logger = logging.getLogger(...)`,
`self.mailer = Mailer()`), so that the project index can follow `self.helper(x)`,
`Notifier().send(x)` and `self.mailer.send(x)` as it follows free functions.
"""

from __future__ import annotations

import ast
from typing import Dict, Optional

from gdpr_lint.semantic.summary import _function, _function_head, _Shaper, _targets


def summarize_class(node: ast.ClassDef, shaper: _Shaper, functions: Dict[str, dict], lazy: bool, nodes: dict) -> dict:
    """A module-level class: its bases (forms), its methods (summarised as functions named
    `Class.method`, a static one marked) and its attributes given one form (`logger =
    logging.getLogger(...)` in the body, `self.mailer = Mailer()` in a method)."""
    methods = []
    attrs: Dict[str, Optional[list]] = {}
    for stmt in node.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            key = f"{node.name}.{stmt.name}"
            summary = _function_head(stmt, shaper) if lazy else _function(stmt, shaper)
            if any(_decorator_name(d) == "staticmethod" for d in stmt.decorator_list):
                summary["static"] = 1
            functions[key] = summary
            methods.append(stmt.name)
            if lazy:
                nodes[key] = stmt
            args = stmt.args.posonlyargs + stmt.args.args
            own = args[0].arg if args and "static" not in summary else None
            local = _Shaper(shaper.imports, shaper.module_names)
            local.params = {a.arg for a in args + stmt.args.kwonlyargs}
            for inner in _statements(stmt.body) if own else ():
                if isinstance(inner, ast.Assign) and len(inner.targets) == 1:
                    target = inner.targets[0]
                    if (
                        isinstance(target, ast.Attribute)
                        and isinstance(target.value, ast.Name)
                        and target.value.id == own
                    ):
                        _class_attr(attrs, target.attr, _as_instance(local.form(inner.value), own, node.name))
        else:
            for name in _targets(stmt):
                value = getattr(stmt, "value", None)  # an assignment: `_targets` names none of other statements
                _class_attr(attrs, name, shaper.form(value) if value is not None else None)
    out: dict = {"line": node.lineno, "methods": methods}
    bases = [form for form in (shaper.form(base) for base in node.bases) if form is not None]
    if bases:
        out["bases"] = bases
    known = {name: form for name, form in attrs.items() if form is not None}
    if known:
        out["attrs"] = known
    return out


def _as_instance(form, own: str, cls: str):
    """The form with the method's `self` as ["inst", cls]; None when it holds another
    parameter (`self.region = region`: whatever each caller gives)."""
    if not isinstance(form, list):
        return form
    if form and form[0] == "param":
        return ["inst", cls] if form[1] == own else None
    parts = [_as_instance(part, own, cls) for part in form]
    return None if any(p is None and isinstance(o, list) for p, o in zip(parts, form)) else parts


def _statements(body):
    """The statements of a body, also those in its blocks (not in nested functions or classes)."""
    stack = list(body)
    while stack:
        stmt = stack.pop()
        yield stmt
        for field in ("body", "orelse", "finalbody"):
            inner = getattr(stmt, field, None)
            if isinstance(inner, list) and not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                stack.extend(inner)
        for handler in getattr(stmt, "handlers", ()):
            stack.extend(handler.body)


def _class_attr(attrs: Dict[str, Optional[list]], name: str, form: Optional[list]) -> None:
    """An attribute keeps its form while every assignment gives it the same one."""
    if name in attrs and attrs[name] != form:
        form = None
    attrs[name] = form


def _decorator_name(node) -> str:
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""
