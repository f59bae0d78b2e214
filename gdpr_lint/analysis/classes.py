"""Class hierarchies of SDK classes, as far as one module shows them.

Infrastructure code subclasses the SDK's classes (`class BillingStack(Stack)`) and calls the
subclass with the base's arguments (`BillingStack(app, "Billing", env=...)`). A class defined in
the module is followed through its bases (also bases defined in the module) to the SDK classes
they resolve to; a class imported from the project is known by its import only.
"""

from __future__ import annotations

import fnmatch
from typing import Iterator, List, Optional, Sequence

from gdpr_lint._lazy import cst


def class_scope(ctx, func):
    """The scope of the class defined in the module that `func` (a call's callee) names, or None."""
    if type(func) is not cst.Name:
        return None
    binding = ctx.scope.lookup(func.value)
    scope = getattr(getattr(binding, "value", None), "scope", None) if binding is not None else None
    if (
        scope is None
        or getattr(scope, "kind", None) != "class"
        or type(getattr(scope, "node", None)) is not cst.ClassDef
    ):
        return None
    return scope


def inherited_targets(ctx, func, _depth: int = 0) -> List[str]:
    """The resolved bases of the module's class that `func` names, followed through the
    module's own classes (`BillingStack(BaseStack)`, `BaseStack(cdk.Stack)` -> `aws_cdk.Stack`)."""
    scope = class_scope(ctx, func)
    if scope is None or _depth > 8:
        return []
    found: List[str] = []
    for base in scope.node.bases:
        if base.keyword is not None:
            continue
        local = inherited_targets(ctx, base.value, _depth + 1)
        if local:
            found.extend(t for t in local if t not in found)
            continue
        target = ctx.resolve(base.value)
        if target and not target.startswith("<") and target not in found:
            found.append(target)
    return found


def imported_project_class(ctx, func, names: Sequence[str], library_roots: Sequence[str]) -> Optional[str]:
    """The qualified name of a class imported from a project module (not from one of
    `library_roots`) whose name matches one of `names` (`*Stack`), in a module that imports one
    of `library_roots` itself (an app that builds the library's objects); else None."""
    if type(func) is not cst.Name:
        return None
    binding = ctx.scope.lookup(func.value)
    qualname = getattr(binding, "qualname", None) if binding is not None else None
    return qualname if is_project_class(ctx, qualname, names, library_roots) else None


def local_project_class(ctx, func, names: Sequence[str], library_roots: Sequence[str]) -> bool:
    """A class of the module named as one of `names` (`BillingStack`), or a name bound nowhere
    (a class the pre-filter left out), in a module that imports one of `library_roots`."""
    if type(func) is not cst.Name or not any(fnmatch.fnmatchcase(func.value, n) for n in names):
        return False
    if ctx.scope.lookup(func.value) is not None and class_scope(ctx, func) is None:
        return False
    return any(root_of(b) in library_roots for b in module_bindings(ctx))


def is_project_class(ctx, qualname: Optional[str], names: Sequence[str], library_roots: Sequence[str]) -> bool:
    """Whether `qualname` (`billing.stacks.BillingStack`) is a class imported from the project
    under one of `names`, in a module that imports one of `library_roots`."""
    if not qualname or "." not in qualname or qualname.startswith("<"):
        return False
    if not any(fnmatch.fnmatchcase(qualname.rsplit(".", 1)[-1], n) for n in names):
        return False
    if qualname.lstrip(".").split(".", 1)[0] in library_roots:
        return False
    return any(root_of(b) in library_roots for b in module_bindings(ctx))


def module_bindings(ctx) -> Iterator:
    scope = ctx.scope
    while getattr(scope, "parent", None) is not None:
        scope = scope.parent
    return iter(getattr(scope, "bindings", {}).values())


def root_of(binding) -> str:
    qualname = getattr(binding, "qualname", None) or ""
    return qualname.split(".", 1)[0]


def construct_calls(ctx, classdef) -> Iterator:
    """The calls in a class's body that create something in the instance's scope: their first
    argument is `self` (CDK and CDK-for-Terraform constructs: `acm.Certificate(self, "Cert", ...)`)."""
    stack = [classdef.body]
    while stack:
        node = stack.pop()
        if type(node) is cst.Call:
            first = node.args[0] if node.args else None
            if (
                first is not None
                and first.keyword is None
                and not first.star
                and type(first.value) is cst.Name
                and first.value.value == "self"
            ):
                yield node
        if type(node) in (cst.ClassDef,):
            continue
        stack.extend(reversed(node.children))
