"""Taint of items: what a value holds under a key (`data["email"]`, `data.get("email")`,
`{"email": x}`, `email=x`), what a variable read by key holds whole, and what `**kwargs`
spread into a call carries under the keywords that matter. A mixin of the engine's Context
(with analysis/taint.py, which asks it for a keyed item's data).
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from gdpr_lint.analysis import sources as call_sources
from gdpr_lint.analysis.flow import EMPTY, Taint
from gdpr_lint.analysis.names import split_words
from gdpr_lint.analysis.login_ids import login_id_reason
from gdpr_lint.analysis.mail_headers import holds_mail_message
from gdpr_lint.analysis.sql_rows import query_column
from gdpr_lint.analysis.taint_host import TaintHost
from gdpr_lint.analysis.taint import _MEDIUM_REASON, _is_pop
from gdpr_lint.semantic.scope import Scope, _ClassRef, _FunctionRef
from gdpr_lint.syntax.nodes import _last_name, string_value


_HEADER_REASON = "an address header of an e-mail message: its sender's or recipients' names and addresses"


class ItemTaintMixin(TaintHost):
    """What a value holds under a key."""

    def _note_item_read(self, container, taint: Taint) -> None:
        """Remember that a variable's value holds personal data under a key (`email =
        row["Email"]`, `cart["customer"]["email"]`): the variable passed on whole carries it."""
        root = container
        while True:
            if type(root) is cst.Subscript:
                root = root.value
            elif type(root) is cst.Call and type(root.func) is cst.Attribute and root.func.attr.value == "get":
                root = root.func.value
            else:
                break
        if not taint or type(root) is not cst.Name:
            return
        binding = self.scope.lookup(root.value)
        if (
            binding is not None
            and binding.qualname is None
            and not isinstance(binding.value, (_ClassRef, _FunctionRef))
        ):
            binding.items = binding.items.union(taint)

    def _keyed_item_taint(self, container, key: str, node) -> Taint:
        """`data["email"]`, `data.get("email")`: the key says what the item is. A key that
        names no personal data gives the item of a dict literal we know, else nothing."""
        configured = call_sources.config_item_category(self.vocab, container, key)
        if configured is not None and not self._literal_item(container, key):
            return self._taint_source(configured, node, "medium", key)  # `app.config["SECRET_KEY"]`
        if self.vocab.is_meta_container(_last_name(container)):
            return EMPTY
        folded = self.constant(container) if type(container) in (cst.Name, cst.Attribute, cst.Subscript) else None
        if folded is not None and isinstance(folded.value, dict) and key in folded.value and not self.taint(container):
            return EMPTY  # IMPRINT_CONTACT["email"]: a literal the code wrote, not someone's data
        # a person's record qualifies a bare key as an attribute's owner does: `customer["name"]`,
        # `order["shipping"]["address"]` (not `session["id"]`, a Stripe object's id); and a
        # machine's record rules one out: `host["ip"]`
        context = self._container_word(container)
        if context and not set(split_words(context)[-1:]) & self.vocab.person_nouns:
            context = ""
        column = query_column(self, container, key) if not context and type(container) is cst.Name else None
        if column is not None:  # `row['name']` of a query selecting `user`.`name`
            context = column[0] if set(split_words(column[0])[-1:]) & self.vocab.person_nouns else ""
            selected = self.vocab.classify(column[1], key=True, context=context)
            if selected is not None:
                reason = f"the row's query selects {column[0]}.{column[1]} as {key!r}"
                return self._taint_source(selected, node, "medium", column[1], reason=reason)
        category = self.vocab.classify(key, key=True, context=context)
        if category is None and login_id_reason(self, key) is not None:
            return self._taint_source(None, node, "medium", key)  # `gd['student_id']`, a login
        if category is None:
            medium = self._medium_address(container, key)
            if medium is not None:  # sydent's `assoc["address"]` beside `assoc["medium"]`
                return self._taint_source(medium, node, "medium", key, reason=_MEDIUM_REASON)
        if category is None and key.lower() in self.vocab.address_headers and type(container) is cst.Name:
            function = self.scope.node if self.scope.kind == "function" else None
            if holds_mail_message(function, container.value, self.vocab):  # `msg.get("from")` of a message
                return self._taint_source("email", node, "medium", key, reason=_HEADER_REASON)
        if (
            category is not None
            and len(split_words(key)) == 1
            and not self._is_request_source(container)
            and self._owner_excludes(category, container)
        ):
            category = None
        if category is not None:
            confidence = "high" if self._is_request_source(container) else "medium"
            taint = self._taint_source(category, node, confidence, key)
            if not _is_pop(node):  # `cookies = args.pop("cookies")`: `args` no longer holds it
                self._note_item_read(container, taint)
            if taint and confidence == "high":  # where it enters: a field of a request
                self.observe(
                    "data", node, category=category, source=f"request field ({container.attr.value})", name=key
                )
            return taint
        if self._is_request_source(container):
            # request.cookies.get("session"): the container itself says what its items are,
            # unless the key read after it says the item is about something else:
            # `COOKIES["django_language"]` reads as cookies_django_language, a setting
            taint = self.taint(container)
            if taint and self.vocab.classify_words(split_words(container.attr.value) + split_words(key)) is None:
                return EMPTY
            return taint
        if type(container) is cst.Name:
            binding = self.scope.lookup(container.value)
            if binding is not None and type(binding.value) is cst.Dict:
                for element in binding.value.elements:
                    if type(element) is cst.DictElement and string_value(element.key) == key:
                        return self.taint(element.value)
        return EMPTY

    def spread_taint(self, node, keywords) -> Taint:
        """`**kwargs` spread into a call of which only `keywords` matter (a URL's `url=` and
        `params=`): the items of a dict the code built under those keys, or all it carries when
        its keys are unknown (`kwargs["headers"] = {"Authorization": ...}` stays in the headers)."""
        if type(node) is cst.Name:
            binding = self.scope.lookup(node.value)
            if binding is not None and type(binding.value) is cst.Dict and binding.keyed is not None:
                result = EMPTY
                for element in binding.value.elements:
                    if type(element) is cst.DictElement:
                        key = string_value(element.key)
                        if key is None or key in keywords:
                            result = result.union(self.keyed_taint(element.key, element.value))
                    else:
                        result = result.union(self.taint(element.value))
                for key, taint in binding.keyed.items():
                    if key in keywords:
                        result = result.union(taint)
                return result
            if binding is not None and binding.keyed is not None and self._keyword_params(binding):
                # `def fetch(url, **kwargs): kwargs.setdefault("auth", (user, password))`: only
                # what the body put under these keys (the callers' are judged at each call)
                result = EMPTY
                for key, taint in binding.keyed.items():
                    if key in keywords:
                        result = result.union(taint)
                return result
        return self.taint(node)

    def _keyword_params(self, binding) -> bool:
        """Whether `binding` is the `**kwargs` parameter of an enclosing function, carrying no
        data of its own (engine/parameters.py)."""
        scope: Optional[Scope] = self.scope
        while scope is not None:
            if scope.data.get("keyword params") is binding:
                return True
            scope = scope.parent
        return False

    def keyed_taint(self, key_node, value_node) -> Taint:
        """A value under a key (`{"email": x}`, `email=x`, `set_tag("email", x)`): the
        value's own data, or, for a value of unknown content, what the key names."""
        taint = self.taint(value_node)
        if taint:
            return taint
        key = string_value(key_node) if not isinstance(key_node, str) else key_node
        if key is None or not self._may_hold_data(value_node):
            return EMPTY
        return self._taint_source(self.vocab.classify(key, key=True), value_node, "medium", key)
