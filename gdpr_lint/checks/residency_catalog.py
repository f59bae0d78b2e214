"""The residency catalogues (rules/residency*.toml) as lookups, and the jurisdiction policy.

Kept free of libcst: the catalogue tests and the check share it, and `gdpr-lint rules`
never needs to parse anything to load it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, FrozenSet, Iterable, List, Optional, Sequence, Tuple
from urllib.parse import urlsplit

EU, EEA, ADEQUACY, OTHER = "EU", "EEA", "adequacy", "other"


@dataclass(frozen=True)
class Region:
    provider: str
    id: str
    name: str
    countries: Tuple[str, ...]


@dataclass(frozen=True)
class SaasHit:
    """A host of a known SaaS service and where it keeps the data (country or area code)."""

    service: str
    host: str
    place: str  # ISO country, or an area ("EU")


@dataclass(frozen=True)
class HostRule:
    provider: str
    suffixes: Tuple[str, ...]
    mode: str
    label_prefixes: Tuple[str, ...]
    default: Optional[str]
    skip_labels: FrozenSet[str]


_SPACE = re.compile(r"\s")  # what str.isspace() calls whitespace


def host_of(text: str, *, bare: bool = False) -> Optional[str]:
    """The lower-case host of a URL or DSN; with `bare`, also of a plain host name."""
    if not bare and "://" not in text:
        return None
    text = text.strip()
    if not text or _SPACE.search(text):
        return None
    if "://" in text:
        try:
            host = urlsplit(text).hostname
        except ValueError:
            return None
    elif bare and re.match(r"^[A-Za-z0-9\u2026][A-Za-z0-9.\u2026-]*\.[A-Za-z]{2,}(:\d+)?(/.*)?$", text):
        # "\u2026" stands for an f-string's unknown part (`f"{bucket}.s3.us-east-1.amazonaws.com"`)
        host = urlsplit("//" + text).hostname
    else:
        return None
    return host.rstrip(".") if host else None


_CLOUD_ID = re.compile(r"^[\w.-]*:(?P<encoded>[A-Za-z0-9+/]{16,}={0,2})$")


def elastic_cloud_host(text: str) -> Optional[str]:
    """The host an Elastic Cloud id names: `name:base64("us-east-1.aws.found.io$<es>$<kibana>")`
    (elasticsearch-py's `cloud_id=`), or None when the text is not one."""
    import base64
    import binascii

    match = _CLOUD_ID.match(text.strip())
    if match is None:
        return None
    try:
        decoded = base64.b64decode(match.group("encoded"), validate=True).decode("ascii")
    except (binascii.Error, ValueError):
        return None
    host = decoded.split("$", 1)[0].split(":", 1)[0]
    return host.lower() if "$" in decoded and "." in host else None


def _has_user_part(url: Optional[str]) -> bool:
    if not url or "://" not in url:
        return False
    try:
        return "@" in urlsplit(url.strip()).netloc
    except ValueError:
        return False


class Catalog:
    """Regions by (provider, id), countries and their jurisdiction, hosts, SaaS endpoints."""

    def __init__(self, tables: dict):
        res = tables.get("residency", {}) or {}
        self.table = res
        self.providers: Dict[str, dict] = dict(res.get("providers", {}))
        self.countries: Dict[str, dict] = dict(res.get("countries", {}))
        self.areas: Dict[str, dict] = dict(res.get("areas", {}))
        adequacy = res.get("adequacy", {}) or {}
        self.adequacy: FrozenSet[str] = frozenset(adequacy.get("countries", ()))
        self.conditional_adequacy: Dict[str, str] = dict(adequacy.get("conditional", {}))
        self._strip = {p: re.compile(m["strip"]) for p, m in self.providers.items() if m.get("strip")}
        self._shape = {p: re.compile(m["shape"]) for p, m in self.providers.items() if m.get("shape")}
        self.regions: Dict[str, Dict[str, Region]] = {}
        for provider, entries in (res.get("regions", {}) or {}).items():
            table = self.regions.setdefault(provider, {})
            for rid, entry in entries.items():
                countries = tuple(entry.get("countries") or ([entry["country"]] if entry.get("country") else []))
                table[self._key(provider, rid)] = Region(provider, rid, entry.get("name", rid), countries)
        self.hosts: List[HostRule] = [
            HostRule(
                provider=h["provider"],
                suffixes=tuple(s.lower() for s in h.get("suffixes", ())),
                mode=h.get("mode", "labels"),
                label_prefixes=tuple(h.get("label_prefixes", ())),
                default=h.get("default"),
                skip_labels=frozenset(h.get("skip_labels", ())),
            )
            for h in res.get("hosts", ())
        ]
        self.patterns = [(p["provider"], re.compile(p["regex"]), p.get("token", "")) for p in res.get("patterns", ())]
        self.saas: Dict[str, dict] = dict(res.get("saas", {}))
        self._saas_hosts: List[Tuple[str, bool, bool, str, str]] = []  # (host, exact, dsn_only, service, place)
        for sid, entry in self.saas.items():
            for host in entry.get("eu_hosts", ()):
                self._saas_hosts.append(self._saas_host_entry(host, sid, "EU"))
            for host, place in (entry.get("non_eu_hosts", {}) or {}).items():
                self._saas_hosts.append(self._saas_host_entry(host, sid, place))
        # longest host first: "ingest.de.sentry.io" (EU) wins over "sentry.io"
        self._saas_hosts.sort(key=lambda e: -len(e[0]))
        ignore = res.get("saas_ignore", {}) or {}
        self._saas_ignore_labels = frozenset(ignore.get("first_labels", ()))

    @staticmethod
    def _saas_host_entry(host: str, service: str, place: str) -> Tuple[str, bool, bool, str, str]:
        marks = host[: len(host) - len(host.lstrip("=@"))]
        return (host.lstrip("=@").lower(), "=" in marks, "@" in marks, service, place)

    # --- regions ----------------------------------------------------------------------------
    def _key(self, provider: str, value: str) -> str:
        key = value.strip().lower()
        if self.providers.get(provider, {}).get("no_spaces"):
            key = key.replace(" ", "").replace("_", "")
        return key

    def region_key(self, provider: str, value: str) -> str:
        """How a region id is compared: lower case, and for some providers without spaces."""
        return self._key(provider, value)

    def normalize(self, provider: str, value: str) -> str:
        key = self._key(provider, value)
        strip = self._strip.get(provider)
        if strip is not None and key not in self.regions.get(provider, {}):
            key = strip.sub("", key)
        return key

    def lookup(self, provider: str, value: str) -> Optional[Region]:
        if not isinstance(value, str):
            return None
        table = self.regions.get(provider, {})
        return table.get(self._key(provider, value)) or table.get(self.normalize(provider, value))

    def is_ignored(self, provider: str, value: str) -> bool:
        ignore = self.providers.get(provider, {}).get("ignore", ())
        return value.strip().lower() in {v.lower() for v in ignore} or not value.strip()

    def looks_like_region(self, provider: str, value: str) -> bool:
        """Shaped like a region id of the provider, also once a zone suffix is stripped
        (`eu-wset-1a` is a typo as much as `eu-wset-1`)."""
        shape = self._shape.get(provider)
        if shape is None:
            return False
        strip = self._strip.get(provider)
        stripped = strip.sub("", value.strip().lower()) if strip is not None else None
        return bool(shape.match(value.strip()) or (stripped and shape.match(stripped)))

    def provider_name(self, provider: str) -> str:
        return self.providers.get(provider, {}).get("name", provider)

    # --- jurisdictions ----------------------------------------------------------------------
    def group(self, code: str) -> str:
        """EU, EEA, adequacy or other for a country or area code."""
        entry = self.countries.get(code) or self.areas.get(code) or {}
        group = entry.get("group", OTHER)
        if group in (EU, EEA):
            return group
        return ADEQUACY if code in self.adequacy else OTHER

    def jurisdiction(self, region: Region) -> str:
        """The weakest jurisdiction among the region's countries (a dual-region with London is not EU)."""
        order = [EU, EEA, ADEQUACY, OTHER]
        if not region.countries:
            return OTHER
        return max((self.group(c) for c in region.countries), key=order.index)

    def place_name(self, code: str) -> str:
        entry = self.countries.get(code) or self.areas.get(code) or {}
        return entry.get("name", code)

    # --- strings that embed a region ----------------------------------------------------------
    def region_in_host(self, host: str) -> Optional[Region]:
        host = host.lower()
        for rule in self.hosts:
            for suffix in rule.suffixes:
                if host == suffix or host.endswith("." + suffix):
                    rest = host[: -len(suffix)].rstrip(".")
                    region = self._host_region(rule, rest.split(".") if rest else [])
                    if region is not None:
                        return region
                    if rule.default:
                        return self.lookup(rule.provider, rule.default)
                    return None
        return None

    def host_provider(self, host: str) -> Optional[str]:
        host = host.lower()
        for rule in self.hosts:
            if any(host == s or host.endswith("." + s) for s in rule.suffixes):
                return rule.provider
        return None

    def _host_region(self, rule: HostRule, labels: List[str]) -> Optional[Region]:
        labels = [label for label in labels if label not in rule.skip_labels]
        if not labels:
            return None
        if rule.mode == "after-first-label":
            return self.lookup(rule.provider, ".".join(labels[1:])) if len(labels) > 1 else None
        if rule.mode == "first-label":
            first = labels[0]
            table = self.regions.get(rule.provider, {})
            for key in sorted(table, key=len, reverse=True):
                if first == key or first.startswith(key + "-"):
                    return table[key]
            return None
        for label in reversed(labels):
            for candidate in (label,) + tuple(label[len(p) :] for p in rule.label_prefixes if label.startswith(p)):
                region = self.regions.get(rule.provider, {}).get(candidate)
                if region is not None:
                    return region
        return None

    def region_in_string(self, text: str, *, bare_host: bool = False) -> Optional[Tuple[Region, str]]:
        """A region named by a URL/host or an ARN / resource path: (region, what matched)."""
        host = host_of(text, bare=bare_host or "://" not in text)
        if host:
            region = self.region_in_host(host)
            if region is not None:
                return region, host
        cloud = elastic_cloud_host(text) if ":" in text and "://" not in text else None
        if cloud is not None:
            region = self.region_in_host(cloud)
            if region is not None:
                return region, cloud
        for provider, regex, _token in self.patterns:
            match = regex.search(text)
            if match:
                region = self.lookup(provider, match.group("region"))
                if region is not None:
                    if host and match.group(0).strip(".") in host:  # a URL: its host, not its password
                        return region, host
                    return region, text if len(text) <= 120 else match.group(0).strip("/")
        return None

    # --- SaaS --------------------------------------------------------------------------------
    def saas_host(self, host: str, url: Optional[str] = None) -> Optional[SaasHit]:
        """The service and place of a host; `url` is the text it came from: a host marked "@"
        counts only in a URL with a user part (a DSN, `https://key@sentry.io/1`), not in a
        link to the vendor's web app (`https://sentry.io/organizations/acme/`)."""
        host = host.lower()
        if host.split(".", 1)[0] in self._saas_ignore_labels:
            return None
        for entry_host, exact, dsn_only, service, place in self._saas_hosts:
            if host == entry_host or (not exact and host.endswith("." + entry_host)):
                if dsn_only and not _has_user_part(url):
                    continue
                return SaasHit(service, host, place)
        return None

    def prefilter_tokens(self) -> Iterable[str]:
        yield "cloud_id"  # an Elastic Cloud id hides its host in base64 (elastic_cloud_host)
        for rule in self.hosts:
            yield from rule.suffixes
        for _provider, _regex, token in self.patterns:
            if token:
                yield token.lower()
        for entry in self.saas.values():
            for host in list(entry.get("eu_hosts", ())) + list(entry.get("non_eu_hosts", {})):
                yield host.lstrip("=@").lower()


class Policy:
    """allowed-jurisdictions and allowed-regions from the configuration."""

    def __init__(self, catalog: Catalog, jurisdictions: Sequence[str] = (EU, EEA), regions: Sequence[str] = ()):
        self.catalog = catalog
        self.jurisdictions = tuple(jurisdictions)
        self._allowed = {j if j == ADEQUACY else j.upper() for j in jurisdictions}
        self._allowed |= {j.lower() for j in jurisdictions if j.lower() == ADEQUACY}
        self._regions = {r.strip().lower() for r in regions}

    def describe(self) -> str:
        return ", ".join(self.jurisdictions) or "none"

    def country_allowed(self, code: str) -> bool:
        if code.upper() in self._allowed:
            return True
        group = self.catalog.group(code)
        if group == EU:
            return bool({EU, EEA} & self._allowed)
        if group == EEA:
            return EEA in self._allowed
        if group == ADEQUACY:
            return ADEQUACY in self._allowed
        return False

    def region_allowed(self, region: Region) -> bool:
        rid = region.id.lower()
        if rid in self._regions or f"{region.provider}:{rid}" in self._regions:
            return True
        return bool(region.countries) and all(self.country_allowed(c) for c in region.countries)

    def token_allowed(self, *tokens: str) -> bool:
        return any(t.lower() in self._regions for t in tokens if t)

    def suggestion(self, provider: str) -> Optional[Region]:
        suggested = self.catalog.providers.get(provider, {}).get("suggest")
        region = self.catalog.lookup(provider, suggested) if suggested else None
        if region is not None and self.region_allowed(region):
            return region
        for region in self.catalog.regions.get(provider, {}).values():
            if region.countries and all(self.country_allowed(c) for c in region.countries):
                return region
        return None

    def where(self, region: Region) -> str:
        """'the EU' / 'the EEA' / a country name, for 'keeps the data in ...'."""
        jurisdiction = self.catalog.jurisdiction(region)
        if jurisdiction == EU:
            return "the EU"
        if jurisdiction == EEA:
            return "the EEA"
        if len(region.countries) == 1:
            return self.catalog.place_name(region.countries[0])
        return "an allowed jurisdiction"
