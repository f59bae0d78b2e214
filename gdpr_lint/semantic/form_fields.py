"""The fields a form class declares, for a module summary (semantic/summary_classes.py) and the
project index (semantic/project_classes.py): `name = forms.CharField(...)` in the class's body
and `self.fields["members"] = ExperimenterChoiceField(...)` in its methods (Django's and WTForms'
forms alike), each with the identifiers its definition spells (`EmailField`, `PasswordInput`),
so that a form logged whole (`form.cleaned_data`) can be judged by what it asks for.

A field is a call of a class whose name ends with `Field`. A method that adds fields under a key
that is not a literal (`self.fields[name] = ...`, `self.fields.update(...)`) makes the class's
fields open: not known. Reads `ast` nodes only.
"""

from __future__ import annotations

import ast
from typing import Dict, List, Optional, Tuple

from gdpr_lint.semantic.spelled_lines import spelled_between

_MAX_FIELDS = 64


def _last(node) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _is_field(value) -> bool:
    return isinstance(value, ast.Call) and _last(value.func).endswith("Field")


def _spelled(value) -> List[str]:
    """The identifiers a field's definition spells: its class, its widget, their modules."""
    found = set()
    for node in ast.walk(value):
        if isinstance(node, ast.Name):
            found.add(node.id)
        elif isinstance(node, ast.Attribute):
            found.add(node.attr)
    return sorted(found)[:16]


def declared_fields(node: ast.ClassDef, fields_lines: Optional[List[int]] = None) -> Tuple[Dict[str, List[str]], bool]:
    """({field name: identifiers its definition spells}, whether fields are added under keys
    not known) of a class. `fields_lines`: the module's lines that spell `fields`
    (semantic/spelled_lines.py), when known: a method none of whose lines does is not walked."""
    fields: Dict[str, List[str]] = {}
    open_ = False
    for stmt in node.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            if _is_field(stmt.value):
                fields[stmt.targets[0].id] = _spelled(stmt.value)
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and _is_field(stmt.value):
            fields[stmt.target.id] = _spelled(stmt.value)
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = stmt.args.posonlyargs + stmt.args.args
            first = min([stmt.lineno] + [d.lineno for d in stmt.decorator_list])
            if args and spelled_between(fields_lines, first, stmt.end_lineno or stmt.lineno):
                open_ = _method_fields(stmt, args[0].arg, fields) or open_
    if len(fields) > _MAX_FIELDS:
        return {}, True
    return fields, open_


def _method_fields(method, own: str, fields: Dict[str, List[str]]) -> bool:
    """Adds the fields `own.fields["key"] = ...` assigns; True when one is added under a key that
    is not a literal, or `own.fields` is updated whole."""
    open_ = False
    for node in ast.walk(method):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Subscript) and _own_fields(target.value, own):
                    key = target.slice
                    if isinstance(key, ast.Constant) and isinstance(key.value, str):
                        fields[key.value] = _spelled(node.value)
                    else:
                        open_ = True
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("update", "setdefault", "__setitem__")
            and _own_fields(node.func.value, own)
        ):
            open_ = True
    return open_


def _own_fields(node, own: str) -> bool:
    """`self.fields`."""
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "fields"
        and isinstance(node.value, ast.Name)
        and node.value.id == own
    )
