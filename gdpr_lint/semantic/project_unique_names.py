"""The kinds of record whose name the project's own model declares unique.

People's names are never unique: two customers may both be called Jane Smith. A model that
makes its records' `name` unique (`name = models.CharField(max_length=100, unique=True)`,
`Column(String, unique=True)`, an Eve/Cerberus resource schema's `"name": {"type": "string",
"iunique": True}`) names things, or organisations: Superdesk's `SubscribersResource` is the
news clients content is published to. [pii.confidence] party-nouns (a role an organisation
plays as well as a person) read from such a record are judged by this (analysis/taint_judge.py).

One scan of the project per run, reading only the files that spell `unique`, parsed with
CPython's `ast` (semantic/project_scan.py, shared with the project's other scans).
"""

from __future__ import annotations

import ast
import re
from typing import FrozenSet, Optional, Tuple

_MAX_BYTES = 2_000_000
# what a file must spell to declare a unique name: `name` as a field or key, then, within a few
# lines, `unique=True` / `"iunique": True` (only such files are parsed)
_DECLARES = re.compile(rb"""\bname['"]?\s*[:=][^\n]*(?:\n[^\n]*){0,4}?\bi?unique['"]?\s*[:=]\s*True""")
_NAME_FIELDS = ("name",)
_UNIQUE_KEYS = ("unique", "iunique")


def unique_named(index) -> FrozenSet[str]:
    """The names of the project's classes (test code left out) whose `name` is declared
    unique. Read once per run; the files read are dependencies of every answer that asks."""
    return index._tracked(("unique names",), lambda: _scan(index)) or frozenset()


def _scan(index) -> FrozenSet[str]:
    if index.local_only:
        return frozenset()
    out = set()
    from gdpr_lint.semantic.project_scan import project_modules

    for _, module in project_modules(index, [b"unique"], _MAX_BYTES, lambda data: _DECLARES.search(data) is not None):
        for node in ast.walk(module.tree):
            if isinstance(node, ast.ClassDef) and _declares_unique_name(node):
                out.add(node.name)
    return frozenset(out)


def _declares_unique_name(node: ast.ClassDef) -> bool:
    """`name = CharField(unique=True)` in the class body, or a schema dict there whose
    `"name"` entry says `"unique": True` / `"iunique": True`."""
    for stmt in node.body:
        target, value = _assigned(stmt)
        if value is None:
            continue
        if target in _NAME_FIELDS and isinstance(value, ast.Call):
            if any(k.arg in _UNIQUE_KEYS and _is_true(k.value) for k in value.keywords):
                return True
        elif isinstance(value, ast.Dict):
            field = _item(value, _NAME_FIELDS)
            if isinstance(field, ast.Dict) and any(_is_true(_item(field, (key,))) for key in _UNIQUE_KEYS):
                return True
    return False


def _assigned(stmt) -> Tuple[Optional[str], Optional[ast.expr]]:
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
        return stmt.targets[0].id, stmt.value
    if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
        return stmt.target.id, stmt.value
    return None, None


def _item(node: ast.Dict, keys) -> Optional[ast.expr]:
    for key, value in zip(node.keys, node.values):
        if isinstance(key, ast.Constant) and key.value in keys:
            return value
    return None


def _is_true(node) -> bool:
    return isinstance(node, ast.Constant) and node.value is True
