"""Where personal data enters the program, for the inventory: the fields of models, forms,
serializers and schemas ([pii.entry-points] in rules/pii.toml names them by their bases or
decorators). Request fields are observed where the taint analysis reads them by key."""

from __future__ import annotations

from typing import Iterator

import libcst as cst

from gdpr_lint.analysis.names import is_constant_name, split_words
from gdpr_lint.syntax.nodes import dotted_name


def observe_fields(walker, node: cst.ClassDef, scope) -> None:
    """Each field of the class that names personal data, as a `data` observation."""
    kinds = walker.vocab.entry_points
    if not kinds:
        return
    module_scope = scope
    while module_scope.parent is not None:
        module_scope = module_scope.parent
    # classes of this module recognised so far: `class ShippingAddress(AbstractAddress)`
    known = module_scope.data.setdefault("entry-point classes", {})
    source = None
    for base in node.bases:
        name = dotted_name(base.value) or ""
        source = kinds.get(name) or kinds.get(name.rsplit(".", 1)[-1]) or known.get(name)
        if source:
            break
    for decorator in node.decorators if source is None else ():
        expr = decorator.decorator
        name = dotted_name(expr.func if type(expr) is cst.Call else expr) or ""
        source = kinds.get("@" + name.rsplit(".", 1)[-1])
        if source:
            break
    if source is None:
        return
    known[node.name.value] = source
    if not scope.data.get("fields"):
        return
    # a class named for a person (`Person`, `Customer`) makes `name` and `address` theirs, as
    # `person.name` is where the taint analysis reads it
    words = split_words(scope.name)
    context = scope.name if words and words[-1] in walker.vocab.person_nouns else ""
    saved, walker.scope = walker.scope, scope
    try:
        for target in _declared_fields(node):
            name = target.value
            if name in walker.masked_fields.get(scope.name, ()) or is_constant_name(name):
                continue  # `PASSWORD = "password"`: a constant of the class, not a field
            category = walker.field_categories.get(name) or walker.vocab.classify(name, context=context)
            if category is not None:
                walker.observe("data", target, category=category, source=source, name=name)
    finally:
        walker.scope = saved


def _declared_fields(node: cst.ClassDef) -> Iterator[cst.Name]:
    """The fields a class body declares: annotated names (`email: EmailStr`) and names
    given a call (`email = models.EmailField()`); not `kind = "customer"`, a constant."""
    for stmt in node.body.body:
        for small in stmt.body if type(stmt) is cst.SimpleStatementLine else ():
            if type(small) is cst.AnnAssign and type(small.target) is cst.Name:
                yield small.target
            elif type(small) is cst.Assign and type(small.value) is cst.Call:
                for target in small.targets:
                    if type(target.target) is cst.Name:
                        yield target.target
