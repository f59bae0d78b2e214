"""The shape of a rule pack (rules/*.toml and users' `rule-packs`), checked when it loads.

Without it, a typo (`categry = "cache"`) was silently ignored and a wrong unit
(`unit = "second"`) made every file that reached it an internal error in the middle of a
scan. Each pack file is checked on its own, before the packs are merged: every key is
optional (a pack may extend any table), unknown keys, wrong types, values outside their
set and empty tables are one line naming the file and the key, with a "did you mean".

To add a key or a table: add it to the table's entry (one place per table: PACK below lists
the top-level tables; a family's live in pack_schema_exposure, _residency and _retention, built
from the specs of pack_spec). The test that every shipped pack validates is the guard that this
stays true.
"""

from __future__ import annotations

from typing import Mapping

from gdpr_lint.hints import did_you_mean
from gdpr_lint.pack_schema_exposure import EXPOSURE, OBJECTS, PII
from gdpr_lint.pack_schema_residency import RESIDENCY
from gdpr_lint.pack_schema_retention import RETENTION, STORES
from gdpr_lint.pack_spec import BOOL, STR, STRS, ListOf, MapOf, PackError, Table, entry_label

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
                "generated": Table(
                    {
                        k: STRS
                        for k in ("file-words", "creates", "reads", "managers", "manager-reads", "manager-creates")
                    }
                ),
                "development": Table({k: STRS for k in ("environments", "contents", "command-dirs")}),
                "test-support": Table({"file-words": STRS}),
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
            at = f"retention.{table}[{index}]{entry_label(entry)}"
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
                f"stores.writes[{index}]{entry_label(entry)}.store",
                f'"{entry.get("store")}" names no [stores.kinds] entry{did_you_mean(str(entry.get("store")), kinds)}',
            )
