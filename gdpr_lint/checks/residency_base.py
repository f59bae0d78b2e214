"""The residency check's foundation: what it reads from the rule pack (sinks, SDKs, settings,
global services, test doubles), its prefilter tokens, its per-file state and reports, and how it
reads a call's arguments and the values known at lint time (constants, environment keys, dict
items, conditional branches, templates)."""

from __future__ import annotations

import re
from typing import Dict, List, Optional, Set, Tuple

from gdpr_lint.checks.base import Check, dict_value, keyword, positional
from gdpr_lint.checks.residency_catalog import Catalog, Policy
from gdpr_lint.checks.residency_state import (
    MISSING,
    NON_EU_REGION,
    NON_EU_SAAS,
    UNKNOWN_REGION,
    FileState,
    Patterns,
    Value,
    dotted,
)


class ResidencyBase(Check):
    """The tables and value reading every layer of the residency check builds on."""

    def __init__(self, kb, config, enabled_codes: frozenset):
        super().__init__(kb, config, enabled_codes)
        tables = getattr(kb, "tables", kb) or {}
        self.catalog = Catalog(tables)
        self._factories: Dict[str, str] = dict((tables.get("objects", {}) or {}).get("factories", {}) or {})
        self._overrides: Dict[str, Set[str]] = {}  # method name -> SaaS ids it re-targets
        for sid, service in self.catalog.saas.items():
            for sdk in service.get("sdk", ()):
                for method in sdk.get("overrides", ()):
                    self._overrides.setdefault(method, set()).add(sid)
        res = self.catalog.table
        settings = getattr(config, "residency", None)
        self.policy = Policy(
            self.catalog,
            tuple(getattr(settings, "allowed_jurisdictions", ("EU", "EEA"))),
            tuple(getattr(settings, "allowed_regions", ())),
        )
        self.sinks = Patterns()
        for sink in res.get("region_args", ()):
            for pattern in sink.get("calls", ()):
                self.sinks.add(pattern, sink)
        # sinks that a project's subclasses of the SDK class share (`class BillingStack(Stack)`)
        self.class_sinks = [s for s in res.get("region_args", ()) if s.get("subclasses")]
        self.project_classes = tuple(sorted({n for s in self.class_sinks for n in s.get("project_classes", ())}))
        self.class_roots = tuple(sorted({c.split(".", 1)[0] for s in self.class_sinks for c in s.get("calls", ())}))
        glob = res.get("global_resources", {}) or {}
        self.global_resources = Patterns()
        for pattern in glob.get("resources", ()):
            self.global_resources.add(pattern, True)
        self.global_holders = Patterns()
        for pattern in glob.get("holders", ()):
            self.global_holders.add(pattern, True)
        self.global_neutral = Patterns()
        for pattern in glob.get("neutral", ()):
            self.global_neutral.add(pattern, True)
        self.global_stack_words = frozenset(glob.get("stack_words", ()))
        self.sdks = Patterns()
        for sid, service in self.catalog.saas.items():
            for sdk in service.get("sdk", ()):
                for pattern in sdk.get("calls", ()):
                    self.sdks.add(pattern, (sid, sdk))
        quiet = res.get("quiet_calls", {}) or {}
        self.quiet = Patterns()
        for pattern in quiet.get("calls", ()):
            self.quiet.add(pattern, True)
        self.quiet_suffixes = tuple(quiet.get("suffixes", ()))
        self.settings = {k.upper(): v for k, v in (res.get("settings", {}) or {}).items()}
        self.dict_keys: Dict[str, dict] = dict(res.get("dict_keys", {}) or {})
        env = res.get("env", {}) or {}
        self.env_getters = tuple(tables.get("values", {}).get("env-getters", ()))
        self.env_calls = Patterns()
        for pattern in self.env_getters:
            self.env_calls.add(pattern, True)
        self.env_setters = set(env.get("setters", ()))
        self.attributes: Dict[str, dict] = dict(res.get("attributes", {}) or {})
        # provider -> name patterns of settings that point its clients at another endpoint
        self.setting_endpoints: Dict[str, Tuple[str, ...]] = {
            p: tuple(n.lower() for n in names) for p, names in (res.get("setting_endpoints", {}) or {}).items()
        }
        self.global_services = {p: set(v) for p, v in (res.get("global_services", {}) or {}).items()}
        self.test_doubles = Patterns()
        for pattern in (res.get("test_doubles", {}) or {}).get("calls", ()):
            self.test_doubles.add(pattern, True)
        self._test_double_roots = {p.split(".", 1)[0] for p in (res.get("test_doubles", {}) or {}).get("calls", ())}
        self.saas_assign: Dict[str, str] = {}
        self.module_keys: Dict[str, str] = {}
        self.module_hosts: Dict[str, str] = {}
        for sid, service in self.catalog.saas.items():
            for name in service.get("assign", ()):
                self.saas_assign[self._norm_name(name)] = sid
            module = service.get("module", {}) or {}
            for attr in module.get("key_attrs", ()):
                self.module_keys[attr] = sid
            for attr in module.get("host_attrs", ()):
                self.module_hosts[attr] = sid
        keywords = sorted({k for service in self.catalog.saas.values() for k in service.get("keywords", ())})
        self._saas_keywords = re.compile("|".join(map(re.escape, keywords)) or "(?!)")
        self._defer_to: Optional[str] = None
        self._holder = False  # judging a stack, environment or provider
        self.enums: Dict[str, dict] = dict(res.get("enums", {}) or {})
        self.lookup_methods = frozenset((res.get("saas_context", {}) or {}).get("lookup-methods", ()))
        self.documentation_keywords = frozenset((res.get("saas_context", {}) or {}).get("documentation-keywords", ()))
        self.fallback_keywords = frozenset((res.get("saas_context", {}) or {}).get("fallback-keywords", ()))
        self.catalogue_regions = int((res.get("catalogue", {}) or {}).get("min-regions", 5))

    # --- engine hooks ---------------------------------------------------------------------------
    def prefilter_tokens(self):
        """A call's module root (`boto3`, `google`, `sentry_sdk`) must be imported in the file;
        a `<kind>.method` target needs its method name; the rest are hosts, ARNs and names."""
        tokens = set(self.catalog.prefilter_tokens())
        # environment getters (rules/values.toml) only matter with a region-like default
        # value, so their module roots (`os`, `environ`, `decouple`) are no tokens
        env_roots = {g.split(".", 1)[0] for g in self.env_getters if not g.startswith("<")}

        def call_tokens(calls) -> Set[str]:
            # a `<kind>.method` call needs its kind's factory, whose module root is a token already
            return {c.split(".", 1)[0] for c in calls if not c.startswith("<") and c.split(".", 1)[0] not in env_roots}

        for sink in self.catalog.table.get("region_args", ()):
            tokens.update(call_tokens(sink.get("calls", ())))
        # a `<kind>.method` sink also needs the module roots of that kind's factories
        # (`googleapiclient` for `<gapi>.insert`)
        sink_kinds = {
            c[1:].split(">", 1)[0].split(":", 1)[0]
            for sink in self.catalog.table.get("region_args", ())
            for c in sink.get("calls", ())
            if c.startswith("<")
        }
        tokens.update(call_tokens(f for f, kind in self._factories.items() if kind.split(":", 1)[0] in sink_kinds))
        for service in self.catalog.saas.values():
            if service.get("default", "none") == "none":
                continue  # only a host in the code can be non-EU, and hosts are tokens
            for sdk in service.get("sdk", ()):
                tokens.update(call_tokens(sdk.get("calls", ())))
            for attr in (service.get("module") or {}).get("key_attrs", ()):
                tokens.add(attr.split(".", 1)[0])
            tokens.update(self._norm_name(a).split("[", 1)[0].lower() for a in service.get("assign", ()))
        tokens.update(k.lower() for k in self.settings)
        # a test double's import (`from moto import mock_aws`) must stay for its decorators to resolve
        tokens.update((root, rf"\b{re.escape(root)}\b") for root in self._test_double_roots)
        tokens.update(k.lower() for k in self.dict_keys)
        # `key_tokens`: the keys of a sink's dict arguments, as quoted dict keys (`env={"region":
        # ...}` on a project's stack made in a function with no other token)
        for sink in self.catalog.table.get("region_args", ()):
            for path in sink.get("args", ()) if sink.get("key_tokens") else ():
                key = path.partition(".")[2].lower()
                if key and key.isidentifier():
                    tokens.add((key, rf"[\"']{re.escape(key)}[\"']\s*:"))
        # a region setting is judged by its block's endpoint setting, which must stay for it
        tokens.update(p.strip("*") for names in self.setting_endpoints.values() for p in names)
        for spec in self.attributes.values():
            tokens.update(n.lower() for n in spec.get("receiver_names", ()))
        return sorted(
            (
                t if isinstance(t, tuple) else t.lower()
                for t in tokens
                if isinstance(t, tuple) or (len(t) >= 2 and "*" not in t)
            ),
            key=str,
        )

    @staticmethod
    def _scope_id(ctx, name: str) -> int:
        """The function a name is local to; for `self.x`, its class (any method may set it)."""
        scope = ctx.scope
        if name.startswith(("self.", "cls.")):
            while scope is not None and getattr(scope, "kind", None) != "class":
                scope = getattr(scope, "parent", None)
            scope = scope or ctx.scope
        return id(getattr(scope, "node", None) or scope)

    # --- per file ------------------------------------------------------------------------------
    def _file(self, ctx) -> FileState:
        """This file's state: made per file by the engine (ctx.file_state), none kept on the check."""
        return ctx.file_state(self, lambda: FileState(path=ctx.path))

    def _report(self, ctx, code, node, message, facts) -> bool:
        if not self.wants(code):
            return False
        if self._under_test_double(ctx):
            return True  # judged, and nothing reaches a cloud there
        # the place judged, not the message: an assignment and the call that gives it its value
        # (`URL = getattr(settings, "URL", "https://api.openai.com/v1")`) judge one value, the
        # one naming where the value came from and the other not
        judged = tuple((k, str(facts[k])) for k in ("provider", "region", "service", "host") if k in facts)
        key = (code, id(node), judged or message)
        state = self._file(ctx)
        if key in state.reported:
            return True
        state.reported.add(key)
        confidence = "high" if code != UNKNOWN_REGION else "medium"
        verdict = state.saas_verdict if code in (NON_EU_SAAS, NON_EU_REGION) else None
        if verdict is not None:
            confidence, facts = verdict[0], dict(facts, confidence_reason=verdict[1])
        elif "confidence_reason" not in facts:
            facts = dict(
                facts,
                confidence_reason="a value the analysis cannot place"
                if code == UNKNOWN_REGION
                else "what the code configures a client, a call or a setting with, or falls back to",
            )
        if self._defer_to is not None:
            # a provider or environment bound to a name: judged by its uses at the end of the file
            state.deferred.setdefault(self._defer_to, []).append((code, node, message, facts, ctx.stmt))
            return True
        ctx.report(code, node, message, facts=facts, confidence=confidence)
        return True

    def _observe(self, ctx, kind: str, node, rule: str, **facts) -> None:
        """For the inventory: every region and service the code names, allowed or not."""
        if not self._under_test_double(ctx):
            ctx.observe(kind, node, rule=rule, **facts)

    def _observe_service(self, ctx, node, sid: str, place: str, host: str, allowed: bool) -> None:
        group = self.catalog.group(place) if place not in ("none", "account") else place
        self._observe(
            ctx,
            "recipient",
            node,
            NON_EU_SAAS,
            service=sid,
            name=self.catalog.saas[sid].get("name", sid),
            host=host or "",
            place=place,
            place_name=self.catalog.place_name(place),
            jurisdiction=group,
            allowed=allowed,
        )

    def _under_test_double(self, ctx) -> bool:
        """Inside a function or class decorated with a test double (`@mock_aws`) or a
        `with mock_aws():` block ([residency.test_doubles])."""
        import libcst as cst

        def is_double(expr) -> bool:
            if type(expr) is cst.Call:
                expr = expr.func
            target = ctx.resolve(expr)
            return bool(target) and bool(self.test_doubles.match([target]))

        for stmt in ctx.withs:
            if any(is_double(item.item) for item in stmt.items):
                return True
        scope = ctx.scope
        while scope is not None:
            for decorator in getattr(scope.node, "decorators", ()):
                if is_double(decorator.decorator):
                    return True
            scope = scope.parent
        return False

    _keyword = staticmethod(keyword)

    # --- call targets ---------------------------------------------------------------------------
    def _targets(self, ctx, call, target) -> List[str]:
        """The resolved target, plus `<kind>.a.b` for methods reached through an attribute chain."""
        import libcst as cst

        targets = [target] if target else []
        func = call.func
        chain = []
        node = func
        while type(node) is cst.Attribute:
            chain.append(node.attr.value)
            node = node.value
            kind = ctx.kind(node)
            if kind:
                targets.append(f"<{kind}>." + ".".join(reversed(chain)))
                if ":" in kind:
                    targets.append(f"<{kind.split(':', 1)[0]}>." + ".".join(reversed(chain)))
                break
        name = dotted(func)
        if name and name not in targets:
            targets.append(name)
        return targets

    # --- values -------------------------------------------------------------------------------
    def _const(self, ctx, expr) -> Optional[Value]:
        if expr is None:
            return None
        const = ctx.constant(expr)
        if const is None:
            const = ctx.fallback(expr)  # `config.get("region", "us-east-1")`, a parameter's default
        return Value(const.value, const.origin) if const is not None else None

    def _env_key(self, ctx, expr) -> Optional[str]:
        import libcst as cst

        if type(expr) is not cst.Call:
            return None
        target = ctx.resolve_call(expr.func) or dotted(expr.func)
        if not target or not self.env_calls.match([target]):
            return None
        key = ctx.constant(self._positional(expr, 0)) if self._positional(expr, 0) is not None else None
        return key.value if key is not None and isinstance(key.value, str) else None

    @staticmethod
    def _positional(call, index):
        return positional(call, index)

    @staticmethod
    def _has_star(call) -> bool:
        return any(arg.star for arg in call.args)

    def _dict_value(self, ctx, expr, key: str):
        """The expression (or constant) stored under `key` of a dict expression; a dotted key
        goes down nested dicts (`request.message_storage_policy.allowed_persistence_regions`)."""
        import libcst as cst

        first, _, rest = key.partition(".")
        if rest:
            inner = self._dict_value(ctx, expr, first)
            if isinstance(inner, Value):  # a constant dict: folded already
                value = _folded_path(inner.value, rest.split("."))
                return None if value is None else Value(value, inner.origin)
            return None if inner is None else self._dict_value(ctx, inner, rest)
        if type(expr) in (cst.List, cst.Tuple):
            # a list of dicts (`"replicas": [{"location": ...}, ...]`): the key of each
            items = [self._dict_value(ctx, element.value, key) for element in expr.elements]
            values = [self._value_of(ctx, item) for item in items if item is not None]
            known = [v.value for v in values if v is not None and isinstance(v.value, str)]
            return Value(known, values[0].origin if values and values[0] is not None else None) if known else None
        if type(expr) is cst.Dict:
            return dict_value(ctx, expr, key)
        if type(expr) is cst.Call and dotted(expr.func) == "dict":
            return self._keyword(expr, key)
        definition = ctx.definition(expr) if type(expr) in (cst.Name, cst.Attribute) else None
        if definition is not None and type(definition.value) in (cst.Dict, cst.Call):
            return self._dict_value(ctx, definition.value, key)
        const = ctx.constant(expr)
        if const is not None:
            value = _folded_path(const.value, [key])
            if value is not None:
                return Value(value, const.origin)
        return None

    def _arg(self, ctx, call, path: str):
        """The expression at an argument path (`region_name`, `@1`, `kw.key`, `*.key`); MISSING if absent."""
        head, _, key = path.partition(".")
        if head == "*":
            for arg in call.args:
                if arg.star:
                    continue
                found = self._dict_value(ctx, arg.value, key)
                if found is not None:
                    return found
            return MISSING
        expr = self._positional(call, int(head[1:])) if head.startswith("@") else self._keyword(call, head)
        if expr is None:
            return MISSING
        if key:
            found = self._dict_value(ctx, expr, key)
            return MISSING if found is None else found
        return expr

    def _value_of(self, ctx, expr) -> Optional[Value]:
        if isinstance(expr, Value):
            return expr
        return self._const(ctx, expr)

    def _conditional_branches(self, ctx, expr) -> List[Value]:
        """The known values of a conditional expression's branches, each with its origin."""
        import libcst as cst

        if type(expr) is not cst.IfExp:
            return []
        branches = []
        for branch in (expr.body, expr.orelse):
            value = self._const(ctx, branch)
            if value is not None:
                origin = value.origin or "a branch of a conditional expression"
                branches.append(Value(value.value, origin))
        return branches

    def _template_text(self, ctx, expr) -> Optional[str]:
        """An f-string with its unknown parts shown as "…" (`f"https://{bucket}.s3.us-east-1.
        amazonaws.com/{key}"`, `f"projects/{project}/locations/us-central1"`): a whole label or
        path segment left unknown hides no region, so the literal ones that name one still do.
        A name bound to such an f-string (`config = f"{parent}/instanceConfigs/nam6"`, then
        `client.instance(..., configuration_name=config)`) is read through its binding."""
        import libcst as cst

        if type(expr) is cst.Name:
            definition = ctx.definition(expr)
            expr = definition.value if definition is not None else expr
        if type(expr) is not cst.FormattedString:
            return None
        parts = []
        for part in expr.parts:
            if type(part) is cst.FormattedStringText:
                parts.append(part.value)
                continue
            value = self._const(ctx, part.expression) if type(part) is cst.FormattedStringExpression else None
            if (
                value is not None
                and isinstance(value.value, (str, int))
                and type(part) is cst.FormattedStringExpression  # as value is not None
                and part.format_spec is None
            ):
                parts.append(str(value.value))
            else:
                parts.append("\u2026")
        return "".join(parts)

    @staticmethod
    def _literal_prefix(expr) -> Optional[str]:
        """The literal start of an f-string or a concatenation, when it holds a whole URL host."""
        import libcst as cst

        text = None
        if type(expr) is cst.FormattedString:
            parts = []
            for part in expr.parts:
                if type(part) is cst.FormattedStringText:
                    parts.append(part.value)
                else:
                    break
            text = "".join(parts)
        elif type(expr) is cst.BinaryOperation and type(expr.operator) is cst.Add:
            left = expr.left
            if type(left) is cst.SimpleString:
                from gdpr_lint.syntax.nodes import string_value

                text = string_value(left)
            else:
                text = ResidencyBase._literal_prefix(left)
        if not text or "://" not in text:
            return None
        rest = text.split("://", 1)[1]
        if not re.search(r"[/:?#]", rest):
            return None  # the host may continue in the unknown part
        return text

    def _place(self, code: str) -> str:
        name = self.catalog.place_name(code)
        return name if name.startswith("the ") or code not in ("US", "GB", "EU", "AE") else f"the {name}"

    def _resolved_value_name(self, ctx, expr) -> Optional[str]:
        """`Regions.EU` -> 'customerio.Regions.EU' when the SDK maps enum members to places."""
        import libcst as cst

        if type(expr) is cst.Attribute:
            return ctx.resolve_call(expr) or dotted(expr)
        return None

    # --- assignments ------------------------------------------------------------------------------
    @staticmethod
    def _norm_name(name: str) -> str:
        return name.replace("'", '"').replace(" ", "")


def _folded_path(value, parts):
    """The value at a key path of a folded constant; a list of dicts on the way gives the
    list of each one's value (the locations of `replicas=[{"location": ...}, ...]`)."""
    for index, part in enumerate(parts):
        if isinstance(value, (list, tuple)):
            found = [_folded_path(item, parts[index:]) for item in value]
            flat = [v for item in found if item is not None for v in (item if isinstance(item, list) else [item])]
            return flat or None
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value
