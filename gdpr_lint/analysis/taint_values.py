"""Whether a value can hold personal data at all: objects of the module's classes, values
known clean, values of unknown content named after data. A mixin of the engine's Context.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Optional, cast

import libcst as cst

from gdpr_lint.analysis.flow import EMPTY, Taint
from gdpr_lint.analysis.names import split_words
from gdpr_lint.analysis.shown_fields import class_named
from gdpr_lint.analysis.taint_host import TaintHost
from gdpr_lint.semantic.scope import Binding, Scope, _ClassRef, _FunctionRef
from gdpr_lint.syntax.nodes import _is_domain_part, _is_short_slice, _last_name


class ValueTaintMixin(TaintHost):
    """What objects and values of unknown content carry."""

    def _object_dump_taint(self, owner) -> Taint:
        """`vars(account)`, `asdict(account)`, `account.__dict__`: every field of a class
        of this module whose name (or declared type) says personal data. An object of a class
        the module does not define shows at least what it shows formatted whole: `vars(user)`
        of an auth user (`user: User`, `request.user`) holds the username its `__str__` prints."""
        class_name = self._owner_class(owner) or self._made_class(owner)
        binding = self.scope.lookup(class_name) if class_name else None
        if binding is None or not isinstance(binding.value, _ClassRef):
            return self.taint(owner) or self._person_record_taint(owner)
        fields = self._object_dump_taint_of(binding.value.scope)
        if not fields:
            return fields
        # named as the object's fields (`body.email`), not as the class declares them (`email`)
        return Taint(
            tuple(
                replace(s, node=cst.Attribute(value=owner, attr=cst.Name(cast(cst.Name, s.node).value)))
                for s in fields.sources
            ),
            None,
            self._render,
            self.vocab.label,
        )

    def _made_class(self, owner) -> Optional[str]:
        """The class a name's one assignment makes or fetches (`patient = Patient(...)`,
        `Patient.objects.get(pk=pk)`), or its loop walks the manager of (`for p in
        Patient.objects.filter(...)`): the class's name, judged by the caller."""
        if type(owner) is not cst.Name:
            return None
        binding = self.scope.lookup(owner.value)
        if binding is None or binding.defs != 1:
            return None
        made = binding.value if binding.value is not None else self.loop_iterable(owner)
        return _managed_class(made)

    def _person_record_taint(self, owner) -> Taint:
        """`vars(user)`, `customer.__dict__`, `model_to_dict(u)` for `u` in `members` or in
        `User.objects.all()`: every field of an object of a class we cannot see, named after a
        person ([pii] person-nouns, [pii.flow] record-owner-words) by its own name, the class it
        is made from, or what its loop walks: that person's record."""
        category = self.vocab.record_category
        if category is None:
            return EMPTY
        names = [_last_name(owner)]
        if type(owner) is cst.Name:
            binding = self.scope.lookup(owner.value)
            if binding is not None and binding.defs == 1:
                made = binding.value if binding.value is not None else self.loop_iterable(owner)
                if type(made) is cst.Call and _managed_class(made) is None:
                    # what the call makes says what the object is (`profile = cProfile.Profile()`,
                    # `user = get_current_user()`), not the name it is given
                    names = [_last_name(made.func)]
                else:
                    names.append(_managed_class(made) or (_last_name(made) if made is not None else ""))
        record_words = self.vocab.record_owner_words
        for name in names:
            words = {w[:-1] if w.endswith("s") and w[:-1] in record_words else w for w in split_words(name or "")}
            if not words.isdisjoint(record_words):
                reason = f"every field of `{self.source(owner)}`, named after a person: that person's record"
                return self._taint_source(category, owner, "medium", reason=reason)
        return EMPTY

    def _text_shown_taint(self, node: cst.Name, binding: "Binding") -> Taint:
        """An object of a class of the module formatted whole, which prints as its own
        `__str__`: the person's fields that shows (analysis/shown_fields.py)."""
        owner = self._owner_class(node)
        if owner is None and binding.value is None:  # a parameter or loop variable
            owner = class_named(node.value, self.text_shown)
        fields = self.text_shown.get(owner) if owner else None
        if not fields:
            return EMPTY
        result = EMPTY
        for name, category in fields:
            attribute = cst.Attribute(value=node, attr=cst.Name(name))
            # a relation to the user model is a user by what the class declares; any other field is
            # judged by its name and its owner, as a field read directly is (`enterprise_customer.name`
            # of an EnterpriseCustomer is an organisation's name, not a person's)
            relation = self.account_fields.get(name) if category == self.vocab.user_category else None
            reason = f"{owner} prints as its own __str__, which shows its {name} ({relation})" if relation else None
            result = result.union(self._taint_source(category, attribute, "medium", reason=reason))
        return result

    def _object_dump_taint_of(self, class_scope: "Scope") -> Taint:
        result = EMPTY
        for field in class_scope.data.get("fields", ()):
            name = field.value
            category = self.field_categories.get(name) or self.vocab.classify(name)
            if category is not None and name not in self.masked_fields.get(class_scope.name, ()):
                result = result.union(self._taint_source(category, field, "medium"))
        return result

    def _method_scope(self) -> Optional["Scope"]:
        """The scope of the method being walked (through nested functions), or None."""
        scope: Optional[Scope] = self.scope
        while scope is not None and scope.kind == "function" and scope.class_scope is None:
            scope = scope.parent
        return scope if scope is not None and scope.class_scope is not None else None

    def _is_signal_sender(self, node) -> bool:
        """`sender` in a signal receiver ([pii.flow] signal-sender-params): the first parameter
        of a function that also takes **kwargs, the task or model class that sent the signal."""
        if type(node) is not cst.Name or node.value not in self.vocab.signal_sender_params:
            return False
        scope: Optional[Scope] = self.scope
        while scope is not None and scope.kind != "function":
            scope = scope.parent
        return (
            scope is not None
            and scope.param_names[:1] == (node.value,)
            and getattr(scope.node.params, "star_kwarg", None) is not None
        )

    def _is_class_itself(self, node: cst.Name) -> bool:
        """`cls` in a classmethod: the class, which prints as its name, not an object."""
        method = self._method_scope()
        if method is None or node.value != method.self_name:
            return False
        return any(
            type(d.decorator) is cst.Name and d.decorator.value in ("classmethod", "staticmethod")
            for d in method.node.decorators
        )

    def _owner_class(self, node) -> Optional[str]:
        """The class an object belongs to when we know it: `self` in a method, or a
        parameter annotated with a class."""
        if type(node) is cst.Name:
            method = self._method_scope()
            if method is not None and method.class_scope is not None and node.value == method.self_name:
                return method.class_scope.name
            binding = self.scope.lookup(node.value)
            if binding is not None:
                return binding.type_name
        return None

    def _assigned_clean(self, binding: Binding) -> bool:
        """An assignment whose value we know carries nothing: a constant or a sanitizer."""
        value = binding.value
        if isinstance(value, (_ClassRef, _FunctionRef)):
            return True
        if self.constant(value) is not None:
            return True
        if type(value) is cst.Call:
            name = _last_name(value.func)
            return self.vocab.is_sanitizer(self.resolve(value.func), name) or self._is_non_data(value)
        return False

    def _is_non_data(self, node) -> bool:
        """Values that are never personal data whatever their key or name says."""
        return type(node) in (cst.Lambda, cst.Integer, cst.Float, cst.Comparison) or (
            type(node) is cst.Call and _last_name(node.func) in self.vocab.non_data_calls
        )

    def _may_hold_data(self, node, _depth: int = 0) -> bool:
        """Whether a value of unknown content can be what its key names: a variable, an
        attribute, an item or a call result. Not when the engine can tell the value is
        clean: a literal or constant (`None`), a function, a container, a sanitizer's result
        or a variable assigned one, a short slice or the domain half of an address, a value
        typed as never personal data (SecretStr) or named as made safe (`email_hash`)."""
        if _depth > 8 or self.constant(node) is not None:
            return False
        t = type(node)
        if t is cst.Name:
            if self.vocab.is_sanitized_name(node.value):
                return False
            binding = self.scope.lookup(node.value)
            if binding is None:
                return True
            if binding.qualname or isinstance(binding.value, (_ClassRef, _FunctionRef)):
                return False
            if binding.type_name in self.vocab.non_data_types:
                return False
            return binding.value is None or self._may_hold_data(binding.value, _depth + 1)
        if t is cst.Attribute:
            if self.vocab.is_sanitized_name(node.attr.value):
                return False
            if node.attr.value in self.masked_fields.get(self._owner_class(node.value) or "", ()):
                return False  # a SecretStr field prints as **********
            binding = self._self_binding(node)
            if binding is not None and binding.value is not None:
                return self._may_hold_data(binding.value, _depth + 1)
            return True
        if t is cst.Subscript:
            return not (_is_short_slice(node) or _is_domain_part(node))
        if t is cst.Call:
            target = self.resolve(node.func)
            if target in self.vocab.path_functions:
                return False  # a file's path: what its key names is in the file, not in the path
            return not self._is_non_data(node) and not self.vocab.is_sanitizer(target, _last_name(node.func))
        if t is cst.Await:
            return self._may_hold_data(node.expression, _depth + 1)
        return False

    def _value_taint(self, name: str, value) -> Taint:
        """What an assigned value carries; for a value of unknown content (a call, an item,
        an attribute) the variable's own name speaks: `token = make_reset_token()`."""
        taint = self.taint(value)
        if not taint and self.scope.kind != "class":
            taint = self._literal_secret_taint(name, value)  # `PASSWORD = "hunter2"`
        if taint or not (self._unknown_content(value) or self._renamed_unknown(value)):
            return taint.through(name) if taint else taint
        category = self.vocab.classify(name)
        if category is not None and self._owner_excludes(category, value):
            return EMPTY  # full_name = preparer.format_table(table): a table's name
        return self._taint_source(category, value, name=name)

    def _renamed_unknown(self, value, _depth: int = 0) -> bool:
        """A parameter or loop variable the analysis knows nothing of, given a name, alone or
        with a constant fallback: `username = user if user is not None else "System"`, `email =
        value or ""`. The new name is what the code says it holds."""
        t = type(value)
        if t in (cst.IfExp, cst.BooleanOperation) and _depth >= 4:
            return False  # `a or b or c or ...` beyond a few fallbacks: no name said alone
        if t is cst.IfExp:
            parts = [value.body, value.orelse]
        elif t is cst.BooleanOperation:
            parts = [value.left, value.right]
        else:
            parts = [value]
        names = [p for p in parts if type(p) is cst.Name and self.constant(p) is None]
        if not names or len(names) + sum(self.constant(p) is not None for p in parts) != len(parts):
            if t in (cst.IfExp, cst.BooleanOperation):
                return any(self._renamed_unknown(p, _depth + 1) for p in parts if self.constant(p) is None)
            return False
        for node in names:
            if self.vocab.is_sanitized_name(node.value):
                return False
            binding = self.scope.lookup(node.value)
            if binding is None or binding.value is not None or binding.taint or binding.qualname:
                return False  # assigned here: its own value says what it is
            if binding.type_name is not None or node.value == self.scope.self_name:
                return False  # typed (`count: int`, `user: User`) or `self`
            if self.vocab.classify(node.value) is not None:
                return False  # its own name said it, and the judgement stands
        return True

    def _owner_excludes(self, category: str, owner, items: bool = False) -> bool:
        """Whether the object a value is read from rules the category out by its words
        (`msg.DESCRIPTOR.full_name` is a protobuf name, not a person's). `items`: the value is
        an item of the owner, which a directory's words do not rule out (`for username in
        ldap_users`: the directory's people; `ldap.username` is its bind account)."""
        spec = self.vocab.categories[category]
        excluded = spec.exclude_item_words if items and spec.exclude_item_words is not None else spec.exclude_words
        if not excluded:
            return False
        called = False
        while type(owner) in (cst.Call, cst.Subscript):
            called = called or type(owner) is cst.Call
            owner = owner.func if type(owner) is cst.Call else owner.value
        # the nearest owner only: `room.full_name` is a room's, `room.owner.full_name` a person's;
        # a call's result, by the method and what it is called on (`parser.get_mailbox(addr)`)
        text = _last_name(owner)
        if called and type(owner) is cst.Attribute:
            text = _last_name(owner.value) + "_" + text
        return excluded.occurs_in([self.vocab.fold(w) for w in split_words(text)])

    def _unknown_content(self, value) -> bool:
        if type(value) is cst.BooleanOperation:
            return self._unknown_content(value.left) or self._unknown_content(value.right)
        if type(value) is cst.Await:
            return self._unknown_content(value.expression)
        if type(value) is cst.Call:
            if self._is_non_data(value) or self.constant(value) is not None:
                return False
            func = value.func
            if self.vocab.path_functions and self.resolve(func) in self.vocab.path_functions:
                return False  # `private_key = os.path.join(repo, "private.pem")`: the file's path, not its key
            if (
                type(func) is cst.Attribute
                and func.attr.value in self.vocab.passthrough_methods
                and func.attr.value not in ("get", "pop", "sub", "subn")
            ):
                return False  # `line.split()`, `".".join(parts)`: made from what we already know
            # (a pattern's `sub` is made from its text, which the name may say more about)
            if type(func) is cst.Name and func.value in ("str", "repr", "format") and value.args:
                return any(self._unknown_content(arg.value) for arg in value.args)  # `str(uuid4())`
            return not self.vocab.is_sanitizer(self.resolve(value.func), _last_name(value.func))
        if type(value) is cst.Subscript:
            if type(value.slice[0].slice) is cst.Slice:  # `str(uuid4())[:8]`: part of what it slices
                return self._unknown_content(value.value) and not _is_short_slice(value)
            return not (_is_short_slice(value) or _is_domain_part(value))
        if type(value) is cst.Attribute:
            from gdpr_lint.analysis.names import is_constant_name

            return not is_constant_name(value.attr.value) and not self._is_import(value)
        return False


def _managed_class(made) -> Optional[str]:
    """`Patient(...)`, `Patient.objects.get(...)`, `Patient.objects.filter(...).first()`:
    `Patient`; None for anything else."""
    node = made
    for _ in range(8):
        if type(node) is cst.Call:
            node = node.func
        elif type(node) is cst.Attribute:
            if node.attr.value == "objects" and type(node.value) is cst.Name:
                return node.value.value
            node = node.value
        else:
            break
    if type(made) is cst.Call and type(made.func) is cst.Name and made.func.value[:1].isupper():
        return made.func.value
    return None
