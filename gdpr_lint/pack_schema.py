"""The shape of a rule pack (rules/*.toml and users' `rule-packs`), checked when it loads.

Without it, a typo (`categry = "cache"`) was silently ignored and a wrong unit
(`unit = "second"`) made every file that reached it an internal error in the middle of a
scan. Each pack file is checked on its own, before the packs are merged: every key is
optional (a pack may extend any table), unknown keys, wrong types, values outside their
set and empty tables are one line naming the file and the key, with a "did you mean".

To add a key or a table: add it to the table's entry below (one place per table). The
test that every shipped pack validates is the guard that this stays true.
"""

from __future__ import annotations

from typing import Dict, Iterable, Mapping, Optional, Tuple

from gdpr_lint.hints import describe, did_you_mean
from gdpr_lint.model import SEVERITIES


class PackError(Exception):
    """One line: where in the pack (`retention.calls[3].unit`) and what is wrong."""

    def __init__(self, at: str, message: str):
        super().__init__(f"{at}: {message}" if at else message)


class Spec:
    what = "a value"

    def check(self, value, at: str) -> None:
        raise NotImplementedError


class Str(Spec):
    def __init__(self, choices: Optional[Iterable[str]] = None):
        self.choices: Optional[Tuple[str, ...]] = tuple(choices) if choices is not None else None
        self.what = "a string" if self.choices is None else "one of " + ", ".join(f'"{c}"' for c in self.choices)

    def check(self, value, at: str) -> None:
        if not isinstance(value, str):
            raise PackError(at, f"must be a string, not {describe(value)}")
        if self.choices is not None and value not in self.choices:
            raise PackError(at, f"{describe(value)} is not {self.what}{did_you_mean(value, self.choices)}")


class Int(Spec):
    def __init__(self, minimum: Optional[int] = None):
        self.minimum = minimum
        self.what = "an integer" if minimum is None else f"an integer of at least {minimum}"

    def check(self, value, at: str) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or (self.minimum is not None and value < self.minimum):
            raise PackError(at, f"must be {self.what}, not {describe(value)}")


class Bool(Spec):
    what = "true or false"

    def check(self, value, at: str) -> None:
        if not isinstance(value, bool):
            raise PackError(at, f"must be true or false, not {describe(value)}")


class OneOf(Spec):
    """The first alternative that accepts the value (a number or a string, ...)."""

    def __init__(self, *alternatives: Spec):
        self.alternatives = alternatives
        self.what = " or ".join(a.what for a in alternatives)

    def check(self, value, at: str) -> None:
        errors = []
        for alternative in self.alternatives:
            try:
                alternative.check(value, at)
                return
            except PackError as exc:
                errors.append(exc)
        if len(errors) == 1 or all(type(a) is not type(self.alternatives[0]) for a in self.alternatives[1:]):
            raise PackError(at, f"must be {self.what}, not {describe(value)}")
        raise errors[0]


class ListOf(Spec):
    def __init__(self, item: Spec):
        self.item = item
        self.what = f"a list of {item.what.replace('a ', '', 1)}s" if item.what.startswith("a ") else "a list"

    def check(self, value, at: str) -> None:
        if not isinstance(value, list):
            raise PackError(at, f"must be {self.what}, not {describe(value)}")
        for index, item in enumerate(value):
            self.item.check(item, f"{at}[{index}]{_label(item)}")


#: keys that name a list entry in messages (`retention.calls[3] (api = "redis.set")`)
_LABEL_KEYS = ("api", "rule", "provider", "target", "kind", "name")


def _label(item) -> str:
    if isinstance(item, dict):
        for key in _LABEL_KEYS:
            if isinstance(item.get(key), str):
                return f' ({key} = "{item[key]}")'
    return ""


class Table(Spec):
    """A table with known keys (all optional unless `required`)."""

    what = "a table"

    def __init__(self, fields: Dict[str, Spec], required: Tuple[str, ...] = ()):
        self.fields = fields
        self.required = required

    def check(self, value, at: str) -> None:
        if not isinstance(value, dict):
            raise PackError(at, f"must be a table, not {describe(value)}")
        if not value:
            raise PackError(at, "empty table (remove it, or give it keys: " + ", ".join(sorted(self.fields)) + ")")
        for key, item in value.items():
            spec = self.fields.get(key)
            if spec is None:
                raise PackError(_join(at, key), f"unknown key{did_you_mean(key, self.fields)}")
            spec.check(item, _join(at, key))
        for key in self.required:
            if key not in value:
                raise PackError(at, f'lacks "{key}"')


class MapOf(Spec):
    """A table whose keys are names (categories, providers, regions), all with one shape."""

    what = "a table"

    def __init__(self, value: Spec, keys: Optional[Str] = None):
        self.value = value
        self.keys = keys

    def check(self, value, at: str) -> None:
        if not isinstance(value, dict):
            raise PackError(at, f"must be a table, not {describe(value)}")
        if not value:
            raise PackError(at, "empty table")
        for key, item in value.items():
            if self.keys is not None:
                self.keys.check(key, f"{at} key")
            self.value.check(item, _join(at, key))


def _join(at: str, key: str) -> str:
    plain = key.replace("-", "").replace("_", "").isalnum()
    part = key if plain else f'"{key}"'
    return f"{at}.{part}" if at else part


# ---- the packs ---------------------------------------------------------------------------

STR, INT, BOOL = Str(), Int(), Bool()
STRS = ListOf(STR)
POSITION = Int(minimum=0)
#: duration units, as gdpr_lint.analysis.durations.UNITS names them
UNITS = ("microseconds", "milliseconds", "seconds", "minutes", "hours", "days", "weeks", "months", "years")
UNIT = Str(UNITS)
SEVERITY = Str(SEVERITIES)
ARGUMENT = Table({"position": POSITION, "keyword": STR})

PII = Table(
    {
        "person-nouns": STRS,
        "meta-suffixes": STRS,
        "meta-containers": STRS,
        "meta-prefixes": STRS,
        "sanitized-words": STRS,
        "entry-points": MapOf(STR),  # class base or `@decorator` -> the kind of field (inventory)
        "categories": MapOf(
            Table(
                {
                    "label": STR,
                    "group": STR,
                    "severity": SEVERITY,
                    "phrases": STRS,
                    "bare-phrases": STRS,
                    "types": STRS,
                    "exclude-words": STRS,
                    "exclude-scope-words": STRS,
                    "exclude-scope-phrases": STRS,
                    "context-phrases": MapOf(STRS),
                }
            )
        ),
        #: how a value is obtained (rules/pii_sources.toml)
        "sources": Table(
            {
                "getter-verbs": STRS,
                "config-words": STRS,
                "config-key-groups": STRS,
                "config-key-keywords": STRS,
                "constant-name-words": STRS,
                "settings-modules": STRS,
                "secret-prompts": STRS,
                "prompt-functions": STRS,
                "hidden-input-keywords": STRS,
                "prompt-keywords": STRS,
                "secret-category": STR,
                "prompt-max-words": Int(minimum=1),
                "returns": MapOf(STR),
            }
        ),
        "request-sources": Table(
            {
                "attributes": STRS,
                "bases": STRS,
                "payload-attributes": STRS,
                "payload-methods": STRS,
                "payload-names": STRS,
                "thing-resources": STRS,
                "payload-handler-params": MapOf(STR),
                "payload-category": STR,
                "user-attributes": STRS,
                "user-category": STR,
            }
        ),
        "sanitizers": Table({"words": STRS, "functions": STRS}),
        "weak-hashes": Table(
            {
                "algorithms": STRS,
                "digest-methods": STRS,
                "categories": STRS,
                "keyed-keywords": STRS,
                "salt-words": STRS,
                "short-prefix": INT,
            }
        ),
        #: how sure a recognised name is (analysis/confidence.py)
        "confidence": Table(
            {
                "ambiguous-words": STRS,
                "strong-phrases": STRS,
                "person-owners": STRS,
                "people-scope-words": STRS,
                "thing-owners": STRS,
                "thing-qualifiers": STRS,
                "strong-thing-qualifiers": STRS,
                "thing-modules": STRS,
                "number-types": STRS,
                "record-keys": STRS,
                "session-kinds": STRS,
                "app-session-kinds": STRS,
                "login-words": STRS,
                "public-parts": STRS,
                "anti-forgery-words": STRS,
                "config-owners": STRS,
                "config-categories": STRS,
                "item-key-names": STRS,
                #: uses that contradict a name (analysis/uses.py)
                "uses": Table(
                    {
                        "network-attributes": STRS,
                        "network-call-words": STRS,
                        "network-containers": STRS,
                        "network-categories": STRS,
                    }
                ),
            }
        ),
        "redaction": Table({"methods": STRS}),
        "flow": Table(
            {
                key: STRS
                for key in (
                    "non-data-calls",
                    "non-data-types",
                    "config-owners",
                    "object-dumpers",
                    "dump-methods",
                    "auto-repr-decorators",
                    "auto-repr-bases",
                    "key-functions",
                    "key-methods",
                    "container-mutators",
                    "passthrough-skip-keywords",
                    "passthrough-functions",
                    "passthrough-methods",
                    "response-functions",
                    "response-drops-groups",
                    "getter-prepositions",
                    "signal-sender-params",
                    "parse-errors",
                    "shape-names-kept",
                )
            }
            | {"shape-marks": MapOf(STR), "parsers": MapOf(STR)}
        ),
    }
)

#: [objects]: how objects of a kind are made and named (name -> kind)
OBJECTS = Table(
    {
        **{
            key: MapOf(STR)
            for key in (
                "factories",
                "instances",
                "names",
                "name-suffixes",
                "types",
                "factory-names",
                "factory-name-suffixes",
            )
        },
        # a parameter's kind by the function it belongs to (Sentry's before_send(event, hint))
        "parameters": ListOf(
            Table(
                {"names": STRS, "with": STRS, "functions": STRS, "not-in-packages": STRS, "kind": STR},
                required=("names", "kind"),
            )
        ),
        # a client that is a third party's only when hosted there (Elastic Cloud's cloud_id=)
        "conditional-factories": ListOf(
            Table({"targets": STRS, "keywords": STRS, "hosts": STRS, "kind": STR}, required=("targets", "kind"))
        ),
    }
)

EXPOSURE = Table(
    {
        "verbs": MapOf(STR),
        "helper-verbs": MapOf(STR),  # rule -> the active verb said of a helper that does it (`writes it to a log`)
        "sink-kinds": MapOf(STR),  # rule -> the kind of place its sinks are, for the inventory
        "recipients": MapOf(STR),  # first part of a call target -> the service it sends to
        "sinks": ListOf(
            Table(
                {
                    "rule": STR,
                    "targets": STRS,
                    "verb": STR,
                    "positional": ListOf(POSITION),
                    "keywords": OneOf(STRS, STR),
                    "key-value": ListOf(POSITION),
                    "skip-keywords": STRS,
                    "skip-positional": POSITION,
                    "stream-keywords": STRS,
                    "console-streams": STRS,
                    "kind": STR,
                    "recipient": STR,
                    "methods": STRS,
                    "key-keywords": STRS,
                    "not-categories": STRS,
                },
                required=("rule", "targets"),
            )
        ),
        "writes": ListOf(
            Table(
                {
                    "rule": STR,
                    "verb": STR,
                    "kinds": STRS,
                    "attributes": OneOf(STRS, STR),
                    "items": BOOL,
                    "attribute-items": STRS,
                    "not-categories": STRS,
                },
                required=("rule",),
            )
        ),
        "endpoints": ListOf(Table({"rule": STR, "hosts": STRS}, required=("rule", "hosts"))),
        "pseudonym-function-words": STRS,
        "body-keywords": STRS,
        "flags": ListOf(
            Table(
                {
                    "rule": STR,
                    "target": STR,
                    "keyword": STR,
                    "value": OneOf(BOOL, STR, INT),
                    "categories": STRS,
                    "message": STR,
                },
                required=("rule", "target", "keyword"),
            )
        ),
        "exceptions": Table(
            {
                "skip-keywords": STRS,
                "echoed": STRS,
                "echoed-still-reported": STRS,
                "message-keywords": STRS,
                "responses": STRS,
                "status-responses": STRS,
                "status-keywords": STRS,
                "status-attributes": STRS,
            }
        ),
        #: command-line commands: what their operator typed, and where they answer (checks/exposure.py)
        "commands": Table(
            {
                "decorator-modules": STRS,
                "parameter-defaults": STRS,
                "command-bases": STRS,
                "entry-methods": STRS,
                "handler-registrations": STRS,
                "options-parameters": STRS,
                "namespace-methods": STRS,
                "errors": STRS,
            }
        ),
    }
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
        "saas_context": Table({"lookup-methods": STRS, "documentation-keywords": STRS}),
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

VALUES = Table(
    {
        "env-getters": STRS,
        "imported-readers": ListOf(Table({"kind": STR, "names": STRS, "modules": STRS}, required=("kind", "names"))),
    }
)

#: who sends a Lambda handler's event (rules/events.toml)
EVENTS = Table(
    {
        "sources": ListOf(
            Table({"name": STR, "user": BOOL, "keys": STRS, "answer-keys": STRS, "types": STRS}, required=("name",))
        ),
        "converters": Table({"calls": STRS, "keyword": STR}),
    }
)

#: what `allowed-jurisdictions` accepts (rules/jurisdictions.toml)
JURISDICTIONS = Table({"groups": STRS, "countries": STRS, "aliases": MapOf(STR)})

#: every top-level table a pack may hold (`[[rule]]` entries are checked by gdpr_lint.knowledge)
PACK = Table(
    {
        "pii": PII,
        "objects": OBJECTS,
        "exposure": EXPOSURE,
        "residency": RESIDENCY,
        "retention": RETENTION,
        "stores": STORES,
        "values": VALUES,
        "jurisdictions": JURISDICTIONS,
        "events": EVENTS,
        #: file roles that lower every finding's confidence (rules/confidence.toml)
        "confidence": Table(
            {
                "file-roles": Table({"test-dirs": STRS, "test-files": STRS, "example-dirs": STRS}),
                "generated": Table({k: STRS for k in ("file-words", "creates", "reads", "managers", "manager-reads")}),
            }
        ),
    }
)


def validate_pack(data: dict) -> None:
    """Raise PackError for the first key of `data` (a pack without its `[[rule]]` entries)
    that does not fit the schema. An empty pack (only rules) is fine."""
    if data:
        PACK.check(data, "")


def validate_references(tables: dict, rules: Mapping[str, object]) -> None:
    """What one pack cannot check alone, on the merged packs: names that refer to another
    table (a `per.units` or `phrase-units` table of [retention.period-units], an `enum` of
    [retention.enums], a sink's or flag's rule code)."""
    retention = tables.get("retention", {})
    period_units = retention.get("period-units", {})
    enums = retention.get("enums", {})

    def durations(entry):
        yield entry
        yield from entry.get("durations", ())

    for table in ("calls", "keys"):
        for index, entry in enumerate(retention.get(table, ())):
            at = f"retention.{table}[{index}]{_label(entry)}"
            for spec in durations(entry):
                units = spec.get("per", {}).get("units")
                if units is not None and units not in period_units:
                    raise PackError(
                        f"{at}.per.units",
                        f'"{units}" names no [retention.period-units] table{did_you_mean(units, period_units)}',
                    )
                if "phrase-units" in spec and spec["phrase-units"] not in period_units:
                    raise PackError(
                        f"{at}.phrase-units",
                        f'"{spec["phrase-units"]}" names no [retention.period-units] '
                        f"table{did_you_mean(spec['phrase-units'], period_units)}",
                    )
                if "enum" in spec and spec["enum"] not in enums:
                    raise PackError(
                        f"{at}.enum",
                        f'"{spec["enum"]}" names no [retention.enums] table{did_you_mean(spec["enum"], enums)}',
                    )
    exposure = tables.get("exposure", {})
    for table in ("sinks", "flags", "writes", "endpoints"):
        for index, entry in enumerate(exposure.get(table, ())):
            code = entry.get("rule")
            if code is not None and code not in rules:
                raise PackError(
                    f"exposure.{table}[{index}].rule", f'"{code}" is no rule code{did_you_mean(code, rules)}'
                )
    stores = tables.get("stores", {})
    kinds = stores.get("kinds", {})
    for index, entry in enumerate(stores.get("writes", ())):
        if kinds and entry.get("store") not in kinds:
            raise PackError(
                f"stores.writes[{index}]{_label(entry)}.store",
                f'"{entry.get("store")}" names no [stores.kinds] entry{did_you_mean(str(entry.get("store")), kinds)}',
            )
