"""The one traversal: statements in order, bindings kept, every call, assignment, raise
and scope exit handed to the checks.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Tuple, cast

import libcst as cst

from gdpr_lint.analysis.flow import EMPTY, UNKNOWN
from gdpr_lint.analysis.names import split_words
from gdpr_lint.engine.context import Context
from gdpr_lint.analysis.commands import chosen_words as _chosen_words
from gdpr_lint.analysis.commands import command_input
from gdpr_lint.engine.entry_points import observe_fields
from gdpr_lint.semantic.resolve import _annotation_name
from gdpr_lint.semantic.scope import _FUNCTION, Binding, Scope, _ClassRef
from gdpr_lint.syntax.nodes import (
    _assignments,
    _empty_on_branches,
    _expr_fields,
    _flat_top_level,
    _is_node,
    _last_name,
    _subscript_text,
    child_nodes,
    dotted_name,
)


def _sole_value(stmt, kinds):
    """The value of a block's only statement (`try:` with one line), when it is one of `kinds`
    (an assignment, an expression, a return); else None."""
    body = stmt.body
    if type(body) is not cst.IndentedBlock or len(body.body) != 1:
        return None
    line = body.body[0]
    if type(line) is not cst.SimpleStatementLine or len(line.body) != 1:
        return None
    small = line.body[0]
    return getattr(small, "value", None) if type(small) in kinds else None


def _names_in(node):
    """The names an expression reads (not attribute names, keywords or lambda parameters)."""
    stack = [node]
    while stack:
        current = stack.pop()
        if type(current) is cst.Name:
            yield current
        elif type(current) is cst.Attribute:
            stack.append(current.value)
        elif type(current) is cst.Arg:
            stack.append(current.value)
        elif current is not None:
            stack.extend(child_nodes(current))


def _loop_targets(stmt):
    if type(stmt) is cst.For:
        return [stmt.target]
    return [item.asname.name for item in stmt.items if item.asname is not None]


_BROAD = ("Exception", "BaseException")
_NORMALIZERS = ("strip", "lstrip", "rstrip", "lower", "upper", "casefold")


def _normalized_from(value) -> str:
    """The name a value is a normalised copy of (`str(x).strip()`, `x.lower()`, `str(x).strip()
    if x else "default"`), else ""."""
    for _ in range(6):
        t = type(value)
        if t is cst.Name:
            return value.value
        if t is cst.IfExp and type(value.orelse) is cst.SimpleString:
            value = value.body
        elif t is cst.Call and type(value.func) is cst.Name and value.func.value == "str" and len(value.args) == 1:
            value = value.args[0].value
        elif t is cst.Call and type(value.func) is cst.Attribute and value.func.attr.value in _NORMALIZERS:
            value = value.func.value
        else:
            return ""
    return ""


def _exits(suite) -> bool:
    """Whether a block always leaves: its last statement returns, raises, continues or breaks."""
    last: Any = suite.body[-1] if type(suite) is cst.IndentedBlock and suite.body else None
    if type(suite) is cst.SimpleStatementSuite:
        last = suite
    if type(last) not in (cst.SimpleStatementLine, cst.SimpleStatementSuite) or not last.body:
        return False
    return type(last.body[-1]) in (cst.Return, cst.Raise, cst.Continue, cst.Break)


class Walker(Context):
    """Walks statements in order, keeping bindings, and dispatches to the checks."""

    def run(self) -> None:
        body = self.module.body
        self._prepass_module(body)
        self._block(body)
        for check in self.checks:
            check.on_scope_exit(self, self.scope)

    # ---- pre-passes (names used before their definition in walk order) ---------------

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
                if type(stmt) is cst.FunctionDef:
                    self._prepass_method(stmt, scope)
        finally:
            self.scope = saved
        if self._prints_its_fields(node) and self._object_dump_taint_of(scope):
            self.printed_whole.add(scope.name)
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
                        local_names.update(n.value for n in _names_in(target))
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
            old = scope.instance.get(name)
            binding = Binding(name, value, EMPTY, kind or (old.kind if old else None), None, target)
            if old is not None:
                binding.defs = old.defs + 1
            scope.instance[name] = binding

    # ---- statements ----------------------------------------------------------------------

    def _block(self, body: Sequence) -> None:
        saved, self.block = self.block, body
        saved_empty = self.empty_names
        try:
            for stmt in body:
                if body is self.module.body:
                    self.top = stmt  # locates observations (engine/observations.py)
                self._stmt(stmt)
                if self.empty_names and type(stmt) is cst.SimpleStatementLine:
                    self._forget_assigned(stmt)
                if type(stmt) is cst.If and stmt.orelse is None and _exits(stmt.body):
                    # `if isinstance(value, str): return value`: what its else branch says
                    # holds for the rest of the block
                    after = self._normalized(self._not_found(_empty_on_branches(stmt.test, self.vocab.shape_marks)[1]))
                    if after:
                        self.empty_names = self.empty_names | after
        finally:
            self.block = saved
            self.empty_names = saved_empty

    def _normalized(self, facts: frozenset) -> frozenset:
        """The facts, and what a shape fact says of the name a normalised copy was made of
        (`group = str(recipient).strip() if recipient else "admins"` / `if "@" in group: return`:
        recipient has no "@" either; str, strip and lower keep or drop no "@")."""
        found = set()
        for name, category in facts:
            if category is None or category == UNKNOWN or "." in name:
                continue
            binding = self.scope.bindings.get(name)
            source = _normalized_from(binding.value if binding is not None else None)
            kept = next((k for c, k in self.vocab.shape_marks.values() if c == category), frozenset())
            if source and source != name and kept.isdisjoint(w.lower() for w in split_words(source)):
                found.add((source, category))
        return facts | found if found else facts

    def _not_found(self, facts: frozenset) -> frozenset:
        """The facts, and for a name known empty that a lookup returned (`session =
        store.get_session(session_id)` / `if not session:`), that the keys it was looked up by
        name nothing stored (UNKNOWN: an unknown session id authenticates nothing)."""
        found = set()
        for name, category in facts:
            if category is not None or "." in name:
                continue
            binding = self.scope.bindings.get(name)
            value = binding.value if binding is not None else None
            if type(value) is cst.Await:
                value = value.expression
            if type(value) is not cst.Call:
                continue
            verb = _last_name(value.func)
            words = split_words(verb)
            if not words or words[0] not in self.vocab.sources.getter_verbs:
                continue
            for arg in value.args:
                key = dotted_name(arg.value) if arg.keyword is None else None
                if key:
                    found.add((key, UNKNOWN))
        return facts | found if found else facts

    def _forget_assigned(self, stmt) -> None:
        """A name bound anew holds another value: what a branch said of it no longer holds."""
        names: set = set()
        for small in stmt.body:
            targets = []
            if type(small) is cst.Assign:
                targets = [t.target for t in small.targets]
            elif type(small) in (cst.AnnAssign, cst.AugAssign):
                targets = [small.target]
            names.update(dotted_name(t) for t in targets)
        if names & {name for name, _ in self.empty_names}:
            self.empty_names = frozenset(f for f in self.empty_names if f[0] not in names)

    def _suite(self, suite, owner) -> None:
        if type(suite) is cst.IndentedBlock:
            self._block(suite.body)
        else:  # SimpleStatementSuite: `if x: log(y)` on one line
            for small in suite.body:
                self.stmt = owner
                self._small(small)

    def _stmt(self, stmt) -> None:
        t = type(stmt)
        if t is cst.SimpleStatementLine:
            for small in stmt.body:
                self.stmt = stmt
                self._small(small)
            return
        if t is cst.FunctionDef:
            self._function(stmt)
            return
        if t is cst.ClassDef:
            self._class(stmt)
            return
        self.stmt = stmt
        if t is cst.If:
            self._expr(stmt.test)
            empty_in_body, empty_in_else = _empty_on_branches(stmt.test, self.vocab.shape_marks)
            empty_in_body = self._normalized(self._not_found(empty_in_body))
            empty_in_else = self._normalized(self._not_found(empty_in_else))
            saved_empty = self.empty_names
            self.empty_names = saved_empty | empty_in_body if empty_in_body else saved_empty
            chosen = _chosen_words(stmt.test)
            saved_chosen = self.branch_words
            self.branch_words = saved_chosen | chosen if chosen else saved_chosen
            try:
                self._suite(stmt.body, stmt)
            finally:
                self.empty_names = saved_empty
                self.branch_words = saved_chosen
            orelse = stmt.orelse
            self.empty_names = saved_empty | empty_in_else if empty_in_else else saved_empty
            try:
                if type(orelse) is cst.If:
                    self._stmt(orelse)
                elif orelse is not None:
                    self._suite(orelse.body, stmt)
            finally:
                self.empty_names = saved_empty
        elif t is cst.For:
            self._expr(stmt.iter)
            self.loop_iters[id(stmt.target)] = stmt.iter
            if type(stmt.target) is cst.Name and type(stmt.body) is cst.IndentedBlock:
                self.loop_blocks[id(stmt.body.body)] = stmt.target.value
            for name, source in self._loop_taints(stmt.target, stmt.iter):
                binding = Binding(name, None, source.through(name), None, None, stmt.target)
                old = self.scope.bindings.get(name)
                binding.defs = (old.defs + 1) if old else 1
                self.scope.bindings[name] = binding
            self._suite(stmt.body, stmt)
            if stmt.orelse is not None:
                self._suite(stmt.orelse.body, stmt)
        elif t is cst.While:
            self._expr(stmt.test)
            self._suite(stmt.body, stmt)
            if stmt.orelse is not None:
                self._suite(stmt.orelse.body, stmt)
        elif t is cst.With:
            for item in stmt.items:
                self._expr(item.item)
                if item.asname is not None:
                    self.bind_target(item.asname.name, item.item)
            self.withs.append(stmt)
            try:
                self._suite(stmt.body, stmt)
            finally:
                self.withs.pop()
        elif t in (cst.Try, getattr(cst, "TryStar", cst.Try)):
            self.trys.append(stmt)
            try:
                self._suite(stmt.body, stmt)
            finally:
                self.trys.pop()
            rejected = self._rejected_by_parser(stmt)
            lookup = self._failed_lookup(stmt)
            for handler in stmt.handlers:
                self.stmt = handler
                self._expr(handler.type)
                if handler.name is not None and type(handler.name.name) is cst.Name:
                    self.scope.bindings[handler.name.name.value] = Binding(handler.name.name.value, None)
                saved_empty = self.empty_names
                if rejected and self._catches_parse_error(handler):
                    self.empty_names = saved_empty | rejected
                elif lookup and handler.type is not None and _last_name(handler.type) not in _BROAD:
                    self.empty_names = saved_empty | lookup  # `except StoreError:` of a lookup
                try:
                    self._suite(handler.body, handler)
                finally:
                    self.empty_names = saved_empty
            if stmt.orelse is not None:
                self._suite(stmt.orelse.body, stmt)
            if stmt.finalbody is not None:
                self._suite(stmt.finalbody.body, stmt)
        elif t is cst.Match:
            self._expr(stmt.subject)
            for case in stmt.cases:
                self.stmt = case
                self._expr(case.guard)
                self._suite(case.body, case)
        else:  # statements this version does not model: still visit their expressions
            self._expr(stmt)

    def _rejected_by_parser(self, stmt) -> frozenset:
        """(name, category) for a `try` whose body is one statement that parses a value
        (`ip = ipaddress.ip_address(source_ip)`, [pii.flow] parsers): its handler of the parse
        error runs when the value is no such thing (an unparsable text is no IP address)."""
        parsers = self.vocab.parsers
        value = _sole_value(stmt, (cst.Assign, cst.AnnAssign, cst.Expr)) if parsers else None
        if type(value) is not cst.Call:
            return frozenset()
        category = parsers.get(self.resolve_call(value.func) or "")
        if category is None or not value.args or value.args[0].keyword is not None:
            return frozenset()
        name = dotted_name(value.args[0].value)
        return frozenset(((name, category),)) if name else frozenset()

    def _failed_lookup(self, stmt) -> frozenset:
        """(key, UNKNOWN) for a `try` whose body is one lookup by key (`session = await
        self.store.get_session(session_id)`): its handler of a lookup error runs when the key
        names nothing stored."""
        value = _sole_value(stmt, (cst.Assign, cst.AnnAssign, cst.Expr, cst.Return))
        if type(value) is cst.Await:
            value = value.expression
        if type(value) is not cst.Call:
            return frozenset()
        words = split_words(_last_name(value.func))
        if not words or words[0] not in self.vocab.sources.getter_verbs:
            return frozenset()
        keys = (dotted_name(a.value) for a in value.args if a.keyword is None)
        return frozenset((key, UNKNOWN) for key in keys if key)

    def _catches_parse_error(self, handler) -> bool:
        caught = handler.type
        if caught is None:
            return True
        names = [e.value for e in caught.elements] if type(caught) is cst.Tuple else [caught]
        return all(_last_name(n) in self.vocab.parse_errors for n in names)

    def _small(self, small) -> None:
        t = type(small)
        if t is cst.Expr:
            self._expr(small.value)
        elif t is cst.Assign:
            self._expr(small.value)
            for target in small.targets:
                self._assign(target.target, small.value)
        elif t is cst.AnnAssign:
            if small.value is not None:
                self._expr(small.value)
                self._assign(small.target, small.value)
        elif t is cst.AugAssign:
            self._expr(small.value)
            if type(small.target) is cst.Name:
                old = self.scope.lookup(small.target.value)
                taint = (old.taint if old else EMPTY).union(self.taint(small.value))
                binding = Binding(small.target.value, None, taint, old.kind if old else None, None, small.target)
                binding.defs = (old.defs + 1) if old else 1
                self.scope.bindings[small.target.value] = binding
        elif t is cst.Return:
            self._expr(small.value)
            if small.value is not None and self.scope.kind == "function":
                self.scope.returns = self.scope.returns.union(self.taint(small.value))
                self._note_return(small.value)
        elif t is cst.Raise:
            for check in self.checks:
                check.on_raise(self, small)
            self._expr(small.exc)
            self._expr(small.cause)
        elif t in (cst.Import, cst.ImportFrom):
            self._import(small)
        elif t is cst.Assert:
            self._expr(small.test)
            self._expr(small.msg)
        elif t is cst.Del:
            pass
        else:
            self._expr(small)

    def _mutate(self, name: str, values, key: Optional[str] = None) -> None:
        """`seen.append(user.email)`, `row[k] = v`: the container now carries the value's data
        (and, under a constant key, remembers which key: `kwargs["headers"] = {...}`)."""
        binding = self.scope.lookup(name)
        if binding is None or binding.qualname or binding.kind:
            return
        added = EMPTY
        for value in values:
            added = added.union(self.taint(value))
        if binding.keyed is not None:
            if key is None:
                binding.keyed = None
            elif added:
                binding.keyed[key] = binding.keyed.get(key, EMPTY).union(added)
        if added:
            binding.taint = binding.taint.union(added.through(name))

    def _assign(self, target, value) -> None:
        if type(target) in (cst.Name, cst.Attribute):
            name = dotted_name(target)
        elif type(target) is cst.Subscript:
            name = _subscript_text(target) or self._render(target)
        else:
            name = None
        for check in self.checks:
            check.on_assign(self, target, name, value)
        if type(target) is cst.Subscript and type(target.value) is cst.Name:
            self._mutate(target.value.value, [value], self._subscript_key(target))
        prepassed = self.scope.kind in ("module", "class")  # counted by the pre-pass already
        self.bind_target(target, value, count=not prepassed)

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

    def _function(self, node: cst.FunctionDef) -> None:
        self.stmt = node
        for decorator in node.decorators:
            self._expr(decorator.decorator)
        params = node.params
        for param in list(params.params) + list(params.kwonly_params) + list(params.posonly_params):
            self._expr(param.default)
        scope = Scope("function", node.name.value, node, self.scope)
        scope.param_names = tuple(
            p.name.value for p in list(params.posonly_params) + list(params.params) + list(params.kwonly_params)
        )
        is_static = any(_last_name(d.decorator) == "staticmethod" for d in node.decorators)
        if self.scope.kind == "class" and not is_static:
            scope.class_scope = self.scope
            first = (list(params.posonly_params) + list(params.params))[:1]
            scope.self_name = first[0].name.value if first else None
        self.scope.bindings[node.name.value] = Binding(node.name.value, _FUNCTION)
        typed = command_input(self, node, scope)
        if typed is not None:
            scope.data["command input"] = typed
        saved, saved_trys = self.scope, self.trys
        self.scope, self.trys = scope, []  # a `try` around a `def` catches nothing its body raises
        try:
            all_params = list(params.posonly_params) + list(params.params) + list(params.kwonly_params)
            for extra in (params.star_arg, params.star_kwarg):
                if type(extra) is cst.Param:
                    all_params.append(extra)
            for param in all_params:
                self._bind_param(param, scope)
            self._suite(node.body, node)
            for check in self.checks:
                check.on_scope_exit(self, scope)
        finally:
            self.scope, self.trys = saved, saved_trys
        if scope.returns:
            self.scope.bindings[node.name.value].taint = scope.returns
        self.function_returns[node.name.value] = (
            scope.data.get("returns_unknown", True),
            scope.data.get("returned_items"),
        )

    def _service_event(self, scope: Scope, param: cst.Param) -> bool:
        from gdpr_lint.analysis.events import event_sources

        return event_sources(self.kb.tables).service_source(self, scope.node, param) is not None

    def _bind_param(self, param: cst.Param, scope: Scope) -> None:
        name = param.name.value
        if name == scope.self_name:
            scope.bindings[name] = Binding(name, None)
            return
        annotation = _annotation_name(param.annotation)
        taint = EMPTY
        kind = None
        if annotation is not None:
            category = self.vocab.classify_type(annotation)
            if category is not None:
                taint = self._taint_source(category, param.name, "high")
            kind = self.types.get(annotation) or self.types.get(annotation.rsplit(".", 1)[-1])
        non_data = annotation is not None and annotation.rsplit(".", 1)[-1] in self.vocab.non_data_types
        if not taint and not non_data:
            taint = self._taint_source(
                self.vocab.classify(name), param.name, type_name=annotation.rsplit(".", 1)[-1] if annotation else None
            )
        if not taint and (
            name in self.vocab.payload_names
            or (
                self.vocab.payload_handler_params.get(name) in scope.param_names
                and not self._service_event(scope, param)
            )
        ):
            # DRF create(self, validated_data); AWS Lambda handler(event, context), unless an
            # AWS service sends the event (rules/events.toml)
            confidence, reason = self._payload_param_confidence(name, scope)
            taint = self._taint_source(self.vocab.payload_category, param.name, confidence, reason=reason)
        if (
            not taint
            and not non_data
            and name in ("value", "attrs")
            and scope.name.startswith("validate_")
            and scope.class_scope is not None
        ):
            # DRF/Django form field validators: validate_email(self, value)
            taint = self._taint_source(self.vocab.classify(scope.name[len("validate_") :], key=True), param.name)
        if kind is None and (param.annotation is not None or param.default is not None):
            kind = self.annotation_kind(param.annotation, param.default)
        if kind is None:
            kind = self._parameter_kind(name, scope) or self._conventional_kind(name)
        binding = Binding(name, None, taint, kind, None, param.name)
        binding.type_name = annotation.rsplit(".", 1)[-1] if annotation else None
        scope.bindings[name] = binding

    def _parameter_kind(self, name: str, scope: Scope) -> Optional[str]:
        """The object a parameter holds by the function it is a parameter of
        ([[objects.parameters]]: Sentry's `before_send(event, hint)`, a logging.Filter's
        `filter(self, record)`, a structlog processor's `event_dict`)."""
        for entry in self.parameter_kinds:
            if name not in entry.get("names", ()):
                continue
            if "with" in entry and not any(other in scope.param_names for other in entry["with"]):
                continue
            if "functions" in entry and scope.name not in entry["functions"]:
                continue
            parts = self.path.replace("\\", "/").split("/")
            if any(package in parts for package in entry.get("not-in-packages", ())):
                continue
            return entry["kind"]
        return None

    def _payload_param_confidence(self, name: str, scope: Scope) -> Tuple[str, str]:
        """A handler's `event` is a user's request only when the handler serves an API: it
        reads or answers what an HTTP trigger carries (the user-facing source's keys and
        answer-keys in rules/events.toml); an executor's task command or a trigger's status
        dict is nobody's."""
        if name in self.vocab.payload_names:
            return "medium", f"`{name}`: the data of a form or request a user sent"
        from gdpr_lint.analysis.events import event_sources

        param = next((p for p in scope.node.params.params if p.name.value == name), None)
        api = event_sources(self.kb.tables).user_source(self, scope.node, param) if param is not None else None
        if api is not None:
            return "medium", f"`{name}` of a handler behind {api} (rules/events.toml)"
        keys = event_sources(self.kb.tables).user_marks
        text = self.module.code_for_node(scope.node) if keys else ""
        key = next((k for k in keys if k in text), None)
        if key is not None:
            return "medium", f"`{name}` of a handler that serves an HTTP API (it uses '{key}')"
        return "low", f"`{name}` of a handler that shows no sign of serving a user's request"

    def _class(self, node: cst.ClassDef) -> None:
        self.stmt = node
        for decorator in node.decorators:
            self._expr(decorator.decorator)
        for base in node.bases:
            self._expr(base.value)
        existing = self.scope.bindings.get(node.name.value)
        if existing is not None and isinstance(existing.value, _ClassRef) and existing.value.scope.node is node:
            scope = existing.value.scope
        else:
            scope = Scope("class", node.name.value, node, self.scope)
            self.scope.bindings[node.name.value] = Binding(node.name.value, _ClassRef(scope))
        scope.parent = self.scope
        self._prepass_class(node, scope)
        saved = self.scope
        self.scope = scope
        try:
            self._suite(node.body, node)
        finally:
            self.scope = saved

    # ---- expressions ---------------------------------------------------------------------

    def _expr(self, node) -> None:
        """Every call in an expression, in source order, goes to the checks."""
        if node is None:
            return
        stack = [node]
        checks = self.checks
        while stack:
            current = stack.pop()
            t = type(current)
            if t is cst.Name or t is cst.SimpleString or t is cst.Integer:
                continue
            if t is cst.Call:
                target = self.resolve(current.func)
                for check in checks:
                    check.on_call(self, current, target)
                func = current.func
                if (
                    type(func) is cst.Attribute
                    and func.attr.value in self.vocab.container_mutators
                    and type(func.value) is cst.Name
                    and current.args
                ):
                    self._mutate(func.value.value, [a.value for a in current.args])
                if (
                    type(func) is cst.Attribute
                    and func.attr.value == "get"
                    and current.args
                    and type(current.args[0].value) is cst.SimpleString
                ):
                    self.taint(current)  # `row.get("email")`: remembered by `row` (_note_item_read)
            elif t is cst.NamedExpr and type(current.target) is cst.Name:
                self.bind(self.scope, current.target.value, current.value, current.target)
            elif (
                t is cst.Subscript
                and type(current.value) in (cst.Name, cst.Subscript)
                and self._subscript_key(current) is not None
            ):
                # `row["Email"]`: remembered by `row` whichever checks look at this expression
                self.taint(current)
            children = []
            for name in _expr_fields(t):
                value = getattr(current, name)
                kind = type(value)
                if kind is list or kind is tuple:
                    for item in value:
                        if _is_node(item):
                            children.append(item)
                elif value is not None and _is_node(value):
                    children.append(value)
            children.reverse()
            stack.extend(children)
