"""Binding assigned values to names as the walk goes (with what they carry). A mixin of
the engine's Context.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, List, Optional

import libcst as cst

from gdpr_lint.analysis.flow import EMPTY, Taint
from gdpr_lint.semantic.scope import Binding, LazyKindBinding, Scope
from gdpr_lint.syntax.nodes import _is_address_split, _target_name_nodes, _target_names

if TYPE_CHECKING:
    from gdpr_lint.semantic.project_use import FileProject


class BindingMixin:
    """Bindings made by assignments, with their taint and object kind."""

    if TYPE_CHECKING:  # provided by the Context and its other mixins
        scope: Scope
        project: Optional[FileProject]
        vocab: Any

        def _value_taint(self, name: str, value: Any) -> Taint: ...
        def call_kind(self, call: cst.Call, project: bool = True) -> Optional[str]: ...
        def kind(self, node: Any) -> Optional[str]: ...
        def taint(self, node: Any) -> Taint: ...
        def _returned_items(self, value: Any, target: Any) -> Optional[List[Taint]]: ...
        def _items_unknown(self, iterable: Any) -> bool: ...
        def _item_name_taint(self, target: cst.Name, iterable: Any) -> Taint: ...
        def _instance_scope(self, target: cst.Attribute) -> Optional[Scope]: ...
        def _render(self, node: Any) -> str: ...
        def _project_kind_later(self, call: cst.Call) -> Optional[Callable[[], Optional[str]]]: ...
        def _own_account_call(self, call: cst.Call) -> Optional[str]: ...

    def bind(self, scope: Scope, name: str, value, node, *, count: bool = True) -> Binding:
        taint = self._value_taint(name, value) if value is not None else EMPTY
        kind = later = None
        if type(value) is cst.Call:
            kind = self.call_kind(value, project=False)
            if kind is None and self.project is not None:
                later = self._project_kind_later(value)
        elif value is not None:
            kind = self.kind(value)
        old = scope.bindings.get(name)
        binding = (
            Binding(name, value, taint, kind, None, node)
            if later is None
            else LazyKindBinding(name, value, taint, node, later)
        )
        if old is not None:
            binding.defs = old.defs + (1 if count else 0)
        scope.bindings[name] = binding
        return binding

    def bind_target(self, target, value, *, count: bool = True) -> None:
        if type(target) is cst.Name:
            self.bind(self.scope, target.value, value, target, count=count)
        elif type(target) in (cst.Tuple, cst.List):
            values = None
            if type(value) in (cst.Tuple, cst.List) and len(value.elements) == len(target.elements):
                values = [e.value for e in value.elements]
            # `local, domain = email.split("@")`: only the part before the first star and the
            # `@` can identify someone; the domain half does not, as `email.split("@")[1]`
            address_split = value is not None and _is_address_split(value)
            items = self._returned_items(value, target) if values is None else None  # `url, key = connect()`
            whole = self.taint(value) if value is not None and values is None and items is None else EMPTY  # once
            # `res, error, otp_dict = token.get_multi_otp()`: what only the call's name says is
            # data is the item whose own name says so too, not a flag or an error beside it
            call = value.expression if type(value) is cst.Await else value
            named_by_call = bool(whole) and type(call) is cst.Call and all(s.node is call for s in whole.sources)
            unpacked = self.scope.data.setdefault("unpacked_calls", {})  # name -> (binding, call)
            own = self._own_account_call(call) if type(call) is cst.Call else None
            unknown_items = None  # whether the value's items are unknown, asked when first needed
            for i, element in enumerate(target.elements):
                inner = element.value
                if values is not None:
                    self.bind_target(inner, values[i], count=count)
                else:
                    domain = (
                        address_split
                        and i > 0
                        and not any(type(e.value) is cst.StarredElement for e in target.elements[: i + 1])
                    )
                    nodes = _target_name_nodes(inner)
                    for name in _target_names(inner):
                        taint = (whole if items is None else items[i]).through(name) if not domain else EMPTY
                        if named_by_call and items is None and self.vocab.classify(name) is None:
                            taint = EMPTY
                        if not taint and value is not None and not domain:
                            if unknown_items is None:
                                unknown_items = self._items_unknown(value)
                            if unknown_items:
                                taint = self._item_name_taint(nodes[name], value)  # `cid, email = row`
                        if own is not None and taint:  # `info, mxid = await self.bot.get_me()`
                            taint = taint.capped("low", f"`{name}` is {own}")
                        binding = Binding(name, None, taint, None, None, inner)
                        old = self.scope.bindings.get(name)
                        if old is not None:
                            binding.defs = old.defs + 1
                        self.scope.bindings[name] = binding
                        if type(call) is cst.Call:  # `info, mxid = await self.bot.get_me()`
                            unpacked[name] = (binding, call)
        elif type(target) is cst.Attribute:
            binding_scope = self._instance_scope(target)
            if binding_scope is not None:
                name = target.attr.value
                old = binding_scope.instance.get(name)
                taint = self.taint(value) if value is not None else EMPTY
                if taint:  # rendering the target is code generation: only for data worth naming
                    taint = taint.through(self._render(target))
                kind = self.call_kind(value) if type(value) is cst.Call else self.kind(value)
                binding = Binding(name, value, taint, kind, None, target)
                if old is not None:
                    # the methods' pre-pass counted this assignment already (engine/walker.py)
                    counted = id(target) in binding_scope.data.get("prepassed", ())
                    binding.defs = old.defs if counted else old.defs + 1
                    if kind is None:
                        binding.kind = old.kind
                binding_scope.instance[name] = binding
