"""Data residency rules (GDPR2xx): regions and SaaS endpoints outside the allowed jurisdictions.

Everything provider-specific (which call or keyword carries a region, which hosts embed one,
where an SDK sends data by default) is data in rules/residency*.toml; this module interprets
it over the engine's analyses (`ctx.resolve_call`, `ctx.constant`, `ctx.kind`).
Only values that can be known are judged: a variable of unknown value is never flagged.
"""

from __future__ import annotations

import fnmatch
import re
from typing import List, Optional, Set, Tuple

from gdpr_lint._lazy import cst as _cst
from gdpr_lint.checks.residency_catalog import host_of
from gdpr_lint.checks.residency_scan import ArgumentScan
from gdpr_lint.checks.residency_state import (
    ENVIRON_ITEM,
    MISSING,
    NON_EU_REGION,
    NON_EU_SAAS,
    UNKNOWN_REGION,
    FileState,
    Value,
    compares_or_keys,
    dotted,
    region_template,
)


class ResidencyCheck(ArgumentScan):
    family = "residency"

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

            receiver = dotted(call.func.value) if type(call.func) is cst.Attribute else None
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
            if ctx.scope.kind == "module" and name.isidentifier():
                state.module_clients[id(value)] = name  # another module may re-target it
        scope_kind = ctx.scope.kind
        first = len(ctx.reports)
        literal = (
            value.evaluated_value if scope_kind in ("module", "class") and type(value) is _cst.SimpleString else None
        )
        state.string_constant = literal if isinstance(literal, str) else None
        try:
            reported = self._judge_assignment(ctx, state, target, name, value, scope_kind)
        finally:
            state.string_constant = None
        if reported and isinstance(literal, str):
            for report in ctx.reports[first:]:
                if report.code == NON_EU_REGION and report.facts.get("region"):
                    template = (report.facts.get("provider"), region_template(literal, report.facts["region"]))
                    state.constant_region_reports.append((report, template))
        if reported:
            state.reported_targets.add(id(target))
            if "." not in name and "[" not in name:
                state.reported_names.add(name)

    def _judge_assignment(self, ctx, state: FileState, target, name: str, value, scope_kind: str) -> bool:
        setting = self._setting_for(ctx, name, value)
        if setting is not None:
            return self._check_setting(ctx, value, setting)
        if self._check_attribute(ctx, target, value):
            return True
        # a module-level host constant, whether its name says which service it is for
        # (`ANTHROPIC_HOST = ...`) or only its value does: judged by its uses at the end
        before = len(ctx.reports)
        reported = self._check_saas_assignment(ctx, target, name, value)
        if not reported and scope_kind in ("module", "class"):
            reported = self._scan_value_node(ctx, value, set(), node=None, leaf=True)
        if reported and scope_kind == "module" and "." not in name and "[" not in name:
            state.constant_reports.append((name, list(ctx.reports[before:])))
        return reported

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
            if id(node) in state.module_clients and service not in file_wide:
                attributes = tuple(sorted(m for m, services in self._overrides.items() if service in services))
                if ctx.set_elsewhere(state.module_clients[id(node)], attributes) is not None:
                    continue  # `events.host = ...` in the module that starts the app: judged there
            if service not in file_wide:
                self._report(ctx, NON_EU_SAAS, node, message, facts)
        self._judge_constant_uses(ctx, state)
        self._judge_region_catalogue(state)
        state.pending.clear()
        state.override_keys.clear()
        state.pending_keys.clear()
        state.module_clients.clear()
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

    def _judge_constant_uses(self, ctx, state: FileState) -> None:
        """A module-level host constant that the module only compares with or looks up by
        (`if parsed.hostname == ANTHROPIC_HOST`, `claims[ROLES_CLAIM]`) configures nothing: its
        findings are low. One the module passes on, falls back to or never uses stays."""
        if not state.constant_reports:
            return
        text = ctx.module.code  # only for files with such a constant
        for name, reports in state.constant_reports:
            uses = [m for m in re.finditer(r"(?<![\w.])" + re.escape(name) + r"(?!\w)", text)]
            uses = [m for m in uses if not re.match(r"\s*(?::[^=\n]*)?=(?!=)", text[m.end() : m.end() + 80])]
            if not uses or not all(compares_or_keys(text, m.start(), m.end()) for m in uses):
                continue
            for report in reports:
                if report.code == NON_EU_SAAS:
                    report.confidence = "low"
                    report.facts["confidence_reason"] = (
                        f"{name} is only compared with or used as a key in this "
                        "module: nothing is configured to send there"
                    )

    def _judge_region_catalogue(self, state: FileState) -> None:
        """A module whose string constants differ only by the region they name, allowed ones among
        them (`S3_US_EAST2_HOST = "s3-us-east-2.amazonaws.com"`, `S3_EU_WEST_HOST =
        "s3-eu-west-1.amazonaws.com"`, one per region), is a catalogue to choose from, not a
        configuration: which one is used is decided where a client is made with it. Those
        constants' findings are low ([residency.catalogue] min-regions)."""
        for report, template in state.constant_region_reports:
            named = state.templates.get(template, set())
            regions = [self.catalog.lookup(template[0], r) for r in named]
            if len(named) < self.catalogue_regions or not any(
                region is not None and self.policy.region_allowed(region) for region in regions
            ):
                continue
            report.confidence = "low"
            report.facts["confidence_reason"] = (
                f"one of {len(named)} constants that name the same {self.catalog.provider_name(template[0])} "
                "host in different regions, allowed ones among them: a catalogue of regions to choose from, "
                "not the one a client is configured with"
            )
        state.constant_region_reports.clear()
        state.templates.clear()

    def _note_override(self, ctx, services, receiver: Optional[str]) -> None:
        """A method or attribute that re-targets clients of `services` after construction
        (`sg.set_sendgrid_data_residency("eu")`), on `receiver` when it is a plain name."""
        for sid in services:
            key = (self._scope_id(ctx, receiver), receiver) if receiver and "(" not in receiver else None
            self._file(ctx).override_keys.append((sid, key))

    def _check_sdk(self, ctx, call, sid, sdk, done) -> None:
        for path in sdk.get("params", ()):
            expr = self._arg(ctx, call, path)
            if expr is MISSING:
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
        if any(self._arg(ctx, call, path) is not MISSING for path in sdk.get("configured_by", ())):
            return
        if not sdk.get("flag_default") or self._has_star(call):
            return
        needs = sdk.get("default_needs")
        if needs and all(self._arg(ctx, call, path) is MISSING for path in needs):
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
        callee = dotted(call.func) or "the client"
        message = (
            f"{callee}(...) has no host/region setting, so {service['name']} sends data to its default endpoint in "
            f"{self._place(place)} ({service.get('default_host', '?')}), outside the allowed jurisdictions "
            f"({self.policy.describe()}); {service.get('fix', '')}"
        ).rstrip("; ")
        facts = {"service": sid, "host": service.get("default_host"), "place": place, "default": True}
        self._file(ctx).pending.append((sid, call, message, facts))

    def _setting_for(self, ctx, name: str, value) -> Optional[Tuple[str, dict]]:
        match = ENVIRON_ITEM.match(name.replace("'", '"'))
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
                names = [(dotted(t) or "").rsplit(".", 1)[-1].lower() for t in targets]
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
        receiver = dotted(target.value) or ""
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
            services = self._overrides.get(norm.rsplit(".", 1)[-1], ())
            self._note_override(ctx, services, norm.rsplit(".", 1)[0])
            const = self._const(ctx, value) if services else None
            if const is not None and isinstance(const.value, str):  # where it re-targets it to
                if len(services) == 1:  # `client.server_zone = "US"`: an attribute only one service has
                    return self._judge_saas_value(ctx, value, next(iter(services)), const.value, const.origin, set())
                host = host_of(const.value, bare=True)
                hit = self.catalog.saas_host(host, const.value) if host else None
                if hit is not None and hit.service in services:
                    return self._judge_saas_hit(ctx, value, hit, const.origin, set())
        environ = ENVIRON_ITEM.match(norm)  # os.environ["TWILIO_REGION"] = "us1"
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
