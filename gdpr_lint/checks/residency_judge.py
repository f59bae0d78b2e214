"""The residency check's judgements of one known value: a region of a provider (outside the
allowed jurisdictions, or unknown), a SaaS endpoint or host, and whether the name or origin it came
through was reported already."""

from __future__ import annotations

from typing import Optional

from gdpr_lint.checks.residency_base import ResidencyBase
from gdpr_lint.checks.residency_catalog import Region, SaasHit, host_of
from gdpr_lint.checks.residency_state import (
    NO_REGION,
    NON_EU_REGION,
    NON_EU_SAAS,
    UNKNOWN_REGION,
    region_template,
)


class RegionJudge(ResidencyBase):
    """Judges a region or a SaaS host known at lint time and reports it once."""

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
        state = self._file(ctx)
        if state.string_constant is not None:
            template = (region.provider, region_template(state.string_constant, region.id))
            state.templates.setdefault(template, set()).add(region.id)
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
