"""Taint propagation: which personal data an expression carries (names, attributes, keyed
items, literals; what an item under a key holds is analysis/taint_items.py). A mixin of the
engine's Context.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, FrozenSet, Optional

import libcst as cst

from gdpr_lint.analysis.account_models import account_resolver, imports_django
from gdpr_lint.analysis.account_uses import account_objects, may_be_account
from gdpr_lint.analysis.flow import EMPTY, UNKNOWN, Source, Taint
from gdpr_lint.analysis.form_payload import form_fields_reason
from gdpr_lint.analysis.labels import formatted_parts, labelled, percent_labels
from gdpr_lint.analysis.opened_paths import opened_as_path
from gdpr_lint.analysis.names import is_constant_name, split_words
from gdpr_lint.analysis.taint_host import TaintHost
from gdpr_lint.semantic.scope import _ClassRef, _FunctionRef
from gdpr_lint.syntax.nodes import (
    TEMPLATE_STRING,
    _is_domain_part,
    _is_short_slice,
    _last_name,
    dotted_name,
)

if TYPE_CHECKING:
    from gdpr_lint.semantic.scope import Scope


# set arithmetic: a difference, an intersection, a union of sets holds (some of) their members
_SET_OPERATORS = (cst.Subtract, cst.BitAnd, cst.BitOr, cst.BitXor)
_MEDIUM_REASON = "an address read beside its medium: a third-party id, a person's e-mail address or phone number"


def _is_pop(node) -> bool:
    return type(node) is cst.Call and type(node.func) is cst.Attribute and node.func.attr.value == "pop"


class TaintMixin(TaintHost):
    """What an expression carries: its sources of personal data."""

    # names an `except` handler sees as they were before its `try` (engine/handler_view.py)
    before_try: FrozenSet[str] = frozenset()
    # ids of the names the sink being checked formats whole (analysis/formatted.py)
    formatted_whole: FrozenSet[int] = frozenset()

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

    def _context_word(self, owner_node, owner: str) -> str:
        """The name an attribute is read in the context of: its owner's, with a variant's
        letter or number dropped (`user_a.name`, `user2.name` are a user's name), and for `self`
        the class being walked (`self.name` in `class SlurmUser` is a user's name)."""
        if type(owner_node) is cst.Name and owner_node.value in ("self", "cls"):
            method = self._method_scope()
            if method is not None and method.class_scope is not None and owner_node.value == method.self_name:
                words = split_words(method.class_scope.name)
                if words and self.vocab.fold(words[-1]) in self.vocab.person_nouns:
                    return method.class_scope.name  # a class named for a person, not `RemoteUserAuth`
            return owner
        words = split_words(owner)
        while len(words) > 1 and (len(words[-1]) == 1 or words[-1].isdigit()):
            words = words[:-1]
        return "_".join(words)

    def _set_arithmetic_taint(self, node: cst.BinaryOperation) -> Taint:
        """`ldap_usernames - oncall_usernames`, `set(a) & set(b)`: a set made from sets holds
        their members (a difference only the left one's); numbers subtracted or masked carry
        nothing, so an operand must be a set the code builds."""
        op = type(node.operator)
        if op not in _SET_OPERATORS or not (self._builds_set(node.left) or self._builds_set(node.right)):
            return EMPTY
        if op is cst.Subtract:
            return self.taint(node.left)
        return self.taint(node.left).union(self.taint(node.right))

    def _builds_set(self, node, _depth: int = 0) -> bool:
        t = type(node)
        if t in (cst.Set, cst.SetComp):
            return True
        if t is cst.Call:
            return _last_name(node.func) in ("set", "frozenset", "keys")
        if t is cst.BinaryOperation and _depth < 8:
            return self._builds_set(node.left, _depth + 1) or self._builds_set(node.right, _depth + 1)
        if t is cst.Name and _depth < 8:
            binding = self.scope.lookup(node.value)
            return binding is not None and binding.defs == 1 and self._builds_set(binding.value, _depth + 1)
        return False

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
        form_reason = form_fields_reason(self, node)  # `form.cleaned_data` of a form that asks for no one's data
        if form_reason is not None:
            return self._taint_source(self.vocab.payload_category, node, "low", reason=form_reason)
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
            and not self._is_response_name(func.value)
        )

    def _is_response_name(self, node) -> bool:
        """`request = requests.get(url)`: a name bound to the response of an outgoing HTTP call
        ([pii.flow] response-functions), not the request a user sent."""
        binding = self.scope.lookup(node.value) if type(node) is cst.Name else None
        value = binding.value if binding is not None else None
        if type(value) is cst.Await:
            value = value.expression
        return type(value) is cst.Call and self.resolve(value.func) in self.vocab.response_functions

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
            if base is None or self._is_response_name(node.value):
                return False
            # `s.validated_data`, `f.cleaned_data`: only a bound form or serializer has them,
            # whatever the name holding it is called
            return base in self.vocab.request_bases or node.attr.value in self.vocab.payload_names
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
            if whole and not binding.taint and self.text_shown and not self._is_class_itself(node):
                shown = self._text_shown_taint(node, binding)
                if shown:  # `self` of django-newsletter's Subscription: its __str__ shows the e-mail
                    return shown
            if whole and not binding.taint and binding.items:
                return binding.items.through(node.value)  # `row` after `email = row["Email"]`
            if (
                whole
                and not binding.taint
                and not self._assigned_before_try(node.value, binding)
                and may_be_account(
                    node.value,
                    self.vocab.user_attributes,
                    binding.type_name,
                    binding.value,
                    self.vocab.account_types,
                    self.vocab.account_record_words,
                    self.vocab.account_login_names if self.vocab.account_password_names else frozenset(),
                )
            ):
                account = self._account_taint(node)
                if account:
                    return account
            if not binding.taint and self.sends_mail:
                return self._recipient_taint(node)
            taint = self._judged_by_use(node.value, binding.taint)
            if taint and whole and id(node) in self.formatted_whole:
                from gdpr_lint.analysis.formatted import shown_whole

                return shown_whole(self, node, binding, taint)  # `log.debug(response)`: `<Response [200]>`
            return taint
        return self._taint_source(self.vocab.classify(node.value), node)

    def _assigned_before_try(self, name: str, binding) -> bool:
        """`author = options["user"]` seen from the handler of a `try` whose last statement
        `author = User.objects.get(username=author)` raised: it holds what that assignment
        gave it, whatever the rest of the function makes of the name (an account)."""
        return name in self.before_try and isinstance(binding.value, cst.CSTNode)

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
            from gdpr_lint.semantic.project_logins import authenticated_names

            accounts = account_objects(
                scope.node,
                self.vocab.user_attributes,
                self.vocab.account_attributes,
                self.vocab.account_types,
                account_resolver(self.resolve, self.scope.lookup, self.vocab, self.project),
                self.vocab.account_record_words,
                self._module_function,
                self.vocab.account_logins,
                self.vocab.account_django_fields if imports_django(self.module) else frozenset(),
                self.vocab.account_login_names,
                self.vocab.account_password_names,
                self.vocab.account_connection_names,
                authenticated_names(self.project, self.vocab),
            )
            self._function_accounts[id(scope.node)] = accounts
        evidence = accounts.get(node.value)
        if evidence is None:
            return EMPTY
        reason = f"`{node.value}` is {evidence}"
        return self._taint_source(self.vocab.user_category, node, "medium", reason=reason)

    def _medium_address(self, container, key: str) -> Optional[str]:
        """`assoc["address"]` where the function also reads `assoc["medium"]`: a third-party id,
        a person's e-mail address or phone number (analysis/medium_ids.py)."""
        spec = self.vocab.medium_address
        if not spec or key != spec[0]:
            return None
        scope: Optional[Scope] = self.scope
        while scope is not None and scope.kind != "function":
            scope = scope.parent
        written = dotted_name(container)
        if scope is None or scope.node is None or written is None:
            return None
        from gdpr_lint.analysis.medium_ids import reads_sibling

        return spec[2] if reads_sibling(scope.node, written, spec[1]) else None

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
            if self._enum_member_part(node):
                return EMPTY  # Roles.RESOURCE_USER.name: the member's own name, a constant
            category = self.vocab.classify(attr, context=self._context_word(node.value, owner))
            if category is None and self._medium_address(node.value, attr) is not None:
                return self._taint_source(self._medium_address(node.value, attr), node, "medium", reason=_MEDIUM_REASON)
            if (
                category is not None
                and not self._owner_excludes(category, node.value)
                and not self._is_signal_sender(node.value)
                and not opened_as_path(self.scope, node, self.resolve, self.vocab.file_openers)
            ):
                return self._taint_source(category, node, "medium")
            if category is None and attr in self.vocab.value_attributes and type(node.value) is cst.Attribute:
                return self.taint(node.value)  # `entry.memberUid.values`: what the entry's attribute holds
            if self._is_payload(node):
                return self._payload_taint(node)  # `request.POST` whole
            if attr in self.vocab.sources.server_response_bodies and self._is_server_response(node.value):
                return self.taint(node.value)  # `response.json` of `authorization.create_token_response()`
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
            return self._set_arithmetic_taint(node)
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
