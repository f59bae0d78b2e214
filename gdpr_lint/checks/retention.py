"""Retention rules (GDPR3xx): lifetimes beyond the configured limits, and data kept forever.

Everything API-specific lives in rules/retention.toml (which calls, keywords, dict keys
and settings set a lifetime, in which unit, for which data category, and which values
mean "forever"). This module interprets that catalogue over the engine's traversal and
the shared duration evaluator.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, List, Optional, Sequence, Tuple, cast

if TYPE_CHECKING:
    import libcst as cst
else:
    from gdpr_lint._lazy import cst

from gdpr_lint.analysis.durations import DurationEvaluator
from gdpr_lint.checks.retention_calls import CallRules
from gdpr_lint.checks.retention_state import (
    FOREVER,
    IMPLICIT,
    UNKNOWN,
    UPDATE_METHODS,
    FileState,
    access_path,
    construct_id,
    follow_path,
    keyword_constant,
    may_be_same_key,
    string_key,
)


class RetentionCheck(CallRules):
    family = "retention"

    # --- engine hooks ---------------------------------------------------------------

    def on_call(self, ctx, call: cst.Call, target: Optional[str]) -> None:
        state = self._file(ctx)
        self._observe_writes(ctx, call, target, FOREVER)
        for entry in self._call_entries(ctx, call, target):
            state.apis_seen.add(entry["api"])
            for keyword in self.same_keywords:
                state.api_values.setdefault(entry["api"], []).append((keyword, keyword_constant(ctx, call, keyword)))
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
                chain = [(call, arg.keyword.value)]
            self._scan(ctx, arg.value, chain, call)
        if type(call.func) is cst.Attribute and call.func.attr.value in UPDATE_METHODS:
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
                    may_be_same_key(store.key_literal, other)
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

    def _report_implicit(self, ctx, state: FileState) -> None:
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
            names = [n for n in (construct_id(ctx, call) for call, _, _ in calls) if n]
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

    def _excused(self, state: FileState, entry: dict, value) -> bool:
        """Whether a call of `excused-by` in the file excuses a missing lifetime: any of them,
        or with `excused-by-same`, one for the same constant (either unknown: excused)."""
        same = entry.get("excused-by-same")
        for api in entry.get("excused-by", ()):
            if api not in state.apis_seen:
                continue
            if not same or value is UNKNOWN:
                return True
            for keyword, other in state.api_values.get(api, ()):
                if keyword == same and (other is UNKNOWN or other == value):
                    return True
        return False

    # --- per-file state -------------------------------------------------------------

    # --- calls ----------------------------------------------------------------------

    # --- dict keys ------------------------------------------------------------------

    # --- settings -------------------------------------------------------------------

    def _check_setting_assignment(self, ctx, target, value) -> bool:
        components = access_path(ctx, target)
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
        receiver = access_path(ctx, cast("cst.Attribute", call.func).value)  # on_call checked it
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
                        key = string_key(ctx, element.key) or ""
                        for entry in self.settings.get(key, ()) if key else ():
                            if not entry.get("kinds") and (
                                not entry.get("context") or self._in_context(ctx, entry["context"], owners)
                            ):
                                self._check_setting_value(ctx, element.value, entry, list(entry.get("path", ())), key)

    def _check_setting_value(self, ctx, value, entry: dict, path: Sequence[str], name: str) -> None:
        for node in follow_path(ctx, value, path):
            category = entry.get("category", self.generic_category)
            if self._is_forever_sentinel(ctx, node, entry):
                self._report_forever(ctx, node, entry, category, f"set to {ctx.source(node)}")
                continue
            lifetime = self._evaluate(ctx, node, entry)
            if lifetime is not None:
                self._report_if_exceeds(ctx, node, lifetime, entry, category)

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

    # --- evaluation and reporting -----------------------------------------------------

    # --- categories -----------------------------------------------------------------


CHECK = RetentionCheck
