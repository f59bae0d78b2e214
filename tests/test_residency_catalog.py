"""The residency catalogues (rules/residency*.toml) are consistent."""

import re
import sys
from pathlib import Path

import pytest

from gdpr_lint.checks.residency_catalog import ADEQUACY, EEA, EU, OTHER, Catalog

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

RULES = Path(__file__).resolve().parent.parent / "rules"
PACKS = sorted(RULES.glob("residency*.toml"))


def _tables():
    from gdpr_lint.knowledge import load

    return load().tables


@pytest.fixture(scope="module")
def catalog():
    return Catalog(_tables())


def test_every_region_has_a_country_a_name_and_a_jurisdiction(catalog):
    assert catalog.regions, "no regions loaded"
    for provider, regions in catalog.regions.items():
        assert provider in catalog.providers, f"{provider} has regions but no [residency.providers] entry"
        for region in regions.values():
            assert region.countries, f"{provider}:{region.id} has no country"
            assert region.name, f"{provider}:{region.id} has no name"
            for code in region.countries:
                assert code in catalog.countries or code in catalog.areas, f"{provider}:{region.id}: unknown {code}"
            assert catalog.jurisdiction(region) in (EU, EEA, ADEQUACY, OTHER)


def test_no_region_id_is_defined_twice_with_different_places():
    """Across every pack file, and across the spellings that normalise to the same id."""
    seen = {}
    catalog = Catalog(_tables())
    for pack in PACKS:
        data = tomllib.loads(pack.read_text(encoding="utf-8"))
        for provider, regions in data.get("residency", {}).get("regions", {}).items():
            for rid, entry in regions.items():
                countries = tuple(entry.get("countries") or [entry.get("country")])
                key = (provider, catalog._key(provider, rid))
                assert seen.setdefault(key, countries) == countries, f"{key} is both {seen[key]} and {countries}"


def test_no_region_is_both_eu_and_not(catalog):
    for provider, regions in catalog.regions.items():
        by_id = {}
        for region in regions.values():
            by_id.setdefault(region.id.lower(), set()).add(catalog.jurisdiction(region) == EU)
        assert all(len(v) == 1 for v in by_id.values()), provider


def test_adequacy_codes_are_known_third_countries(catalog):
    assert catalog.adequacy
    for code in catalog.adequacy:
        assert re.fullmatch(r"[A-Z]{2}", code), code
        assert code in catalog.countries, code
        assert catalog.countries[code]["group"] == OTHER, f"{code} is in the EU/EEA, it needs no adequacy decision"
    assert "US" not in catalog.adequacy, "the US is adequate only for DPF-certified recipients"
    assert "US" in catalog.conditional_adequacy


def test_eu_and_eea_membership(catalog):
    eu = {c for c, e in catalog.countries.items() if e["group"] == EU}
    eea = {c for c, e in catalog.countries.items() if e["group"] == EEA}
    assert len(eu) == 27
    assert eea == {"IS", "LI", "NO"}


def test_every_saas_entry_has_eu_and_non_eu_hosts_and_a_default(catalog):
    assert len(catalog.saas) >= 10
    for sid, entry in catalog.saas.items():
        assert entry.get("name"), sid
        # a service with no EU region (Anthropic's API) or only one (Mistral's) says so
        assert entry.get("eu_hosts") or entry.get("no_eu_host"), f"{sid} has no EU host"
        assert entry.get("non_eu_hosts") or entry.get("eu_only"), f"{sid} has no non-EU host"
        default = entry.get("default")
        assert default in ("none", "account") or default in catalog.countries or default in catalog.areas, sid
        if default not in ("none", "account"):
            assert entry.get("default_host"), f"{sid}: a default place needs the default host"
        for place in entry.get("non_eu_hosts", {}).values():
            assert place in catalog.countries or place in catalog.areas, f"{sid}: {place}"
        assert entry.get("fix"), sid
        for sdk in entry.get("sdk", ()):
            assert sdk.get("calls"), sid


def test_eu_saas_hosts_win_over_broader_non_eu_hosts(catalog):
    for sid, entry in catalog.saas.items():
        for host in entry.get("eu_hosts", ()):
            hit = catalog.saas_host("x." + host)
            assert hit is not None and hit.service == sid and hit.place == "EU", (sid, host, hit)


def test_region_sinks_name_known_providers(catalog):
    for sink in catalog.table["region_args"]:
        assert sink["provider"] in catalog.providers
        for fallback in sink.get("fallback", ()):
            assert fallback in catalog.providers
        if sink.get("default"):
            assert catalog.lookup(sink["provider"], sink["default"]) is not None, sink
    for rule in catalog.hosts:
        assert rule.provider in catalog.providers
        if rule.default:
            assert catalog.lookup(rule.provider, rule.default) is not None


def test_provider_suggestions_are_eu_regions(catalog):
    for provider, meta in catalog.providers.items():
        region = catalog.lookup(provider, meta["suggest"])
        assert region is not None and catalog.jurisdiction(region) == EU, provider


@pytest.mark.parametrize(
    "provider, rid, jurisdiction",
    [
        ("aws", "eu-west-2", ADEQUACY),  # London
        ("aws", "eu-central-2", ADEQUACY),  # Zurich
        ("aws", "eusc-de-east-1", EU),  # European Sovereign Cloud
        ("alibaba", "eu-west-1", ADEQUACY),  # London, not Ireland
        ("oci", "eu-jovanovac-1", OTHER),  # Serbia
        ("azure", "West Europe", EU),
        ("azure", "westeurope", EU),
        ("azure", "norwayeast", EEA),
        ("gcp", "EU", EU),
        ("gcp", "eu", EU),
        ("gcp", "EUR5", ADEQUACY),  # Belgium + London: the weaker of the two
        ("r2", "eu", EU),
        ("r2", "weur", OTHER),  # a location hint is no guarantee
        ("atlas", "EU_CENTRAL_1", EU),
        ("snowflake", "AWS_EU_CENTRAL_1", EU),
        ("aws", "sa-east-1", ADEQUACY),  # Brazil, adequacy decision of January 2026
        ("aws", "us-east-1", OTHER),
    ],
)
def test_notable_regions(catalog, provider, rid, jurisdiction):
    region = catalog.lookup(provider, rid)
    assert region is not None
    assert catalog.jurisdiction(region) == jurisdiction


@pytest.mark.parametrize(
    "provider, zone, rid",
    [
        ("aws", "us-east-1a", "us-east-1"),
        ("aws", "us-east-1-bos-1a", "us-east-1"),  # a Local Zone
        ("aws", "eu-west-1b", "eu-west-1"),
        ("gcp", "us-central1-a", "us-central1"),
        ("gcp", "europe-west10-b", "europe-west10"),
    ],
)
def test_zones_are_in_their_region(catalog, provider, zone, rid):
    region = catalog.lookup(provider, zone)
    assert region is not None and region.id == rid


def test_a_zone_of_an_unknown_region_looks_like_a_region(catalog):
    assert catalog.lookup("aws", "eu-wset-1a") is None
    assert catalog.looks_like_region("aws", "eu-wset-1a")
    assert catalog.looks_like_region("gcp", "europe-wset3-a")
    assert catalog.lookup("aws", "EU") is not None and catalog.lookup("gcp", "eur3") is not None
