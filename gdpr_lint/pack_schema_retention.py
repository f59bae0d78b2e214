"""The rule-pack schema of the retention family ([retention]) and of the stores personal data
is written to ([stores]): one entry per key, as gdpr_lint.pack_schema explains."""

from __future__ import annotations

from gdpr_lint.pack_spec import (
    ARGUMENT,
    BOOL,
    INT,
    POSITION,
    STR,
    STRS,
    UNIT,
    UNITS,
    Int,
    ListOf,
    MapOf,
    OneOf,
    Str,
    Table,
)

_PER = Table({"position": POSITION, "keyword": STR, "default": STR, "units": STR})
_TIMES = Table({"position": POSITION, "keyword": STR, "default": INT})
#: a duration's unit, or "expiry": the value is a point in time, not a length
_DURATION_UNIT = Str(UNITS + ("expiry",))
_STRINGS = Str(("none", "numeric", "units", "phrases"))
_FOREVER = ListOf(OneOf(INT, STR))
_DURATION = Table(
    {
        "position": POSITION,
        "keyword": STR,
        "unit": _DURATION_UNIT,
        "forever": _FOREVER,
        "or-expiry": BOOL,
        "enum": STR,
        "numbers": BOOL,
        "strings": _STRINGS,
        "phrase-units": STR,
        "per": _PER,
        "times": _TIMES,
    }
)

RETENTION = Table(
    {
        "generic-category": STR,
        "setting-words": STRS,
        "setting-phrases": ListOf(STRS),
        "strong-triggers": STRS,
        "unit-triggers": STRS,
        "validity-triggers": STRS,
        "data-words": STRS,
        "weak-triggers": STRS,
        "weak-phrase-categories": STRS,
        "seconds-by-default": STRS,
        "setting-exclude-words": STRS,
        "setting-subject-words": STRS,
        "setting-store-words": STRS,
        "unset-values": ListOf(OneOf(STR, BOOL, INT)),
        "settings-class-suffixes": STRS,
        "class-wrappers": Table({"methods": STRS, "targets": STRS}),
        "unit-words": MapOf(STRS, keys=UNIT),
        "category-words": MapOf(STRS),
        "category-nouns": MapOf(STR),
        "period-units": MapOf(MapOf(UNIT)),
        "enums": MapOf(MapOf(OneOf(Int(minimum=0), Str(("forever", "INFINITE"))))),
        "calls": ListOf(
            Table(
                {
                    "api": STR,
                    "label": STR,
                    "targets": STRS,
                    "methods": STRS,
                    "tokens": STRS,
                    "category": STR,
                    "key": POSITION,
                    "key-keyword": STR,
                    "durations": ListOf(_DURATION),
                    "store": BOOL,
                    "keep-ttl": STRS,
                    "expires": BOOL,
                    "expires-existing-key": BOOL,
                    "stored-keys": ListOf(ARGUMENT),
                    "forever-needs-personal-data": BOOL,
                    "store-needs-lifetime": BOOL,
                    "require-keywords": STRS,
                    "hint-keywords": STRS,
                    "hint-receiver": ARGUMENT,
                    "missing": Str(("forever",)),
                    "missing-text": STR,
                    "missing-default": Table({"days": Int(minimum=0), "text": STR}),
                    "missing-unless": MapOf(STRS),
                    "missing-unless-given": STRS,
                    "code": STR,
                    "excused-by": STRS,
                    "excused-by-same": STR,
                    "options": ARGUMENT,
                    "ttl-item": STR,
                    "ttl-attributes": STRS,
                    "via": STR,
                },
                required=("api",),
            )
        ),
        "keys": ListOf(
            Table(
                {
                    "key": STR,
                    "where": Table({"key": STR, "endswith": STR}),
                    "api": STR,
                    "label": STR,
                    "category": STR,
                    "forever": _FOREVER,
                    "per": _PER,
                    "times": _TIMES,
                    "missing": Str(("forever",)),
                    "missing-text": STR,
                    "unit": _DURATION_UNIT,
                    "strings": _STRINGS,
                    "parents": STRS,
                    "unless": Table({"key": STR, "equals": STRS}),
                    "sibling": STR,
                },
                required=("key", "api"),
            )
        ),
        "settings": ListOf(
            Table(
                {
                    "names": STRS,
                    "api": STR,
                    "label": STR,
                    "unit": _DURATION_UNIT,
                    "category": STR,
                    "path": STRS,
                    "forever": _FOREVER,
                    "context": Table({"owners": STRS, "module": BOOL, "settings-classes": BOOL}),
                    "kinds": STRS,
                    "default-for": STR,
                },
                required=("names", "api"),
            )
        ),
    }
)

#: stores personal data is written to, for the inventory (rules/stores.toml)
STORES = Table(
    {
        "kinds": MapOf(Str(("no expiry", "until consumed"))),
        "model-sources": MapOf(STR),
        "writes": ListOf(
            Table(
                {
                    "api": STR,
                    "store": STR,
                    "via": STR,
                    "via-by-import": MapOf(STR),
                    "label": STR,
                    "targets": STRS,
                    "methods": STRS,
                    "receiver-attribute": STR,
                    "receiver-names": STRS,
                    "first-argument-sql": BOOL,
                    "data": ListOf(ARGUMENT),
                    "all-arguments": BOOL,
                    "fields": BOOL,
                    "name": Table(
                        {
                            "position": POSITION,
                            "keyword": STR,
                            "model": BOOL,
                            "receiver": BOOL,
                            "sql": BOOL,
                            "made-by": ListOf(
                                Table({"call": STR, "position": POSITION, "keyword": STR}, required=("call",))
                            ),
                        }
                    ),
                    "saves-attributes": BOOL,
                    "expires-with": Table({"keyword": STR, "keys": STRS}, required=("keyword", "keys")),
                },
                required=("api", "store", "via"),
            )
        ),
    }
)
