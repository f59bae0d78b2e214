"""Taint propagation: which personal data an expression carries (names, attributes, keyed
items, literals). A mixin of the engine's Context.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import libcst as cst

from gdpr_lint.analysis import sources as call_sources
from gdpr_lint.analysis.account_models import account_resolver, imports_django
from gdpr_lint.analysis.account_uses import account_objects, may_be_account
from gdpr_lint.analysis.flow import EMPTY, UNKNOWN, Source, Taint
from gdpr_lint.analysis.labels import formatted_parts, labelled, percent_labels
from gdpr_lint.analysis.names import is_constant_name, split_words
from gdpr_lint.analysis.taint_host import TaintHost
from gdpr_lint.semantic.scope import _ClassRef, _FunctionRef
from gdpr_lint.syntax.nodes import (
    TEMPLATE_STRING,
    _is_domain_part,
    _is_short_slice,
    _last_name,
    dotted_name,
    string_value,
)

if TYPE_CHECKING:
    from gdpr_lint.semantic.scope import Scope


def _is_pop(node) -> bool:
    return type(node) is cst.Call and type(node.func) is cst.Attribute and node.func.attr.value == "pop"


class TaintMixin(TaintHost):
    """What an expression carries: its sources of personal data."""

    def _percent_taint(self, node: cst.BinaryOperation) -> Taint:
        """`"job %s failed" % job_name`: each value judged with the text in front of it."""
        text = self.constant(node.left) if type(node.left) in (cst.SimpleString, cst.ConcatenatedString) else None
        labels = percent_labels(text.value) if text is not None and isinstance(text.value, str) else {}
        elements = node.right.elements if type(node.right) is cst.Tuple else ()
        values = [e.value for e in elements] if type(node.right) is cst.Tuple else [node.right]
        if not labels or len(labels) != len(values) or any(type(e) is cst.StarredElement for e in elements):
            return self.taint(node.left).union(self.taint(node.right))
        result = EMPTY
        for position, value in enumerate(values):
            result = result.union(labelled(self.vocab, self.taint(value), labels[position]))
        return result

    def _concat_taint(self, node: cst.BinaryOperation) -> Taint:
        """`"Deleted session_key: " + session_key`: each value judged with the text in front of
        it, as in an f-string."""
        operands = []
        current: cst.BaseExpression = node
        while type(current) is cst.BinaryOperation and type(current.operator) is cst.Add:
            operands.append(current.right)
            current = current.left
        operands.append(current)
        result = EMPTY
        before = ""
        for operand in reversed(operands):
            text = self.constant(operand) if type(operand) in (cst.SimpleString, cst.ConcatenatedString) else None
            if text is not None and isinstance(text.value, str):
                before += text.value
                continue
            taint = self.taint(operand)
            result = result.union(labelled(self.vocab, taint, before) if before and taint else taint)
            before = ""
        return result

    def _payload_taint(self, node) -> Taint:
        """What a user sent in a request, whole: low where the endpoint handles a thing that is
        no person's (`ThemeRestApi.put`, `def delete_tag(request)`: [pii.request-sources]
        `thing-resources`) and nothing in its names is about people."""
        words: list = []
        scope: Optional[Scope] = self.scope
        while scope is not None:
            if scope.kind in ("function", "class") and scope.name:
                words.extend(split_words(scope.name))
            scope = scope.parent
        resource = next((w for w in words if w in self.vocab.payload_thing_resources), None)
        if resource is not None and not self.vocab.judge.people_scope.intersection(words):
            return self._taint_source(
                self.vocab.payload_category,
                node,
                "low",
                reason=f"what a user sent to an endpoint about a {resource}, not about a person",
            )
        return self._taint_source(
            self.vocab.payload_category, node, "medium", reason="what a user sent in a request, passed on whole"
        )

    def _is_payload_call(self, call: cst.Call) -> bool:
        """`request.get_json()`, `await request.json()`: what a user sent, read whole."""
        func = call.func
        return (
            type(func) is cst.Attribute
            and func.attr.value in self.vocab.payload_methods
            and dotted_name(func.value) in self.vocab.request_bases
        )

    def _is_payload(self, node) -> bool:
        """`request.POST`, `request.data`: what a user sent, whole."""
        return (
            type(node) is cst.Attribute
            and node.attr.value in self.vocab.payload_attributes
            and self._is_request_source(node)
        )

    def _is_request_source(self, node) -> bool:
        if type(node) is cst.Attribute and node.attr.value in self.vocab.request_attributes:
            base = dotted_name(node.value)
            return base is not None and base in self.vocab.request_bases
        return False

    def taint(self, node) -> Taint:
        self._taint_depth += 1
        try:
            if self._taint_depth > 40:
                return EMPTY
            if self._taint_depth == 1 and self.branch_words:
                return self._taint(node).in_branch(self.branch_words)
            return self._taint(node)
        finally:
            self._taint_depth -= 1

    def _name_taint(self, node: cst.Name, whole: bool = True) -> Taint:
        """whole: the object itself is used (formatted, printed), not one of its methods'
        results (`body.model_dump(include=...)` picks its fields)."""
        binding = self.scope.lookup(node.value)
        if binding is not None:
            if binding.qualname:  # `jwt.encode(...)`: a module's or an object's method, not its value
                return self._imported_name_taint(node, binding) if whole else EMPTY
            if isinstance(binding.value, (_ClassRef, _FunctionRef)):
                return EMPTY
            if whole and not binding.taint and self.printed_whole and not self._is_class_itself(node):
                owner = self._owner_class(node)
                if owner in self.printed_whole:  # `body: SignupRequest`, a pydantic model
                    return self._object_dump_taint(node)
            if whole and not binding.taint and binding.items:
                return binding.items.through(node.value)  # `row` after `email = row["Email"]`
            if (
                whole
                and not binding.taint
                and may_be_account(
                    node.value,
                    self.vocab.user_attributes,
                    binding.type_name,
                    binding.value,
                    self.vocab.account_types,
                    self.vocab.account_record_words,
                )
            ):
                account = self._account_taint(node)
                if account:
                    return account
            if not binding.taint and self.sends_mail:
                return self._recipient_taint(node)
            return self._judged_by_use(node.value, binding.taint)
        return self._taint_source(self.vocab.classify(node.value), node)

    def _recipient_taint(self, node: cst.Name) -> Taint:
        """`e_to` that the function passes as the recipients of `smtp.sendmail(...)`: e-mail
        addresses, whatever the name says (analysis/uses.py)."""
        spec = self.vocab.use_spec
        scope: Optional[Scope] = self.scope
        while scope is not None and scope.kind != "function":
            scope = scope.parent
        if scope is None or scope.node is None or spec.recipient_category is None:
            return EMPTY
        recipients = self._function_recipients.get(id(scope.node))
        if recipients is None:
            from gdpr_lint.analysis.uses import function_recipients

            recipients = function_recipients(scope.node, spec, self.resolve, self._module_function)
            self._function_recipients[id(scope.node)] = recipients
        called = recipients.get(node.value)
        if called is None:
            return EMPTY
        reason = f"`{node.value}` is passed as the recipients of {called}(): e-mail addresses"
        return self._taint_source(spec.recipient_category, node, "medium", reason=reason)

    def _account_taint(self, node: cst.Name) -> Taint:
        """`user` whose function reads an account's attribute from it (`user.is_superuser`):
        a signed-in user, printed as its username; or reads it by key (`user["id"]`): a user's
        record, printed whole (analysis/account_uses.py)."""
        scope: Optional[Scope] = self.scope
        while scope is not None and scope.kind != "function":
            scope = scope.parent
        if scope is None or scope.node is None or self.vocab.user_category is None:
            return EMPTY
        accounts = self._function_accounts.get(id(scope.node))
        if accounts is None:
            accounts = account_objects(
                scope.node,
                self.vocab.user_attributes,
                self.vocab.account_attributes,
                self.vocab.account_types,
                account_resolver(self.resolve, self.scope.lookup, self.vocab),
                self.vocab.account_record_words,
                self._module_function,
                self.vocab.account_logins,
                self.vocab.account_django_fields if imports_django(self.module) else frozenset(),
            )
            self._function_accounts[id(scope.node)] = accounts
        evidence = accounts.get(node.value)
        if evidence is None:
            return EMPTY
        reason = f"`{node.value}` is {evidence}"
        return self._taint_source(self.vocab.user_category, node, "medium", reason=reason)

    def _module_function(self, name: str) -> Optional[cst.FunctionDef]:
        """The module's top-level function of that name, if any."""
        for statement in self.module.body:
            if type(statement) is cst.FunctionDef and statement.name.value == name:
                return statement
        return None

    def _lacking(self, name: Optional[str]):
        """What the enclosing branches say `name` is not: None for no data at all, else the
        categories it does not carry (empty: nothing known)."""
        categories = set()
        for known, category in self.empty_names:
            if known == name:
                if category is None:
                    return None
                categories.add(category)
        return frozenset(categories)

    def _taint(self, node) -> Taint:
        t = type(node)
        if self.empty_names and (t is cst.Name or t is cst.Attribute):
            lacking = self._lacking(dotted_name(node))
            if lacking is None:
                return EMPTY  # `if not email: raise ValueError(f"no email: {email}")`: None or ""
            if lacking:  # `if "@" not in value:`: whatever it is, no e-mail address
                taint = self._taint_of(node, t).without_categories(lacking)
                if UNKNOWN in lacking and "session" in split_words(dotted_name(node) or ""):
                    # a session id the server minted: unknown, it has expired or never was (a
                    # token people type, such as an invitation, may be a near-miss of a real one)
                    categories = self.vocab.categories
                    taint = taint.capped(
                        "low",
                        "looked up and not found: an unknown session id authenticates nothing",
                        where=lambda s: s.ambiguous and categories[s.category].group == "credential",
                    )
                return taint
        taint = self._taint_of(node, t)
        if t is cst.Name and taint:
            if self.empty_names:
                taint = self._without_empty_items(taint)
            return self._revoked(node.value, taint)
        return taint

    def _without_empty_items(self, taint: Taint) -> Taint:
        """The data less the items a branch says are empty (`email = data.get("email")` /
        `if email: return email` / `raise Error(str(data))`: data holds no address there)."""
        read = set()
        for name, category in self.empty_names:
            if category is None and "." not in name:
                binding = self.scope.lookup(name)
                if binding is not None and isinstance(binding.value, cst.CSTNode):
                    read.add(id(binding.value))
        if not read or not any(id(s.node) in read for s in taint.sources):
            return taint
        return Taint(
            tuple(s for s in taint.sources if id(s.node) not in read), taint.via, self._render, self.vocab.label
        )

    def _revoked(self, name: str, taint: Taint) -> Taint:
        """A session id or token a loop over the ids to end logs and then deletes the session of
        (`for sid in to_expire:` / `log("Expiring %s", sid)` / `del self._sessions[sid]`):
        logged as it ends, it authenticates nothing afterwards."""
        categories = self.vocab.categories

        def ends(s: Source) -> bool:
            return s.ambiguous and categories[s.category].group == "credential"

        if not any(ends(s) for s in taint.sources):
            return taint
        block, stmt = self.block, getattr(self, "stmt", None)
        # the body of a loop over the ids to end: `for sid in to_expire:` / log / delete
        if len(block) != 2 or block[0] is not stmt or self.loop_blocks.get(id(block)) != name:
            return taint
        if type(block[1]) is not cst.SimpleStatementLine:
            return taint
        small = block[1].body[0]
        key = None
        if type(small) is cst.Del and type(small.target) is cst.Subscript:
            key = small.target.slice[0].slice.value if type(small.target.slice[0].slice) is cst.Index else None
        elif type(small) is cst.Expr and type(small.value) is cst.Call and _is_pop(small.value) and small.value.args:
            key = small.value.args[0].value
        if type(key) is not cst.Name or key.value != name:
            return taint
        return taint.capped(
            "low",
            "the session it keys is deleted by the next statement: it authenticates nothing afterwards",
            where=ends,
        )

    def _taint_of(self, node, t) -> Taint:
        if t is cst.Name:
            return self._name_taint(node)
        if t is cst.Attribute:
            binding = self._self_binding(node)
            if binding is not None:
                if binding.taint:
                    return binding.taint
                if binding.value is not None and self._assigned_clean(binding):
                    return EMPTY
            attr = node.attr.value
            if attr == "__dict__":
                return self._object_dump_taint(node.value)
            if attr.startswith("__"):
                return EMPTY  # __name__, __class__: the code, not the data
            category = self.field_categories.get(attr)
            if category is not None:
                return self._taint_source(category, node, "high")
            relation = self.account_fields.get(attr)
            if relation is not None and self.vocab.user_category is not None:
                reason = f"`{attr}` is {relation}: a user, who prints as their username"
                return self._taint_source(self.vocab.user_category, node, "medium", reason=reason)
            if attr in self.masked_fields.get(self._owner_class(node.value) or "", ()):
                return EMPTY  # a SecretStr field prints as **********
            owner = _last_name(node.value)
            if (
                is_constant_name(attr)
                and owner.lower() not in self.vocab.config_owners
                and not self._is_request_source(node)
            ):
                return EMPTY  # ErrorCode.LOGIN_BAD_CREDENTIALS: an enum member, not a secret
            category = self.vocab.classify(attr, context=owner)
            if (
                category is not None
                and not self._owner_excludes(category, node.value)
                and not self._is_signal_sender(node.value)
            ):
                return self._taint_source(category, node, "medium")
            if self._is_payload(node):
                return self._payload_taint(node)  # `request.POST` whole
            if attr in self.vocab.user_attributes and dotted_name(node.value) in self.vocab.request_bases:
                return self._taint_source(
                    self.vocab.user_category, node, "medium"
                )  # `request.user` prints its username
            return EMPTY
        if t is cst.Subscript:
            key = self._subscript_key(node)
            if key is not None:
                return self._keyed_item_taint(node.value, key, node)
            if _is_short_slice(node) or _is_domain_part(node) or self._is_payload(node.value):
                return EMPTY  # `request.POST[field]`: one field, whose key the code does not say
            return self._sliced_taint(node)
        if t is cst.Call:
            return self._call_taint(node)
        if t is cst.FormattedString or t is TEMPLATE_STRING:
            result = EMPTY
            for before, expression in formatted_parts(node.parts):  # `f"Loaded script {script.full_name}"`
                result = result.union(labelled(self.vocab, self.taint(expression), before))
            return result
        if t is cst.BinaryOperation:
            if type(node.operator) is cst.Modulo:
                return self._percent_taint(node)
            if type(node.operator) is cst.Add:
                return self._concat_taint(node)
            return EMPTY
        if t is cst.ConcatenatedString:
            return self.taint(node.left).union(self.taint(node.right))
        if t in (cst.List, cst.Tuple, cst.Set):
            result = EMPTY
            for element in node.elements:
                result = result.union(self.taint(element.value))
            return result
        if t is cst.Dict:
            result = EMPTY
            for element in node.elements:
                if type(element) is cst.DictElement:
                    result = result.union(self.keyed_taint(element.key, element.value))
                else:
                    result = result.union(self.taint(element.value))
            return result
        if t is cst.IfExp:
            return self.taint(node.body).union(self.taint(node.orelse))
        if t is cst.BooleanOperation:
            return self.taint(node.left).union(self.taint(node.right))
        if t in (cst.Await, cst.StarredElement):
            return self.taint(node.expression if t is cst.Await else node.value)
        if t is cst.NamedExpr:
            return self.taint(node.value)
        if t is cst.Lambda:
            return self.taint(node.body)
        if t in (cst.ListComp, cst.SetComp, cst.GeneratorExp):
            return self._comprehension_taint(node, node.elt)
        if t is cst.DictComp:
            return self._comprehension_taint(node, node.value)
        return EMPTY

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
        category = self.vocab.classify(key, key=True, context=context)
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
        return self.taint(node)

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
