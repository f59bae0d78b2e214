"""The rule-pack schema of the residency family ([residency], its SaaS services included): one
entry per key, as gdpr_lint.pack_schema explains."""

from __future__ import annotations

from gdpr_lint.pack_spec import (
    BOOL,
    POSITION,
    STR,
    STRS,
    Int,
    ListOf,
    MapOf,
    OneOf,
    Str,
    Table,
)

_SAAS = Table(
    {
        "name": STR,
        "eu_hosts": STRS,
        "non_eu_hosts": MapOf(STR),
        "no_eu_host": BOOL,  # a service with no EU region (Anthropic's API)
        "eu_only": BOOL,  # a service only in the EU (Mistral's API)
        "default": STR,
        "default_host": STR,
        "fix": STR,
        "keywords": STRS,
        "assign": STRS,
        "values": MapOf(OneOf(STR, Table({}))),
        "module": Table({"key_attrs": STRS, "host_attrs": STRS}),
        "sdk": ListOf(
            Table(
                {
                    "calls": STRS,
                    "params": STRS,
                    "flag_default": BOOL,
                    "overrides": STRS,
                    "configured_by": STRS,
                    "default_needs": STRS,
                },
                required=("calls",),
            )
        ),
    }
)

RESIDENCY = Table(
    {
        "providers": MapOf(
            Table(
                {
                    "name": STR,
                    "suggest": STR,
                    "shape": STR,
                    "strip": STR,
                    "ignore": STRS,
                    "no_spaces": BOOL,
                }
            )
        ),
        "regions": MapOf(MapOf(Table({"name": STR, "country": STR, "countries": STRS}))),
        "countries": MapOf(Table({"name": STR, "group": STR})),
        "areas": MapOf(Table({"name": STR, "group": STR})),
        "adequacy": Table({"countries": STRS, "conditional": MapOf(STR)}),
        "region_args": ListOf(
            Table(
                {
                    "provider": STR,
                    "calls": STRS,
                    "args": STRS,
                    "service": STRS,
                    "endpoint": STR,
                    "fallback": STRS,
                    "requires_region": BOOL,
                    "default": STR,
                    "default_reason": STR,
                    "default_needs_str_arg": POSITION,
                    "account_locator": BOOL,
                    "subclasses": BOOL,
                    "project_classes": STRS,
                    "key_tokens": BOOL,
                },
                required=("provider", "calls"),
            )
        ),
        "dict_keys": MapOf(Table({"provider": STR, "endpoint": STR, "fallback": STRS}, required=("provider",))),
        "settings": MapOf(
            Table({"provider": STR, "kind": Str(("region", "host", "dict")), "keys": STRS}, required=("provider",))
        ),
        "setting_endpoints": MapOf(STRS),
        "env": Table({"setters": STRS}),
        "hosts": ListOf(
            Table(
                {
                    "provider": STR,
                    "suffixes": STRS,
                    "mode": Str(("labels", "first-label", "after-first-label")),
                    "label_prefixes": STRS,
                    "default": STR,
                    "skip_labels": STRS,
                },
                required=("provider", "suffixes"),
            )
        ),
        "patterns": ListOf(Table({"provider": STR, "regex": STR, "token": STR}, required=("provider", "regex"))),
        "quiet_calls": Table({"calls": STRS, "suffixes": STRS}),
        "saas_context": Table({"lookup-methods": STRS, "documentation-keywords": STRS, "fallback-keywords": STRS}),
        "catalogue": Table({"min-regions": Int(minimum=2)}),
        "global_services": MapOf(STRS),
        "test_doubles": Table({"calls": STRS}),
        "test_data": Table({"folders": STRS, "files": STRS}),
        "global_resources": Table({"holders": STRS, "resources": STRS, "neutral": STRS, "stack_words": STRS}),
        "enums": MapOf(Table({"provider": STR}, required=("provider",))),
        "attributes": MapOf(Table({"provider": STR, "kinds": STRS, "receiver_names": STRS}, required=("provider",))),
        "saas": MapOf(_SAAS),
        "saas_ignore": Table({"first_labels": STRS}),
    }
)
