"""The walk's pre-passes: the names a module, a class or a method binds, bound before the
walk reaches them (a name is used before its definition in walk order), and the imports.
"""

from __future__ import annotations

from typing import Any, Dict, List, Tuple, cast

import libcst as cst

from gdpr_lint.analysis.account_models import relation_to_user
from gdpr_lint.analysis.flow import EMPTY
from gdpr_lint.analysis.shown_fields import text_fields
from gdpr_lint.engine.context import Context
from gdpr_lint.engine.entry_points import observe_fields
from gdpr_lint.semantic.resolve import _annotation_name
from gdpr_lint.semantic.scope import _FUNCTION, Binding, Scope, _ClassRef
from gdpr_lint.syntax.nodes import (
    _assignments,
    _flat_top_level,
    _last_name,
    dotted_name,
    names_read,
)


def _loop_targets(stmt):
    if type(stmt) is cst.For:
        return [stmt.target]
    return [item.asname.name for item in stmt.items if item.asname is not None]


class PrepassMixin(Context):
    """Pre-passes over a module, a class and its methods; imports bound."""

    def _prepass_module(self, body) -> None:
        statements = list(_flat_top_level(body))
        for stmt in statements:
            if type(stmt) is cst.SimpleStatementLine:
                for small in stmt.body:
                    if type(small) in (cst.Import, cst.ImportFrom):
                        self._import(small)
        counts: Dict[str, int] = {}
        for stmt in statements:
            if type(stmt) is cst.SimpleStatementLine:
                for small in stmt.body:
                    for target, value in _assignments(small):
                        if type(target) is cst.Name:
                            counts[target.value] = counts.get(target.value, 0) + 1
                            self.bind(self.scope, target.value, value, target, count=False)
            elif type(stmt) is cst.ClassDef:
                self.scope.bindings[stmt.name.value] = Binding(
                    stmt.name.value, _ClassRef(Scope("class", stmt.name.value, stmt, self.scope))
                )
            elif type(stmt) is cst.FunctionDef:
                self.scope.bindings[stmt.name.value] = Binding(stmt.name.value, _FUNCTION)
        for name, count in counts.items():
            self.scope.bindings[name].defs = count

    def _prepass_class(self, node: cst.ClassDef, scope: Scope) -> None:
        body = node.body.body if type(node.body) is cst.IndentedBlock else node.body.body
        saved = self.scope
        self.scope = scope
        try:
            for stmt in body:
                smalls = stmt.body if type(stmt) is cst.SimpleStatementLine else ()
                for small in smalls:
                    if type(small) is cst.AnnAssign and type(small.target) is cst.Name:
                        scope.data.setdefault("fields", []).append(small.target)
                        self._declare_attribute(scope, small)
                        annotation = _annotation_name(small.annotation)
                        if annotation is not None:
                            last = annotation.rsplit(".", 1)[-1]
                            category = self.vocab.classify_type(annotation)
                            if category is not None:
                                self.field_categories[small.target.value] = category
                            elif last in self.vocab.non_data_types:
                                # SecretStr prints as **********, a bool field is a flag: no data
                                self.masked_fields.setdefault(scope.name, set()).add(small.target.value)
                    for target, value in _assignments(small):
                        if type(target) is cst.Name:
                            if type(small) is not cst.AnnAssign:
                                scope.data.setdefault("fields", []).append(target)
                            self.bind(
                                scope, target.value, value, target, count=scope.bindings.get(target.value) is not None
                            )
                            if type(value) is cst.Call:
                                field = _last_name(value.func)
                                category = self.vocab.classify_type(field)
                                if category is not None:
                                    self.field_categories[target.value] = category
                                elif field in self.vocab.account_relations:  # `user = ForeignKey(User)`
                                    relation = relation_to_user(value, self.resolve, self.scope.lookup, self.vocab)
                                    if relation is not None:
                                        self.account_fields[target.value] = relation
                if type(stmt) is cst.FunctionDef:
                    self._prepass_method(stmt, scope)
        finally:
            self.scope = saved
        if self._prints_its_fields(node) and self._object_dump_taint_of(scope):
            self.printed_whole.add(scope.name)
        self._note_text_fields(node, scope)
        observe_fields(self, node, scope)  # for the inventory: where personal data enters

    def _prints_its_fields(self, node: cst.ClassDef) -> bool:
        """Whether printing an object of the class shows all of its fields: a dataclass,
        attrs or pydantic class (rules/pii.toml, auto-repr-*), or a subclass of such a class
        of the module, that writes no __repr__ or __str__ of its own."""
        body = node.body.body
        if any(type(stmt) is cst.FunctionDef and stmt.name.value in ("__repr__", "__str__") for stmt in body):
            return False
        for decorator in node.decorators:
            expr = decorator.decorator
            call = expr if type(expr) is cst.Call else None
            if dotted_name(call.func if call is not None else expr) in self.vocab.auto_repr_decorators:
                for arg in call.args if call is not None else ():
                    if arg.keyword is not None and arg.keyword.value == "repr":
                        return not (type(arg.value) is cst.Name and arg.value.value == "False")
                return True
        for base in node.bases:
            name = dotted_name(base.value)
            if name in self.vocab.auto_repr_bases or name in self.printed_whole:
                return True
        return False

    def _note_text_fields(self, node: cst.ClassDef, scope: Scope) -> None:
        """The person's fields the class's own `__str__` shows (analysis/shown_fields.py)."""
        shown = []
        for attr in text_fields(node):
            name = attr.attr.value
            if name in self.masked_fields.get(scope.name, ()):
                continue
            category = self.field_categories.get(name) or self.vocab.classify(name, context=scope.name)
            if category is None and name in self.account_fields:
                category = self.vocab.user_category
            if category is not None:
                shown.append((name, category))
        if shown:
            self.text_shown[scope.name] = tuple(shown)

    def _declare_attribute(self, scope: Scope, small: cst.AnnAssign) -> None:
        """`client: storage.Client` in a class body (a dataclass field, a declared
        attribute): `self.client` is of that kind in every method."""
        name = cast(cst.Name, small.target).value  # the caller takes only `name: annotation`
        if small.value is None and name not in scope.bindings:
            kind = self.annotation_kind(small.annotation)
            if kind is not None:
                scope.bindings[name] = Binding(name, None, EMPTY, kind, None, small.target)

    def _prepass_method(self, node: cst.FunctionDef, scope: Scope) -> None:
        """`self.x = value` anywhere in the method (also in its blocks and the functions it
        defines), so that every method sees what `self.x` holds: each assignment counts once
        (the walk does not count it again, engine/bindings.py), and a value that uses a
        name of the method (`self.region = region`; not `self`, the same object in every
        method) is marked open: ctx.definition does not answer for it in other methods,
        where that name means something else."""
        params = node.params.params
        self_name = params[0].name.value if params else "self"
        declared = {
            p.name.value: p
            for p in list(node.params.params) + list(node.params.kwonly_params)
            if p.annotation is not None or p.default is not None
        }
        owners = ("self", "cls", self_name)
        prepassed = scope.data.setdefault("prepassed", set())
        found = []
        local_names = {p.name.value for p in list(node.params.params) + list(node.params.kwonly_params)}
        local_names.update(p.name.value for p in node.params.posonly_params)
        for extra in (node.params.star_arg, node.params.star_kwarg):
            if type(extra) is cst.Param:
                local_names.add(extra.name.value)
        stack: List[Any] = list(node.body.body)
        while stack:
            stmt = stack.pop()
            kind_of = type(stmt)
            if kind_of is cst.SimpleStatementLine:
                for small in stmt.body:
                    targets: List[Tuple[Any, Any, bool]]
                    if type(small) is cst.AugAssign:
                        targets = [(small.target, None, False)]
                    else:
                        targets = [(t, v, True) for t, v in _assignments(small)]
                    while targets:
                        target, value, direct = targets.pop()
                        if type(target) in (cst.Tuple, cst.List):
                            targets.extend((e.value, None, False) for e in target.elements)
                        elif type(target) is cst.Name:
                            local_names.add(target.value)
                        elif type(target) is cst.Attribute and type(target.value) is cst.Name:
                            if target.value.value in owners:
                                found.append((small, target, value if direct else None))
            elif kind_of in (cst.FunctionDef, cst.ClassDef):
                local_names.add(stmt.name.value)
                if kind_of is cst.FunctionDef and type(stmt.body) is cst.IndentedBlock:
                    stack.extend(stmt.body.body)  # a closure can set self.x too
            else:
                if kind_of in (cst.For, cst.With):
                    for target in _loop_targets(stmt):
                        local_names.update(n.value for n in names_read(target))
                for field in ("body", "orelse", "finalbody"):
                    inner: Any = getattr(stmt, field, None)
                    if type(inner) in (cst.Else, cst.Finally):
                        inner = inner.body
                    if type(inner) is cst.IndentedBlock:
                        stack.extend(inner.body)
                    elif kind_of is cst.If and field == "orelse" and type(inner) is cst.If:
                        stack.append(inner)
                for handler in getattr(stmt, "handlers", ()):
                    if type(handler.body) is cst.IndentedBlock:
                        stack.extend(handler.body.body)
                for case in getattr(stmt, "cases", ()):
                    if type(case.body) is cst.IndentedBlock:
                        stack.extend(case.body.body)
        open_names = scope.data.setdefault("open attributes", set())
        for small, target, value in found:
            name = target.attr.value
            prepassed.add(id(target))
            kind = self.call_kind(value) if type(value) is cst.Call else None
            if kind is None and type(value) is cst.Name and value.value in declared:
                # `self.client = client` with `client: storage.Client`
                param = declared[value.value]
                kind = self.annotation_kind(param.annotation, param.default)
            if kind is None and type(small) is cst.AnnAssign:
                kind = self.annotation_kind(small.annotation)  # self.x: Client = ...
            if value is None:
                open_names.add(name)
            else:  # whether the value uses a name of the method: worked out if ctx.definition asks
                scope.data.setdefault("attribute values", {})[id(value)] = (local_names, self_name)
                if type(value) is cst.Name and value.value in declared and declared[value.value].default is not None:
                    # `self.region = region` with `region="us-east-1"`: the default it falls back to
                    scope.data.setdefault("attribute params", {})[id(value)] = (declared[value.value], node)
            old = scope.instance.get(name)
            binding = Binding(name, value, EMPTY, kind or (old.kind if old else None), None, target)
            if old is not None:
                binding.defs = old.defs + 1
            scope.instance[name] = binding

    def _import(self, node) -> None:
        if type(node) is cst.Import:
            for alias in node.names:
                full = dotted_name(alias.name) or ""
                if alias.asname is not None and type(alias.asname.name) is cst.Name:
                    name, qualname = alias.asname.name.value, full
                else:
                    name = qualname = full.split(".")[0]
                binding = Binding(name, None, EMPTY, None, qualname)
                binding.type_name = "module"
                self.scope.bindings[name] = binding
            return
        if type(node.names) is cst.ImportStar:
            return
        module = dotted_name(node.module) if node.module is not None else ""
        if node.relative:
            module = "." * len(node.relative) + (module or "")
        for alias in node.names:
            imported = dotted_name(alias.name) or ""
            name = (
                alias.asname.name.value
                if alias.asname is not None and type(alias.asname.name) is cst.Name
                else imported
            )
            qualname = f"{module}.{imported}" if module and not module.endswith(".") else f"{module}{imported}"
            self.scope.bindings[name] = Binding(name, None, EMPTY, None, qualname)
