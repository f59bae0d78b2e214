"""The retention check's foundation: the vocabularies and tables it reads from the pack, its
prefilter tokens, what a setting's name says (data category, unit, whether it is a lifetime),
how a duration is evaluated, and how an exceeding or endless lifetime is reported."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Dict, Iterable, List, Optional, Sequence, Set, Tuple

if TYPE_CHECKING:
    import libcst as cst
else:
    from gdpr_lint._lazy import cst

from gdpr_lint.analysis.duration_values import UNITS, DurationValue
from gdpr_lint.analysis.durations import DurationEvaluator
from gdpr_lint.checks.base import Check, PrefilterToken, argument
from gdpr_lint.checks.retention_state import (
    EXCEEDS,
    FOREVER,
    UNPACKED,
    FileState,
    contains,
    literal_text,
    split_words,
)
from gdpr_lint.checks.retention_stores import StoresMixin


class RetentionBase(StoresMixin, Check):
    """The tables, names, durations and reports every layer of the retention check builds on."""

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

    def _file(self, ctx) -> FileState:
        """This file's state: made per file by the engine (ctx.file_state), none kept on the check."""
        return ctx.file_state(self, lambda: FileState(ctx))

    def _named_setting(self, name: str) -> Optional[Tuple[Optional[str], str]]:
        """(unit or None, category) when `name` reads as a retention setting."""
        words = split_words(name)
        if not words:
            return None
        found = {w for w in words if w in self.setting_words}
        found.update(" ".join(p) for p in self.setting_phrases if contains(words, p))
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

    def _defined_constant_reports_itself(self, ctx, arg) -> bool:
        """`ex=SESSION_TTL` where SESSION_TTL is a retention-named constant of this file:
        the finding is at its definition, not at every use."""
        if type(arg) is not cst.Name:
            return False
        if not arg.value.isupper() or self._named_setting(arg.value) is None:
            return False
        return ctx.definition(arg) is not None

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
            if found is UNPACKED:  # `**options` may hold it: not guessed
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
        governed = entry.get("default-for")
        ctx.report(
            EXCEEDS,
            node,
            f"{entry['label']} of {value.text}{origin} exceeds the {limit}-day limit ({key})"
            + (f": the lifetime of {governed}" if governed else ""),
            confidence="low" if governed else confidence or ("high" if value.origin is None else "medium"),
            facts={
                "api": entry["api"],
                "seconds": value.seconds,
                "days": round(value.days, 2),
                "limit_days": limit,
                "limit_key": key,
                "category": category,
                "origin": value.origin,
                "confidence_reason": _DEFAULT_ONLY
                if governed
                else f"a lifetime folded from {value.origin}"
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
        governed = entry.get("default-for")
        ctx.report(
            FOREVER,
            node,
            f"{entry['label']} {predicate or 'is ' + how}: {governed or 'its ' + self._noun(category)} are kept forever",
            confidence="low" if governed else "medium",
            facts={
                "api": entry["api"],
                "forever": True,
                "category": category,
                "confidence_reason": _DEFAULT_ONLY if governed else "the store's setting keeps it forever",
            },
        )

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
            arg = argument(call, entry.get("key"), entry.get("key-keyword"))
            if arg is not None:
                texts.append(literal_text(ctx, arg))
        for keyword in entry.get("hint-keywords", ("Bucket", "TableName", "QueueName", "StreamName")):
            arg = argument(call, None, keyword)
            if arg is not None:
                texts.append(literal_text(ctx, arg))
        receiver = entry.get("hint-receiver")
        if receiver and type(call.func) is cst.Attribute:
            # the object the method is called on was built with a name (`dynamodb.Table("sessions")`)
            built = self._literal(ctx, call.func.value)
            if type(built) is cst.Call:
                arg = argument(built, receiver.get("position"), receiver.get("keyword"))
                if arg is not None:
                    texts.append(literal_text(ctx, arg))
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


# why a store's default lifetime (`default-for` in rules/retention.toml) is reported at low confidence
_DEFAULT_ONLY = (
    "a default: it is the lifetime only of what is stored without one of its own, and what that is "
    "is not known from the setting (a write of personal data given a timeout that never expires is its own finding)"
)
