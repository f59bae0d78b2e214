"""A source of personal data judged where it is found: whether its category holds in its
context (a word that needs its category around it, a scope that excludes it), how sure the name
and the place make it (analysis/confidence.py), and what its uses, the arguments of the call that
made it and the container it was read from say. A mixin of the engine's Context."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, FrozenSet, Optional, Tuple

import libcst as cst

from gdpr_lint.analysis.commands import confirmed_on_command_line, typed_on_command_line
from gdpr_lint.analysis.flow import EMPTY, Source, Taint
from gdpr_lint.analysis.labels import labelled
from gdpr_lint.analysis.login_ids import login_id_reason
from gdpr_lint.analysis.names import split_words
from gdpr_lint.analysis.taint_host import TaintHost
from gdpr_lint.syntax.nodes import (
    _last_name,
    _owner_node,
    is_getattr_call,
    dotted_name,
    string_value,
)

if TYPE_CHECKING:
    from gdpr_lint.semantic.scope import Scope


def _nodes_of(node, limit: int = 40):
    """The nodes of a small expression, at most `limit`."""
    stack = [node]
    while stack and limit:
        current = stack.pop()
        limit -= 1
        yield current
        stack.extend(child for child in current.children if isinstance(child, cst.CSTNode))


class JudgedSourceMixin(TaintHost):
    """Whether a name's category holds, and how sure it is."""

    def _taint_source(
        self,
        category: Optional[str],
        node,
        confidence: str = "medium",
        name: Optional[str] = None,
        *,
        type_name: Optional[str] = None,
        reason: Optional[str] = None,
    ) -> Taint:
        """name: the identifier or key the category was recognised by, when it is not the
        node's own name (`token = next(stream)`, `data["token"]`). reason: why the place says
        how sure it is, for sources that no name made (a request's payload); else the
        context is judged (analysis/confidence.py)."""
        if category is None:
            # a person's id the project binds from their login (`student_id = rec['username']`)
            login = login_id_reason(self, name or _last_name(node))
            if login is None:
                return EMPTY
            category, reason = "username", login
        if self.vocab.categories[category].context_phrases and self.vocab.lacks_context(
            category, self.scope.words(self.vocab.meta_prefixes), name or _last_name(node)
        ):
            return EMPTY  # `pan` of a camera: the word needs its category around it
        if self.vocab.categories[category].exclude_scope_words and self.vocab.excluded_in_scope(
            category, self.scope.words(self.vocab.meta_prefixes), name or _last_name(node)
        ):
            return EMPTY
        if self.vocab.categories[category].exclude_module_words and not self._module_allows(category):
            return EMPTY  # a `sid` in `socket/main.py`: a connection's
        ambiguous = False
        chosen = None
        if reason is None:
            confidence, reason, ambiguous, chosen = self._judged(
                category, node, confidence, name or _last_name(node), type_name
            )
        typed = typed_on_command_line(self, node) or confirmed_on_command_line(self, node)
        origin = "cli" if typed else ""  # `resolved["username"]` past `if confirm != resolved["username"]: raise`
        source = Source(category, node, confidence, reason, ambiguous, origin=origin, chosen=chosen)
        return Taint((source,), None, self._render, self.vocab.label)

    def _module_allows(self, category: str) -> bool:
        """Whether the module's name and folder (`socket/main.py`) leave the category possible."""
        from gdpr_lint.analysis.confidence import module_words

        return self.vocab.categories[category].exclude_module_words.isdisjoint(module_words(self.path))

    def _judged(self, category: str, node, base: str, name: str, type_name: Optional[str]):
        """How sure a value named `name` is of `category`, from its owner, the enclosing
        scopes and the module (rules/pii.toml [pii.confidence])."""
        judge = self.vocab.judge
        owner = _owner_node(node)
        owner_words: Tuple[str, ...] = ()
        class_words: Tuple[str, ...] = ()
        is_request = False
        looked_up = False
        scope_words = self.scope.words(self.vocab.meta_prefixes)
        settings: Tuple[Tuple[str, ...], bool] = ((), False)
        if owner is not None:
            dotted = dotted_name(owner) or ""
            # `order.get("customer", {}).get("name")`: the record an item is read from
            parts = dotted.split(".") if dotted else [self._container_word(owner)]
            owner_words = tuple(w for part in parts for w in split_words(part))
            is_request = any(dotted == base or dotted.startswith(base + ".") for base in self.vocab.request_bases)
            method = self._method_scope()
            if parts and method is not None and method.class_scope is not None and parts[0] == method.self_name:
                class_words = split_words(method.class_scope.name)
                if len(parts) == 1:  # `self.username` of an `EmailConfig`
                    settings = (class_words, True)
            # `app.config.get(...)`, `hs.config.email`: a configuration object, named as one
            # (not `sync_config`, one request's parameters)
            at = next((i for i, part in enumerate(parts) if part.lower() in judge.config_owners), None)
            if at is not None:
                settings = (tuple(w for part in parts[at:] for w in split_words(part)), False)
            if type(node) is cst.Call and type(node.func) is cst.Name and not is_getattr_call(node):
                scope_words = scope_words | frozenset(owner_words)  # `token = make_reset_token()`
                owner_words = ()
            elif type(node) is cst.Call and type(node.func) is cst.Attribute:  # `Token.for_user(user)`
                scope_words = scope_words | frozenset(split_words(node.func.attr.value))
        elif type(node) is cst.Name:
            if type_name is None:
                binding = self.scope.lookup(node.value)
                type_name = binding.type_name if binding is not None else None
            looked_up = _looked_up_by(self.scope, node.value, name)
            method = self._method_scope()  # a method's own value: its class is its owner
            if method is not None and method.class_scope is not None:
                class_words = split_words(method.class_scope.name)
                if method.name == "__init__" and node.value in method.param_names:
                    settings = (class_words, True)  # `EmailConfig(username=...)`: its settings
        unique = self._unique_party(category, owner_words, name)
        if unique is not None:
            from gdpr_lint.analysis.confidence import Verdict

            return Verdict("low", unique, False)
        if type(owner) is cst.Name:
            made = self._made_up_owner(owner)
            if made is not None:
                from gdpr_lint.analysis.confidence import Verdict

                return Verdict("low", made, False)
        holder = owner if type(owner) is cst.Name else (node if type(node) is cst.Name else None)
        own = self._own_account_of(holder.value, category) if holder is not None else None
        if own is not None:  # `info, mxid = await self.bot.get_me()`
            from gdpr_lint.analysis.confidence import Verdict

            return Verdict("low", own, False)
        if self._module_words is None:
            from gdpr_lint.analysis.confidence import module_words, package_words

            self._module_words = module_words(self.path)
            self._package_words = package_words(self.path)
        if judge.anti_forgery and self.vocab.categories[category].group == "credential":
            words = {w.lower() for w in split_words(name)} | set(owner_words) | self._argument_words(node)
            said = judge.anti_forgery & words
            if said:
                from gdpr_lint.analysis.confidence import Verdict

                return Verdict(
                    "low",
                    f"an anti-forgery ('{min(said)}') nonce: it proves a form came from the site, it signs no one in",
                    False,
                )
        return judge.judge(
            category,
            name,
            base,
            owner_words=owner_words,
            owner_is_request=is_request,
            class_words=class_words,
            scope_words=scope_words,
            module_words=self._module_words,
            type_name=type_name,
            branch_words=self.branch_words,
            package_words=self._package_words,
            settings=settings,
            looked_up=looked_up,
        )

    def _own_account_of(self, name: str, category: str) -> Optional[str]:
        """Why `name` holds the program's own account: it was bound to what a call asking a client
        about itself returned: [pii.confidence] own-identity-calls of any client (`whoami = await
        client.whoami()`, the account the client's credentials sign in as), but not for
        credentials (a secret stays one, whoever's it is); own-account-calls of a client whose name
        says it is a bot's or a service's (`me = await bot.get_me()`, `info, mxid = await
        self.bot.get_me()`). None otherwise."""
        judge = self.vocab.judge
        if not judge.own_account_calls and not judge.own_identity_calls:
            return None
        scope: Optional[Scope] = self.scope
        while scope is not None and name not in scope.bindings:
            scope = scope.parent
        if scope is None:
            return None
        binding = scope.bindings[name]
        value: Any = binding.value
        if value is None:
            found = scope.data.get("unpacked_calls", {}).get(name)
            value = found[1] if found is not None and found[0] is binding else None
        if type(value) is cst.Await:
            value = value.expression
        if type(value) is not cst.Call:
            return None
        func = value.func
        called = func.attr.value if type(func) is cst.Attribute else func.value if type(func) is cst.Name else ""
        if called in judge.own_identity_calls and self.vocab.categories[category].group != "credential":
            return (
                f"`{name}` holds what `{called}()` answered: the identity the program's own login has "
                "(a bot's or a service's account), not a person's"
            )
        own = self._own_account_call(value)
        return f"`{name}` is {own}" if own is not None else None

    def _own_account_call(self, call: cst.Call) -> Optional[str]:
        """'what `self.bot.get_me()` returns: ...' when `call` asks a client that
        [pii.confidence] strong-thing-qualifiers name for its own account; else None."""
        if type(call.func) is not cst.Attribute:
            return None
        receiver = dotted_name(call.func.value) or ""
        words = [w for part in receiver.split(".") for w in split_words(part)]
        method = call.func.attr.value
        qualifier = self.vocab.judge.own_account_call(words, method) if receiver else None
        if qualifier is None:
            return None
        return f"what `{receiver}.{method}()` returns: the {qualifier}'s own account, not a person's"

    def _made_up_owner(self, owner: cst.Name) -> Optional[str]:
        """Why the record `owner` names is a made-up person (analysis/generated.py), or None."""
        binding = self.scope.lookup(owner.value)
        value = binding.value if binding is not None else None
        if type(value) is not cst.Call:
            return None
        from gdpr_lint.analysis.generated import made_up_record

        return made_up_record(self._whole_module, self.path, self.kb.tables, value, self._made_up_cache)

    def _unique_party(self, category: str, owner_words: Tuple[str, ...], name: str) -> Optional[str]:
        """Why a party's name (`subscriber.get("name")`, `get_subscriber_names()`) is an
        organisation's or a thing's: the project's model of that party declares its `name`
        unique (semantic/project_unique_names.py), and no person noun after it says it is a
        person of it (`subscriber_user.name`); None otherwise."""
        judge = self.vocab.judge
        project = self.project
        if project is None or category not in judge.organisation_categories or not judge.party_nouns:
            return None
        nouns = judge.party_nouns | self.vocab.person_nouns

        def fold(word: str) -> str:  # `subscribers` -> subscriber
            word = self.vocab.fold(word.lower())
            return word[:-1] if word.endswith("s") and word[:-1] in nouns else word

        sequence = [fold(w) for w in owner_words] + [fold(w) for w in split_words(name)]
        at = max((i for i, w in enumerate(sequence) if w in judge.party_nouns), default=None)
        if at is None or self.vocab.person_nouns.intersection(sequence[at + 1 :]):
            return None
        from gdpr_lint.semantic.project_unique_names import unique_named

        for cls in sorted(project.ask(unique_named, project.index)):
            words = [fold(w) for w in split_words(cls)]
            while words and words[-1] in judge.record_class_suffixes:
                words.pop()
            if words and at + 1 >= len(words) and sequence[at + 1 - len(words) : at + 1] == words:
                return (
                    f"the project's model of a '{' '.join(words)}' ({cls}) makes its name unique: "
                    "an organisation's or a thing's name, not a person's"
                )
        return None

    def _whole_module(self):
        """The file's whole module: the walk's, or the text the pre-filter cut parsed again."""
        if self.original is None:
            return self.module
        try:
            return cst.parse_module(self.original)
        except (cst.ParserSyntaxError, RecursionError):
            return self.module

    def labelled(self, taint: Taint, text: str) -> Taint:
        """A value a message formats after `text`, judged with it (analysis/labels.py)."""
        return labelled(self.vocab, taint, text)

    def _argument_words(self, node) -> FrozenSet[str]:
        """The words of a call's arguments, and of what a name given to it was bound to
        (`get_all_values_of_cookie(header, cookie_name)` with `cookie_name = settings.CSRF_COOKIE_NAME`)."""
        if type(node) is not cst.Call:
            return frozenset()
        words: set = set()
        for arg in node.args:
            value: Any = arg.value
            if type(value) is cst.Name:
                binding = self.scope.lookup(value.value)
                bound = binding.value if binding is not None else None
                if isinstance(bound, cst.CSTNode):
                    value = bound
            for part in _nodes_of(value):
                if type(part) is cst.Name:
                    words.update(w.lower() for w in split_words(part.value))
                elif type(part) is cst.SimpleString:
                    words.update(w.lower() for w in split_words(part.value.strip("'\"")))
        return frozenset(words)

    def _judged_by_use(self, name: str, taint: Taint) -> Taint:
        """What the function does with `name` contradicts what it seemed to be
        (analysis/uses.py): compared or computed as a number, tested as a network destination."""
        spec = self.vocab.use_spec
        judge = self.vocab.judge
        if not taint:
            return taint
        part = judge.public_part(name) if judge.public_parts else None
        if part is not None:  # `yubi_prefix = otp[:-32]`: the public id before the one-time code
            taint = taint.capped(
                "low",
                f"`{name}`: '{part}' says it holds a credential's public part, not the secret",
                categories=judge.credential_categories,
            )
        taint = self._held_as_thing(name, taint)
        if judge.credential_categories.intersection(taint.categories):
            taint = self._held_as_object(name, taint)
            uses = self._uses_here()
            if uses is not None and name in uses.secret_keys:  # `user_vault.read_secret(refresh_token_key)`
                taint = taint.capped(
                    "low",
                    f"`{name}` is the key the function reads a secret by: where the secret is kept, not the secret",
                    categories=judge.credential_categories,
                )
            if uses is not None and name in uses.signed:  # `master_key.get("signatures", {})`
                taint = taint.capped(
                    "low",
                    f"the function reads the signatures `{name}` carries: a signed document (a public key, a "
                    "certificate), not the secret that signs",
                    categories=judge.credential_categories,
                )
        if not any(s.ambiguous or s.category in spec.network_categories for s in taint.sources):
            return taint
        qualifier = judge.holder_qualifier(name) if any(s.ambiguous for s in taint.sources) else None
        if qualifier is not None:  # `count = get_tokens(count=True)`: the name says what it holds
            taint = taint.capped("low", f"`{name}`: '{qualifier}' says what it holds", ambiguous_only=True)
        made = self._made_by_class(name) if any(s.ambiguous for s in taint.sources) else None
        if made is not None:  # `token = RoomStreamToken(...)`: its class says what it is
            qualifier = judge.holder_qualifier(made)
            if qualifier is not None:
                taint = taint.capped("low", f"`{name}` is a {made}: '{qualifier}' says what it is", ambiguous_only=True)
        uses = self._uses_here()
        if uses is None:
            return taint
        if name in uses.numbers:
            taint = taint.capped(
                "low",
                f"`{name}` is compared or computed as a number: a count, a position or an id",
                ambiguous_only=True,
            )
        if name in uses.network:
            taint = taint.capped(
                "low",
                f"`{name}` is tested as a network destination (an outbound-request guard), not a person's address",
                categories=spec.network_categories,
                below="high",
            )
        return taint

    def _made_by_class(self, name: str) -> Optional[str]:
        """The class a name is bound to an instance of, once, by calling it by a CamelCase name
        (`token = RoomStreamToken(topological=..., stream=...)`), or None."""
        binding = self.scope.lookup(name)
        value = binding.value if binding is not None and binding.defs == 1 else None
        if type(value) is not cst.Call:
            return None
        called = _last_name(value.func)
        return called if called[:1].isupper() and not called.isupper() else None

    def _uses_here(self) -> Any:
        """The uses of the names of the enclosing function (analysis/uses.py), or None at
        module or class level."""
        scope: Optional[Scope] = self.scope
        while scope is not None and scope.kind != "function":
            scope = scope.parent
        if scope is None or scope.node is None:
            return None
        uses = self._function_uses.get(id(scope.node))
        if uses is None:
            from gdpr_lint.analysis.uses import function_uses

            uses = self._function_uses[id(scope.node)] = function_uses(scope.node, self.vocab.use_spec)
        return uses

    def _held_as_object(self, name: str, taint: Taint) -> Taint:
        """`token` of `if token.expires_at < now: log.warning(f"Deleting expired token {token}")`:
        the function uses attributes of it that no text has, so it holds an object (a stored
        token's row), which shows its class's repr when formatted whole, not the secret;
        unless an attribute read from it names a credential (`token.access_token`: it holds
        the secret, and a repr may show it)."""
        if self.vocab.person_nouns.intersection(self.vocab.fold(w) for w in split_words(name)):
            return taint  # `user = get_token_owner(serial)`: a person's record, its repr shows them
        credentials = self.vocab.judge.credential_categories
        if self.vocab.classify(name) not in credentials:
            return taint  # `claims = jwt.decode(token, ...)`: what a secret gave, named otherwise
        uses = self._uses_here()
        seen = uses.attributes.get(name) if uses is not None else None
        if not seen:
            return taint
        for attribute, called in seen:
            if attribute.startswith("__") or (not called and self.vocab.classify(attribute) in credentials):
                return taint
        shown = sorted(a for a, _ in seen)[:2]
        return taint.capped(
            "low",
            f"`{name}` holds an object (the function uses its {', '.join(shown)}): formatted whole it shows "
            "its class's repr, not the secret its name speaks of",
            categories=credentials,
        )

    def _held_as_thing(self, name: str, taint: Taint) -> Taint:
        """`task_name = sender.name`: the variable that holds a value says it is a thing's (a
        word of its name is one of the category's `exclude-words`), unless it names a person."""
        raw = split_words(name)
        words = [self.vocab.fold(w) for w in raw]
        if self.vocab.person_nouns.intersection(words):
            return taint
        match = self.vocab.match_words(words)  # `remote_host`: the phrase's own words are no owner
        start, end = (match.start, match.end) if match is not None else (0, 0)
        plural = match is not None and raw[end - 1] != words[end - 1]  # `ldap_usernames`: a directory's people
        for category in taint.categories:
            spec = self.vocab.categories[category]
            excluded = spec.exclude_item_words if plural and spec.exclude_item_words is not None else spec.exclude_words
            if excluded and excluded.occurs_outside(words, start, end):
                taint = taint.capped(
                    "low",
                    f"`{name}` says whose it is, and it is a thing's, not a person's",
                    categories=frozenset((category,)),
                )
        return taint

    def _subscript_key(self, node: cst.Subscript) -> Optional[str]:
        if len(node.slice) != 1 or type(node.slice[0].slice) is not cst.Index:
            return None
        index = node.slice[0].slice.value
        key = string_value(index)
        if key is None and type(index) in (cst.Name, cst.Attribute):
            folded = self.constant(index)  # EMAIL_COLUMN = "email"; row[EMAIL_COLUMN]
            key = folded.value if folded is not None and isinstance(folded.value, str) else None
        return key

    def _container_word(self, container) -> str:
        """The name a keyed item is read from: `customer` in `customer["name"]`, `shipping`
        in `order["shipping"]["address"]` and `order.get("shipping", {}).get("address")`."""
        t = type(container)
        if t in (cst.Name, cst.Attribute):
            return _last_name(container)
        if t is cst.Subscript:
            return self._subscript_key(container) or ""
        if (
            t is cst.Call
            and type(container.func) is cst.Attribute
            and container.func.attr.value == "get"
            and container.args
            and container.args[0].keyword is None
        ):
            return string_value(container.args[0].value) or ""
        return ""


def _looked_up_by(scope, param: str, name: str) -> bool:
    """Whether `param` is a parameter of the function `scope` whose name says it looks a record
    up by it (`get_sharing_collection_by_token(self, token)`, `find_invite_by_token`)."""
    if scope.kind != "function" or param not in scope.param_names:
        return False
    words, own = split_words(scope.name), ("by",) + split_words(name)
    return len(own) > 1 and words[-len(own) :] == own
