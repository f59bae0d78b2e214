"""Retention rules (GDPR3xx): lifetimes beyond the configured limits, and data kept forever.

Everything API-specific lives in rules/retention.toml (which calls, keywords, dict keys
and settings set a lifetime, in which unit, for which data category, and which values
mean "forever"). This module interprets that catalogue over the engine's traversal and
the shared duration evaluator.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Dict, Iterable, List, Optional, Sequence, Set, Tuple, cast

if TYPE_CHECKING:
    import libcst as cst
else:
    from gdpr_lint._lazy import cst

from gdpr_lint.analysis.durations import UNITS, DurationEvaluator, DurationValue
from gdpr_lint.checks.base import Check, PrefilterToken, argument, dict_value
from gdpr_lint.checks.retention_stores import StoresMixin

EXCEEDS = "GDPR301"
FOREVER = "GDPR302"
IMPLICIT = "GDPR303"

_UPDATE_METHODS = ("update", "from_mapping")


def split_words(text: str) -> List[str]:
    """'LOG_RETENTION_DAYS' -> ['log', 'retention', 'days']; 'acme-app-logs' and
    'sessionTtl' split the same way (the one word splitter: gdpr_lint.analysis.names)."""
    from gdpr_lint.analysis.names import split_words as words_of

    return list(words_of(text))


@dataclass
class _PendingStore:
    """A write of personal data with no lifetime, judged when the file is done."""

    node: cst.CSTNode
    entry: dict
    key_text: Optional[str]
    key_literal: Optional[Tuple[str, ...]]
    scope_node: object
    description: str
    categories: Tuple[str, ...]
    scope_name: str = ""  # where it was written, for the inventory


@dataclass
class _FileState:
    ctx: object
    stores: List[_PendingStore] = field(default_factory=list)
    expiring_keys: set = field(default_factory=set)
    # function -> the literal texts of the keys an `expire` there names (None: not a literal)
    expiring_scopes: Dict[object, List[Optional[Tuple[str, ...]]]] = field(default_factory=dict)
    expiring_scope_keys: set = field(default_factory=set)  # (function, key text) given a lifetime there
    apis_seen: set = field(default_factory=set)
    # api -> the constants its calls passed under an `excused-by-same` keyword (_UNKNOWN if not one)
    api_values: Dict[str, List[Tuple[str, object]]] = field(default_factory=dict)
    missing: List[Tuple[cst.CSTNode, dict, object]] = field(default_factory=list)
    # (api, id of the enclosing class or module) -> the calls whose implicit store never expires
    implicit: Dict[Tuple[str, int], List[Tuple[cst.Call, dict, object]]] = field(default_factory=dict)
    # id of a call judged when the file is done -> the scope it is in (the inventory's location)
    scopes: Dict[int, str] = field(default_factory=dict)


class RetentionCheck(StoresMixin, Check):
    family = "retention"

    def __init__(self, kb, config, enabled_codes: frozenset):
        super().__init__(kb, config, enabled_codes)
        tables = kb.tables.get("retention", {})
        self.generic_category = tables.get("generic-category", "storage")
        self.calls = list(tables.get("calls", ()))
        self.by_target: Dict[str, List[dict]] = {}
        self.by_method: Dict[str, List[dict]] = {}
        for entry in self.calls:
            for target in entry.get("targets", ()):
                self.by_target.setdefault(target, []).append(entry)
            for method in entry.get("methods", ()):
                self.by_method.setdefault(method, []).append(entry)
        self.keys: Dict[str, List[dict]] = {}
        for entry in tables.get("keys", ()):
            self.keys.setdefault(entry["key"], []).append(entry)
        # keys whose absence, in a dict that `where` picks, means forever (a handler dict
        # with no backupCount)
        self.missing_keys = [e for e in tables.get("keys", ()) if e.get("where") and e.get("missing") == "forever"]
        self.same_keywords = sorted({e["excused-by-same"] for e in self.calls if e.get("excused-by-same")})
        self.settings: Dict[str, List[dict]] = {}
        for entry in tables.get("settings", ()):
            for name in entry["names"]:
                self.settings.setdefault(name, []).append(entry)
        self.enums: Dict[str, dict] = tables.get("enums", {})
        self.period_units: Dict[str, Dict[str, str]] = dict(tables.get("period-units", {}))
        self.unit_words = {w: unit for unit, words in tables.get("unit-words", {}).items() for w in words}
        self.category_words: List[Tuple[str, frozenset]] = [
            (category, frozenset(words)) for category, words in tables.get("category-words", {}).items()
        ]
        self.setting_words = frozenset(tables.get("setting-words", ()))
        self.setting_phrases = [tuple(p) for p in tables.get("setting-phrases", ())]
        self.seconds_by_default = frozenset(tables.get("seconds-by-default", ()))
        self.exclude_words = frozenset(tables.get("setting-exclude-words", ()))
        self.subject_words = frozenset(tables.get("setting-subject-words", ()))
        self.store_words = frozenset(tables.get("setting-store-words", ()))
        self.strong_triggers = frozenset(tables.get("strong-triggers", ()))
        self.unit_triggers = frozenset(tables.get("unit-triggers", ()))
        self.validity_triggers = frozenset(tables.get("validity-triggers", ()))
        self.weak_triggers = frozenset(tables.get("weak-triggers", ()))
        self.data_words = frozenset(tables.get("data-words", ()))
        self.unset_values = tuple(tables.get("unset-values", ()))
        self.settings_class_suffixes = tuple(tables.get("settings-class-suffixes", ()))
        self.class_wrappers: dict = dict(tables.get("class-wrappers", {}))
        self.category_nouns: Dict[str, str] = dict(tables.get("category-nouns", {}))
        self.weak_phrase_categories = frozenset(tables.get("weak-phrase-categories", ()))
        self._init_stores(kb.tables)

    # --- engine hooks ---------------------------------------------------------------

    def prefilter_tokens(self) -> Iterable[PrefilterToken]:
        tokens: Set[PrefilterToken] = set()
        for entry in self.calls:
            tokens.update(t.lower() for t in entry.get("tokens", ()))
        for key, entries in self.keys.items():
            # `"age"`, `Days=`: only as a quoted key or a keyword; so is a key that counts only
            # under a parent (`"Years"` in S3's `DefaultRetention`), whose plain word is common
            if len(key) <= 4 or all(e.get("parents") for e in entries):
                tokens.add((key.lower(), rf"[\"']{re.escape(key.lower())}[\"']|\b{re.escape(key.lower())}\s*="))
            else:
                tokens.add(key.lower())
        tokens.update(name.lower() for name in self.settings)
        tokens.update(self.setting_words)

        # a phrase counts only with what its kind of trigger needs in the same name: a strong
        # one (purge-after) alone, max-age with a data category (SESSION_MAX_AGE, sessionMaxAge;
        # bare max_age is HTTP caching), expire-after with a category or a data word
        def words_of(categories):
            return {w for category, vocabulary in self.category_words if category in categories for w in vocabulary}

        every_category = {category for category, _ in self.category_words}
        for phrase in self.setting_phrases:
            trigger = " ".join(phrase)
            anchors = {sep.join(phrase) for sep in ("_", "", "-")}
            if trigger in self.strong_triggers:
                tokens.update(anchors)
                continue
            if trigger in self.validity_triggers:
                needed = words_of(every_category) | self.data_words
            elif trigger in self.weak_triggers:
                needed = words_of(self.weak_phrase_categories)
            else:
                tokens.update(anchors)
                continue
            categories = "(?:%s)" % "|".join(map(re.escape, sorted(needed)))
            joined = r"[_\-]?".join(map(re.escape, phrase))
            pattern = rf"{categories}[a-z0-9_\-]*{joined}|{joined}[a-z0-9_\-]*{categories}"
            for anchor in anchors:
                tokens.add((anchor, pattern))
        # a unit trigger (keep) only right before a unit word (KEEP_DAYS, keepDays, keep-days)
        units = "(?:%s)" % "|".join(map(re.escape, sorted(self.unit_words)))
        for word in self.unit_triggers:
            tokens.add((word, rf"{re.escape(word)}[_\-]?{units}"))
        if self.wants("GDPR302"):
            # personal data stored with no expiry: the value must name personal data
            from gdpr_lint.analysis.pii import personal_data_tokens

            tokens.update(personal_data_tokens(self.kb.tables, self.config))
        return sorted(tokens, key=str)

    def on_call(self, ctx, call: cst.Call, target: Optional[str]) -> None:
        state = self._file(ctx)
        self._observe_writes(ctx, call, target, FOREVER)
        for entry in self._call_entries(ctx, call, target):
            state.apis_seen.add(entry["api"])
            for keyword in self.same_keywords:
                state.api_values.setdefault(entry["api"], []).append((keyword, _keyword_constant(ctx, call, keyword)))
            self._check_call(ctx, state, call, entry)
        wrapped = self._wrapped_class_call(ctx, call, target)
        if wrapped is not None:
            built, cls = wrapped
            for entry in self.by_target[cls]:
                state.apis_seen.add(entry["api"])
                # only the lifetimes passed: `built` is no node of the tree, so nothing that
                # is reported at the call itself (a default, a missing lifetime) is judged
                self._check_durations(ctx, built, entry, self._category(ctx, entry, call=built))
        for arg in call.args:
            if arg.keyword is not None and not arg.star:
                for entry in self.keys.get(arg.keyword.value, ()):
                    if not entry.get("parents") and not entry.get("where"):  # `where`: dict keys only
                        self._check_value(ctx, arg.value, entry, self._category(ctx, entry, call=call))
            chain: List[Tuple[Optional[cst.CSTNode], str]] = []
            if arg.keyword is not None:
                chain = [(None, arg.keyword.value)]
            self._scan(ctx, arg.value, chain, call)
        if type(call.func) is cst.Attribute and call.func.attr.value in _UPDATE_METHODS:
            self._check_settings_update(ctx, call)

    def on_assign(self, ctx, target, name: Optional[str], value) -> None:
        self._file(ctx)
        self._note_attribute(ctx, target, value)
        matched = self._check_setting_assignment(ctx, target, value)
        if not matched and type(target) is cst.Name:
            self._check_named_constant(ctx, target.value, value)
        self._scan(ctx, value, [], None)

    def on_scope_exit(self, ctx, scope) -> None:
        if scope.kind != "module":
            return
        state = self._file(ctx)
        if self.wants(FOREVER):
            for store in state.stores:
                if any(
                    _may_be_same_key(store.key_literal, other)
                    for other in state.expiring_scopes.get(store.scope_node, ())
                ):
                    continue
                if store.key_text is not None and (
                    store.key_text in state.expiring_keys
                    or (store.scope_node, store.key_text) in state.expiring_scope_keys
                ):
                    continue
                ctx.observe(
                    "no-expiry",
                    store.node,
                    rule=FOREVER,
                    api=store.entry["api"],
                    label=store.entry["label"],
                    category=store.entry.get("category"),
                    categories=sorted(store.categories),
                    in_scope=store.scope_name,
                )
                ctx.report(
                    FOREVER,
                    store.node,
                    f"{store.description} is stored in redis with no expiry: the key is kept until someone deletes it",
                    categories=store.categories,
                    confidence="medium",
                    facts={
                        "api": store.entry["api"],
                        "forever": True,
                        "category": store.entry.get("category"),
                        "confidence_reason": "no expiry set on this key anywhere in the module",
                    },
                )
            for node, entry, value in state.missing:
                if self._excused(state, entry, value):
                    continue
                category = self._category(ctx, entry, call=node if type(node) is cst.Call else None)
                self._report_forever(
                    ctx,
                    node,
                    entry,
                    category,
                    predicate=entry.get("missing-text", "has no expiry"),
                    in_scope=state.scopes.get(id(node), ""),
                )
        if self.wants(IMPLICIT):
            self._report_implicit(ctx, state)

    def _report_implicit(self, ctx, state: _FileState) -> None:
        """Stores a service creates with no expiry (the log group of a Lambda function with no
        `log_retention`): one finding per stack (class, else module) at its first such call,
        naming how many there are, unless the file declares its own log groups."""
        for (_api, _owner), calls in state.implicit.items():
            node, entry, value = calls[0]
            if self._excused(state, entry, value):
                continue
            for call, _, _ in calls:  # each function's log group is a store the inventory lists
                ctx.observe(
                    "no-expiry",
                    call,
                    rule=IMPLICIT,
                    api=entry["api"],
                    label=entry["label"] + " log group",
                    category=entry.get("category"),
                    categories=[],
                    in_scope=state.scopes.get(id(call), ""),
                )
            names = [n for n in (_construct_id(ctx, call) for call, _, _ in calls) if n]
            count = len(calls)
            which = f" ({', '.join(names[:4])}{', ...' if len(names) > 4 else ''})" if names else ""
            subject = f"{count} {entry['label']}s{which} get" if count > 1 else f"{entry['label']}{which} gets"
            ctx.report(
                IMPLICIT,
                node,
                f"{subject} a log group that the service creates with no retention: "
                f"{'their' if count > 1 else 'its'} logs are kept forever (one finding for the stack)",
                confidence="medium",
                facts={"api": entry["api"], "forever": True, "category": entry.get("category"), "count": count},
            )

    def _excused(self, state: _FileState, entry: dict, value) -> bool:
        """Whether a call of `excused-by` in the file excuses a missing lifetime: any of them,
        or with `excused-by-same`, one for the same constant (either unknown: excused)."""
        same = entry.get("excused-by-same")
        for api in entry.get("excused-by", ()):
            if api not in state.apis_seen:
                continue
            if not same or value is _UNKNOWN:
                return True
            for keyword, other in state.api_values.get(api, ()):
                if keyword == same and (other is _UNKNOWN or other == value):
                    return True
        return False

    # --- per-file state -------------------------------------------------------------

    def _file(self, ctx) -> _FileState:
        """This file's state: made per file by the engine (ctx.file_state), none kept on the check."""
        return ctx.file_state(self, lambda: _FileState(ctx))

    # --- calls ----------------------------------------------------------------------

    def _wrapped_class_call(self, ctx, call: cst.Call, target: Optional[str]):
        """`app.add_middleware(SessionMiddleware, max_age=...)`, `Middleware(SessionMiddleware,
        ...)`: a call of [retention] class-wrappers builds its first argument, a class, with
        the other arguments. -> (that call as the class's own, the class's target) or None."""
        wrappers = self.class_wrappers
        if not call.args or call.args[0].keyword is not None or call.args[0].star:
            return None
        if target not in wrappers.get("targets", ()) and not (
            type(call.func) is cst.Attribute and call.func.attr.value in wrappers.get("methods", ())
        ):
            return None
        cls = ctx.resolve_call(call.args[0].value)  # the class, called with the other arguments
        if cls is None or cls not in self.by_target:
            return None
        # the same argument nodes, without the class: positions and findings stay where they are
        return call.with_changes(func=call.args[0].value, args=call.args[1:]), cls

    def _call_entries(self, ctx, call: cst.Call, target: Optional[str]) -> List[dict]:
        entries = list(self.by_target.get(target, ())) if target else []
        keywords = None
        if entries and any(e.get("require-keywords") for e in entries):
            # `DatabaseInstance(cloudwatch_logs_exports=[...])`: judged only when the keyword is given
            keywords = {a.keyword.value for a in call.args if a.keyword is not None}
            entries = [
                e for e in entries if not e.get("require-keywords") or keywords.intersection(e["require-keywords"])
            ]
        if type(call.func) is cst.Attribute:
            keywords = (
                keywords if keywords is not None else {a.keyword.value for a in call.args if a.keyword is not None}
            )
            for entry in self.by_method.get(call.func.attr.value, ()):
                if entry in entries:
                    continue
                required = entry.get("require-keywords")
                if required and not keywords.intersection(required):
                    continue
                entries.append(entry)
        return entries

    def _check_call(self, ctx, state: _FileState, call: cst.Call, entry: dict) -> None:
        category = self._category(ctx, entry, call=call)
        lifetime_given = self._check_durations(ctx, call, entry, category)
        if entry.get("ttl-item"):
            self._check_ttl_item(ctx, call, entry, category)
        keep = entry.get("keep-ttl", ())
        if any(
            a.keyword is not None and a.keyword.value in keep and not self._is_unset(ctx, a.value) for a in call.args
        ):
            lifetime_given = True
        if entry.get("expires") and lifetime_given:
            key_text = self._key_text(ctx, call, entry)
            if entry.get("expires-existing-key"):
                # `expire(key, ...)` gives a key written elsewhere a lifetime: the stores of
                # that key anywhere in the file, and those of its function, whose key it may
                # name differently (`pipe.hset(key, ...)` then `pipe.expire(name, ...)`)
                key_arg = _argument(call, entry.get("key"), entry.get("key-keyword"))
                state.expiring_scopes.setdefault(_scope_key(ctx), []).append(_key_literal(key_arg))
                if key_text is not None and ctx.is_local(key_arg):
                    # a local variable (`key = f"rl:{ip}"`) is another key in another function;
                    # a parameter (`def touch(key): r.expire(key, 60)`) may be any key
                    state.expiring_scope_keys.add((_scope_key(ctx), key_text))
                elif key_text is not None:
                    state.expiring_keys.add(key_text)
            elif key_text is not None:
                # `setex(key, ...)`/`set(key, ..., ex=)` rewrites its own key with a lifetime:
                # it excuses a store of the same key in the same function, not the other keys
                # stored there (a later plain `set` elsewhere drops the lifetime again)
                state.expiring_scope_keys.add((_scope_key(ctx), key_text))
        if entry.get("store"):
            self._observe_store(ctx, call, entry)
        if entry.get("store") and not lifetime_given and entry.get("store-needs-lifetime", True):
            self._pending_store(ctx, state, call, entry)
        # `*args`/`**options`, or an `options` argument object (Pulumi's `args`), may carry
        # the lifetime: then it is not known to be missing
        options = entry.get("options")
        unpacked = any(a.star for a in call.args) or (
            options is not None and _argument(call, options.get("position"), options.get("keyword")) is not None
        )
        # `missing-unless`: a keyword value with which the API sets a lifetime itself
        for keyword, values in entry.get("missing-unless", {}).items():
            arg = _argument(call, None, keyword)
            if arg is not None and _constant_name(ctx, arg) in values:
                lifetime_given = True
        # `missing-unless-given`: an argument that gives the store its lifetime elsewhere
        # (`log_group=` a LogGroup of the stack's own)
        if any(_argument(call, None, keyword) is not None for keyword in entry.get("missing-unless-given", ())):
            lifetime_given = True
        if entry.get("missing") == "forever" and not lifetime_given and not unpacked:
            same = entry.get("excused-by-same")
            value = _keyword_constant(ctx, call, same) if same else None
            if entry.get("code") == IMPLICIT:
                state.implicit.setdefault((entry["api"], _class_key(ctx)), []).append((call, entry, value))
            else:
                state.missing.append((call, entry, value))
            state.scopes[id(call)] = ctx.scope_name()
        default = entry.get("missing-default")
        if default and not lifetime_given and not unpacked:
            value = DurationValue.of(float(default["days"]) * 86400, origin=default.get("text"))
            self._report_if_exceeds(ctx, call, value, entry, category, confidence="high")

    def _check_durations(self, ctx, call: cst.Call, entry: dict, category: str) -> bool:
        """Judge the lifetimes a call passes ([retention.calls] durations); whether it passes one."""
        lifetime_given = False
        for spec in entry.get("durations", ()):
            arg = _argument(call, spec.get("position"), spec.get("keyword"))
            if arg is None:
                continue
            if self._is_unset(ctx, arg) and not self._is_forever_sentinel(ctx, arg, spec):
                continue
            lifetime_given = True
            if self._is_forever_sentinel(ctx, arg, spec):
                if entry.get("forever-needs-personal-data"):
                    self._forever_store(ctx, call, entry, arg, spec)
                else:
                    self._report_forever(ctx, arg, entry, category, f"set to {ctx.source(arg)}")
                continue
            if "enum" in spec:
                self._check_enum(ctx, arg, spec, entry, category)
                continue
            if self._defined_constant_reports_itself(ctx, arg):
                continue
            value = self._evaluate(ctx, arg, spec, lambda position, keyword: _sibling_argument(call, position, keyword))
            if value is not None:
                self._report_if_exceeds(ctx, arg, value, entry, category)
        return lifetime_given

    def _observe_store(self, ctx, call: cst.Call, entry: dict) -> None:
        """For the inventory: personal data written to a cache (`email address -> cache
        (redis)`), with a lifetime or without (a missing one is its own `no-expiry`)."""
        taint = self._taint_of_arguments(ctx, call, skip=None, entry=entry)
        if taint:
            ctx.observe(
                "stored",
                call,
                rule=FOREVER,
                categories=sorted(taint.categories),
                store=entry.get("category") or "storage",
                via=entry.get("via") or entry["api"].split(".", 1)[0],
                label="",
                name="",
                api=entry["api"],
                expiry="",
            )

    def _pending_store(self, ctx, state: _FileState, call: cst.Call, entry: dict) -> None:
        if not self.wants(FOREVER):
            return
        taint = self._taint_of_arguments(ctx, call, skip=None, entry=entry)
        if taint is None:
            return
        state.stores.append(
            _PendingStore(
                node=call,
                entry=entry,
                key_text=self._key_text(ctx, call, entry),
                key_literal=_key_literal(_argument(call, entry.get("key"), entry.get("key-keyword"))),
                scope_node=_scope_key(ctx),
                description=taint.describe(),
                categories=tuple(taint.categories),
                scope_name=ctx.scope_name(),
            )
        )

    def _forever_store(self, ctx, call: cst.Call, entry: dict, arg, spec) -> None:
        if not self.wants(FOREVER):
            return
        taint = self._taint_of_arguments(ctx, call, skip=arg)
        if taint is None:
            return
        ctx.observe(
            "no-expiry",
            arg,
            rule=FOREVER,
            api=entry["api"],
            label=entry["label"],
            category=entry.get("category"),
            categories=sorted(taint.categories),
        )
        ctx.report(
            FOREVER,
            arg,
            f"{taint.describe()} is cached with timeout {ctx.source(arg)}, which never expires",
            categories=tuple(taint.categories),
            confidence=taint.confidence,  # how sure it is that what is cached is personal data
            facts={
                "api": entry["api"],
                "forever": True,
                "category": entry.get("category"),
                "confidence_reason": taint.reason,
            },
        )

    def _taint_of_arguments(self, ctx, call: cst.Call, skip, entry: Optional[dict] = None):
        # `stored-keys`: arguments whose dict keys are the stored data (zadd's members)
        for spec in (entry or {}).get("stored-keys", ()):
            arg = _argument(call, spec.get("position"), spec.get("keyword"))
            keys = ctx.keys_taint(arg) if arg is not None else None
            if keys:
                return keys
        # the stored value names the data, not the key (`r.set(f"session-email:{sid}", email)`
        # stores an e-mail address under a session id): the key's taint only when no value has one
        key = _argument(call, entry.get("key"), entry.get("key-keyword")) if entry else None
        key_taint = None
        for arg in call.args:
            if arg.value is skip or arg.keyword is not None and arg.keyword.value in ("timeout", "ex", "px", "version"):
                continue
            taint = ctx.taint(arg.value)
            if taint and arg.value is key:
                key_taint = key_taint or taint
            elif taint:
                return taint
        return key_taint

    def _key_text(self, ctx, call: cst.Call, entry: dict) -> Optional[str]:
        if "key" not in entry and "key-keyword" not in entry:
            return None
        arg = _argument(call, entry.get("key"), entry.get("key-keyword"))
        if arg is None or type(arg) in (cst.Dict, cst.DictComp):
            return None
        return re.sub(r"\s+", "", ctx.source(arg))

    def _check_enum(self, ctx, arg, spec: dict, entry: dict, category: str) -> None:
        members = self.enums.get(spec["enum"], {})
        if type(arg) is not cst.Attribute:
            return
        member = arg.attr.value
        enum_name = spec["enum"].rsplit(".", 1)[-1]
        owner = arg.value
        owner_name = owner.attr.value if type(owner) is cst.Attribute else getattr(owner, "value", None)
        if owner_name != enum_name or member not in members:
            return
        days = members[member]
        if days == "forever":
            self._report_forever(ctx, arg, entry, category, f"set to {ctx.source(arg)}")
            return
        self._report_if_exceeds(ctx, arg, DurationValue.of(float(days) * 86400), entry, category)

    def _check_ttl_item(self, ctx, call: cst.Call, entry: dict, category: str) -> None:
        item = _argument(call, None, entry["ttl-item"])
        item = self._literal(ctx, item)
        if type(item) is not cst.Dict:
            return
        attributes = {a.lower() for a in entry.get("ttl-attributes", ())}
        evaluator = DurationEvaluator(ctx)
        for element in item.elements:
            if type(element) is not cst.DictElement:
                continue
            key = _string_key(ctx, element.key)
            if key is None or key.lower() not in attributes:
                continue
            value = element.value
            if type(value) is cst.Dict:  # the client API's typed values: {"N": "..."}
                value = dict_value(ctx, value, "N")
                if value is None:
                    continue
            lifetime = evaluator.expiry(value)
            if lifetime is not None:
                self._report_if_exceeds(ctx, value, lifetime, entry, category)

    # --- dict keys ------------------------------------------------------------------

    def _scan(self, ctx, node, chain, call: Optional[cst.Call]) -> None:
        """Walk literal dicts/lists for catalogued keys; nested calls get their own on_call."""
        if type(node) is cst.Dict:
            for entry in self.missing_keys:
                if _sibling_key(ctx, node, entry["key"]) is None and self._where_matches(ctx, entry, node):
                    self._report_forever(
                        ctx,
                        dict_value(ctx, node, entry["where"]["key"]),
                        entry,
                        self._category(ctx, entry, call=call),
                        predicate=entry["missing-text"],
                    )
            for element in node.elements:
                if type(element) is not cst.DictElement:
                    continue
                key = _string_key(ctx, element.key)
                if key is None:
                    continue
                for entry in self.keys.get(key, ()):
                    if self._key_context_matches(ctx, entry, chain) and self._where_matches(ctx, entry, node):
                        self._check_value(
                            ctx,
                            element.value,
                            entry,
                            self._category(ctx, entry, call=call),
                            lambda position, keyword, d=node: _sibling_key(ctx, d, keyword),
                        )
                self._scan(ctx, element.value, chain + [(node, key)], call)
        elif type(node) in (cst.List, cst.Tuple, cst.Set):
            for element in node.elements:
                self._scan(ctx, element.value, chain, call)

    def _key_context_matches(self, ctx, entry: dict, chain) -> bool:
        parents = entry.get("parents")
        if not parents:
            return True
        if not chain or chain[-1][1] not in parents:
            return False
        sibling = entry.get("sibling")
        if sibling:
            container = chain[-1][0]
            return container is not None and sibling in ctx.source(container)
        return True

    def _where_matches(self, ctx, entry: dict, container) -> bool:
        """`where = {key = "class", endswith = "..."}`: the key counts only in a dict whose
        `key` holds a string ending so (a dictConfig handler of a given class); `unless`: not
        in one whose `key` holds one of `equals` (a compact-only Kafka topic)."""
        unless = entry.get("unless")
        if unless:  # `unless = {key = "cleanup.policy", equals = ["compact"]}`: no effect there
            value = dict_value(ctx, container, unless["key"])
            const = ctx.constant(value) if value is not None else None
            if const is not None and isinstance(const.value, str) and const.value.strip().lower() in unless["equals"]:
                return False
        where = entry.get("where")
        if not where:
            return True
        value = dict_value(ctx, container, where["key"])
        const = ctx.constant(value) if value is not None else None
        return const is not None and isinstance(const.value, str) and const.value.endswith(where["endswith"])

    def _check_value(self, ctx, value, entry: dict, category: str, siblings=None) -> None:
        if self._is_forever_sentinel(ctx, value, entry):
            self._report_forever(ctx, value, entry, category, f"set to {ctx.source(value)}")
            return
        if self._defined_constant_reports_itself(ctx, value):
            return
        lifetime = self._evaluate(ctx, value, entry, siblings)
        if lifetime is not None:
            self._report_if_exceeds(ctx, value, lifetime, entry, category)

    # --- settings -------------------------------------------------------------------

    def _check_setting_assignment(self, ctx, target, value) -> bool:
        components = _access_path(ctx, target)
        if not components:
            return False
        matched = False
        for index in range(len(components) - 1, -1, -1):
            for entry in self.settings.get(components[index], ()):
                if entry.get("kinds"):
                    if index == 0 or type(target) is not cst.Attribute or ctx.kind(target.value) not in entry["kinds"]:
                        continue
                if entry.get("context") and not self._in_context(ctx, entry["context"], components[:index]):
                    continue
                matched = True
                rest = components[index + 1 :]
                path = list(entry.get("path", ()))
                if len(rest) > len(path) or any(p != "*" and p != r for p, r in zip(path, rest)):
                    continue
                self._check_setting_value(ctx, value, entry, path[len(rest) :], components[index])
            if matched:
                return True
        return False

    def _in_context(self, ctx, context: dict, owners: Sequence[str]) -> bool:
        """Whether a name with a `context` counts here: `owners` are the names before it
        (`app.conf.result_expires` -> ['app', 'conf']; none for a bare name)."""
        if owners:
            return owners[-1] in context.get("owners", ())
        scope = ctx.scope
        kind = getattr(scope, "kind", None)
        if kind == "module":
            return bool(context.get("module"))
        if kind == "class" and context.get("settings-classes"):
            return str(getattr(scope, "name", "")).endswith(self.settings_class_suffixes)
        return False

    def _check_settings_update(self, ctx, call: cst.Call) -> None:
        """`app.config.update(PERMANENT_SESSION_LIFETIME=...)`, `app.conf.update({...})`."""
        receiver = _access_path(ctx, cast("cst.Attribute", call.func).value)  # on_call checked it
        owners = receiver[-1:] or ["?"]  # a call's result: known to be no settings owner
        for arg in call.args:
            if arg.star:
                continue
            if arg.keyword is not None:
                for entry in self.settings.get(arg.keyword.value, ()):
                    if not entry.get("kinds") and (
                        not entry.get("context") or self._in_context(ctx, entry["context"], owners)
                    ):
                        self._check_setting_value(ctx, arg.value, entry, list(entry.get("path", ())), arg.keyword.value)
            elif type(arg.value) is cst.Dict:
                for element in arg.value.elements:
                    if type(element) is cst.DictElement:
                        key = _string_key(ctx, element.key) or ""
                        for entry in self.settings.get(key, ()) if key else ():
                            if not entry.get("kinds") and (
                                not entry.get("context") or self._in_context(ctx, entry["context"], owners)
                            ):
                                self._check_setting_value(ctx, element.value, entry, list(entry.get("path", ())), key)

    def _check_setting_value(self, ctx, value, entry: dict, path: Sequence[str], name: str) -> None:
        for node in _follow_path(ctx, value, path):
            category = entry.get("category", self.generic_category)
            if self._is_forever_sentinel(ctx, node, entry):
                self._report_forever(ctx, node, entry, category, f"set to {ctx.source(node)}")
                continue
            lifetime = self._evaluate(ctx, node, entry)
            if lifetime is not None:
                self._report_if_exceeds(ctx, node, lifetime, entry, category)

    def _named_setting(self, name: str) -> Optional[Tuple[Optional[str], str]]:
        """(unit or None, category) when `name` reads as a retention setting."""
        words = split_words(name)
        if not words:
            return None
        found = {w for w in words if w in self.setting_words}
        found.update(" ".join(p) for p in self.setting_phrases if _contains(words, p))
        found.update(w for w, after in zip(words, words[1:]) if w in self.unit_triggers and after in self.unit_words)
        if not found:
            return None
        # a unit word that ends the name is its unit, even where it also excludes (SESSION_TTL_MIN)
        excluding = words[:-1] if words[-1] in self.unit_words else words
        if self.exclude_words.intersection(excluding):
            return None
        category = self._category_of_words(words)
        counted = {t for t in found if self._trigger_counts(t, category, words)}
        if not counted:
            return None
        if (
            self.subject_words.intersection(excluding)
            and not counted & self.strong_triggers
            and not self.store_words.intersection(words)
        ):
            return None
        unit = None
        for word in reversed(words):
            if word in self.unit_words:
                unit = self.unit_words[word]
                break
        if unit is None and any(w in self.seconds_by_default for t in counted for w in t.split()):
            unit = "seconds"
        return unit, category or self.generic_category

    def _trigger_counts(self, trigger: str, category: Optional[str], words: Sequence[str]) -> bool:
        """Whether a trigger found in a name makes it a retention setting ([retention]
        strong-, validity- and weak-triggers say what each needs beside it)."""
        if trigger in self.validity_triggers:
            return category is not None or bool(self.data_words.intersection(words))
        if trigger in self.weak_triggers:
            return category in self.weak_phrase_categories
        return True

    def _is_settings_name(self, ctx, name: str) -> bool:
        scope = ctx.scope
        kind = getattr(scope, "kind", None)
        if kind == "module":
            return name.isupper()
        if kind == "class":
            return name.isupper() or str(getattr(scope, "name", "")).endswith(self.settings_class_suffixes)
        return False

    def _check_named_constant(self, ctx, name: str, value) -> None:
        if not self._is_settings_name(ctx, name):
            return
        named = self._named_setting(name)
        if named is None:
            return
        unit, category = named
        lifetime = DurationEvaluator(ctx).duration(value, unit=unit, strings="numeric")
        if lifetime is None or lifetime.seconds <= 0:
            return
        entry = {"api": "setting", "label": name, "category": category}
        self._report_if_exceeds(ctx, value, lifetime, entry, category, confidence="medium")

    def _defined_constant_reports_itself(self, ctx, arg) -> bool:
        """`ex=SESSION_TTL` where SESSION_TTL is a retention-named constant of this file:
        the finding is at its definition, not at every use."""
        if type(arg) is not cst.Name:
            return False
        if not arg.value.isupper() or self._named_setting(arg.value) is None:
            return False
        return ctx.definition(arg) is not None

    # --- evaluation and reporting -----------------------------------------------------

    def _evaluate(self, ctx, node, spec: dict, siblings=None) -> Optional[DurationValue]:
        if "per" in spec:
            return self._count_of_periods(ctx, node, spec, siblings)
        evaluator = DurationEvaluator(ctx)
        # `numbers = false`: a bare number is no duration there (loguru's int retention
        # counts files); only values that carry their unit count
        unit = spec.get("unit", "seconds") if spec.get("numbers", True) else None
        if unit == "expiry":
            return evaluator.expiry(node)
        phrase_units = self.period_units.get(spec["phrase-units"]) if "phrase-units" in spec else None
        value = evaluator.duration(node, unit=unit, strings=spec.get("strings", "none"), phrase_units=phrase_units)
        if value is None and spec.get("or-expiry"):
            value = evaluator.expiry(node)
        if value is not None and value.seconds <= 0:
            return None  # 0 and negatives are "expire now" or API-specific sentinels
        return value

    def _count_of_periods(self, ctx, node, spec: dict, siblings) -> Optional[DurationValue]:
        """A count of periods (`backupCount` rotated log files, one per `interval` x `when`):
        the lifetime is their product. `per` names the argument or key that gives the period's
        unit (`units` names a table of [retention.period-units] that maps its lower-cased value
        to a unit), `times` the one that multiplies
        it; either falls back to its `default`. Nothing is guessed: a value that does not
        fold to a constant gives no lifetime."""

        def folded(part: dict):
            found = siblings(part.get("position"), part.get("keyword")) if siblings is not None else None
            if found is _UNPACKED:  # `**options` may hold it: not guessed
                return None
            if found is None:
                return part.get("default")
            const = ctx.constant(found)
            return const.value if const is not None else None

        count = ctx.constant(node)
        per, times = spec["per"], spec.get("times", {})
        period, multiplier = folded(per), folded(times) if times else 1
        if count is None or isinstance(count.value, bool) or not isinstance(count.value, int):
            return None
        if not isinstance(period, str) or isinstance(multiplier, bool) or not isinstance(multiplier, int):
            return None
        unit = self.period_units.get(per["units"], {}).get(period.lower())
        if unit is None or count.value <= 0 or multiplier <= 0:
            return None
        seconds = count.value * multiplier * UNITS[unit]
        text = f"{count.value} files x {multiplier} {unit[:-1] if multiplier == 1 else unit}"
        return DurationValue.of(seconds, origin=text)

    def _is_unset(self, ctx, node) -> bool:
        """`ex=None`, `keepttl=False`: a value of [retention] unset-values passes no lifetime."""
        const = ctx.constant(node)
        if const is None:
            return False
        value = const.value
        if value is None:
            return "None" in self.unset_values
        return isinstance(value, bool) and any(s is value for s in self.unset_values)

    def _is_forever_sentinel(self, ctx, node, spec: dict) -> bool:
        sentinels = spec.get("forever", ())
        if not sentinels:
            return False
        const = ctx.constant(node)
        if const is None:
            return False
        value = const.value
        if value is None:
            return "None" in sentinels
        if isinstance(value, bool):
            return False
        if isinstance(value, str) and spec.get("strings") == "numeric":
            try:
                value = float(value)
            except ValueError:
                return False
        return isinstance(value, (int, float)) and any(not isinstance(s, str) and value == s for s in sentinels)

    def _limit(self, category: str) -> Tuple[int, str]:
        retention = getattr(self.config, "retention", None)
        limits = dict(getattr(retention, "limits", None) or {})
        if category in limits:
            return int(limits[category]), f"[tool.gdpr-lint.retention.limits] {category}"
        return int(getattr(retention, "max_days", 365)), "[tool.gdpr-lint.retention] max-days"

    def _report_if_exceeds(self, ctx, node, value: DurationValue, entry: dict, category: str, confidence=None) -> None:
        if value.forever:
            self._report_forever(ctx, node, entry, category, "set to never expire")
            return
        limit, key = self._limit(category)
        # every lifetime the code sets, within the limit or not, is in the inventory
        ctx.observe(
            "lifetime",
            node,
            rule=EXCEEDS,
            api=entry["api"],
            label=entry["label"],
            category=category,
            seconds=value.seconds,
            days=round(value.days, 2),
            limit_days=limit,
        )
        if not self.wants(EXCEEDS):
            return
        if not value.exceeds(limit):
            return
        origin = f" ({value.origin})" if value.origin else ""
        ctx.report(
            EXCEEDS,
            node,
            f"{entry['label']} of {value.text}{origin} exceeds the {limit}-day limit ({key})",
            confidence=confidence or ("high" if value.origin is None else "medium"),
            facts={
                "api": entry["api"],
                "seconds": value.seconds,
                "days": round(value.days, 2),
                "limit_days": limit,
                "limit_key": key,
                "category": category,
                "origin": value.origin,
                "confidence_reason": f"a lifetime folded from {value.origin}"
                if value.origin
                else "a lifetime written in the code",
            },
        )

    def _report_forever(
        self, ctx, node, entry: dict, category: str, how: str = "", predicate: str = "", in_scope: str = ""
    ) -> None:
        """`<label> is <how>` (or `<label> <predicate>`): its <data> are kept forever."""
        ctx.observe(
            "no-expiry",
            node,
            rule=FOREVER,
            in_scope=in_scope,
            api=entry["api"],
            label=entry["label"],
            category=category,
            categories=[],
        )
        if not self.wants(FOREVER):
            return
        ctx.report(
            FOREVER,
            node,
            f"{entry['label']} {predicate or 'is ' + how}: its {self._noun(category)} are kept forever",
            confidence="medium",
            facts={
                "api": entry["api"],
                "forever": True,
                "category": category,
                "confidence_reason": "the store's setting keeps it forever",
            },
        )

    # --- categories -----------------------------------------------------------------

    def _noun(self, category: str) -> str:
        return self.category_nouns.get(category, category)

    def _category_of_words(self, words: Sequence[str]) -> Optional[str]:
        present = set(words)
        for category, vocabulary in self.category_words:
            if vocabulary.intersection(present):
                return category
        return None

    def _category(self, ctx, entry: dict, call: Optional[cst.Call] = None) -> str:
        default = entry.get("category", self.generic_category)
        if call is None:
            return default
        texts = []
        if "key" in entry or "key-keyword" in entry:
            arg = _argument(call, entry.get("key"), entry.get("key-keyword"))
            if arg is not None:
                texts.append(_literal_text(ctx, arg))
        for keyword in entry.get("hint-keywords", ("Bucket", "TableName", "QueueName", "StreamName")):
            arg = _argument(call, None, keyword)
            if arg is not None:
                texts.append(_literal_text(ctx, arg))
        receiver = entry.get("hint-receiver")
        if receiver and type(call.func) is cst.Attribute:
            # the object the method is called on was built with a name (`dynamodb.Table("sessions")`)
            built = self._literal(ctx, call.func.value)
            if type(built) is cst.Call:
                arg = _argument(built, receiver.get("position"), receiver.get("keyword"))
                if arg is not None:
                    texts.append(_literal_text(ctx, arg))
        for text in texts:
            if text:
                category = self._category_of_words(split_words(text))
                if category:
                    return category
        return default

    def _literal(self, ctx, node):
        if type(node) in (cst.Name, cst.Attribute):
            definition = ctx.definition(node)
            if definition is not None:
                return definition.value
        return node


# --- helpers --------------------------------------------------------------------------


def _class_key(ctx):
    """The class (a stack) the current code is in, else the module."""
    scope = ctx.scope
    while scope is not None and getattr(scope, "kind", None) not in ("class", "module"):
        scope = getattr(scope, "parent", None)
    return id(getattr(scope, "node", None))


def _construct_id(ctx, call: cst.Call) -> Optional[str]:
    """A construct's id or a resource's name: the first string argument (`Function(self, "Checkout", ...)`)."""
    for arg in call.args[:2]:
        if arg.keyword is None and not arg.star and type(arg.value) is cst.SimpleString:
            value = arg.value.evaluated_value
            return value if isinstance(value, str) else None
    return None


def _scope_key(ctx):
    scope = ctx.scope
    return id(getattr(scope, "node", None))


def _key_literal(node) -> Optional[Tuple[str, ...]]:
    """The literal parts of a key written as a string or an f-string (`f"user:{uid}:email"`
    -> ('user:', ':email')); None for any other expression, whose text is not known."""
    if type(node) is cst.SimpleString:
        return (node.evaluated_value,) if isinstance(node.evaluated_value, str) else None
    if type(node) is cst.FormattedString:
        return tuple(p.value for p in node.parts if type(p) is cst.FormattedStringText)
    return None


def _may_be_same_key(key: Optional[Tuple[str, ...]], other: Optional[Tuple[str, ...]]) -> bool:
    """Two keys are known to differ only when both are literals whose texts differ
    (`f"c:{id}:email"` and `f"c:{id}:contact"`); the values put into them are not compared."""
    return key is None or other is None or key == other


def _contains(words: Sequence[str], phrase: Sequence[str]) -> bool:
    n = len(phrase)
    return any(tuple(words[i : i + n]) == tuple(phrase) for i in range(len(words) - n + 1))


_argument = argument  # (call, position or None, keyword or None): the one helper, in checks/base.py


_UNPACKED = object()  # an argument or key that `*args`/`**options` may hold
_UNKNOWN = object()  # a value that is not a known constant


def _keyword_constant(ctx, call: cst.Call, keyword: str):
    """The constant passed as `keyword`, or _UNKNOWN (not passed, not a constant, `**options`)."""
    arg = _argument(call, None, keyword)
    const = ctx.constant(arg) if arg is not None else None
    return const.value if const is not None else _UNKNOWN


def _constant_name(ctx, node) -> Optional[str]:
    """A string constant, or the member name of an enum-like attribute (`LogGroupClass.DELIVERY`)."""
    const = ctx.constant(node)
    if const is not None and isinstance(const.value, str):
        return const.value
    return node.attr.value if type(node) is cst.Attribute else None


def _sibling_argument(call: cst.Call, position: Optional[int], keyword: Optional[str]):
    found = _argument(call, position, keyword)
    return _UNPACKED if found is None and any(a.star for a in call.args) else found


def _sibling_key(ctx, node, key: Optional[str]):
    found = dict_value(ctx, node, key) if key is not None else None
    unpacked = type(node) is cst.Dict and any(type(e) is cst.StarredDictElement for e in node.elements)
    return _UNPACKED if found is None and unpacked else found


def _string_key(ctx, node) -> Optional[str]:
    if type(node) in (cst.SimpleString, cst.ConcatenatedString, cst.Name, cst.Attribute):
        const = ctx.constant(node)
        if const is not None and isinstance(const.value, str):
            return const.value
    return None


def _literal_text(ctx, node) -> str:
    """The constant text of a string, or the literal parts of an f-string."""
    if type(node) is cst.FormattedString:
        return " ".join(p.value for p in node.parts if type(p) is cst.FormattedStringText)
    const = ctx.constant(node)
    if const is not None and isinstance(const.value, str):
        return const.value
    return ""


def _access_path(ctx, target) -> List[str]:
    """`app.config["X"]` -> ['app', 'config', 'X']; `CACHES["default"]["TIMEOUT"]` likewise."""
    if type(target) is cst.Name:
        return [target.value]
    if type(target) is cst.Attribute:
        base = _access_path(ctx, target.value)
        return base + [target.attr.value] if base else [target.attr.value]
    if type(target) is cst.Subscript and len(target.slice) == 1:
        index = target.slice[0].slice
        if type(index) is cst.Index:
            key = _string_key(ctx, index.value)
            base = _access_path(ctx, target.value)
            if key is not None:
                return base + [key]
    return []


def _follow_path(ctx, value, path: Sequence[str]) -> List[cst.BaseExpression]:
    if not path:
        return [value]
    if type(value) in (cst.Name, cst.Attribute):
        definition = ctx.definition(value)
        if definition is not None and type(definition.value) is cst.Dict:
            value = definition.value
    if type(value) is not cst.Dict:
        return []
    found: List[cst.BaseExpression] = []
    for element in value.elements:
        if type(element) is not cst.DictElement:
            continue
        key = _string_key(ctx, element.key)
        if path[0] == "*" or key == path[0]:
            found.extend(_follow_path(ctx, element.value, path[1:]))
    return found


CHECK = RetentionCheck
