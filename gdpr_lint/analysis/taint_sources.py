"""Where personal data comes from besides a value's own name: how a call obtains it (a prompt,
configuration read by a key that names a secret, an alias of a function), a name imported from a
settings module, a secret written as a literal, and what the module's own functions return
(rules/pii_sources.toml [pii.sources]; the word-level rules are in analysis/sources.py). A mixin
of the engine's Context.
"""

from __future__ import annotations

from typing import List, Optional, cast

import libcst as cst

from gdpr_lint.analysis import sources as call_sources
from gdpr_lint.analysis.commands import in_command
from gdpr_lint.analysis.flow import EMPTY, Taint
from gdpr_lint.analysis.names import is_constant_name
from gdpr_lint.analysis.taint_host import TaintHost
from gdpr_lint.semantic.scope import Binding, _ClassRef, _FunctionRef
from gdpr_lint.syntax.nodes import string_value


class SourceTaintMixin(TaintHost):
    def _enum_member_part(self, node: cst.Attribute) -> bool:
        """`Roles.RESOURCE_USER.name`, `Status.ACTIVE.value`: what an enum member says of itself
        ([pii.flow] enum-member-attributes), not what a configuration holds (`settings.ADMIN.name`)."""
        member = node.value
        if node.attr.value not in self.vocab.enum_member_attributes or type(member) is not cst.Attribute:
            return False
        owner = member.value
        owner_name = (
            owner.attr.value if type(owner) is cst.Attribute else owner.value if type(owner) is cst.Name else ""
        )
        return is_constant_name(member.attr.value) and owner_name.lower() not in self.vocab.config_owners

    def _text_of(self, node) -> Optional[str]:
        folded = self.constant(node) if node is not None else None
        return folded.value if folded is not None and isinstance(folded.value, str) else None

    def _obtained_taint(self, node: cst.Call, target: Optional[str], name: str) -> Optional[Taint]:
        """What a call returns when how it obtains the value says so ([pii.sources]): what a
        person types at a prompt, configuration read by a key that names a secret, and an alias
        of a function (`f = get_passwd; f()`). None: the other rules decide."""
        returned = self.vocab.sources.returns.get(target) if target else None
        if returned is not None and returned in self.vocab.categories:
            # the account the program runs as: its operator's in a command-line command, most
            # likely a service account's anywhere else (a server, a daemon)
            if in_command(self):  # the operator's own login: echoed on their terminal it is theirs (origin)
                return self._taint_source(
                    returned, node, "medium", reason=f"what {target}() returns in a command: its operator's"
                ).from_origin("cli")
            return self._taint_source(
                returned,
                node,
                "low",
                reason=f"what {target}() returns outside a command: the account a server runs as, most likely",
            )
        served = self._server_response_taint(node, name)
        if served is not None:
            return served
        prompted = call_sources.prompt_source(self.vocab, node, target, self._text_of)
        if prompted is not None:
            # what a person types at a prompt: the prompt says what it is, no context to judge
            # typed at the terminal: echoed back on it, it goes to who typed it (origin "cli")
            return self._taint_source(
                prompted[0], node, prompted[1], reason="what a person types at a prompt that asks for it"
            ).from_origin("cli")
        configured = call_sources.config_key(self.vocab, node, self._text_of)
        if configured is not None:
            return self._taint_source(configured[0], node, "medium", configured[1])
        func = node.func
        if type(func) is not cst.Name or target is not None:
            return None
        binding = self.scope.lookup(func.value)
        if binding is None or binding.qualname is not None or isinstance(binding.value, _FunctionRef):
            return None
        aliased = binding.value
        if (
            binding.defs == 1
            and not binding.taint
            and type(aliased) in (cst.Name, cst.Attribute)
            and not (type(aliased) is cst.Name and aliased.value == func.value)
        ):
            return self.taint(node.with_changes(func=aliased))  # `f = get_passwd; f()`
        return None

    def _server_response_taint(self, node: cst.Call, name: str) -> Optional[Taint]:
        """What an OAuth 2.0 server's method answers ([pii.sources] server-responses): the
        tokens it issues and the claims of their user (`authorization.create_token_response()`),
        unless its arguments name an endpoint that answers neither (a revocation's). None: not
        such a call."""
        sources = self.vocab.sources
        if type(node.func) is not cst.Attribute or name not in sources.server_responses:
            return None
        category = sources.server_response_category
        if category is None:
            return None
        words = [w for arg in node.args for w in call_sources.argument_words(arg.value)]
        if sources.server_response_silent_words.occurs_in(words):
            return EMPTY  # `create_endpoint_response(RevocationEndpoint.ENDPOINT_NAME)`: an empty answer
        return self._taint_source(
            category,
            node,
            "medium",
            reason=f"what an OAuth 2.0 server's {name}() answers: the tokens it issues, the claims of their user",
        )

    def _is_server_response(self, node) -> bool:
        """`response` bound to an OAuth 2.0 server's answer (`authorization.create_token_response()`)."""
        binding = self.scope.lookup(node.value) if type(node) is cst.Name else None
        value = binding.value if binding is not None else None
        return (
            type(value) is cst.Call
            and type(value.func) is cst.Attribute
            and value.func.attr.value in self.vocab.sources.server_responses
        )

    def _imported_name_taint(self, node: cst.Name, binding: Binding) -> Taint:
        """A name imported from another module is data when its own name says so, as a
        module-level name of this one would be: a constant from anywhere (`from app.conf import
        API_KEY`; as for constants, only a secret), any other name from a settings module
        ([pii.sources] settings-modules: `from settings import password as pw`). Not a module,
        a class (`Token`), nor a function named after what it returns (`fetch_token`)."""
        assert binding.qualname is not None  # the caller's condition
        module, _, imported = binding.qualname.rpartition(".")
        if (
            binding.type_name == "module"
            or not imported
            or not module
            or (imported[:1].isupper() and not is_constant_name(imported))
            or call_sources.getter_words(self.vocab, imported) is not None
        ):
            return EMPTY
        if not is_constant_name(imported) and not call_sources.is_settings_module(self.vocab, module):
            return EMPTY  # `from .utils import strip_tokens`: a function, most likely
        return self._taint_source(self.vocab.classify(imported), node, "medium", imported)

    def _literal_secret_taint(self, name: str, value) -> Taint:
        """A name given a secret as a literal (`PASSWORD = "hunter2"`, `temp_password =
        "Welcome-2026"`) holds a credential wherever it is used; not when the literal is itself
        a key, field or header name (`PASSWORD = "password"`, `AUTH = "X-Auth-Token"`), nor an
        empty or masked string (`"****"`). Class attributes are left alone (a model's choices)."""
        if type(value) not in (cst.SimpleString, cst.ConcatenatedString):
            return EMPTY
        text = string_value(value)
        category = self.vocab.classify(name)
        if (
            not text
            or not any(c.isalnum() for c in text)
            or category is None
            or self.vocab.categories[category].group not in self.vocab.sources.config_key_groups
        ):
            return EMPTY
        if self.vocab.classify(text, key=True) is not None:
            return EMPTY
        return self._taint_source(category, cst.Name(name), "medium", name)  # named, not shown

    def _literal_item(self, container, key: str) -> bool:
        """Whether the code wrote the item itself as something that is no secret: a literal dict
        whose item is not a non-empty string (`SETTINGS = {"password": {"required": True}}`)."""
        folded = self.constant(container) if type(container) in (cst.Name, cst.Attribute, cst.Subscript) else None
        if folded is None or not isinstance(folded.value, dict) or key not in folded.value:
            return False
        value = folded.value[key]
        return not (isinstance(value, str) and any(c.isalnum() for c in value))

    def _note_return(self, value) -> None:
        """What the function being walked returns, for its callers: whether the content of a
        return value is unknown (a parameter, an attribute, a call's result: then the
        function's name may say what it is), and each item's data when it returns tuples."""
        data = self.scope.data
        if not data.get("returns_unknown") and self._returns_unknown(value):
            data["returns_unknown"] = True
        data.setdefault("returns_unknown", False)
        items = (
            [self.taint(e.value) for e in value.elements]
            if type(value) is cst.Tuple and not any(type(e) is cst.StarredElement for e in value.elements)
            else None
        )
        known = data.get("returned_items", ())
        if known == () or (items is not None and known is not None and len(known) == len(items)):
            data["returned_items"] = (
                items if known == () else [a.union(b) for a, b in zip(known, cast(List[Taint], items))]
            )
        else:
            data["returned_items"] = None  # returns of different shapes: the whole value's data

    def _returns_unknown(self, value, _depth: int = 0) -> bool:
        """Whether a returned value's content is unknown to this analysis."""
        t = type(value)
        if _depth > 8:
            return True
        if t is cst.Name:
            binding = self.scope.lookup(value.value)
            if binding is None or binding.value is None or binding.qualname is not None:
                return value.value not in ("None", "True", "False")
            if isinstance(binding.value, (_ClassRef, _FunctionRef)):
                return False
            return self._returns_unknown(binding.value, _depth + 1)
        if t in (cst.Tuple, cst.List, cst.Set):
            return any(self._returns_unknown(e.value, _depth + 1) for e in value.elements)
        if t is cst.Call and self.resolve(value.func) in self.vocab.passthrough_functions:
            return any(self._returns_unknown(a.value, _depth + 1) for a in value.args)  # `set()`
        if t is cst.FormattedString:
            return any(
                self._returns_unknown(p.expression, _depth + 1)
                for p in value.parts
                if type(p) is cst.FormattedStringExpression
            )
        if t is cst.IfExp:
            return self._returns_unknown(value.body, _depth + 1) or self._returns_unknown(value.orelse, _depth + 1)
        return self._unknown_content(value)

    def _returned_items(self, value, target) -> Optional[List[Taint]]:
        """`url, config, key = await connect(idx)` with `connect` a function of the module that
        returns tuples of that length: each name gets its own item's data, not the whole's."""
        if type(value) is cst.Await:
            value = value.expression
        if (
            type(value) is not cst.Call
            or type(value.func) is not cst.Name
            or any(type(e) is cst.StarredElement for e in target.elements)
        ):
            return None
        binding = self.scope.lookup(value.func.value)
        if binding is None or not isinstance(binding.value, _FunctionRef):
            return None
        items = self.function_returns.get(value.func.value, (True, None))[1]
        return items if items is not None and len(items) == len(target.elements) else None
