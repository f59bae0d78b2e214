"""Recognising personal data from names: the vocabulary in rules/pii.toml, extended by config."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, FrozenSet, Iterable, List, Optional, Sequence, Tuple

from gdpr_lint.analysis.names import WordSequences, is_constant_name, split_words

PERSON = "<person>"


@dataclass(frozen=True)
class Category:
    id: str
    label: str
    group: str
    severity: str
    phrases: Tuple[Tuple[str, ...], ...]
    types: FrozenSet[str]
    exclude_words: WordSequences
    exclude_scope_words: FrozenSet[str] = frozenset()
    exclude_scope_phrases: FrozenSet[Tuple[str, ...]] = frozenset()
    bare_phrases: FrozenSet[Tuple[str, ...]] = frozenset()
    # ambiguous phrases -> the words one of which must be around them (`pan` needs `card`)
    context_phrases: Tuple[Tuple[Tuple[str, ...], FrozenSet[str]], ...] = ()
    # words of a module's name and folder that rule the category out (`socket/main.py`)
    exclude_module_words: FrozenSet[str] = frozenset()
    # `exclude-words` without the `directory-words` (a directory's people: `ldap_usernames`,
    # `for username in ldap_users`): what rules the category out of a collection's items
    exclude_item_words: Optional[WordSequences] = None


@dataclass(frozen=True)
class NameMatch:
    category: str
    start: int
    end: int


class PiiVocabulary:
    """Decides whether a name (identifier, attribute, key, keyword, type) names personal data."""

    def __init__(
        self,
        tables: dict,
        extra_identifiers: Optional[Dict[str, str]] = None,
        ignore_identifiers: Iterable[str] = (),
        extra_sanitizers: Iterable[str] = (),
    ):
        pii = tables.get("pii", {})
        self.person_nouns = frozenset(pii.get("person-nouns", ()))
        self.meta_containers = frozenset(pii.get("meta-containers", ()))
        self.categories: Dict[str, Category] = {}
        extra: Dict[str, List[Tuple[str, ...]]] = {}
        for name, category in (extra_identifiers or {}).items():
            extra.setdefault(category, []).append(split_words(name))
        specs = pii.get("categories", {})
        phrases = {
            cid: tuple(p for p in [self._phrase(p) for p in spec.get("phrases", ())] + extra.get(cid, []) if p)
            for cid, spec in specs.items()
        }
        self.vocabulary = frozenset(w for ps in phrases.values() for p in ps for w in p if w != PERSON)
        # the words plurals fold to: the vocabulary's, and the meta suffixes' (`phone_models`,
        # `email_templates` are about the data as `phone_model` is)
        self._singulars = self.vocabulary | frozenset(
            w for entry in pii.get("meta-suffixes", ()) for w in split_words(entry)
        )
        # word lists whose entries may be several words (`country_code`) or hold digits
        # (`sha256`): matched as word sequences, folded like the identifiers they meet
        self.meta_suffixes = WordSequences(pii.get("meta-suffixes", ()), self.fold)
        self.meta_prefixes = WordSequences(pii.get("meta-prefixes", ()), self.fold)
        self.sanitized_words = WordSequences(pii.get("sanitized-words", ()), self.fold)
        for cid, spec in specs.items():
            self.categories[cid] = Category(
                id=cid,
                label=spec["label"],
                group=spec["group"],
                severity=spec["severity"],
                phrases=phrases[cid],
                types=frozenset(spec.get("types", ())),
                exclude_words=WordSequences(spec.get("exclude-words", ()), self.fold),
                exclude_scope_words=frozenset(spec.get("exclude-scope-words", ())),
                exclude_scope_phrases=frozenset(self._phrase(p) for p in spec.get("exclude-scope-phrases", ())),
                bare_phrases=frozenset(self._phrase(p) for p in spec.get("bare-phrases", ())),
                context_phrases=tuple(
                    (self._phrase(p), frozenset(words)) for p, words in spec.get("context-phrases", {}).items()
                ),
                exclude_module_words=frozenset(spec.get("exclude-module-words", ())),
                exclude_item_words=WordSequences(
                    [w for w in spec.get("exclude-words", ()) if w not in spec.get("directory-words", ())], self.fold
                )
                if spec.get("directory-words")
                else None,
            )
        self.ignored = frozenset(i.lower() for i in ignore_identifiers)
        # phrase index: last word -> [(category, phrase)] so matching is one dict hit per word
        self._by_last: Dict[str, List[Tuple[str, Tuple[str, ...]]]] = {}
        for cid, cat in self.categories.items():
            for phrase in cat.phrases:
                last = phrase[-1]
                self._by_last.setdefault(last, []).append((cid, phrase))
        # the longest phrase first; of two as long, one a name spells out wins over a `<person>`
        # pattern (`user_name` is a login name, not a person's name) -- except where the owner
        # supplied the person (`user.name`: the owner's attribute `name` is the person's name)
        self._by_last_owned: Dict[str, List[Tuple[str, Tuple[str, ...]]]] = {}
        for last, entries in self._by_last.items():
            entries.sort(key=lambda e: -len(e[1]))
            self._by_last_owned[last] = list(entries)
            entries.sort(key=lambda e: PERSON in e[1])
            entries.sort(key=lambda e: -len(e[1]))
        self._type_index = {t: cid for cid, cat in self.categories.items() for t in cat.types}
        sanitizers = pii.get("sanitizers", {})
        self.sanitizer_words = WordSequences(sanitizers.get("words", ()))
        self.sanitizer_functions = frozenset(list(sanitizers.get("functions", ())) + list(extra_sanitizers))
        flow = pii.get("flow", {})
        self.passthrough_functions = frozenset(flow.get("passthrough-functions", ()))
        self.response_functions = frozenset(flow.get("response-functions", ()))
        self.response_drops_groups = frozenset(flow.get("response-drops-groups", ()))
        self.plain_repr_responses = frozenset(flow.get("plain-repr-responses", ()))
        self.url_errors = frozenset(flow.get("url-errors", ()))  # an HTTP client's errors that name the URL
        self.address_errors = frozenset(flow.get("address-errors", ()))  # an SMTP client's that name addresses
        self.mail_send_methods = frozenset(flow.get("mail-send-methods", ()))
        self.url_error_keywords = frozenset(flow.get("url-error-keywords", ()))
        self.getter_prepositions = frozenset(flow.get("getter-prepositions", ()))
        self.signal_sender_params = frozenset(flow.get("signal-sender-params", ()))
        self.passthrough_methods = frozenset(flow.get("passthrough-methods", ()))
        self.element_mappers = frozenset(flow.get("element-mappers", ()))
        self.element_filters = frozenset(flow.get("element-filters", ()))
        self.passthrough_skip_keywords = frozenset(flow.get("passthrough-skip-keywords", ()))
        self.non_data_calls = frozenset(flow.get("non-data-calls", ()))
        self.path_functions = frozenset(flow.get("path-functions", ()))
        self.file_openers = frozenset(flow.get("file-openers", ()))
        self.non_data_types = frozenset(flow.get("non-data-types", ()))
        kept = frozenset(flow.get("shape-names-kept", ()))
        self.shape_marks = {mark: (cid, kept) for mark, cid in flow.get("shape-marks", {}).items()}
        self.parsers: Dict[str, str] = dict(flow.get("parsers", {}))
        self.parse_errors = frozenset(flow.get("parse-errors", ()))
        self.config_owners = frozenset(flow.get("config-owners", ()))
        self.enum_member_attributes = frozenset(flow.get("enum-member-attributes", ()))
        self.object_dumpers = frozenset(flow.get("object-dumpers", ()))
        record = flow.get("record-category")
        self.record_category = record if record in self.categories else None
        self.record_owner_words = frozenset(flow.get("record-owner-words", ())) | self.person_nouns
        self.dump_methods = frozenset(flow.get("dump-methods", ()))
        self.message_renderers = frozenset(flow.get("message-renderers", ()))
        self.address_headers = frozenset(h.lower() for h in flow.get("address-headers", ()))
        self.mail_only_headers = frozenset(h.lower() for h in flow.get("mail-only-headers", ()))
        self.message_methods = frozenset(flow.get("message-methods", ()))
        self.account_id_nouns = frozenset(flow.get("account-id-nouns", ()))
        self.container_mutators = frozenset(flow.get("container-mutators", ()))
        self.value_attributes = frozenset(flow.get("value-attributes", ()))
        self.key_functions = frozenset(flow.get("key-functions", ()))
        self.key_methods = frozenset(flow.get("key-methods", ()))
        self.auto_repr_decorators = frozenset(flow.get("auto-repr-decorators", ()))
        self.auto_repr_bases = frozenset(flow.get("auto-repr-bases", ()))
        self.sources = SourceKinds(pii.get("sources", {}), self.categories)
        sources = pii.get("request-sources", {})
        self.request_attributes = frozenset(sources.get("attributes", ()))
        self.request_bases = frozenset(sources.get("bases", ()))
        self.payload_attributes = frozenset(sources.get("payload-attributes", ()))
        self.payload_methods = frozenset(sources.get("payload-methods", ()))
        self.payload_names = frozenset(sources.get("payload-names", ()))
        self.payload_thing_resources = frozenset(sources.get("thing-resources", ()))
        self.payload_form_bases = frozenset(sources.get("form-bases", ()))
        self.payload_handler_params = dict(sources.get("payload-handler-params", {}))
        # the categories the sources name, when the taxonomy has them
        payload, user = sources.get("payload-category"), sources.get("user-category")
        self.payload_category = payload if payload in self.categories else None
        self.user_attributes = frozenset(sources.get("user-attributes", ()))
        self.account_attributes = frozenset(sources.get("account-attributes", ()))
        self.account_types = frozenset(sources.get("account-types", ()))
        self.account_record_words = frozenset(sources.get("account-record-words", ()))
        medium = tuple(sources.get("medium-address", ()))  # (key, sibling key, category)
        self.medium_address = medium if len(medium) == 3 and medium[2] in self.categories else ()
        self.account_logins = frozenset(sources.get("account-logins", ()))
        self.account_model_factories = frozenset(sources.get("account-model-factories", ()))
        self.account_relations = frozenset(sources.get("account-relations", ()))
        self.account_django_fields = frozenset(sources.get("account-django-fields", ()))
        self.account_login_names = frozenset(sources.get("account-login-names", ()))
        self.account_password_names = frozenset(sources.get("account-password-names", ()))
        self.account_connection_names = frozenset(sources.get("account-connection-names", ()))
        self.user_category = user if user in self.categories else None
        # class base / `@decorator` -> the kind of field its fields are ([pii.entry-points])
        self.entry_points: Dict[str, str] = dict(pii.get("entry-points", {}))
        self._cache: Dict[Tuple[str, bool, str], Optional[str]] = {}
        from gdpr_lint.analysis.confidence import ConfidenceJudge

        self.judge = ConfidenceJudge(self, tables)  # how sure a recognised name is ([pii.confidence])
        from gdpr_lint.analysis.uses import UseSpec

        self.use_spec = UseSpec.from_tables(pii.get("confidence", {}))  # [pii.confidence.uses]

    @staticmethod
    def _phrase(text: str) -> Tuple[str, ...]:
        words: List[str] = []
        for part in text.split():
            words.extend([part] if part == PERSON else split_words(part))
        return tuple(words)

    def category(self, cid: str) -> Category:
        return self.categories[cid]

    def fold(self, word: str) -> str:
        """Plural folding against the vocabulary and the meta suffixes: emails -> email,
        addresses -> address, models -> model."""
        if word in self._singulars or word in self.person_nouns or len(word) < 4:
            return word
        for cut, add in (("ies", "y"), ("es", ""), ("s", "")):
            if word.endswith(cut) and (word[: -len(cut)] + add) in self._singulars:
                return word[: -len(cut)] + add
        return word

    def _match(self, words: Sequence[str], owned: bool = False) -> Optional[NameMatch]:
        """The last phrase occurrence in words (the head of a compound name); owned: the first
        word is the owner's name, not the name's own."""
        index = self._by_last_owned if owned else self._by_last
        for end in range(len(words), 0, -1):
            for cid, phrase in index.get(words[end - 1], ()):
                start = end - len(phrase)
                if start < 0:
                    continue
                if all(p == w or (p == PERSON and w in self.person_nouns) for p, w in zip(phrase, words[start:end])):
                    return NameMatch(cid, start, end)
        return None

    def match_words(self, words: Sequence[str]) -> Optional[NameMatch]:
        """Where the last phrase of the taxonomy occurs in folded words (for judging it)."""
        return self._match(words)

    def classify_words(
        self, words: Sequence[str], constant: bool = False, head: bool = False, owned: bool = False
    ) -> Optional[str]:
        """head: the phrase must end the name (for constants, and for an attribute read
        with its owner's name in front: `token.created` is not a token)."""
        raw = [w for w in words if w]
        words = [self.fold(w) for w in raw]
        if not words or self.sanitized_words.occurs_in(words):
            return None
        match = self._match(words, owned)
        if match is None:
            return None
        if (head or constant) and match.end != len(words):
            return None  # CLIENT_SECRET_BASIC is an enum member, SECRET_KEY a secret
        if self.meta_suffixes.occurs_in(words, match.end):
            return None
        if match.start > 0 and self.meta_prefixes.begins(words[: match.start]):
            return None
        category = self.categories[match.category]
        if (
            category.bare_phrases
            and match.end == len(words)
            and tuple(words[match.start : match.end]) in category.bare_phrases
            and not any(w in self.person_nouns for w in words[: match.start])
        ):
            return None  # `health`, `worker_health`: a service's health, not a person's
        excluded = category.exclude_words
        if category.exclude_item_words is not None and raw[match.end - 1].lower() != words[match.end - 1]:
            excluded = category.exclude_item_words  # `ldap_usernames`: the directory's people
        if excluded and excluded.occurs_outside(words, match.start, match.end):
            return None
        if constant and category.group != "credential":
            return None
        if constant and self.sources.constant_name_words.occurs_outside(words, match.start, match.end):
            return None  # FORWARD_USER_INFO_HEADER_JWT names a header, ENV_API_KEY a variable
        return match.category

    def classify(self, name: str, *, key: bool = False, context: str = "") -> Optional[str]:
        """Category named by `name`, or None.

        key: a dict key / keyword / header (not subject to the ALL_CAPS convention).
        context: the object the name is read from (`user` in `user.name`), which lets
        `name` or `address` alone count when it belongs to a person.
        """
        cache_key = (name, key, context)
        if cache_key in self._cache:
            return self._cache[cache_key]
        result: Optional[str] = None
        path = name.strip("_").split("__")
        if len(path) > 2:
            # a Django lookup or annotation (`emails__votes__value__sum`, `thread__author__email`):
            # the field of the last relation, not every model the path crosses
            name = "_".join(path[-2:])
        if name.lower() not in self.ignored and name:
            constant = not key and is_constant_name(name)
            words = split_words(name)
            result = self.classify_words(words, constant)
            if result is None and context and not constant and len(words) == 1:
                # `user.name`, `request.client.host`: the owner and the attribute together
                context_words = split_words(context)
                if context_words:
                    result = self.classify_words((context_words[-1],) + tuple(words), head=True, owned=True)
        self._cache[cache_key] = result
        return result

    def is_sanitized_name(self, name: str) -> bool:
        """Whether a name says its value was made safe: `email_hash`, `phone_last4`."""
        return self.sanitized_words.occurs_in([self.fold(w) for w in split_words(name)])

    def classify_type(self, dotted: str) -> Optional[str]:
        return self._type_index.get(dotted.rsplit(".", 1)[-1])

    def is_sanitizer(self, target: Optional[str], name: str) -> bool:
        if target and (target in self.sanitizer_functions or target.rsplit(".", 1)[-1] in self.sanitizer_functions):
            return True
        if target and target.split(".", 1)[0] in ("hashlib", "hmac"):
            return True
        return self.sanitizer_words.occurs_in(split_words(name))

    def excluded_in_scope(self, cid: str, scope_words, name: Optional[str] = None) -> bool:
        """Whether the enclosing function/class (and its parameters) rule the category out:
        `token` inside a parser is a syntax token. When the category lists
        `exclude-scope-phrases`, only a name whose head is one of them is ruled out (a
        `password` is one in a function with a `tags` parameter too); name: the identifier
        the value was recognised by, when known."""
        category = self.categories[cid]
        words = category.exclude_scope_words
        # a plural says the same thing (`ports`, `subnets`: a function handling a server's ports)
        if not words or not any(w in words or self.fold(w) in words for w in scope_words):
            return False
        if not category.exclude_scope_phrases or not name:
            return True
        folded = [self.fold(w) for w in split_words(name)]
        match = self._match(folded)
        return match is None or tuple(folded[match.start : match.end]) in category.exclude_scope_phrases

    def lacks_context(self, cid: str, scope_words, name: Optional[str]) -> bool:
        """Whether `name` was recognised by an ambiguous phrase of the category (its
        `context-phrases`: `pan`) with none of the phrase's context words in the name or in
        the enclosing function, class and their parameters (`scope_words`): `pan` is a card
        number in `charge_card(pan, cvv)`, the pan of a camera in `move(pan, tilt)`."""
        phrases = self.categories[cid].context_phrases
        if not phrases or not name:
            return False
        folded = [self.fold(w) for w in split_words(name)]
        match = self._match(folded)
        if match is None:
            return False
        matched = tuple(folded[match.start : match.end])
        for phrase, words in phrases:
            if phrase == matched:
                return words.isdisjoint(folded) and words.isdisjoint(scope_words)
        return False

    def is_meta_container(self, name: str) -> bool:
        if not name:
            return False
        words = split_words(name)
        return name.lower() in self.meta_containers or bool(words) and words[-1] in self.meta_containers

    def label(self, cid: str) -> str:
        return self.categories[cid].label


class SourceKinds:
    """Where personal data comes from besides a name ([pii.sources] in rules/pii_sources.toml):
    the verbs of calls named after what they return, configuration read by a key, prompts."""

    def __init__(self, spec: dict, categories: Dict[str, Category]):
        self.getter_verbs = frozenset(spec.get("getter-verbs", ("get",)))
        self.config_words = frozenset(spec.get("config-words", ()))
        self.config_key_groups = frozenset(spec.get("config-key-groups", ()))
        self.config_key_keywords = frozenset(spec.get("config-key-keywords", ()))
        self.settings_modules = frozenset(spec.get("settings-modules", ()))
        self.constant_name_words = WordSequences(spec.get("constant-name-words", ()))
        self.secret_prompts = frozenset(spec.get("secret-prompts", ()))
        self.prompt_functions = frozenset(spec.get("prompt-functions", ()))
        self.hidden_input_keywords = frozenset(spec.get("hidden-input-keywords", ()))
        self.prompt_keywords = frozenset(spec.get("prompt-keywords", ()))
        secret = spec.get("secret-category")
        self.secret_category = secret if secret in categories else None
        self.prompt_max_words = int(spec.get("prompt-max-words", 8))
        # calls that return a person's data whatever they are called: `getpass.getuser()`
        self.returns: Dict[str, str] = dict(spec.get("returns", {}))
        # an OAuth 2.0 server's answers: the tokens it issues, the claims of their user
        self.server_responses = frozenset(spec.get("server-responses", ()))
        category = spec.get("server-response-category")
        self.server_response_category = category if category in categories else None
        self.server_response_bodies = frozenset(spec.get("server-response-bodies", ()))
        self.server_response_silent_words = WordSequences(spec.get("server-response-silent-words", ()))

    def tokens(self) -> List[str]:
        """Pre-filter tokens for what names no data in its text: `getpass()`, `hide_input=True`."""
        names = {
            target.rsplit(".", 1)[-1].lower()
            for target in list(self.secret_prompts) + list(self.returns) + list(self.server_responses)
        }
        return sorted(names | {k.lower() for k in self.hidden_input_keywords})


# between a person noun and the next word of a phrase: `user_name`, `username`, `user.name`, and
# an item of a person's record read by its key: `user["name"]`, `order.get("shipping", {}).get("address")`
# (bounded: the pre-filter looks for a phrase only as far around its anchor as it can reach),
# and a table's column in SQL: `` `user`.`name` ``, `"user"."name"` (analysis/sql_rows.py)
_KEYED_SEPARATOR = r"""(?:[_\-. ]|(?:["']\])? ?\[ ?["']|(?:["'](?:, ?\{\})?\))?\.get\( ?["']|[`"]\.[`"])?"""


def _person_class_tokens(pii: dict) -> List:
    """A class named for a person that holds personal data (`class Customer(models.Model)`,
    `@dataclass class Person`: the bases and decorators of [pii.entry-points]) makes its bare
    `name` or `address` field a person's, as the `<person> name` phrase does for `customer.name`
    (the walker classifies the fields of such a class with its name as their owner). The field
    alone names nothing, and may stand lines away from the class line: the class line is the
    token, anchored at the person noun."""
    phrases = [p for c in pii.get("categories", {}).values() for p in c.get("phrases", ())]
    entry_points = pii.get("entry-points", {})
    if not entry_points or not any(p.split()[0] == PERSON and len(p.split()) == 2 for p in phrases):
        return []
    bases = sorted({k.rsplit(".", 1)[-1].lower() for k in entry_points if not k.startswith("@")})
    decorators = sorted({k[1:].rsplit(".", 1)[-1].lower() for k in entry_points if k.startswith("@")})
    tokens = []
    for noun in sorted(pii.get("person-nouns", ())):
        name = rf"class\s+\w*{re.escape(noun)}s?"
        alternatives = []
        if bases:
            alternatives.append(rf"{name}\s*\([^)]*?\b(?:{'|'.join(map(re.escape, bases))})\s*[,)]")
        if decorators:
            alternatives.append(rf"@[\w.]*\b(?:{'|'.join(map(re.escape, decorators))})\b[^\n]*\n\s*{name}\s*[(:]")
        tokens.append((noun, "|".join(alternatives)))
    return tokens


def _plural_tolerant(word: str) -> str:
    return re.escape(word[:-1]) + "(?:y|ies)" if word.endswith("y") else re.escape(word)


def personal_data_tokens(tables: dict, config=None) -> List:
    """Pre-filter tokens for "this text may name personal data": each phrase of the taxonomy
    as (anchor, regex), the anchor its longest word, the regex the phrase as lower-cased
    code writes it (`first_name`, `firstname`, `first-name`, `user.name`)."""
    pii = tables.get("pii", {})
    persons = "|".join(sorted(map(re.escape, pii.get("person-nouns", ()))))
    tokens: List = []
    phrases = [p for c in pii.get("categories", {}).values() for p in c.get("phrases", ())]
    pii_config = getattr(config, "pii", None)
    phrases += list(pii_config.extra_identifiers) if pii_config is not None else []
    for phrase in phrases:
        words = [w for w in re.split(r"[\s_]+", phrase.lower()) if w]
        literal = [w for w in words if w != PERSON]
        if not literal:
            continue
        anchor = max(literal, key=len)
        if len(words) == 1:
            tokens.append(anchor if not anchor.endswith("y") else (anchor[:-1], None))
            continue
        # a person's variant (`user_a.name`, `user2.name`) is the person's too
        parts = [f"(?:{persons})(?:_?[a-z0-9]\\b)?" if w == PERSON else _plural_tolerant(w) for w in words]
        # `<person> name` is also a person's record and its key: `customer["name"]`,
        # `order["shipping"]["address"]`, `customer.get("name")`
        separator = _KEYED_SEPARATOR if len(words) == 2 and words[0] == PERSON else r"[_\-. ]?"
        tokens.append((anchor[:-1] if anchor.endswith("y") else anchor, separator.join(parts)))
    for category in pii.get("categories", {}).values():
        for type_name in category.get("types", ()):
            tokens.append(type_name.lower())
    tokens.extend(_person_class_tokens(pii))
    # an e-mail message's address headers (`msg.get("from")`), where a header only mail has or a
    # message's own method says the name holds one (analysis/mail_headers.py)
    flow = pii.get("flow", {})
    for header in flow.get("mail-only-headers", ()):
        lowered = header.lower()
        anchor = max(lowered.split("-"), key=len)
        tokens.append((anchor, rf"[\"']{re.escape(lowered)}[\"']"))
    tokens.extend(method.lower() for method in flow.get("message-methods", ()))
    # a name passed as the recipients of a call that sends mail (analysis/uses.py)
    uses = pii.get("confidence", {}).get("uses", {})
    tokens.extend(token.lower() for token in uses.get("recipient-tokens", ()))
    # what names no data in its text: a secret typed at a prompt (`getpass()`, `hide_input=True`)
    tokens.extend(SourceKinds(pii.get("sources", {}), {}).tokens())
    sources = pii.get("request-sources", {})
    # request data passed on whole (`request.POST`, `request.get_json()`) and the signed-in
    # user (`request.user`): one phrase per request base
    members = set()
    if sources.get("payload-category"):
        members.update(list(sources.get("payload-attributes", ())) + list(sources.get("payload-methods", ())))
        tokens.extend(name.lower() for name in sources.get("payload-names", ()))
        for name, other in sorted(sources.get("payload-handler-params", {}).items()):
            # the handler's parameters, as its def line writes them: `(event, context)`
            tokens.append((name.lower(), rf"\b{re.escape(name.lower())}\b[^()]{{0,40}}\b{re.escape(other.lower())}\b"))
    if sources.get("user-category"):
        members.update(sources.get("user-attributes", ()))
        # a user the function reads an account's attribute from (`user.is_superuser`), passed whole
        users = "|".join(sorted(re.escape(u.lower()) for u in sources.get("user-attributes", ())))
        for attribute in sorted(sources.get("account-attributes", ())) if users else ():
            tokens.append((attribute.lower(), rf"\b(?:{users})\s*\.\s*{re.escape(attribute.lower())}\b"))
        # ... or is typed as the auth user model, which the file imports or names
        for module in sorted({t.rsplit(".", 1)[0].lower() for t in sources.get("account-types", ())}) if users else ():
            tokens.append((module.rsplit(".", 1)[-1], re.escape(module)))
        # ... or signs it in (`login(request, user)`), a function the file imports from its module
        for function in sorted(sources.get("account-logins", ())) if users else ():
            module = function.lower().rpartition(".")[0]  # anchored in the module's own name: the
            tokens.append((module.rsplit(".", 1)[-1], rf"\b{re.escape(module)}\b"))  # filter looks near it
        # ... or reads by key, a user's record (`user["id"]`, `user_dict.get("domain")`)
        records = "|".join(sorted(re.escape(w.lower()) for w in sources.get("account-record-words", ())))
        suffix = rf"(?:_(?:{records}))?" if records else ""
        for user in sorted(u.lower() for u in sources.get("user-attributes", ())) if users else ():
            tokens.append((user, rf"\b{re.escape(user)}{suffix}\s*(?:\[\s*[rbu]?['\"]|\.\s*get\s*\(\s*[rbu]?['\"])"))
        # ... or reads a field of Django's user from (`user.last_login`; `user.email` has its own)
        for field in sorted(sources.get("account-django-fields", ())) if users else ():
            tokens.append((field.lower(), rf"\b(?:{users})\s*\.\s*{re.escape(field.lower())}\b"))
        # ... or is bound to the user model (`User = get_user_model()`), or is a model field
        # relating to it (`models.ForeignKey(settings.AUTH_USER_MODEL, ...)`, `OneToOneField(User, ...)`)
        for factory in sorted(sources.get("account-model-factories", ())) if users else ():
            tokens.append(factory.rsplit(".", 1)[-1].lower())
        # ... or is the login a password goes with (`def _login(self, login: str, password)`,
        # `login, password = ...`): the two side by side, as a def line or a target list writes them
        logins = "|".join(sorted(re.escape(w.lower()) for w in sources.get("account-login-names", ())))
        for word in sorted(sources.get("account-password-names", ())) if logins else ():
            pattern = rf"\b(?:{logins})\s*(?::\s*[\w.\[\] ]+?\s*)?,\s*{re.escape(word.lower())}\b"
            tokens.append((word.lower(), pattern))
        # ... or a string parameter of that name, the login a project's authentication takes or
        # answers with wherever it binds one so (`def groups(self, login: str)`: semantic/project_logins.py)
        for word in sorted(sources.get("account-login-names", ())) if sources.get("account-password-names") else ():
            tokens.append((word.lower(), rf"\b{re.escape(word.lower())}\s*:\s*(?:optional\[\s*)?str\b"))
        relations = "|".join(sorted(re.escape(r.lower()) for r in sources.get("account-relations", ())))
        for relation in sorted(sources.get("account-relations", ())) if users else ():
            tokens.append(
                (relation.lower(), rf"\b(?:{relations})\s*\(\s*(?:to\s*=\s*)?[^,()]*(?:\b|_)user(?:_model)?\b")
            )
    if members:
        alternatives = "|".join(sorted(re.escape(m.lower()) for m in members))
        for base in sorted({b.rsplit(".", 1)[-1].lower() for b in sources.get("bases", ())}):
            tokens.append((base, rf"\b{re.escape(base)}\s*\.\s*(?:{alternatives})\b"))
    return tokens
