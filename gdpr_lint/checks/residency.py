"""Data residency rules (GDPR2xx): regions and SaaS endpoints outside the allowed jurisdictions.

Everything provider-specific (which call or keyword carries a region, which hosts embed one,
where an SDK sends data by default) is data in rules/residency*.toml; this module interprets
it over the engine's analyses (`ctx.resolve_call`, `ctx.constant`, `ctx.kind`).
Only values that can be known are judged: a variable of unknown value is never flagged.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Set, Tuple

from gdpr_lint._lazy import cst as _cst
from gdpr_lint.checks.base import Check, dict_value, keyword, positional
from gdpr_lint.checks.residency_catalog import Catalog, Policy, Region, SaasHit, host_of
from gdpr_lint.checks.residency_iac import InfrastructureMixin

NON_EU_REGION = "GDPR201"
NON_EU_SAAS = "GDPR202"
UNKNOWN_REGION = "GDPR203"
NO_REGION = "GDPR204"

_ENVIRON_ITEM = re.compile(r"""^os\.environ\[\s*["']([A-Za-z0-9_]+)["']\s*\]$""")
_MISSING = object()


@dataclass
class Value:
    """A value known at lint time, with where it came from (None: written in place)."""

    value: Any
    origin: Optional[str] = None


@dataclass
class _FileState:
    path: Any = None
    reported_names: Set[str] = field(default_factory=set)
    pending: List[tuple] = field(default_factory=list)  # (service, node, message, facts)
    # (service, (scope, receiver)) of each override; the receiver is None when not a plain name
    override_keys: List[tuple] = field(default_factory=list)
    pending_keys: Dict[int, tuple] = field(default_factory=dict)  # id(SDK call) -> (scope, name bound to)
    module_keys: Dict[str, tuple] = field(default_factory=dict)  # service -> (node, attr)
    module_hosts: Set[str] = field(default_factory=set)
    reported: Set[tuple] = field(default_factory=set)  # (code, id(node), message)
    reported_targets: Set[int] = field(default_factory=set)  # id() of assignment targets reported
    judged_env_calls: Set[int] = field(default_factory=set)  # id() of env reads an SDK call judged
    # regions given to stacks and providers that hold only global resources ([residency.global_resources])
    global_nodes: Set[int] = field(default_factory=set)  # id() of env/provider calls used only so
    deferred: Dict[str, List[tuple]] = field(default_factory=dict)  # name -> reports of the call bound to it
    uses: Dict[str, List[bool]] = field(default_factory=dict)  # name -> whether each use is global-only
    global_classes: Dict[int, bool] = field(default_factory=dict)  # id(ClassDef) -> holds only global resources
    test_module: Optional[bool] = None
    # how sure the SaaS findings of the call being scanned are: None, or (confidence, reason)
    saas_verdict: Optional[tuple] = None
    constant_reports: List[tuple] = field(default_factory=list)  # (name, reports) of module-level host constants


_STATIC_FILE = re.compile(
    r"\.(?:png|jpe?g|gif|svg|webp|ico|bmp|mp4|webm|mov|mp3|wav|ogg|css|js|woff2?|ttf|pdf)$", re.IGNORECASE
)
_COMPARED_BEFORE = re.compile(
    r"(?:==|!=|\bin|\bis|\.(?:startswith|endswith|get|pop|index|count)\(|\w\[|\bin\s*[(\[{][^()\[\]{}]*)$"
)


def _compares_or_keys(text: str, start: int, end: int) -> bool:
    """Whether the use of a name at text[start:end] compares with it or looks a key up by it:
    `== NAME`, `NAME in url`, `url.startswith(NAME)`, `host in (NAME, OTHER)`, `claims[NAME]`,
    `claims.get(NAME)`."""
    before = text[max(0, start - 60) : start].rstrip()
    after = text[end : end + 20].lstrip()
    return _COMPARED_BEFORE.search(before) is not None or after.startswith(("==", "!=", "in ", "not in "))


def _dotted(node) -> Optional[str]:
    from gdpr_lint.syntax.nodes import dotted_name

    return dotted_name(node)


class _Patterns:
    """Call-target patterns: exact names in a dict, shell patterns checked in order."""

    def __init__(self) -> None:
        self.exact: Dict[str, list] = {}
        self.globs: List[tuple] = []  # (literal prefix, compiled pattern, item)
        self._any: Optional[re.Pattern] = None  # all the shell patterns as one regex: most targets match none

    def add(self, pattern: str, item) -> None:
        wildcard = min((pattern.index(c) for c in "*?[" if c in pattern), default=-1)
        if wildcard >= 0:
            self.globs.append((pattern[:wildcard], re.compile(fnmatch.translate(pattern)), item))
            self._any = None
        else:
            self.exact.setdefault(pattern, []).append(item)

    def match(self, targets: Sequence[str]) -> list:
        found = []
        if self.globs and self._any is None:
            self._any = re.compile("|".join(f"(?:{pattern.pattern})" for _, pattern, _ in self.globs))
        for target in targets:
            for item in self.exact.get(target, ()):
                if item not in found:
                    found.append(item)
            if self._any is None or not self._any.match(target):
                continue
            for prefix, pattern, item in self.globs:
                if target.startswith(prefix) and item not in found and pattern.match(target):
                    found.append(item)
        return found


class ResidencyCheck(InfrastructureMixin, Check):
    family = "residency"

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
        self.sinks = _Patterns()
        for sink in res.get("region_args", ()):
            for pattern in sink.get("calls", ()):
                self.sinks.add(pattern, sink)
        # sinks that a project's subclasses of the SDK class share (`class BillingStack(Stack)`)
        self.class_sinks = [s for s in res.get("region_args", ()) if s.get("subclasses")]
        self.project_classes = tuple(sorted({n for s in self.class_sinks for n in s.get("project_classes", ())}))
        self.class_roots = tuple(sorted({c.split(".", 1)[0] for s in self.class_sinks for c in s.get("calls", ())}))
        glob = res.get("global_resources", {}) or {}
        self.global_resources = _Patterns()
        for pattern in glob.get("resources", ()):
            self.global_resources.add(pattern, True)
        self.global_holders = _Patterns()
        for pattern in glob.get("holders", ()):
            self.global_holders.add(pattern, True)
        self.global_neutral = _Patterns()
        for pattern in glob.get("neutral", ()):
            self.global_neutral.add(pattern, True)
        self.global_stack_words = frozenset(glob.get("stack_words", ()))
        self.sdks = _Patterns()
        for sid, service in self.catalog.saas.items():
            for sdk in service.get("sdk", ()):
                for pattern in sdk.get("calls", ()):
                    self.sdks.add(pattern, (sid, sdk))
        quiet = res.get("quiet_calls", {}) or {}
        self.quiet = _Patterns()
        for pattern in quiet.get("calls", ()):
            self.quiet.add(pattern, True)
        self.quiet_suffixes = tuple(quiet.get("suffixes", ()))
        self.settings = {k.upper(): v for k, v in (res.get("settings", {}) or {}).items()}
        self.dict_keys: Dict[str, dict] = dict(res.get("dict_keys", {}) or {})
        env = res.get("env", {}) or {}
        self.env_getters = tuple(tables.get("values", {}).get("env-getters", ()))
        self.env_calls = _Patterns()
        for pattern in self.env_getters:
            self.env_calls.add(pattern, True)
        self.env_setters = set(env.get("setters", ()))
        self.attributes: Dict[str, dict] = dict(res.get("attributes", {}) or {})
        # provider -> name patterns of settings that point its clients at another endpoint
        self.setting_endpoints: Dict[str, Tuple[str, ...]] = {
            p: tuple(n.lower() for n in names) for p, names in (res.get("setting_endpoints", {}) or {}).items()
        }
        self.global_services = {p: set(v) for p, v in (res.get("global_services", {}) or {}).items()}
        self.test_doubles = _Patterns()
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

    def on_call(self, ctx, call, target) -> None:
        state = self._file(ctx)
        targets = self._targets(ctx, call, target)
        done: Set[tuple] = set()
        sinks = self.sinks.match(targets)
        inherited: List[str] = []
        if self.class_sinks and type(call.func) is _cst.Name:
            # a project's subclass of an SDK class (`BillingStack(app, "Billing", env=...)`)
            inherited = self._class_targets(ctx, call)
            for sink in self.sinks.match(inherited):
                if sink.get("subclasses") and sink not in sinks:
                    sinks.append(sink)
        holder = bool(sinks) and bool(self.global_holders.match(targets + inherited))
        if holder:
            self._note_stack_env(ctx, call)
        if state.deferred:
            self._note_provider_use(ctx, call, targets)
        for sink in sinks:
            self._check_sink(ctx, call, sink, done, holder)
        for arg in call.args:
            if type(arg.value) in (_cst.ListComp, _cst.GeneratorExp, _cst.SetComp):
                self._check_comprehension(ctx, arg.value, done)
        for sid, sdk in self.sdks.match(targets):
            self._check_sdk(ctx, call, sid, sdk, done)
        name = targets[0] if targets else ""
        if any(t in self.env_setters for t in targets):
            self._check_env_setter(ctx, call)
        method = name.rsplit(".", 1)[-1]
        if "." in name:  # a method of a client (`sg.set_sendgrid_data_residency("eu")`)
            import libcst as cst

            receiver = _dotted(call.func.value) if type(call.func) is cst.Attribute else None
            self._note_override(ctx, self._overrides.get(method, ()), receiver)
        if self.quiet.match(targets) or (method and method.endswith(self.quiet_suffixes)):
            return
        if self.env_calls.match(targets):
            # an environment variable's default: judged with that origin, as an assignment
            # or an argument holding the call judges it (the same finding, once)
            if id(call) in state.judged_env_calls:
                return  # `Posthog(k, host=os.getenv("POSTHOG_HOST", "<url>"))`: judged at the SDK call
            value = self._const(ctx, call)
            if value is not None:
                self._scan_python(ctx, value.value, value.origin, done, call, depth=0)
            return
        state.saas_verdict = self._inert_call(ctx, call, method)
        try:
            self._scan_arguments(ctx, call, done)
        finally:
            state.saas_verdict = None

    def _inert_call(self, ctx, call, method: str) -> Optional[tuple]:
        """(low, why) when a call that holds a SaaS URL sends nothing there: it builds an
        exception (`raise ProviderError(..., request=httpx.Request("POST", url))`) or looks a
        key up (`claims.get("https://acme.us.auth0.com/roles")`) ([residency.saas_context])."""
        import libcst as cst

        stmt = ctx.stmt
        if type(stmt) is cst.SimpleStatementLine and any(type(s) is cst.Raise for s in stmt.body):
            return "low", "a host in a raise statement: the call builds an exception, it sends nothing there"
        if method in self.lookup_methods:
            return "low", f"a host used as a key (`.{method}(...)`), not where anything is sent"
        return None

    def on_assign(self, ctx, target, name, value) -> None:
        state = self._file(ctx)
        if name is None:
            return
        if state.pending and state.pending[-1][1] is value and "[" not in name:
            state.pending_keys[id(value)] = (self._scope_id(ctx, name), name)  # `sg = SendGridAPIClient(...)`
        scope_kind = ctx.scope.kind
        reported = False
        setting = self._setting_for(ctx, name, value)
        if setting is not None:
            reported = self._check_setting(ctx, value, setting)
        elif self._check_attribute(ctx, target, value):
            reported = True
        else:
            # a module-level host constant, whether its name says which service it is for
            # (`ANTHROPIC_HOST = ...`) or only its value does: judged by its uses at the end
            before = len(ctx.reports)
            reported = self._check_saas_assignment(ctx, target, name, value)
            if not reported and scope_kind in ("module", "class"):
                reported = self._scan_value_node(ctx, value, set(), node=None, leaf=True)
            if reported and scope_kind == "module" and "." not in name and "[" not in name:
                state.constant_reports.append((name, list(ctx.reports[before:])))
        if reported:
            state.reported_targets.add(id(target))
            if "." not in name and "[" not in name:
                state.reported_names.add(name)

    def on_scope_exit(self, ctx, scope) -> None:
        if getattr(scope, "kind", "module") != "module":
            return
        state = self._file(ctx)
        # an override on a client bound by a pending SDK call (same function, same name) excuses
        # that call only; one on anything else (a parameter, another function's client) may be
        # on any of them, so it excuses every call of its service in the file
        bound = {(sid, state.pending_keys.get(id(node))) for sid, node, *_ in state.pending}
        file_wide = {sid for sid, key in state.override_keys if key is None or (sid, key) not in bound}
        for service, node, message, facts in state.pending:
            key = state.pending_keys.get(id(node))
            if key is not None and (service, key) in state.override_keys:
                continue
            if service not in file_wide:
                self._report(ctx, NON_EU_SAAS, node, message, facts)
        self._judge_constant_uses(ctx, state)
        state.pending.clear()
        state.override_keys.clear()
        state.pending_keys.clear()
        for service, (node, attr) in state.module_keys.items():
            if service in state.module_hosts:
                continue
            entry = self.catalog.saas[service]
            place = entry.get("default", "none")
            if place in ("none", "account") or self.policy.country_allowed(place):
                continue
            message = (
                f"{entry['name']} is configured ({attr}) without a host, so it sends data to its default endpoint in "
                f"{self._place(place)} ({entry.get('default_host', '?')}), outside the allowed "
                f"jurisdictions ({self.policy.describe()}); {entry.get('fix', '')}"
            ).rstrip("; ")
            self._report(ctx, NON_EU_SAAS, node, message, {"service": service, "default": True, "place": place})
        for name, reports in state.deferred.items():
            uses = state.uses.get(name, ())
            if uses and all(uses):
                continue  # used only for certificates, DNS zones, WAF for CloudFront ...
            for code, node, message, facts, stmt in reports:
                saved, ctx.stmt = ctx.stmt, stmt
                try:
                    ctx.report(
                        code, node, message, facts=facts, confidence="high" if code != UNKNOWN_REGION else "medium"
                    )
                finally:
                    ctx.stmt = saved

    def _judge_constant_uses(self, ctx, state: _FileState) -> None:
        """A module-level host constant that the module only compares with or looks up by
        (`if parsed.hostname == ANTHROPIC_HOST`, `claims[ROLES_CLAIM]`) configures nothing: its
        findings are low. One the module passes on, falls back to or never uses stays."""
        if not state.constant_reports:
            return
        text = ctx.module.code  # only for files with such a constant
        for name, reports in state.constant_reports:
            uses = [m for m in re.finditer(r"(?<![\w.])" + re.escape(name) + r"(?!\w)", text)]
            uses = [m for m in uses if not re.match(r"\s*(?::[^=\n]*)?=(?!=)", text[m.end() : m.end() + 80])]
            if not uses or not all(_compares_or_keys(text, m.start(), m.end()) for m in uses):
                continue
            for report in reports:
                if report.code == NON_EU_SAAS:
                    report.confidence = "low"
                    report.facts["confidence_reason"] = (
                        f"{name} is only compared with or used as a key in this "
                        "module: nothing is configured to send there"
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

    def _note_override(self, ctx, services, receiver: Optional[str]) -> None:
        """A method or attribute that re-targets clients of `services` after construction
        (`sg.set_sendgrid_data_residency("eu")`), on `receiver` when it is a plain name."""
        for sid in services:
            key = (self._scope_id(ctx, receiver), receiver) if receiver and "(" not in receiver else None
            self._file(ctx).override_keys.append((sid, key))

    # --- per file ------------------------------------------------------------------------------
    def _file(self, ctx) -> _FileState:
        """This file's state: made per file by the engine (ctx.file_state), none kept on the check."""
        return ctx.file_state(self, lambda: _FileState(path=ctx.path))

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
        dotted = _dotted(func)
        if dotted and dotted not in targets:
            targets.append(dotted)
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
        target = ctx.resolve_call(expr.func) or _dotted(expr.func)
        if not target or not self.env_calls.match([target]):
            return None
        key = ctx.constant(self._positional(expr, 0)) if self._positional(expr, 0) is not None else None
        return key.value if key is not None and isinstance(key.value, str) else None

    _keyword = staticmethod(keyword)

    @staticmethod
    def _positional(call, index):
        return positional(call, index)

    @staticmethod
    def _has_star(call) -> bool:
        return any(arg.star for arg in call.args)

    def _dict_value(self, ctx, expr, key: str):
        """The expression (or constant) stored under `key` of a dict expression."""
        import libcst as cst

        if type(expr) is cst.Dict:
            return dict_value(ctx, expr, key)
        if type(expr) is cst.Call and _dotted(expr.func) == "dict":
            return self._keyword(expr, key)
        definition = ctx.definition(expr) if type(expr) in (cst.Name, cst.Attribute) else None
        if definition is not None and type(definition.value) in (cst.Dict, cst.Call):
            return self._dict_value(ctx, definition.value, key)
        const = ctx.constant(expr)
        if const is not None and isinstance(const.value, dict) and key in const.value:
            return Value(const.value[key], const.origin)
        return None

    def _arg(self, ctx, call, path: str):
        """The expression at an argument path (`region_name`, `@1`, `kw.key`, `*.key`); _MISSING if absent."""
        head, _, key = path.partition(".")
        if head == "*":
            for arg in call.args:
                if arg.star:
                    continue
                found = self._dict_value(ctx, arg.value, key)
                if found is not None:
                    return found
            return _MISSING
        expr = self._positional(call, int(head[1:])) if head.startswith("@") else self._keyword(call, head)
        if expr is None:
            return _MISSING
        if key:
            found = self._dict_value(ctx, expr, key)
            return _MISSING if found is None else found
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

    # --- region sinks ---------------------------------------------------------------------------
    def _check_sink(self, ctx, call, sink: dict, done: Set[tuple], holder: bool = False) -> None:
        if not holder:
            self._check_sink_args(ctx, call, sink, done)
            return
        # a stack or provider that holds only global resources (a CloudFront certificate, a
        # Route 53 zone) is in us-east-1 because those services are; it stores no personal data
        if id(call) in self._file(ctx).global_nodes or self._in_global_class(ctx) or self._global_stack_call(ctx, call):
            return
        self._defer_to = self._bound_name(ctx, call)
        self._holder = True
        try:
            self._check_sink_args(ctx, call, sink, done)
        finally:
            self._defer_to = None
            self._holder = False

    def _check_sink_args(self, ctx, call, sink: dict, done: Set[tuple]) -> None:
        provider = sink["provider"]
        if self._global_service(ctx, call, sink):
            return  # IAM, CloudFront, Route 53: the region argument only picks an API endpoint
        endpoint_arg = sink.get("endpoint")
        if endpoint_arg and self._keyword(call, endpoint_arg) is not None:
            endpoint = self._const(ctx, self._keyword(call, endpoint_arg))
            host = host_of(endpoint.value, bare=True) if endpoint and isinstance(endpoint.value, str) else None
            if host is None or self.catalog.host_provider(host) != provider:
                return  # MinIO, LocalStack, another S3-compatible service: the host decides, not region_name
        given = False
        for path in sink.get("args", ()):
            expr = self._arg(ctx, call, path)
            if expr is _MISSING:
                continue
            given = True
            if self._name_reported(ctx, expr) or self._reported_where_defined(ctx, expr):
                return  # a setting reported where it is given its value (`AWS_REGION = env(...)`)
            value = self._value_of(ctx, expr)
            if value is None:
                # `region_name="us-east-1" if legacy else "eu-west-1"`: each branch the code can take
                for branch in (
                    self._conditional_branches(ctx, expr)
                    or self._loop_items(ctx, expr)
                    or self._enum_member(ctx, expr, provider)
                ):
                    if isinstance(branch.value, str):
                        self._judge_region(ctx, call, provider, branch.value, branch.origin, path, sink, done)
                return
            values = value.value if isinstance(value.value, (list, tuple)) else [value.value]
            for item in values:
                if isinstance(item, str):
                    if sink.get("account_locator"):
                        if "." not in item:
                            continue
                        item = item.split(".", 1)[1]
                    self._judge_region(ctx, call, provider, item, value.origin, path, sink, done)
            return
        if given or self._has_star(call):
            return
        default = sink.get("default")
        if default:
            needs = sink.get("default_needs_str_arg")
            if needs is not None:
                first = self._const(ctx, self._positional(call, needs))
                if first is None or not isinstance(first.value, str):
                    return
            region = self.catalog.lookup(provider, default)
            if region is not None:
                self._judge_known(ctx, call, region, None, done, reason=sink.get("default_reason"))
        elif sink.get("requires_region") and self.wants(NO_REGION):
            self._check_no_region(ctx, call, provider)

    def _global_service(self, ctx, call, sink: dict) -> bool:
        """Whether the call makes a client of a service that keeps no data in a region
        (`[residency.global_services]`), named at the sink's `service` argument paths."""
        services = self.global_services.get(sink["provider"]) or set()
        for path in sink.get("service", ()) if services else ():
            expr = self._arg(ctx, call, path)
            if expr is not _MISSING:
                value = self._const(ctx, expr)
                return value is not None and value.value in services
        return False

    def _judge_region(self, ctx, node, provider, text, origin, path, sink, done) -> bool:
        if self._origin_reported(ctx, origin):
            return False
        if self.catalog.is_ignored(provider, text):
            return False
        region = self.catalog.lookup(provider, text)
        for fallback in sink.get("fallback", ()) if region is None else ():
            region = self.catalog.lookup(fallback, text)
            if region is not None:
                break
        if region is not None:
            # a zone or datacenter (us-east-1a, GRA11) is named as itself, in its region
            region_key = self.catalog.region_key
            matched = text if region_key(region.provider, text) != region_key(region.provider, region.id) else None
            if matched and self.policy.token_allowed(text, f"{provider}:{text}"):
                return False
            return self._judge_known(ctx, node, region, origin, done, matched=matched)
        if self.policy.token_allowed(text, f"{provider}:{text}"):
            return False
        if not self.catalog.looks_like_region(provider, text):
            return False
        key = (UNKNOWN_REGION, provider, text)
        if key in done:
            return False
        done.add(key)
        name = self.catalog.provider_name(provider)
        where = f" (from {origin})" if origin else ""
        message = (
            f'unknown {name} region "{text}"{where} in {path.lstrip("@*.")}: not in the region catalogue '
            f"(a typo, or a region newer than gdpr-lint's list), so where it keeps the data cannot be checked"
        )
        return self._report(ctx, UNKNOWN_REGION, node, message, {"provider": provider, "region": text})

    def _judge_known(self, ctx, node, region: Region, origin, done, *, reason=None, matched=None) -> bool:
        allowed = self.policy.region_allowed(region)
        self._observe(
            ctx,
            "region",
            node,
            NON_EU_REGION,
            provider=region.provider,
            provider_name=self.catalog.provider_name(region.provider),
            region=region.id,
            region_name=region.name,
            countries=list(region.countries),
            jurisdiction=self.catalog.jurisdiction(region),
            allowed=allowed,
        )
        if allowed:
            return False
        key = (NON_EU_REGION, region.provider, region.id)
        if key in done:
            return False
        done.add(key)
        self._report(
            ctx, NON_EU_REGION, node, self._region_message(region, origin, reason, matched), self._facts(region, origin)
        )
        return True

    def _facts(self, region: Region, origin=None) -> dict:
        facts = {
            "provider": region.provider,
            "region": region.id,
            "countries": list(region.countries),
            "jurisdiction": self.catalog.jurisdiction(region),
        }
        if origin:
            facts["origin"] = origin
        return facts

    def _region_message(self, region: Region, origin, reason=None, matched=None) -> str:
        place = ", ".join(c if c in self.catalog.countries else self.catalog.place_name(c) for c in region.countries)
        about = f'region "{region.id}" ({self.catalog.provider_name(region.provider)}, {region.name}, {place})'
        if matched:
            about = f'"{matched}" is in {about}'
        if reason:
            about = f"{reason} lands in {about}"
        if origin:
            about += f" (value from {origin})"
        verb = ", outside" if matched or reason else " is outside"
        message = f"{about}{verb} the allowed jurisdictions ({self.policy.describe()})"
        suggestion = self.policy.suggestion(region.provider)
        if suggestion is not None:
            message += f'; e.g. "{suggestion.id}" ({suggestion.name}) keeps the data in {self.policy.where(suggestion)}'
        return message

    def _name_reported(self, ctx, expr) -> bool:
        """A name (or dotted name) bound once, by an assignment whose value was reported."""
        import libcst as cst

        reported_targets = self._file(ctx).reported_targets
        if not reported_targets or type(expr) not in (cst.Name, cst.Attribute):
            return False
        definition = ctx.definition(expr)
        return definition is not None and id(definition.node) in reported_targets

    def _reported_where_defined(self, ctx, expr) -> bool:
        """A constant of another project module that is a region setting there (`AWS_REGION =
        "us-east-1"` in settings.py, or one defaulting an `AWS_DEFAULT_REGION` variable): that
        module's own check reports it where its value is given, which is where it is fixed
        (and suppressed); the clients that use it are not reported again."""
        import libcst as cst

        if type(expr) not in (cst.Name, cst.Attribute):
            return False
        const = ctx.constant(expr)
        remote = const.remote if const is not None else None
        return remote is not None and any(name.upper() in self.settings for name in remote)

    def _origin_reported(self, ctx, origin: Optional[str]) -> bool:
        if not origin:
            return False
        name = getattr(origin, "name", None) or str(origin).split(",", 1)[0].strip()
        return name in self._file(ctx).reported_names

    def _check_no_region(self, ctx, call, provider) -> None:
        name = self.catalog.provider_name(provider)
        suggestion = self.policy.suggestion(provider)
        hint = f' (e.g. region_name="{suggestion.id}")' if suggestion else ""
        message = (
            f"{name} client created without a region: where it stores data depends on the environment it runs in "
            f"(AWS_REGION, ~/.aws/config); set the region explicitly{hint}"
        )
        self._report(ctx, NO_REGION, call, message, {"provider": provider})

    # --- strings anywhere in a call's arguments ---------------------------------------------------
    def _scan_arguments(self, ctx, call, done: Set[tuple]) -> None:
        for arg in call.args:
            if arg.star:
                continue
            if arg.keyword is not None and arg.keyword.value in self.documentation_keywords:
                continue  # `Field(examples=["...dkr.ecr.us-east-2.amazonaws.com/repo"])`: documentation
            self._scan_value_node(ctx, arg.value, done, node=call)

    def _scan_value_node(self, ctx, expr, done: Set[tuple], *, node, leaf: bool = False) -> bool:
        """Hosts, ARNs and region-carrying dict keys inside one expression's known value."""
        import libcst as cst

        if type(expr) in (cst.Lambda, cst.GeneratorExp, cst.ListComp, cst.DictComp, cst.SetComp):
            return False
        if leaf and type(expr) is cst.Dict:
            return self._scan_dict_node(ctx, expr, done, None)
        if leaf and type(expr) in (cst.List, cst.Tuple, cst.Set):
            whole = self._const(ctx, expr)
            if whole is not None and self._is_menu(whole.value):
                return False
            reported = False
            for element in expr.elements:
                if type(element) is not cst.StarredElement:
                    reported |= self._scan_value_node(ctx, element.value, done, node=None, leaf=True)
            return reported
        node = node if node is not None else expr
        if self._name_reported(ctx, expr):
            return False
        value = self._const(ctx, expr)
        if value is None:
            prefix = self._literal_prefix(expr) or self._template_text(ctx, expr)
            if prefix is None:
                if type(expr) is cst.Dict:
                    return self._scan_dict_node(ctx, expr, done, node)
                return False
            value = Value(prefix, None)
        if self._origin_reported(ctx, value.origin):
            return False
        return self._scan_python(ctx, value.value, value.origin, done, node, depth=0)

    def _scan_dict_node(self, ctx, expr, done, node) -> bool:
        """A dict literal: check its known values, each at its own line unless `node` is given."""
        import libcst as cst

        reported = False
        whole = self._const(ctx, expr) if node is None else None
        if whole is not None and isinstance(whole.value, dict) and self._is_endpoint_table(whole.value):
            return False
        for element in expr.elements:
            if type(element) is not cst.DictElement:
                continue
            key = ctx.constant(element.key)
            if key is not None and isinstance(key.value, str) and key.value in self.dict_keys:
                spec = self.dict_keys[key.value]
                endpoint_key = spec.get("endpoint")
                if endpoint_key and not self._endpoint_ok(
                    ctx, self._dict_value(ctx, expr, endpoint_key), spec["provider"]
                ):
                    continue
                value = self._const(ctx, element.value)
                if value is not None and isinstance(value.value, str):
                    at = node if node is not None else element.value
                    reported |= self._judge_region(
                        ctx, at, spec["provider"], value.value, value.origin, key.value, spec, done
                    )
                continue
            reported |= self._scan_value_node(ctx, element.value, done, node=node, leaf=node is None)
        return reported

    def _endpoint_ok(self, ctx, expr, provider) -> bool:
        if expr is None:
            return True
        value = self._value_of(ctx, expr)
        host = host_of(value.value, bare=True) if value and isinstance(value.value, str) else None
        return host is not None and self.catalog.host_provider(host) == provider

    def _scan_python(self, ctx, value, origin, done, node, depth) -> bool:
        if depth > 6:
            return False
        if isinstance(value, str):
            return self._scan_string(ctx, value, origin, done, node)
        if isinstance(value, dict):
            if self._is_endpoint_table(value):
                return False
            reported = False
            for key, item in value.items():
                spec = self.dict_keys.get(key) if isinstance(key, str) else None
                if spec is not None and isinstance(item, str):
                    endpoint_key = spec.get("endpoint")
                    if endpoint_key and endpoint_key in value:
                        endpoint = value[endpoint_key]
                        host = host_of(endpoint, bare=True) if isinstance(endpoint, str) else None
                        if host is None or self.catalog.host_provider(host) != spec["provider"]:
                            continue
                    reported |= self._judge_region(ctx, node, spec["provider"], item, origin, key, spec, done)
                else:
                    reported |= self._scan_python(ctx, item, origin, done, node, depth + 1)
            return reported
        if isinstance(value, (list, tuple, set, frozenset)):
            items = list(value)
            if self._is_menu(items):
                return False
            reported = False
            for item in items:
                reported |= self._scan_python(ctx, item, origin, done, node, depth + 1)
            return reported
        return False

    def _is_menu(self, value) -> bool:
        """A list of several different regions to choose from (a menu, choices), not a configuration."""
        if not isinstance(value, (list, tuple, set, frozenset)) or len(value) < 2:
            return False
        return len({self._region_key(i) for i in value} - {None}) >= 2

    def _is_endpoint_table(self, table: dict) -> bool:
        """`{"us": "https://api.x.com", "eu": "https://api.eu.x.com"}`: every value a host of one
        service, in at least two places: a table to choose from, not where anything is sent."""
        values = list(table.values())
        if len(values) < 2 or not all(isinstance(v, str) for v in values):
            return False
        if (
            all(isinstance(k, str) and self._region_key(k) is not None for k in table)
            and len({self._region_key(v) for v in values} - {None}) >= 2
        ):
            return True  # `{"ap-southeast-1": "mt.ap-southeast-1.aliyuncs.com", ...}`: region -> endpoint
        hits = []
        for value in values:
            host = host_of(value, bare=True)
            hit = self.catalog.saas_host(host, value) if host else None
            if hit is None:
                return False
            hits.append(hit)
        return len({h.service for h in hits}) == 1 and len({h.place for h in hits}) >= 2

    def _region_key(self, value) -> Optional[tuple]:
        """What region a list element names (for telling a menu of regions from a configuration)."""
        if isinstance(value, (list, tuple)):
            for item in value:
                key = self._region_key(item)
                if key:
                    return key
            return None
        if isinstance(value, dict):
            for item in value.values():
                key = self._region_key(item)
                if key:
                    return key
            return None
        if not isinstance(value, str):
            return None
        found = self.catalog.region_in_string(value)
        if found:
            return (found[0].provider, found[0].id)
        for provider in self.catalog.regions:
            if self.catalog.looks_like_region(provider, value) and self.catalog.lookup(provider, value):
                return (provider, value.lower())
        host = host_of(value)
        hit = self.catalog.saas_host(host, value) if host else None
        return (hit.service, hit.place) if hit else None

    def _scan_string(self, ctx, text, origin, done, node) -> bool:
        verdict = None
        if "://" in text and _STATIC_FILE.search(text.split("?", 1)[0]) is not None:
            # `gr.Image("https://files.s3.us-west-2.amazonaws.com/logo.png")`
            verdict = "the URL of a static file (an image, a video, a style sheet): it is read, no data is sent there"
        elif "://*." in text:
            # `CSP_CONNECT_SRC = ("https://*.ingest.sentry.io", ...)`, a CORS or redirect allow-list
            verdict = (
                "a wildcard host pattern (a content-security policy or an allow-list entry): it permits a host, "
                "no client can be configured to send to it"
            )
        if verdict is not None:
            state = self._file(ctx)
            saved = state.saas_verdict
            state.saas_verdict = saved or ("low", verdict)
            try:
                return self._scan_string_judged(ctx, text, origin, done, node)
            finally:
                state.saas_verdict = saved
        return self._scan_string_judged(ctx, text, origin, done, node)

    def _scan_string_judged(self, ctx, text, origin, done, node) -> bool:
        found = self.catalog.region_in_string(text)
        if found is not None:
            region, matched = found
            if matched != host_of(text, bare="://" not in text) and self._test_module(ctx):
                return False  # an ARN or resource path in a test's sample data names no place data goes
            if self.policy.token_allowed(matched, region.id, f"{region.provider}:{region.id}"):
                return False
            return self._judge_known(ctx, node, region, origin, done, matched=matched)
        if "://" in text:
            host = host_of(text)
            hit = self.catalog.saas_host(host, text) if host else None
            if hit is not None:
                return self._judge_saas_hit(ctx, node, hit, origin, done)
        return False

    def _template_text(self, ctx, expr) -> Optional[str]:
        """An f-string with its unknown parts shown as "…" (`f"https://{bucket}.s3.us-east-1.
        amazonaws.com/{key}"`, `f"projects/{project}/locations/us-central1"`): a whole label or
        path segment left unknown hides no region, so the literal ones that name one still do."""
        import libcst as cst

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
                text = ResidencyCheck._literal_prefix(left)
        if not text or "://" not in text:
            return None
        rest = text.split("://", 1)[1]
        if not re.search(r"[/:?#]", rest):
            return None  # the host may continue in the unknown part
        return text

    # --- SaaS ---------------------------------------------------------------------------------
    def _judge_saas_hit(self, ctx, node, hit: SaasHit, origin, done, param=None, what="host") -> bool:
        allowed = self.policy.country_allowed(hit.place) or self.policy.token_allowed(hit.host, f"saas:{hit.service}")
        self._observe_service(ctx, node, hit.service, hit.place, hit.host, allowed)
        if allowed:
            return False
        key = (NON_EU_SAAS, hit.service)
        if key in done or self._origin_reported(ctx, origin):
            return False
        done.add(key)
        service = self.catalog.saas[hit.service]
        where = f" (value from {origin})" if origin else ""
        message = (
            f'{service["name"]} {what} "{hit.host}"{where} sends data to {self._place(hit.place)}, outside the allowed '
            f"jurisdictions ({self.policy.describe()}); {service.get('fix', '')}"
        ).rstrip("; ")
        facts = {"service": hit.service, "host": hit.host, "place": hit.place}
        if origin:
            facts["origin"] = origin
        return self._report(ctx, NON_EU_SAAS, node, message, facts)

    def _place(self, code: str) -> str:
        name = self.catalog.place_name(code)
        return name if name.startswith("the ") or code not in ("US", "GB", "EU", "AE") else f"the {name}"

    def _judge_saas_value(self, ctx, node, sid, text, origin, done) -> bool:
        service = self.catalog.saas[sid]
        values = {str(k).lower(): v for k, v in (service.get("values", {}) or {}).items()}
        place = values.get(text.strip().lower())
        if place is not None:
            return self._judge_saas_hit(ctx, node, SaasHit(sid, text, place), origin, done, what="region")
        host = host_of(text, bare=True)
        hit = self.catalog.saas_host(host, text) if host else None
        if hit is not None:
            return self._judge_saas_hit(ctx, node, hit, origin, done)
        return False  # a self-hosted instance or a reverse proxy: not ours to judge

    def _check_sdk(self, ctx, call, sid, sdk, done) -> None:
        for path in sdk.get("params", ()):
            expr = self._arg(ctx, call, path)
            if expr is _MISSING:
                continue
            value = self._value_of(ctx, expr)
            if value is None:
                names = self._resolved_value_name(ctx, expr)
                if names:
                    self._judge_saas_value(ctx, call, sid, names, None, done)
                return
            self._file(ctx).judged_env_calls.add(id(expr))
            if isinstance(value.value, str):
                self._judge_saas_value(ctx, call, sid, value.value, value.origin, done)
            return
        if any(self._arg(ctx, call, path) is not _MISSING for path in sdk.get("configured_by", ())):
            return
        if not sdk.get("flag_default") or self._has_star(call):
            return
        needs = sdk.get("default_needs")
        if needs and all(self._arg(ctx, call, path) is _MISSING for path in needs):
            return
        service = self.catalog.saas[sid]
        place = service.get("default", "none")
        allowed = (
            place in ("none", "account")
            or self.policy.country_allowed(place)
            or self.policy.token_allowed(service.get("default_host", ""), f"saas:{sid}")
        )
        self._observe_service(ctx, call, sid, place, service.get("default_host", ""), allowed)
        if allowed:
            return
        callee = _dotted(call.func) or "the client"
        message = (
            f"{callee}(...) has no host/region setting, so {service['name']} sends data to its default endpoint in "
            f"{self._place(place)} ({service.get('default_host', '?')}), outside the allowed jurisdictions "
            f"({self.policy.describe()}); {service.get('fix', '')}"
        ).rstrip("; ")
        facts = {"service": sid, "host": service.get("default_host"), "place": place, "default": True}
        self._file(ctx).pending.append((sid, call, message, facts))

    def _resolved_value_name(self, ctx, expr) -> Optional[str]:
        """`Regions.EU` -> 'customerio.Regions.EU' when the SDK maps enum members to places."""
        import libcst as cst

        if type(expr) is cst.Attribute:
            return ctx.resolve_call(expr) or _dotted(expr)
        return None

    # --- assignments ------------------------------------------------------------------------------
    @staticmethod
    def _norm_name(name: str) -> str:
        return name.replace("'", '"').replace(" ", "")

    def _setting_for(self, ctx, name: str, value) -> Optional[Tuple[str, dict]]:
        match = _ENVIRON_ITEM.match(name.replace("'", '"'))
        key = match.group(1) if match else name.rsplit(".", 1)[-1]
        setting = self.settings.get(key.upper())
        if setting is not None:
            return key, setting
        env_key = self._env_key(ctx, value)
        if env_key and env_key.upper() in self.settings:
            return env_key, self.settings[env_key.upper()]
        return None

    def _check_setting(self, ctx, value_expr, setting: Tuple[str, dict]) -> bool:
        key, spec = setting
        provider = spec["provider"]
        kind = spec.get("kind", "region")
        done: Set[tuple] = set()
        if kind == "dict":
            reported = False
            for dict_key in spec.get("keys", ()):
                found = self._dict_value(ctx, value_expr, dict_key)
                value = self._value_of(ctx, found) if found is not None else None
                at = found if found is not None and not isinstance(found, Value) else value_expr
                if value is not None and isinstance(value.value, str):
                    reported |= self._judge_region(
                        ctx, at, provider, value.value, value.origin, f"{key}[{dict_key!r}]", spec, done
                    )
            return reported
        value = self._const(ctx, value_expr)
        if value is None and kind == "host":
            template = self._template_text(ctx, value_expr)  # f"{bucket}.s3.us-east-1.amazonaws.com"
            value = Value(template, None) if template is not None else None
        if value is None or not isinstance(value.value, str):
            return False
        if kind == "host":
            return self._scan_string(ctx, value.value, value.origin, done, value_expr)
        if self._custom_endpoint_beside(ctx, provider):
            return False  # MinIO, LocalStack, DynamoDB Local: the region id only signs requests
        return self._judge_region(ctx, value_expr, provider, value.value, value.origin, key, spec, done)

    def _custom_endpoint_beside(self, ctx, provider: str) -> bool:
        """Whether the block of a region setting also points the provider's clients at an
        endpoint that is not the provider's ([residency.setting_endpoints]): a literal URL on
        another host (`AWS_S3_ENDPOINT_URL = "http://minio:9000"`) or one built in the code
        (`self.endpoint_url = f"http://{host}:{port}"`). One read from the environment may be
        unset, so it does not count."""
        import libcst as cst

        patterns = self.setting_endpoints.get(provider)
        if not patterns:
            return False
        for stmt in ctx.block:
            if type(stmt) is not cst.SimpleStatementLine:
                continue
            for small in stmt.body:
                if type(small) is cst.Assign:
                    targets = [t.target for t in small.targets]
                elif type(small) is cst.AnnAssign and small.value is not None:
                    targets = [small.target]
                else:
                    continue
                names = [(_dotted(t) or "").rsplit(".", 1)[-1].lower() for t in targets]
                if not any(fnmatch.fnmatchcase(n, p) for n in names if n for p in patterns):
                    continue
                value = self._const(ctx, small.value)
                if value is not None:
                    if not isinstance(value.value, str) or not value.value:
                        continue  # `AWS_S3_ENDPOINT_URL = None`: the provider's own endpoint
                    host = host_of(value.value, bare=True)
                    if host is None or self.catalog.host_provider(host) != provider:
                        return True
                elif type(small.value) in (cst.FormattedString, cst.BinaryOperation, cst.ConcatenatedString):
                    return True
        return False

    def _check_env_setter(self, ctx, call) -> None:
        key = self._const(ctx, self._positional(call, 0))
        if key is None or not isinstance(key.value, str):
            return
        spec = self.settings.get(key.value.upper())
        value = self._const(ctx, self._positional(call, 1))
        if value is None or not isinstance(value.value, str):
            return
        if spec is None:
            # a SaaS setting (`os.environ.setdefault("DD_SITE", "datadoghq.com")`), as when assigned
            sid = next((s for name, s in self.saas_assign.items() if name.upper() == key.value.upper()), None)
            if sid is not None:
                self._judge_saas_value(ctx, call, sid, value.value, value.origin, set())
            return
        if spec.get("kind", "region") == "host":
            self._scan_string(ctx, value.value, value.origin, set(), call)
        elif spec.get("kind", "region") == "region":
            self._judge_region(ctx, call, spec["provider"], value.value, value.origin, key.value, spec, set())

    def _check_attribute(self, ctx, target, value) -> bool:
        import libcst as cst

        if type(target) is not cst.Attribute:
            return False
        spec = self.attributes.get(target.attr.value)
        if spec is None:
            return False
        kind = ctx.kind(target.value)
        receiver = _dotted(target.value) or ""
        if kind not in spec.get("kinds", ()) and receiver.rsplit(".", 1)[-1].lower() not in spec.get(
            "receiver_names", ()
        ):
            return False
        const = self._const(ctx, value)
        if const is None or not isinstance(const.value, str):
            return False
        region = self.catalog.lookup(spec["provider"], const.value)
        if region is None:
            return False  # an unknown kind of object may use `.location` for anything
        return self._judge_known(ctx, value, region, const.origin, set())

    def _check_saas_assignment(self, ctx, target, name: str, value) -> bool:
        state = self._file(ctx)
        norm = self._norm_name(name)
        resolved = ctx.resolve_call(target) if target is not None and not isinstance(name, type(None)) else None
        candidates = [n for n in (resolved, norm) if n]
        for candidate in candidates:
            if candidate in self.module_keys:
                state.module_keys.setdefault(self.module_keys[candidate], (value, name))
                return False
        for candidate in candidates:
            if candidate in self.module_hosts:
                sid = self.module_hosts[candidate]
                state.module_hosts.add(sid)
                const = self._const(ctx, value)
                if const is not None and isinstance(const.value, str):
                    return self._judge_saas_value(ctx, value, sid, const.value, const.origin, set())
                return False
        if "." in norm:  # `client.host = ...` re-targets a client; a variable named `host` does not
            self._note_override(ctx, self._overrides.get(norm.rsplit(".", 1)[-1], ()), norm.rsplit(".", 1)[0])
        environ = _ENVIRON_ITEM.match(norm)  # os.environ["TWILIO_REGION"] = "us1"
        for suffix, sid in self.saas_assign.items():
            if (
                norm == suffix
                or norm.endswith("." + suffix)
                or norm.upper() == suffix.upper()
                or (environ and environ.group(1).upper() == suffix.upper())
            ):
                const = self._const(ctx, value)
                if const is not None and isinstance(const.value, str):
                    return self._judge_saas_value(ctx, value, sid, const.value, const.origin, set())
                return False
        lowered = name.lower()
        if not self._saas_keywords.search(lowered):
            return False
        for sid, service in self.catalog.saas.items():
            if any(k in lowered for k in service.get("keywords", ())):
                const = self._const(ctx, value)
                if const is not None and isinstance(const.value, str):
                    # a URL of any catalogued service; a bare host (`AUTH0_DOMAIN =
                    # "acme.us.auth0.com"`) only when it is one of this service's hosts
                    host = host_of(const.value, bare=True)
                    hit = self.catalog.saas_host(host, const.value) if host else None
                    if hit is not None and ("://" in const.value or hit.service == sid):
                        return self._judge_saas_hit(ctx, value, hit, const.origin, set())
        return False


CHECK = ResidencyCheck
