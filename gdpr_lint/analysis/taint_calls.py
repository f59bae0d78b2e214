"""Taint through calls, dict keys, loops and comprehensions. A mixin of the engine's Context."""

from __future__ import annotations

from typing import List, Optional, Tuple, Union

import libcst as cst

from gdpr_lint.analysis.flow import EMPTY, Taint
from gdpr_lint.analysis.format_fields import field_paths, taken
from gdpr_lint.analysis.names import is_constant_name, split_words
from gdpr_lint.analysis.taint_host import TaintHost
from gdpr_lint.semantic.scope import Binding, _FunctionRef
from gdpr_lint.syntax.nodes import (
    _last_name,
    _target_name_nodes,
    _target_names,
    string_value,
)

_FIELD_WORDS = frozenset(("field", "attr", "attribute"))  # a key's name that says which field it reads
_PAYLOAD_CATEGORIES = frozenset(("request_payload",))  # any attribute of what a request sent is sent data


class CallTaintMixin(TaintHost):
    """What a call's result, a dict's keys and a loop target carry."""

    def _comprehension_taint(self, node, element) -> Taint:
        saved = []
        for_in = node.for_in
        while for_in is not None:
            for name, source in self._loop_taints(for_in.target, for_in.iter):
                saved.append((name, self.scope.bindings.get(name)))
                self.scope.bindings[name] = Binding(name, None, source.through(name))
            for_in = for_in.inner_for_in
        try:
            return self.taint(element)
        finally:
            for name, old in reversed(saved):
                if old is None:
                    self.scope.bindings.pop(name, None)
                else:
                    self.scope.bindings[name] = old

    def _loop_taints(self, target, iterable) -> List[Tuple[str, Taint]]:
        """What each name of a loop target carries. Iterating a dict whose keys we know gives
        its keys: `for field, value in changes.items()` (field: a key), `for field in changes`."""
        names = _target_names(target)
        iterable = _view_copied(iterable)
        t = type(iterable)
        if (
            t is cst.Call
            and type(iterable.func) is cst.Attribute
            and not iterable.args
            and iterable.func.attr.value in ("items", "keys")
        ):
            keys = self.keys_taint(iterable.func.value)
            if keys is not None:
                if iterable.func.attr.value == "keys":
                    return [(name, keys) for name in names]
                if (
                    type(target) in (cst.Tuple, cst.List)
                    and len(target.elements) == 2
                    and type(target.elements[0].value) is cst.Name
                ):
                    first = target.elements[0].value.value
                    rest = self.taint(iterable)
                    return [(name, keys if name == first else rest) for name in names]
            elif (
                iterable.func.attr.value == "items"
                and type(target) in (cst.Tuple, cst.List)
                and len(target.elements) == 2
                and type(target.elements[0].value) is cst.Name
            ):
                # `for name, morsel in cookie_data.items()`: the key names an entry, it does
                # not carry the values' data; its own name may say what it is (`for email, n in`)
                key_node = target.elements[0].value
                key_taint = self._item_name_taint(key_node, iterable)
                if key_node.value in self.vocab.judge.item_key_names:  # `for key, value in secrets.items()`
                    key_taint = key_taint.capped(
                        "low",
                        f"`{key_node.value}` takes the keys of a mapping's items: an entry's name, not its value",
                        ambiguous_only=True,
                    )
                return [(key_node.value, key_taint)] + self._items_taints(target.elements[1].value, iterable)
        elif t in (cst.Name, cst.Dict, cst.DictComp):
            keys = self.keys_taint(iterable)
            if keys is not None:
                return [(name, keys) for name in names]
        return self._items_taints(target, iterable)

    def _items_taints(self, target, iterable) -> List[Tuple[str, Taint]]:
        """What each name of a loop target carries from the iterable's items: what the
        iterable carries, or when its items are unknown, what each name says."""
        source = self.taint(iterable)
        if source or not self._items_unknown(iterable):
            return [(name, source) for name in _target_names(target)]
        return [(name, self._item_name_taint(node, iterable)) for name, node in _target_name_nodes(target).items()]

    def _items_unknown(self, iterable) -> bool:
        """Whether the items of an iterable are values we cannot see (a parameter, a query, a
        call's result): then a loop or unpacking target's own name says what each item is, as
        an assigned variable's does. Not for literals, constants (`settings.ADMINS`) or values
        known to be clean."""
        if type(iterable) is cst.Attribute and is_constant_name(iterable.attr.value):
            return False
        return self._may_hold_data(iterable)

    def _item_name_taint(self, target: cst.Name, iterable) -> Taint:
        """`for (cid, full_name), total in top.items()`: the target's name speaks."""
        category = self.vocab.classify(target.value)
        if category is not None and self._owner_excludes(category, iterable, items=True):
            return EMPTY  # for ip in cluster.node_ips: a machine's
        return self._taint_source(category, target)

    def keys_taint(self, node, _depth: int = 0) -> Optional[Taint]:
        """What the keys of a dict carry, when the dict is one we can see: a dict display or
        comprehension (or a name bound once to one), the fields of an object (`vars(data)`,
        `data.__dict__`, `data.model_dump()`) or request data (`request.POST`: field names).
        None when the value is not known to be such a dict. Checks use it where an API
        stores a mapping's keys as data (redis `zadd(name, {member: score})`)."""
        if _depth > 8:
            return None
        t = type(node)
        if t is cst.Dict:
            result = EMPTY
            for element in node.elements:
                if type(element) is cst.DictElement:
                    result = result.union(self.taint(element.key))
                else:
                    keys = self.keys_taint(element.value, _depth + 1)
                    result = result.union(keys if keys is not None else self.taint(element.value))
            return result
        if t is cst.DictComp:
            return self._comprehension_taint(node, node.key)
        if t is cst.Name:
            binding = self.scope.lookup(node.value)
            keys = None
            if binding is not None and binding.defs == 1 and type(binding.value) in (cst.Dict, cst.DictComp, cst.Call):
                keys = self.keys_taint(binding.value, _depth + 1)
            if keys is None and binding is not None and binding.items:
                return EMPTY  # `sorted(row)` after `row["email"]`: the keys the code reads by name
            return keys
        if t is cst.Attribute:
            if node.attr.value == "__dict__":
                return EMPTY
            if self._is_payload(node):
                return EMPTY
            return None
        if t is cst.Call:
            name = _last_name(node.func)
            if name in self.vocab.object_dumpers and node.args:
                return EMPTY
            if type(node.func) is cst.Attribute and name in self.vocab.dump_methods and not node.args:
                return EMPTY
            if self._is_payload_call(node):
                return EMPTY  # `request.get_json()`: field names
        return None

    def _call_taint(self, node: cst.Call) -> Taint:
        func = node.func
        target = self.resolve(func)
        name = func.attr.value if type(func) is cst.Attribute else (func.value if type(func) is cst.Name else "")
        if self.vocab.is_sanitizer(target, name):
            return self._weak_digest_taint(node) if self.weak_hashes else EMPTY
        obtained = self._obtained_taint(node, target, name)  # a prompt, a secret setting, an alias
        if obtained is not None:
            return obtained
        result = self._call_result_taint(node, func, target, name)
        if self.project is not None and node.args:
            passed = self.callee_passes(node, target)  # a project helper that gives its argument back
            if passed is not None:
                return passed.union(result)
        return result

    def _own_method_returns(self, func) -> Taint:
        """What a method of the class being walked returns, called on the instance
        (`self.local_get_members(pk)`): the data its returns carry, as for the module's own
        functions; EMPTY when it returns nothing known to be data or is not walked yet."""
        if type(func) is not cst.Attribute or type(func.value) is not cst.Name:
            return EMPTY
        method = self._method_scope()
        if method is None or method.class_scope is None or func.value.value != method.self_name:
            return EMPTY
        binding = method.class_scope.bindings.get(func.attr.value)
        if binding is None or not isinstance(binding.value, _FunctionRef) or not binding.taint:
            return EMPTY
        if _returns_mapping(method.class_scope.node, func.attr.value):
            return EMPTY  # `{"url": ..., "cookies": self.cookies}`: keyed, what the caller pops or picks
        # only what is surely a person's (read from a record, a strong identifier): a name the
        # method's own context made likely (`_credentials`, `config.get_ipaddress()`, a configured
        # `self.username`) loses that context in the caller
        sure = tuple(source for source in binding.taint.sources if source.confidence == "high")
        return Taint(sure, binding.taint.via, binding.taint._render, binding.taint._label) if sure else EMPTY

    def _call_result_taint(self, node: cst.Call, func, target: Optional[str], name: str) -> Taint:
        if type(func) is cst.Name and target is None:
            binding = self.scope.lookup(func.value)
            if (
                binding is not None
                and isinstance(binding.value, _FunctionRef)
                and (binding.taint or not self.function_returns.get(func.value, (True,))[0])
            ):
                return binding.taint  # what the module's own function returns (else its name says)
        own = self._own_method_returns(func)
        if own:
            return own  # `self.local_get_members(pk)` of a method returning `[u.username for ...]`
        if self._is_payload_call(node):
            return self._payload_taint(node)  # `request.get_json()`
        if type(func) is cst.Attribute:
            receiver_target = self.resolve(func.value)
            if receiver_target is not None and (receiver_target.startswith("<") or self._is_module(func.value)):
                receiver = EMPTY  # a module or a client object: `requests.get`, `session.get`
            elif type(func.value) is cst.Name:
                receiver = self._name_taint(func.value, whole=False)
            else:
                receiver = self.taint(func.value)
            is_object = receiver_target is not None and (receiver_target.startswith("<") or self._is_module(func.value))
            if is_object and type(func.value) is cst.Attribute and name in self.vocab.passthrough_methods:
                # `lu.LOG_FMT.format(message=msg)`: another module's template is text, formatted
                template = self.constant(func.value)
                is_object = template is None or not isinstance(template.value, str)
            # a mapping's `get(key, default)`; a `get` with keywords (`headers=`, `timeout=`) is
            # an HTTP client's, whatever the object: what it sends is not in what it returns
            if (
                name in ("get", "pop")
                and node.args
                and not is_object
                and not self._kind_is_module(target)
                and all(arg.keyword is None for arg in node.args)
            ):
                key = string_value(node.args[0].value)
                if key is None and type(node.args[0].value) in (cst.Name, cst.Attribute):
                    folded = self.constant(node.args[0].value)
                    key = folded.value if folded is not None and isinstance(folded.value, str) else None
                if key is not None:
                    item = self._keyed_item_taint(func.value, key, node)
                    for arg in node.args[1:2]:
                        item = item.union(self.taint(arg.value))
                    return item
                if not receiver:
                    return EMPTY
                # `request.POST.get(f"payment_{method}_oid")`: one field, not the form whole
                result = EMPTY if self._is_payload(func.value) else receiver
                for arg in node.args[1:2]:
                    result = result.union(self.taint(arg.value))
                return result
            if name in self.vocab.message_renderers and not node.args and type(func.value) is cst.Name:
                rendered = self._rendered_message(node, func.value.value)
                if rendered:
                    return rendered.union(receiver)  # `msg.as_string()` of a message with `msg["To"]`
            if name in self.vocab.dump_methods and not node.args and self._owner_class(func.value):
                # `body.model_dump()` of a class of this module: its fields' data, and what
                # the object itself carries (`dict` is also a passthrough method below)
                return self._object_dump_taint(func.value).union(receiver)
            if (
                not is_object
                and name in self.vocab.key_methods
                and len(node.args) == 1
                and node.args[0].keyword is None
            ):
                keys = self.keys_taint(node.args[0].value)
                if keys is not None:
                    return receiver.union(keys)  # `", ".join(changes)`: the keys of a dict we know
            if not is_object and name in self.vocab.passthrough_methods:
                if name in self.vocab.judge.redacting_methods:
                    redacted = self._redacted_in_place(node, receiver)
                    if redacted is not None:
                        return redacted
                if name == "format":
                    fields = self._format_fields(func.value, node)
                    if fields is not None:
                        return receiver.union(self._formatted_args_taint(node, fields))
                result = receiver
                for arg in node.args:
                    if arg.keyword is None or arg.keyword.value not in self.vocab.passthrough_skip_keywords:
                        result = result.union(self.taint(arg.value))
                return result
        if name in self.vocab.object_dumpers and node.args:
            return self._object_dump_taint(node.args[0].value)
        if target in self.vocab.key_functions and len(node.args) == 1 and node.args[0].keyword is None:
            keys = self.keys_taint(node.args[0].value)
            if keys is not None:
                return keys  # `sorted(changes)`: the keys of a dict we know
        positional = [arg.value for arg in node.args if arg.keyword is None and not arg.star]
        if target in self.vocab.element_filters and len(positional) == 2:
            return self.taint(positional[1])  # `filter(None, emails)`: some of the items, unchanged
        if target in self.vocab.element_mappers and len(positional) >= 2 and self._keeps_items(positional[0]):
            result = EMPTY  # `map(str, recipient_list)`: each item, as text
            for value in positional[1:]:
                result = result.union(self.taint(value))
            return result
        response = target in self.vocab.response_functions
        if (
            response
            or target in self.vocab.passthrough_functions
            or name in ("str", "repr", "format")
            and type(func) is cst.Name
        ):
            result = EMPTY
            for arg in node.args:
                if arg.keyword is None or arg.keyword.value not in self.vocab.passthrough_skip_keywords:
                    result = result.union(self.taint(arg.value))
            if response and result:  # the data a request is about, not the credentials it sent
                categories, dropped = self.vocab.categories, self.vocab.response_drops_groups
                result = result.restricted([c for c in result.categories if categories[c].group not in dropped])
            if target == "getattr" and len(node.args) >= 2:
                return self._getattr_taint(node, result)
            return result
        # getters named after the data: user.get_full_name(), get_client_ip(request)
        words = split_words(name)
        if len(words) > 1 and words[0] in self.vocab.sources.getter_verbs:  # and fetch_salary(emp)
            # `get_serial_by_otp(...)`, `get_user_by_email(...)`: what comes before `by` is got
            for index, word in enumerate(words[2:], 2):
                if word in self.vocab.getter_prepositions:
                    words = words[:index]
                    break
            context = _last_name(func.value) if type(func) is cst.Attribute else ""
            category = self.vocab.classify_words(words) or self.vocab.classify_words(words[1:])
            if category is None and context:
                category = self.vocab.classify("_".join(words[1:]), context=context)
            key = self._getter_key(node, category)
            if key is not None:  # `get_secret("API_BASE_URL")`: the key says what is got
                return self._taint_source(self.vocab.classify(key, key=True), node, name=key)
            judged = self.callee_judged(node, target, category) if category is not None else None
            if judged is not None and judged[0] == "low":  # `lu.get_session_id(state)`: where its body reads it
                return self._taint_source(category, node, "low", reason=judged[1])
            return self._taint_source(category, node)
        return EMPTY

    def _format_fields(self, template_node, node: cst.Call):
        """The fields of a literal `.format` template (None: unknown, every argument counts whole)."""
        if any(arg.star for arg in node.args):
            return None
        template = string_value(template_node)
        if template is None and type(template_node) is cst.Name:  # `template = "..."` then `template.format(...)`
            binding = self.scope.lookup(template_node.value)
            value = getattr(binding, "value", None) if binding is not None and not binding.qualname else None
            template = string_value(value) if isinstance(value, cst.CSTNode) else None
        return field_paths(template) if template is not None else None

    def _formatted_args_taint(self, node: cst.Call, fields) -> Taint:
        """What `"... {1.id}".format(res, user)` writes: of each argument, the parts its fields name."""
        result = EMPTY
        position = 0
        for arg in node.args:
            key: Union[int, str]
            if arg.keyword is None:
                key, position = position, position + 1
            else:
                key = arg.keyword.value
            for path in fields.get(key, ()):
                result = result.union(self.taint(taken(arg.value, path) if path else arg.value))
        return result

    def _keeps_items(self, func) -> bool:
        """Whether a function mapped over items gives them back as text (`str`, `repr`,
        `str.strip`, `str.lower`): a passthrough function, or a passthrough method named on
        `str`; not a lambda or any other function, whose result says nothing of the items."""
        if type(func) is cst.Attribute and type(func.value) is cst.Name and func.value.value == "str":
            return func.attr.value in self.vocab.passthrough_methods
        if type(func) in (cst.Name, cst.Attribute):
            target = self.resolve(func)
            return target is not None and target in self.vocab.passthrough_functions
        return False

    def _rendered_message(self, node: cst.Call, name: str) -> Taint:
        """An e-mail message rendered whole (`msg.as_string()`): its addresses, when the
        enclosing function sets or reads an address header of it (`msg["To"] = ...`,
        `smtp.send(msg["From"], ...)`); EMPTY otherwise (a TOML document's `doc.as_string()`)."""
        headers = self.vocab.address_headers
        function = self.scope.node if self.scope.kind == "function" else None
        if function is None or not headers:
            return EMPTY
        for sub in _subscripts_of(function, name):
            key = string_value(sub.slice[0].slice.value) if type(sub.slice[0].slice) is cst.Index else None
            if key is not None and key.lower() in headers:
                return self._taint_source(
                    "email", node, "medium", reason=f"an e-mail message rendered whole: its {key} header's addresses"
                )
        return EMPTY

    def _getattr_taint(self, node: cst.Call, result: Taint) -> Taint:
        """`getattr(obj, "email")`: what the key names. `getattr(obj, key)` with a key known only
        at run time is one attribute of `obj`, not `obj` formatted whole: what `obj` carries as a
        record (the fields its `__repr__` shows, a user model's username) is no surer than low,
        unless the key's name says which field it is (`User.USERNAME_FIELD`). What a request
        sent stays as it is: any attribute of it is still what the user sent."""
        obj, key_node = node.args[0].value, node.args[1].value
        folded = self.constant(key_node)
        key = string_value(key_node)
        if key is None and folded is not None and isinstance(folded.value, str):
            key = folded.value
        if key is not None:
            return self._taint_source(self.vocab.classify(key, context=_last_name(obj)), node, name=key)
        words = split_words(_last_name(key_node))
        if len(words) > 1 and words[-1] in _FIELD_WORDS:  # `self.username_field`, `User.EMAIL_FIELD`
            named = self.vocab.classify_words(tuple(words[:-1]))
            if named is not None:
                return self._taint_source(named, node, name="_".join(words[:-1]))
        rest = EMPTY
        for arg in node.args[1:]:
            rest = rest.union(self.taint(arg.value))
        whole = self.taint(obj)
        if not whole:
            return result
        capped = whole.capped(
            "low",
            f"getattr() with a key known only at run time: one attribute of `{_last_name(obj) or 'the object'}`, "
            "which one the code does not say",
            where=lambda s: s.category not in _PAYLOAD_CATEGORIES,
        )
        return capped.union(rest)

    def _redacted_in_place(self, call: cst.Call, receiver: Taint) -> Optional[Taint]:
        """`text.replace(secret, "XXXX")`: the text without what was replaced by a literal."""
        args = [a for a in call.args if a.keyword is None and not a.star]
        if len(args) < 2:
            return None
        replacement = self.constant(args[1].value)
        if replacement is None or not isinstance(replacement.value, str):
            return None
        return receiver.without(self.taint(args[0].value))

    def _getter_key(self, call: cst.Call, category: Optional[str]) -> Optional[str]:
        """The literal key a getter named after a credential reads (`get_secret("API_KEY")`,
        `vault.get_secret_value(name="OPENAI_API_BASE")`): a secret store holds configuration
        too, and the key says which it is."""
        if category is None or self.vocab.categories[category].group != "credential" or not call.args:
            return None
        first = call.args[0]
        if first.keyword is not None and first.keyword.value not in ("key", "name", "secret_id", "secret_name"):
            return None
        key = self.constant(first.value)
        return key.value if key is not None and isinstance(key.value, str) else None


_COPIES = frozenset(("list", "tuple", "sorted", "reversed"))


def _returns_mapping(class_node, name: str) -> bool:
    """Whether the class's method `name` returns a dict display: a record of keys its callers
    read, pick or pop one by one (`request_args.pop("cookies")`), not a value passed on whole."""
    body = getattr(class_node, "body", None)
    for statement in getattr(body, "body", ()):
        if type(statement) is cst.FunctionDef and statement.name.value == name:
            stack: List[cst.CSTNode] = (
                list(statement.body.body) if isinstance(statement.body, cst.IndentedBlock) else []
            )
            while stack:
                node = stack.pop()
                if type(node) is cst.Return:
                    if type(node.value) is cst.Dict:
                        return True
                elif type(node) is cst.SimpleStatementLine:
                    stack.extend(node.body)
                elif type(node) in (cst.If, cst.For, cst.While, cst.With, cst.Try, cst.Else, cst.IndentedBlock):
                    for child in node.children:
                        if isinstance(child, (cst.BaseSuite, cst.BaseStatement, cst.BaseSmallStatement, cst.Else)):
                            stack.append(child)
            return False
    return False


def _view_copied(iterable):
    """`list(secrets.items())`, `sorted(d.keys())`: a copy of a mapping's items or keys
    (taken to change the mapping in the loop, or to sort it) iterates as the view does."""
    while (
        type(iterable) is cst.Call
        and type(iterable.func) is cst.Name
        and iterable.func.value in _COPIES
        and iterable.args
        and iterable.args[0].keyword is None
        and not iterable.args[0].star
    ):
        inner = iterable.args[0].value
        if not (
            type(inner) is cst.Call
            and type(inner.func) is cst.Attribute
            and inner.func.attr.value in ("items", "keys")
            or _view_copied(inner) is not inner
        ):
            break
        iterable = inner
    return iterable


def _subscripts_of(function, name: str):
    """The `name[...]` subscripts of a function's body."""
    found = []

    class _Finder(cst.CSTVisitor):
        def visit_Subscript(self, node: cst.Subscript) -> None:
            if type(node.value) is cst.Name and node.value.value == name and node.slice:
                found.append(node)

    function.visit(_Finder())
    return found
