"""The residency check's scan of a call's values: the sink's region and endpoint arguments,
other arguments, dicts and Python values (menus of regions, endpoint tables) and strings (hosts
and URLs that name a region or a SaaS service)."""

from __future__ import annotations

import re

from typing import Optional, Set

from gdpr_lint.checks.residency_catalog import host_of
from gdpr_lint.checks.residency_iac import InfrastructureRules
from gdpr_lint.checks.residency_state import (
    MISSING,
    NO_REGION,
    STATIC_FILE,
    Value,
)


class ArgumentScan(InfrastructureRules):
    """Finds the regions and hosts a call's arguments carry and has them judged."""

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
            if expr is MISSING:
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
            if region is not None and not self._default_not_taken(ctx, call, default):
                self._judge_known(ctx, call, region, None, done, reason=sink.get("default_reason"))
        elif sink.get("requires_region") and self.wants(NO_REGION):
            self._check_no_region(ctx, call, provider)

    def _default_not_taken(self, ctx, call, default: str) -> bool:
        """Whether a call without its region is on a path where the code chose the region: its
        function compares a value with the default (`if region == "us-east-1":
        s3.create_bucket(Bucket=b) else: ...LocationConstraint...`, the S3 quirk handled)."""
        scope = ctx.scope
        while scope is not None and scope.kind != "function":
            scope = scope.parent
        if scope is None or scope.node is None:
            return False
        text = ctx.module.code_for_node(scope.node)
        quoted = "[\"']" + re.escape(default) + "[\"']"
        return (
            re.search(f"(?:==|!=)\\s*{quoted}|{quoted}\\s*(?:==|!=)|\\bin\\s*[([{{][^)\\]}}]*{quoted}", text)
            is not None
        )

    def _global_service(self, ctx, call, sink: dict) -> bool:
        """Whether the call makes a client of a service that keeps no data in a region
        (`[residency.global_services]`), named at the sink's `service` argument paths."""
        services = self.global_services.get(sink["provider"]) or set()
        for path in sink.get("service", ()) if services else ():
            expr = self._arg(ctx, call, path)
            if expr is not MISSING:
                value = self._const(ctx, expr)
                return value is not None and value.value in services
        return False

    # --- strings anywhere in a call's arguments ---------------------------------------------------
    def _scan_arguments(self, ctx, call, done: Set[tuple]) -> None:
        for arg in call.args:
            if arg.star:
                continue
            if arg.keyword is not None and arg.keyword.value in self.documentation_keywords:
                continue  # `Field(examples=["...dkr.ecr.us-east-2.amazonaws.com/repo"])`: documentation
            if arg.keyword is not None and arg.keyword.value in self.fallback_keywords:
                looked_up = self._looked_up(ctx, call, arg.value)
                if looked_up is not None:  # `s.getBoolean(["plugins", "x", "enabled"], defaults=DEFAULTS)`
                    self._scan_python(ctx, looked_up[0], looked_up[1], done, call, depth=0)
                    continue
            self._scan_value_node(ctx, arg.value, done, node=call)

    def _looked_up(self, ctx, call, expr) -> Optional[tuple]:
        """(the value at the call's literal key or key path in a fallback mapping, its origin)
        when the mapping holds that path: a settings lookup uses that one value of its
        defaults, not the others ([residency.saas_context] fallback-keywords); else None."""
        first = next((a for a in call.args if a.keyword is None and not a.star), None)
        mapping = self._const(ctx, expr)
        if first is None or mapping is None or not isinstance(mapping.value, dict):
            return None
        key = self._const(ctx, first.value)
        path = key.value if key is not None else None
        path = [path] if isinstance(path, str) else path
        if not isinstance(path, (list, tuple)) or not path or not all(isinstance(p, str) for p in path):
            return None
        value = mapping.value
        for part in path:
            if not isinstance(value, dict) or part not in value:
                return None
            value = value[part]
        return value, mapping.origin

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
        if type(expr) is cst.Call:  # `os.environ.get("ES_URL", "<url>")` as an argument: judged here, once
            self._file(ctx).judged_env_calls.add(id(expr))
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
        service, in at least two places: a table to choose from, not where anything is sent.
        Also a table keyed by region whose values are records, most of them naming their own
        region (`{"af-south-1": {"endpoint": "ec2.af-south-1.amazonaws.com", ...}, ...}`), a key
        the catalogue does not know yet (`"sa-east-2"`) counting by its shape."""
        values = list(table.values())
        if len(values) < 2:
            return False
        if self._region_keyed(table) and all(isinstance(v, (str, dict)) for v in values):
            named = [self._region_key(v) for v in values]
            if len(set(named) - {None}) >= 2 and (
                all(isinstance(v, str) for v in values) or 2 * named.count(None) <= len(named)
            ):
                return True  # `{"ap-southeast-1": "mt.ap-southeast-1.aliyuncs.com", ...}`: region -> endpoint
        if not all(isinstance(v, str) for v in values):
            return False
        hits = []
        for value in values:
            host = host_of(value, bare=True)
            hit = self.catalog.saas_host(host, value) if host else None
            if hit is None:
                return False
            hits.append(hit)
        return len({h.service for h in hits}) == 1 and len({h.place for h in hits}) >= 2

    def _region_keyed(self, table: dict) -> bool:
        """Every key names a region: known to the catalogue, or (one newer than the catalogue,
        `"sa-east-2"`) shaped like a region of a provider whose regions the other keys name."""
        keys = [k for k in table if isinstance(k, str)]
        if len(keys) != len(table):
            return False
        known = [self._region_key(k) for k in keys]
        providers = {key[0] for key in known if key is not None}
        if len(set(known) - {None}) < 2:
            return False
        return all(
            key is not None or any(self.catalog.looks_like_region(p, name) for p in providers)
            for name, key in zip(keys, known)
        )

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
        if "://" in text and STATIC_FILE.search(text.split("?", 1)[0]) is not None:
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
