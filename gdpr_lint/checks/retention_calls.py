"""The retention check's calls: the retention APIs a call is an entry of (cache and session
stores, TTL items, enums, wrapped classes), their lifetime arguments, the stores of personal data
they write with no lifetime, and the keys and values scanned for a lifetime."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, List, Optional

if TYPE_CHECKING:
    import libcst as cst
else:
    from gdpr_lint._lazy import cst

from gdpr_lint.analysis.duration_values import DurationValue
from gdpr_lint.analysis.durations import DurationEvaluator
from gdpr_lint.checks.base import argument, dict_value
from gdpr_lint.checks.retention_base import RetentionBase
from gdpr_lint.checks.retention_state import (
    FOREVER,
    IMPLICIT,
    FileState,
    PendingStore,
    class_key,
    constant_name,
    key_literal,
    keyword_constant,
    scope_key,
    sibling_argument,
    sibling_key,
    string_key,
)


class CallRules(RetentionBase):
    """Judges the lifetimes the calls of retention APIs set, and notes stores without one."""

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

    def _check_call(self, ctx, state: FileState, call: cst.Call, entry: dict) -> None:
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
                key_arg = argument(call, entry.get("key"), entry.get("key-keyword"))
                state.expiring_scopes.setdefault(scope_key(ctx), []).append(key_literal(key_arg))
                if key_text is not None and ctx.is_local(key_arg):
                    # a local variable (`key = f"rl:{ip}"`) is another key in another function;
                    # a parameter (`def touch(key): r.expire(key, 60)`) may be any key
                    state.expiring_scope_keys.add((scope_key(ctx), key_text))
                elif key_text is not None:
                    state.expiring_keys.add(key_text)
            elif key_text is not None:
                # `setex(key, ...)`/`set(key, ..., ex=)` rewrites its own key with a lifetime:
                # it excuses a store of the same key in the same function, not the other keys
                # stored there (a later plain `set` elsewhere drops the lifetime again)
                state.expiring_scope_keys.add((scope_key(ctx), key_text))
        if entry.get("store"):
            self._observe_store(ctx, call, entry)
        if entry.get("store") and not lifetime_given and entry.get("store-needs-lifetime", True):
            self._pending_store(ctx, state, call, entry)
        # `*args`/`**options`, or an `options` argument object (Pulumi's `args`), may carry
        # the lifetime: then it is not known to be missing
        options = entry.get("options")
        unpacked = any(a.star for a in call.args) or (
            options is not None and argument(call, options.get("position"), options.get("keyword")) is not None
        )
        # `missing-unless`: a keyword value with which the API sets a lifetime itself
        for keyword, values in entry.get("missing-unless", {}).items():
            arg = argument(call, None, keyword)
            if arg is not None and constant_name(ctx, arg) in values:
                lifetime_given = True
        # `missing-unless-given`: an argument that gives the store its lifetime elsewhere
        # (`log_group=` a LogGroup of the stack's own)
        if any(argument(call, None, keyword) is not None for keyword in entry.get("missing-unless-given", ())):
            lifetime_given = True
        if entry.get("missing") == "forever" and not lifetime_given and not unpacked:
            same = entry.get("excused-by-same")
            value = keyword_constant(ctx, call, same) if same else None
            if entry.get("code") == IMPLICIT:
                state.implicit.setdefault((entry["api"], class_key(ctx)), []).append((call, entry, value))
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
            arg = argument(call, spec.get("position"), spec.get("keyword"))
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
            value = self._evaluate(ctx, arg, spec, lambda position, keyword: sibling_argument(call, position, keyword))
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

    def _pending_store(self, ctx, state: FileState, call: cst.Call, entry: dict) -> None:
        if not self.wants(FOREVER):
            return
        taint = self._taint_of_arguments(ctx, call, skip=None, entry=entry)
        if taint is None:
            return
        state.stores.append(
            PendingStore(
                node=call,
                entry=entry,
                key_text=self._key_text(ctx, call, entry),
                key_literal=key_literal(argument(call, entry.get("key"), entry.get("key-keyword"))),
                scope_node=scope_key(ctx),
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
            arg = argument(call, spec.get("position"), spec.get("keyword"))
            keys = ctx.keys_taint(arg) if arg is not None else None
            if keys:
                return keys
        # the stored value names the data, not the key (`r.set(f"session-email:{sid}", email)`
        # stores an e-mail address under a session id): the key's taint only when no value has one
        key = argument(call, entry.get("key"), entry.get("key-keyword")) if entry else None
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
        arg = argument(call, entry.get("key"), entry.get("key-keyword"))
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
        item = argument(call, None, entry["ttl-item"])
        item = self._literal(ctx, item)
        if type(item) is not cst.Dict:
            return
        attributes = {a.lower() for a in entry.get("ttl-attributes", ())}
        evaluator = DurationEvaluator(ctx)
        for element in item.elements:
            if type(element) is not cst.DictElement:
                continue
            key = string_key(ctx, element.key)
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

    def _scan(self, ctx, node, chain, call: Optional[cst.Call]) -> None:
        """Walk literal dicts/lists for catalogued keys; nested calls get their own on_call."""
        if type(node) is cst.Dict:
            for entry in self.missing_keys:
                if sibling_key(ctx, node, entry["key"]) is None and self._where_matches(ctx, entry, node):
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
                key = string_key(ctx, element.key)
                if key is None:
                    continue
                for entry in self.keys.get(key, ()):
                    if self._key_context_matches(ctx, entry, chain) and self._where_matches(ctx, entry, node):
                        self._check_value(
                            ctx,
                            element.value,
                            entry,
                            self._category(ctx, entry, call=call),
                            lambda position, keyword, d=node: sibling_key(ctx, d, keyword),
                        )
                self._scan(ctx, element.value, chain + [(node, key)], call)
        elif type(node) in (cst.List, cst.Tuple, cst.Set):
            for element in node.elements:
                self._scan(ctx, element.value, chain, call)
        elif type(node) is cst.Call and chain:
            # a typed arguments object under a keyword (Pulumi's and cdktf's `condition=
            # BucketLifecycleRuleConditionArgs(age=...)`): its keywords are that keyword's keys.
            # Only keys that need a parent: the others, and its own dict arguments, are judged
            # at its own call.
            for arg in node.args:
                if arg.keyword is None or arg.star:
                    continue
                for entry in self.keys.get(arg.keyword.value, ()):
                    if entry.get("parents") and not entry.get("where") and self._key_context_matches(ctx, entry, chain):
                        self._check_value(ctx, arg.value, entry, self._category(ctx, entry, call=call))

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
