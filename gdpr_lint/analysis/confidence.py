"""How sure the analysis is that a name it recognised is personal data: the context judged.

A phrase of the taxonomy is *strong* (`email`, `password`, `iban`) or *ambiguous* (every word of
it is one of `ambiguous-words`: `token`, `session_id`, `ip`). A strong identifier stands on its
own (medium, high with corroboration); an ambiguous one is medium only when something around it
corroborates that it is a person's or a login's, and low when nothing does or something
contradicts it. The vocabularies are data in rules/pii.toml [pii.confidence]; the engine hands
this module words (of the name, its owner, the enclosing scopes and the module) and the verdict
travels with the value's taint to every rule that reports it.
"""

from __future__ import annotations

from typing import Dict, FrozenSet, NamedTuple, Optional, Sequence, Tuple

from gdpr_lint.analysis.names import WordSequences, split_words
from gdpr_lint.model import CONFIDENCES

LOW, MEDIUM, HIGH = CONFIDENCES


def rank(confidence: str) -> int:
    return CONFIDENCES.index(confidence)


class Verdict(NamedTuple):
    confidence: str
    reason: str
    ambiguous: bool  # recognised by an ambiguous word: a number or a position contradicts it
    # `path_or_token`: (the words that say which, the verdict when a branch chose them)
    chosen: Optional[Tuple[FrozenSet[str], str, str]] = None


class ConfidenceJudge:
    def __init__(self, vocab, tables: dict):
        pii = tables.get("pii", {})
        spec = pii.get("confidence", {})
        self.vocab = vocab
        self.enabled = bool(spec)
        self.ambiguous = frozenset(spec.get("ambiguous-words", ()))
        self.strong_phrases = frozenset(split_words(p.replace(" ", "_")) for p in spec.get("strong-phrases", ()))
        self.person_owners = frozenset(spec.get("person-owners", ())) | vocab.person_nouns
        self.people_scope = frozenset(spec.get("people-scope-words", ())) | vocab.person_nouns
        self.thing_owners = frozenset(spec.get("thing-owners", ()))
        self.thing_qualifiers = WordSequences(spec.get("thing-qualifiers", ()), vocab.fold)
        self.strong_thing_qualifiers = WordSequences(spec.get("strong-thing-qualifiers", ()), vocab.fold)
        self.number_types = frozenset(spec.get("number-types", ()))
        self.number_typed_not = frozenset(spec.get("number-typed-not", ()))
        self.record_keys = frozenset(spec.get("record-keys", ()))
        self.session_kinds = frozenset(spec.get("session-kinds", ()))
        self.app_session_kinds = frozenset(spec.get("app-session-kinds", ()))
        self.login_words = frozenset(spec.get("login-words", ()))
        self.public_parts = frozenset(spec.get("public-parts", ()))
        self.anti_forgery = frozenset(spec.get("anti-forgery-words", ()))
        self.credential_categories = frozenset(c for c, v in vocab.categories.items() if v.group == "credential")
        self.thing_modules = frozenset(spec.get("thing-modules", ()))
        self.config_owners = frozenset(spec.get("config-owners", ()))
        self.config_categories = frozenset(spec.get("config-categories", ()))
        self.account_nouns = frozenset(spec.get("account-nouns", ()))
        self.own_identity_calls = frozenset(spec.get("own-identity-calls", ()))
        self.record_class_suffixes = frozenset(spec.get("record-class-suffixes", ()))
        self.item_key_names = frozenset(spec.get("item-key-names", ()))
        self.organisation_nouns = frozenset(vocab.fold(w) for w in spec.get("organisation-nouns", ()))
        self.party_nouns = frozenset(vocab.fold(w) for w in spec.get("party-nouns", ()))
        self.organisation_categories = frozenset(spec.get("organisation-categories", ()))
        self.own_account_calls = frozenset(spec.get("own-account-calls", ()))
        self.holder_ids = {
            tuple(split_words(k)): frozenset(vocab.fold(w) for w in v) for k, v in spec.get("holder-ids", {}).items()
        }
        self.spent_words = WordSequences(spec.get("spent-words", ()))
        self.unknown_words = WordSequences(spec.get("unknown-words", ()))
        self.redacting_methods = frozenset(pii.get("redaction", {}).get("methods", ()))
        self._phrases: Dict[Tuple[str, str], Optional[Tuple[Tuple[str, ...], int, int]]] = {}

    # ---- the phrase ------------------------------------------------------------------------

    def _phrase(self, category: str, name: str) -> Optional[Tuple[Tuple[str, ...], int, int]]:
        """The folded words of name and where the category's phrase occurs in them."""
        key = (category, name)
        if key not in self._phrases:
            words = tuple(self.vocab.fold(w) for w in split_words(name))
            match = self.vocab.match_words(words)
            found = None
            if match is not None and match.category == category:
                found = (words, match.start, match.end)
            elif words:
                found = (words, len(words), len(words))  # recognised with its owner (`user.name`)
            self._phrases[key] = found
        return self._phrases[key]

    def is_ambiguous(self, words: Sequence[str], start: int, end: int) -> bool:
        phrase = [w for w in words[start:end] if w not in self.vocab.person_nouns]
        if len(phrase) < end - start or tuple(phrase) in self.strong_phrases:
            return False  # `<person> name`: the phrase names its person; a session token is one
        return bool(phrase) and all(w in self.ambiguous for w in phrase)

    # ---- the verdict -----------------------------------------------------------------------

    def judge(
        self,
        category: str,
        name: str,
        base: str,
        *,
        owner_words: Sequence[str] = (),
        owner_is_request: bool = False,
        class_words: Sequence[str] = (),
        scope_words=frozenset(),
        module_words=frozenset(),
        type_name: Optional[str] = None,
        branch_words=frozenset(),
        package_words=frozenset(),
        settings: Tuple[Sequence[str], bool] = ((), False),
        looked_up: bool = False,
    ) -> "Verdict":
        """(confidence, reason, ambiguous) for a value recognised as `category` by `name`.

        base: what the place it was read from says already (high for request data, a typed
        parameter or a model field; medium for a name; low for a payload of unknown origin).
        owner_words: the words of the object it is read from, nearest last (`request`,
        `session` for `request.session.session_key`); class_words: the class of `self`;
        branch_words: the words of the literals the enclosing `if`s chose (`kind == "token"`);
        package_words: the words of every folder of the file's path (`agentic/api/sessions.py`
        is about an agent's sessions);
        settings: the words of where the value is read when that may be configuration, from a
        configuration part on (`hs.config.registration` -> config, registration), and whether
        they are a class's (`self.username` of an `EmailConfig`: no person or login word in it);
        looked_up: the value is the parameter a function looks a stored record up by
        (`get_sharing_collection_by_token(self, token)`): for a credential, the key that opens it."""
        if not self.enabled or not name:
            return Verdict(base, "", False)
        found = self._phrase(category, name)
        if found is None:
            return Verdict(base, "", False)
        words, start, end = found
        label = self.vocab.label(category)
        configured = None
        if not owner_is_request and settings[0]:
            configured = self._configured(category, settings[0], words[:start] + words[end:], whole=settings[1])
        if configured is None and settings[1] and category in self.config_categories:
            own = self._own_account(settings[0])
            if own is not None:  # `self.preferred_username` of a `ServiceAccount`
                return Verdict(
                    LOW,
                    f"`{name}` is held by a class of '{own}'s, the service's own accounts, not a person's {label}",
                    start == end or self.is_ambiguous(words, start, end),
                )
        if configured is not None:
            return Verdict(
                LOW,
                f"`{name}` is read from the configuration ('{configured}'): a setting or the service's own "
                f"account, not a person's {label}",
                start == end or self.is_ambiguous(words, start, end),
            )
        organisation = self._organisation(category, owner_words, words)
        if organisation is not None:  # `enterprise_customer.name`: a company's name
            return Verdict(LOW, f"`{name}`: '{organisation}' is an organisation, and its {label} is no person's", False)
        others = words[:start] + words[end:]
        # `self.mxid` of a `Portal`, or what its `__init__(self, mxid)` stores
        own_class = (
            class_words
            if tuple(owner_words[-1:]) == ("self",)
            else (settings[0] if settings[1] and not owner_words else ())
        )
        holder = self._holder(words[start:end], owner_words, others, own_class)
        if holder is not None:  # `portal.mxid`: a room's id
            return Verdict(
                LOW,
                f"`{name}` is the id of what holds it, a '{holder}' (a room, a chat or a message), not a person's {label}",
                start < end and self.is_ambiguous(words, start, end),
            )
        ambiguous = start < end and self.is_ambiguous(words, start, end)
        if start == end:  # the name alone is no phrase: its owner made it one (`user.name`,
            # `request.client.host`), or a type or a declaration did (`addr: EmailStr`)
            ambiguous = (
                base != HIGH and bool(owner_words) and _owner_noun(owner_words, class_words) not in self.person_owners
            )
            if ambiguous and not owner_is_request and words and words[-1] in self.record_keys:
                return Verdict(
                    LOW,
                    f"`{name}` is the id of a stored '{owner_words[-1]}' record (its row), not the key or token it holds",
                    True,
                )
        if not ambiguous:
            if type_name in self.number_types and category in self.number_typed_not:
                return Verdict(LOW, f"`{name}` is typed {type_name}: a row number, not {label}", False)
            credential = self.vocab.categories[category].group == "credential"
            qualifier = None if credential else self._qualifier(self.strong_thing_qualifiers, others)
            if qualifier:
                return Verdict(LOW, f"`{name}`: '{qualifier}' says whose {label} it is, and it is nobody's", False)
            support = self._support(owner_words, owner_is_request, others, (), frozenset(), frozenset())
            if base == HIGH or support:
                return Verdict(HIGH, f"{label}, a strong identifier" + (f", {support}" if support else ""), False)
            return Verdict(max(base, MEDIUM, key=rank), f"`{name}` names {label}, a strong identifier", False)
        phrase = " ".join(words[start:end]) or name
        alternative = self._alternative(words, start, end)
        if alternative and branch_words.isdisjoint(words[start:end]):
            # a branch that chose the phrase (`if share_type == "token":`) says which
            chosen = frozenset(words[start:end])
            if_chosen = self.judge(
                category,
                name,
                base,
                owner_words=owner_words,
                owner_is_request=owner_is_request,
                class_words=class_words,
                scope_words=scope_words,
                module_words=module_words,
                type_name=type_name,
                branch_words=chosen,
                package_words=package_words,
            )
            return Verdict(
                LOW,
                f"`{name}` holds a {alternative} or a {phrase}, and nothing around it says which",
                True,
                (chosen, if_chosen.confidence, f"{if_chosen.reason}; the branch says it is the {phrase}"),
            )
        qualifier = self._qualifier(self.thing_qualifiers, others)
        if qualifier and not self.person_owners.intersection(others):  # `last_login_page_ip` stays a login's
            return Verdict(LOW, f"`{name}`: '{qualifier}' says the {phrase} is not a person's", True)
        nearest = list(owner_words[-1:])
        if not self.people_scope.intersection(class_words):  # `AuthService` is about logins
            nearest += list(class_words)
        thing = next((w for w in nearest if w in self.thing_owners), None)
        if thing is not None and not owner_is_request:
            return Verdict(
                LOW,
                f"`{name}` is ambiguous ({phrase}) and what holds it ('{thing}') is a machine, job, model or service, not a person",
                True,
            )
        kind = self._session_kind(
            words[start:end], owner_words, others, class_words, scope_words, module_words, package_words
        )
        if kind is not None and not owner_is_request and not self._support(owner_words, False, others, (), (), ()):
            return Verdict(
                LOW,
                f"`{name}` is ambiguous ({phrase}) and the code says whose session it is ('{kind}': an encryption "
                "protocol's, a room's, a channel's or the application's own, a chat's or a flow's), not a login's",
                True,
            )
        if type_name in self.number_types:
            return Verdict(LOW, f"`{name}` is typed {type_name}: a number or a flag, not {label}", True)
        if base == HIGH:
            return Verdict(HIGH, f"`{name}` is read from where a user's data is (request data, a typed value)", True)
        near = self._support(owner_words, owner_is_request, others, (), frozenset(), frozenset())
        near = near or self._split_phrase(category, words, start, end)
        if not near and looked_up and category in self.credential_categories:
            near = f"the function looks a stored record up by it (`..._by_{name}`): the key that opens it"
        module = next((w for w in sorted(module_words) if w in self.thing_modules), None)
        folder = next((w for w in sorted(package_words) if w in self.people_scope), None) if module else None
        if not near and module is not None and folder is not None:  # `accounts/pipeline.py`: a sign-in pipeline
            return Verdict(
                MEDIUM,
                f"`{name}` is ambiguous ({phrase}); its module's {module} is one of a package about people "
                f"or their login ('{folder}')",
                True,
            )
        if not near and module is not None:
            return Verdict(
                LOW, f"`{name}` is ambiguous ({phrase}) in a module about a {module}, not about people", True
            )
        support = near or self._support(owner_words, owner_is_request, others, class_words, scope_words, module_words)
        if support:
            return Verdict(MEDIUM, f"`{name}` is ambiguous ({phrase}); {support}", True)
        return Verdict(
            LOW, f"`{name}` is ambiguous ({phrase}) and nothing around it says it is a person's or a login's", True
        )

    def _configured(
        self, category: str, settings: Sequence[str], others: Sequence[str], whole: bool = False
    ) -> Optional[str]:
        """The configuration word a value of an account-like category is read from
        (`current_app.config.get(...)`, `hs.config.email`), when no person noun after it (or,
        whole: no person or login word anywhere in a class's name: `MemberSettings`) or in the
        name says it is a person's record; else None."""
        if category not in self.config_categories:
            return None
        found = next((w for w in settings if w in self.config_owners), None)
        if found is None:
            return None
        persons = self.person_owners if whole else self.vocab.person_nouns  # `MemberSettings`, `AuthConfig`
        if persons.intersection(settings) or self.vocab.person_nouns.intersection(others):
            return None
        return found

    def nobodys(self, category: str, name: str, owner_words: Sequence[str], settings: Sequence[str]) -> Optional[str]:
        """The word that says a value named `name` of `category`, read from an owner of
        `owner_words` (`settings` from a configuration part on), is the configuration's or an
        organisation's (`settings.MAIL_FROM`: 'settings'; `enterprise_customer.name`:
        'enterprise customer'), else None."""
        found = self._phrase(category, name)
        if not self.enabled or found is None:
            return None
        words, start, end = found
        if settings:
            configured = self._configured(category, settings, words[:start] + words[end:])
            if configured is not None:
                return configured
        return self._organisation(category, owner_words, words)

    def own_account_call(self, receiver_words: Sequence[str], method: str) -> Optional[str]:
        """'bot' when `method` asks a client for its own account and the client's name says it
        is a thing's (`self.bot.get_me()`), else None."""
        if method not in self.own_account_calls:
            return None
        return self._qualifier(self.strong_thing_qualifiers, [self.vocab.fold(w) for w in receiver_words])

    def _own_account(self, class_words: Sequence[str]) -> Optional[str]:
        """'service account' when a class's name calls what it models a non-human account (a
        strong thing qualifier right before an account noun: `ServiceAccount`, `BotUser`), and no
        person noun is in it; else None."""
        words = [self.vocab.fold(w) for w in class_words]
        if not self.account_nouns:
            return None
        for start, end in self.strong_thing_qualifiers.spans(words):
            if end < len(words) and words[end] in self.account_nouns:
                if self.vocab.person_nouns.intersection(words[:end] + words[end + 1 :]):
                    return None  # `ServiceAccountOwner`: a person's record
                return " ".join(words[start : end + 1])
        return None

    def _organisation(self, category: str, owner_words: Sequence[str], words: Sequence[str]) -> Optional[str]:
        """'enterprise customer' when the words of a value's owner and name, nearest last, put a
        party noun right after an organisation noun with no person noun after them
        (`self.config.enterprise_customer.name`, not `enterprise_customer_user.name`); else None."""
        if category not in self.organisation_categories:
            return None
        sequence = [self.vocab.fold(w) for w in owner_words] + list(words)
        found = None
        for at in range(1, len(sequence)):
            if sequence[at] in self.party_nouns and sequence[at - 1] in self.organisation_nouns:
                found = at
        if found is None or self.vocab.person_nouns.intersection(sequence[found + 1 :]):
            return None
        return f"{sequence[found - 1]} {sequence[found]}"

    def _holder(self, phrase, owner_words: Sequence[str], others: Sequence[str], own_class) -> Optional[str]:
        """The word that says an identifier phrase (`mxid`) is held by a room, a chat or a message
        (`holder-ids`): another word of the name (`msg_mxid`), else the nearest owner (`portal.mxid`),
        or own_class, the words of the class whose own value it is (`self.mxid` of a `Portal`);
        None when a person noun in the name or the class says whose (`sender_mxid`, a `PortalUser`)."""
        holders = self.holder_ids.get(tuple(phrase)) if self.holder_ids else None
        if not holders or self.vocab.person_nouns.intersection(others):
            return None
        found = next((w for w in others if w in holders), None)
        if found is None and own_class:
            folded = [self.vocab.fold(w) for w in own_class]
            if not self.vocab.person_nouns.intersection(folded):
                found = next((w for w in folded if w in holders), None)
        elif found is None and owner_words and self.vocab.fold(owner_words[-1]) in holders:
            found = self.vocab.fold(owner_words[-1])
        return found

    def holder_qualifier(self, name: str) -> Optional[str]:
        """What the name a value is held by says it is, when that contradicts an ambiguous
        word it was recognised by (`count = get_tokens(..., count=True)`, `next_cursor = ...`)."""
        if not self.enabled:
            return None
        words = tuple(self.vocab.fold(w) for w in split_words(name))
        if self.person_owners.intersection(words):
            return None
        return self._qualifier(self.thing_qualifiers, words)

    def public_part(self, name: str) -> Optional[str]:
        """The word of a name that says it holds a credential's public part (`yubi_prefix`,
        `token_serial`, `key_label`), else None."""
        words = [self.vocab.fold(w) for w in split_words(name)]
        return next((w for w in words if w in self.public_parts), None)

    def _session_kind(
        self, phrase, owner_words, others, class_words, scope_words, module_words, package_words=frozenset()
    ) -> Optional[str]:
        """The word that says a session is not a login's (`megolm`, `room`, `tls`) when the
        phrase is a session's (`session_id`, `session.id`), else None."""
        if not ("session" in phrase or (not phrase and owner_words[-1:] == ("session",))):
            return None
        groups = (others, owner_words, class_words, sorted(scope_words), sorted(module_words))
        for group in groups:
            found = next((w for w in group if w in self.session_kinds), None)
            if found is not None:
                return found
        # a chat's, a flow's or a message's session, unless the code around it is a login's
        # (`start_login_flow`): an application's own sessions are not its users' logins
        if any(self.login_words.intersection(group) for group in groups):
            return None
        for group in groups + (sorted(package_words),):  # the package: `agentic/api/sessions.py`
            found = next((w for w in group if w in self.app_session_kinds), None)
            if found is not None:
                return found
        return None

    def _split_phrase(self, category: str, words: Sequence[str], start: int, end: int) -> str:
        """What corroborates an ambiguous phrase that a party word before it (`client`,
        `customer`), with other words between, makes a strong one of the same category
        (`client_path_ip`: `client ip` with the hop's path between, an address of the requesting
        side), as text, or ""."""
        phrase = tuple(words[start:end])
        for at in range(start - 2, -1, -1):
            if words[at] not in self.party_nouns:
                continue  # `last_job_name`: only a party of the exchange says whose (`client`, `customer`)
            joined = (words[at],) + phrase
            match = self.vocab.match_words(joined)
            if (
                match is not None
                and match.category == category
                and (match.start, match.end) == (0, len(joined))
                and not self.is_ambiguous(joined, 0, len(joined))
            ):
                return f"the name says whose ('{' '.join(joined)}', with '{' '.join(words[at + 1 : start])}' between)"
        return ""

    def _alternative(self, words: Sequence[str], start: int, end: int) -> Optional[str]:
        """The other alternative of a name that says it holds one of two things (`path_or_token`),
        when that one is no personal data; None for any other name (`email_or_username`)."""
        if "or" not in words or start == end:
            return None
        at = words.index("or")
        if end <= at:
            other = tuple(words[at + 1 :])
        elif start > at:
            other = tuple(words[:at])
        else:
            return None
        if not other or self.vocab.match_words(other) is not None:
            return None
        return " ".join(other)

    @staticmethod
    def _qualifier(qualifiers: WordSequences, words: Sequence[str]) -> Optional[str]:
        for start, end in qualifiers.spans(words):
            return " ".join(words[start:end])
        return None

    def _support(self, owner_words, owner_is_request, others, class_words, scope_words, module_words) -> str:
        """What corroborates that the value is a person's or their login's, as text, or ""."""
        if owner_is_request:
            return "read from a request (a user-facing source)"
        owner = next((w for w in owner_words if w in self.person_owners), None)
        if owner is not None:
            return f"read from '{owner}' (a person or their login)"
        own = next((w for w in others if w in self.person_owners), None)
        if own is not None:
            return f"the name says whose ('{own}')"
        scope = next((w for w in list(class_words) + sorted(scope_words) if w in self.people_scope), None)
        if scope is not None:
            return f"the code around it is about people or their login ('{scope}')"
        module = next((w for w in sorted(module_words) if w in self.people_scope), None)
        if module is not None:
            return f"the module is about people or their login ('{module}')"
        return ""


def file_role(path: str, tables: dict) -> Optional[str]:
    """ "test" or "example" when a file is test, example or demo code by its path
    (rules/confidence.toml [confidence.file-roles]), else None."""
    from fnmatch import fnmatchcase

    roles = tables.get("confidence", {}).get("file-roles", {})
    parts = [p.lower() for p in path.replace("\\", "/").split("/") if p not in ("", ".")]
    if not parts:
        return None
    folders, name = parts[:-1], parts[-1]
    if any(fnmatchcase(name, pattern) for pattern in roles.get("test-files", ())) or any(
        fnmatchcase(folder, pattern) for folder in folders for pattern in roles.get("test-dirs", ())
    ):
        return "test"
    if any(fnmatchcase(folder, pattern) for folder in folders for pattern in roles.get("example-dirs", ())):
        return "example"
    return None


def package_words(path: str) -> FrozenSet[str]:
    """Words of the folders of a file's path, the nearest three (`langflow/agentic/api/x.py`
    -> langflow, agentic, api)."""
    words: set = set()
    for part in path.replace("\\", "/").split("/")[:-1][-3:]:
        words.update(split_words(part))
    return frozenset(words)


def module_words(path: str) -> FrozenSet[str]:
    """Words of a file's name and its folder (`accounts/views.py` -> accounts, views)."""
    parts = path.replace("\\", "/").rsplit("/", 2)[-2:]
    words: set = set()
    for part in parts:
        words.update(split_words(part.rsplit(".", 1)[0] if part.endswith((".py", ".pyi")) else part))
    return frozenset(words)


def _owner_noun(owner_words: Sequence[str], class_words: Sequence[str]) -> str:
    """The word that says whose an attribute is: its owner's last word, without a variant's
    letter or number (`user_a.name`, `user2.name`), and for `self` its class's (`self.name` in
    `class SlurmUser`)."""
    words = list(owner_words)
    if words[-1:] == ["self"]:
        words = list(class_words) or words
    while len(words) > 1 and (len(words[-1]) == 1 or words[-1].isdigit()):
        words.pop()
    return words[-1] if words else ""
