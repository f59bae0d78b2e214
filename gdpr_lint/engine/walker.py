"""The one traversal: statements in order, bindings kept, every call, assignment, raise
and scope exit handed to the checks.
"""

from __future__ import annotations

from typing import Optional, Sequence

import libcst as cst

from gdpr_lint.analysis.flow import EMPTY
from gdpr_lint.engine.branch_facts import _BROAD, BranchFactsMixin, _exits
from gdpr_lint.engine.branch_join import join_constant_fallbacks
from gdpr_lint.analysis.url_errors import caught_url_taint
from gdpr_lint.analysis.mail_errors import caught_address_taint
from gdpr_lint.engine.handler_view import HandlerView, unbound_in_handlers
from gdpr_lint.engine.parameters import ParameterMixin
from gdpr_lint.engine.prepass import PrepassMixin
from gdpr_lint.analysis.commands import chosen_words as _chosen_words
from gdpr_lint.analysis.commands import command_input
from gdpr_lint.semantic.scope import _FUNCTION, Binding, Scope, _ClassRef
from gdpr_lint.syntax.branch_tests import _empty_on_branches
from gdpr_lint.syntax.nodes import (
    _expr_fields,
    _is_node,
    _last_name,
    _subscript_text,
    dotted_name,
    string_value,
)


class Walker(PrepassMixin, BranchFactsMixin, ParameterMixin):
    """Walks statements in order, keeping bindings, and dispatches to the checks."""

    def run(self) -> None:
        body = self.module.body
        self._prepass_module(body)
        self._block(body)
        for check in self.checks:
            check.on_scope_exit(self, self.scope)

    # ---- statements ----------------------------------------------------------------------

    def _block(self, body: Sequence) -> None:
        saved, self.block = self.block, body
        saved_empty = self.empty_names
        saved_masked, self.masked = self.masked, []
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
            for binding, before in reversed(self.masked):  # masked until the block ends
                binding.taint = before
            self.masked = saved_masked

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
            # `if student_id == "*": student_id = "{me}"` with no `else`: the path that skipped it
            # still holds what the name held before
            before = dict(self.scope.bindings) if stmt.orelse is None else None
            try:
                self._suite(stmt.body, stmt)
            finally:
                self.empty_names = saved_empty
                self.branch_words = saved_chosen
            if before is not None:
                join_constant_fallbacks(self.scope.bindings, before)
            orelse = stmt.orelse
            self.empty_names = saved_empty | empty_in_else if empty_in_else else saved_empty
            after_body = dict(self.scope.bindings) if type(orelse) is cst.Else else None
            try:
                if type(orelse) is cst.If:
                    self._stmt(orelse)
                elif orelse is not None:
                    self._suite(orelse.body, stmt)
            finally:
                self.empty_names = saved_empty
            if after_body is not None:  # `else: username = "unknown"` keeps what the `if` side held
                join_constant_fallbacks(self.scope.bindings, after_body)
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
            unbound = unbound_in_handlers(stmt)  # `text = template.format(...)` last: not yet bound
            view = HandlerView(unbound, self.scope.bindings) if unbound else None
            self.trys.append(stmt)
            try:
                self._suite(stmt.body, stmt)
            finally:
                self.trys.pop()
            if view is not None:
                view.body_done(self.scope.bindings)
            rejected = self._rejected_by_parser(stmt)
            lookup = self._failed_lookup(stmt)
            for handler in stmt.handlers:
                self.stmt = handler
                self._expr(handler.type)
                if handler.name is not None and type(handler.name.name) is cst.Name:
                    # requests' `HTTPError` names the URL it was raised for: what the URL carried
                    caught = caught_url_taint(self, stmt, handler)
                    # smtplib's `SMTPRecipientsRefused` names the refused addresses
                    caught = caught.union(caught_address_taint(self, stmt, handler))
                    self.scope.bindings[handler.name.name.value] = Binding(handler.name.name.value, None, caught)
                if view is not None:
                    view.enter(self)
                saved_empty = self.empty_names
                if rejected and self._catches_parse_error(handler):
                    self.empty_names = saved_empty | rejected
                elif lookup and handler.type is not None and _last_name(handler.type) not in _BROAD:
                    self.empty_names = saved_empty | lookup  # `except StoreError:` of a lookup
                try:
                    self._suite(handler.body, handler)
                finally:
                    self.empty_names = saved_empty
                if view is not None:
                    view.leave(self)
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
            if small.msg is not None:
                for check in self.checks:
                    check.on_assert(self, small)
            self._expr(small.msg)
        elif t is cst.Del:
            pass
        else:
            self._expr(small)

    def _mutate(self, name: str, values, key: Optional[str] = None, overwrites: bool = True) -> None:
        """`seen.append(user.email)`, `row[k] = v`: the container now carries the value's data
        (and, under a constant key, remembers which key: `kwargs["headers"] = {...}`)."""
        binding = self.scope.lookup(name)
        if binding is None or binding.qualname or binding.kind:
            return
        if key is not None and overwrites and len(values) == 1:  # `data["password"] = "****"`: masked in place
            from gdpr_lint.engine.overwrites import without_key

            masked = without_key(self, binding, name, key, values[0])
            if masked is not None:
                self.masked.append((binding, binding.taint))
                binding.taint = masked
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
                    key = (
                        string_value(current.args[0].value)
                        if func.attr.value == "setdefault" and len(current.args) == 2
                        else None
                    )
                    if key is not None:  # `kwargs.setdefault("auth", (user, password))`: under its key
                        self._mutate(func.value.value, [current.args[1].value], key, overwrites=False)
                    else:
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
