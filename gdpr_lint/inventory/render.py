"""The inventory as markdown (a draft of the Art. 30 record), JSON or CSV; and a data-map
diff as markdown or JSON. Deterministic: the same entries give the same bytes."""

from __future__ import annotations

import csv
import io
import json
from typing import Any, Dict, List, Tuple

from gdpr_lint.inventory.datamap import Change, describe
from gdpr_lint.inventory.entries import KEY_FIELDS, Entry

FORMATS = ("markdown", "json", "csv")
NO_EXPIRY = "no expiry"  # a [stores.kinds] value: what is written stays until deleted
EVIDENCE_SHOWN = 5


def _evidence(entry: Entry) -> str:
    shown = [f"`{path}:{line}`" for path, line in entry.evidence[:EVIDENCE_SHOWN]]
    more = len(entry.evidence) - EVIDENCE_SHOWN
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(header: List[str], rows: List[List[str]]) -> List[str]:
    if not rows:
        return ["_None found in the code._", ""]
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return out + [""]


JURISDICTIONS = {"EU": "EU", "EEA": "EEA", "adequacy": "adequacy decision", "other": "third country"}


def _jurisdiction(code) -> str:
    return JURISDICTIONS.get(code, code or "")


def _of(entries: List[Entry], kind: str) -> List[Entry]:
    return [e for e in entries if e.kind == kind]


def _by_facts(entries: List[Entry], kind: str, fields) -> List[Entry]:
    """One row per recipient or region, wherever the code names it: the places joined."""
    groups: Dict[tuple, Entry] = {}
    for entry in _of(entries, kind):
        key = tuple(str(entry.facts.get(f, "")) for f in fields)
        group = groups.get(key)
        if group is None:
            group = groups[key] = Entry(kind, entry.path, entry.scope, dict(entry.facts), list(entry.evidence))
            group.facts["where"] = [entry.location]
        else:
            group.facts["where"].append(entry.location)
            group.evidence = sorted(set(group.evidence + entry.evidence))
    return [groups[key] for key in sorted(groups)]


def _stores(entries: List[Entry], describer) -> List[Entry]:
    """One row per store (kind, library, name), wherever the code writes to it: the
    categories and the places joined."""
    groups = _by_facts(entries, "stored", ("store", "via", "name"))
    for group in groups:
        key = tuple(group.facts.get(f, "") for f in ("store", "via", "name"))
        members = [
            e for e in _of(entries, "stored") if tuple(e.facts.get(f, "") for f in ("store", "via", "name")) == key
        ]
        categories = {e.facts["category"] for e in members}
        if any(e.facts.get("expiry") == NO_EXPIRY for e in members):
            group.facts["expiry"] = NO_EXPIRY
        order = sorted(categories, key=lambda c: (not describer.special(c), describer.category(c).casefold()))
        group.facts["data"] = ", ".join(
            describer.category(c) + (" (Art. 9)" if describer.special(c) else "") for c in order
        )
        group.facts["where"] = sorted(set(group.facts["where"]))
    return groups


def _model_store(entry: Entry, describer) -> str:
    """`database: Customer (model)` for a field of a model class that keeps its data with no
    expiry (a kind of store of [stores.model-sources]); "" for any other entry."""
    if entry.kind != "data":
        return ""
    store = describer.model_sources.get(entry.facts.get("source", ""))
    if not store or describer.store_kinds.get(store) != NO_EXPIRY:
        return ""
    return f"{store}: {entry.scope.rsplit('.', 1)[-1]} (model)"


def _models(entries: List[Entry], describer) -> List[Entry]:
    """One row per model class with personal fields, its categories joined."""
    rows: Dict[tuple, Entry] = {}
    for entry in entries:
        text = _model_store(entry, describer)
        if not text:
            continue
        row = rows.get((entry.path, entry.scope))
        if row is None:
            row = rows[(entry.path, entry.scope)] = Entry("data", entry.path, entry.scope, {}, [])
            row.facts.update(store=describer.model_sources[entry.facts["source"]], categories=set(), text=text)
        row.facts["categories"].add(entry.facts["category"])
        row.evidence = sorted(set(row.evidence + entry.evidence))
    for row in rows.values():
        order = sorted(
            row.facts["categories"], key=lambda c: (not describer.special(c), describer.category(c).casefold())
        )
        row.facts["data"] = ", ".join(
            describer.category(c) + (" (Art. 9)" if describer.special(c) else "") for c in order
        )
    return [rows[key] for key in sorted(rows)]


def _where(entry: Entry) -> str:
    return ", ".join(entry.facts.get("where") or [entry.location])


def _goes_to(entry: Entry, describer) -> str:
    facts = entry.facts
    recipient = describer.recipient(facts.get("recipient", ""))
    return f"{facts.get('sink', '')}: {recipient}" if recipient else facts.get("sink", "")


def _category_rows(entries: List[Entry], describer) -> List[List[str]]:
    """One row per category the code handles, wherever it was seen."""
    seen: Dict[str, Tuple[List[Any], List[Any], List[Any]]] = {}
    # a write to a model listed as a table of its own is that table's
    tables = {(describer.model_sources.get(e.facts.get("source", "")), e.scope.rsplit(".", 1)[-1]) for e in entries}
    for entry in entries:
        category = entry.facts.get("category")
        if not category:
            continue
        row = seen.setdefault(category, ([], [], []))
        if entry.kind == "data":
            text = entry.facts.get("source", "")
            bucket = row[0]
            model = _model_store(entry, describer)
            if model and model not in row[2]:
                row[2].append(model)
        elif entry.kind == "sent":
            text = _goes_to(entry, describer)
            bucket = row[1]
        elif entry.kind == "stored":
            text = describer.store(entry)
            listed = (entry.facts.get("store"), entry.facts.get("name")) in tables
            if entry.facts.get("expiry") == NO_EXPIRY and text not in row[2] and not listed:
                row[2].append(text)
            bucket = row[1]
        else:
            api = str(entry.facts.get("api", ""))
            text = f"{entry.facts.get('store', '')} ({api.split('.', 1)[0]})" if api else entry.facts.get("setting", "")
            bucket = row[2]
        if text and text not in bucket:
            bucket.append(text)
    order = sorted(seen, key=lambda c: (not describer.special(c), describer.category(c).casefold()))
    return [
        [
            describer.category(c),
            "Art. 9" if describer.special(c) else "",
            "; ".join(sorted(seen[c][0])) or "—",
            "; ".join(sorted(seen[c][1])) or "—",
            "; ".join(sorted(seen[c][2])) or "—",
        ]
        for c in order
    ]


def markdown(entries: List[Entry], describer, *, files: int, policy: str) -> str:
    out = [
        "# Personal data inventory (draft of the Art. 30 record of processing)",
        "",
        f"Generated by gdpr-lint from the code ({files} file{'s' if files != 1 else ''} checked). It lists what "
        "the code shows: the purposes, legal bases, data subjects and any processing outside this code are for "
        "the reviewer to add. Evidence is `file:line`; the data map (`gdpr-data-map.json`) keys the same entries "
        "by file and function, without lines.",
        "",
    ]
    out += ["## 1. Categories of personal data (Art. 30(1)(c))", ""]
    out += _table(
        ["Category", "Special", "Enters as", "Goes to", "Kept with no expiry in"], _category_rows(entries, describer)
    )
    out += ["## 2. Where it enters", ""]
    rows = [
        [
            describer.category(e.facts["category"]),
            "Art. 9" if describer.special(e.facts["category"]) else "",
            e.facts.get("source", ""),
            e.facts.get("name", ""),
            e.location,
            _evidence(e),
        ]
        for e in _of(entries, "data")
    ]
    out += _table(["Category", "Special", "Enters as", "Fields", "Where", "Evidence"], rows)
    out += ["## 3. Where it goes (Art. 30(1)(d))", ""]
    rows = [
        [
            describer.category(e.facts["category"]),
            "Art. 9" if describer.special(e.facts["category"]) else "",
            _goes_to(e, describer),
            e.location,
            _evidence(e),
        ]
        for e in _of(entries, "sent")
    ]
    out += _table(["Category", "Special", "Goes to", "Where", "Evidence"], rows)
    out += ["### Stores it is written to", ""]
    stores = _stores(entries, describer)
    rows = [
        [
            e.facts.get("store", ""),
            f"{e.facts.get('label', '')} {e.facts['name']}".strip() if e.facts.get("name") else "—",
            e.facts.get("via", ""),
            e.facts["data"],
            e.facts.get("expiry") or "set in the code",
            _where(e),
            _evidence(e),
        ]
        for e in stores
    ]
    out += _table(["Store", "Name", "Through", "Data", "Kept", "Where", "Evidence"], rows)
    out += ["## 4. Recipients and processors", ""]
    recipients = _by_facts(entries, "recipient", ("recipient", "place", "host"))
    regions = _by_facts(entries, "region", ("provider", "region"))
    rows = [
        [
            describer.service(e.facts["recipient"]),
            describer.place(e.facts["place"]),
            e.facts.get("host", ""),
            _jurisdiction(e.facts.get("jurisdiction")),
            "yes" if e.facts.get("allowed") else "**no**",
            _where(e),
            _evidence(e),
        ]
        for e in recipients
    ]
    out += _table(["Recipient", "Data goes to", "Host", "Jurisdiction", "Allowed", "Where", "Evidence"], rows)
    out += [f"## 5. Transfers to third countries (Art. 30(1)(e); allowed: {policy})", ""]
    transfers = [e for e in recipients + regions if not e.facts.get("allowed")]
    if not transfers:
        out += ["_None found in the code._", ""]
    for e in transfers:
        if e.kind == "recipient":
            out.append(
                f"- **{describer.service(e.facts['recipient'])}** → {describer.place(e.facts['place'])} "
                f"({e.facts.get('host') or 'default endpoint'}), in {_where(e)}: {_evidence(e)}"
            )
        else:
            places = ", ".join(describer.place(c) for c in e.facts.get("countries", ())) or "unknown"
            out.append(
                f"- **{e.facts.get('provider_name') or e.facts['provider']} {e.facts['region']}** → {places}, "
                f"in {_where(e)}: {_evidence(e)}"
            )
    if transfers:
        out.append("")
    out += ["## 6. Cloud resources by region", ""]
    rows = [
        [
            e.facts.get("provider_name") or e.facts["provider"],
            e.facts["region"],
            e.facts.get("region_name", ""),
            ", ".join(describer.place(c) for c in e.facts.get("countries", ())),
            _jurisdiction(e.facts.get("jurisdiction")),
            "yes" if e.facts.get("allowed") else "**no**",
            _where(e),
            _evidence(e),
        ]
        for e in regions
    ]
    out += _table(["Provider", "Region", "Name", "Country", "Jurisdiction", "Allowed", "Where", "Evidence"], rows)
    out += ["## 7. Retention periods (Art. 30(1)(f))", ""]
    rows = [
        [
            e.facts["setting"],
            e.facts.get("store", ""),
            describer.duration(e.facts["seconds"]),
            describer.days(e.facts.get("limit_days")),
            e.location,
            _evidence(e),
        ]
        for e in _of(entries, "lifetime")
    ]
    out += _table(["Setting", "Store", "Lifetime", "Limit", "Where", "Evidence"], rows)
    out += ["### Stores of personal data with no expiry", ""]
    rows = [
        [
            e.facts["setting"],
            e.facts.get("store", ""),
            describer.category(e.facts["category"]) if e.facts.get("category") else "",
            e.location,
            _evidence(e),
        ]
        for e in _of(entries, "no-expiry")
    ]
    # the tables of models with personal fields, and the other stores the code writes personal
    # data to and gives no lifetime (a model's writes are its table's)
    models = _models(entries, describer)
    rows += [["none in the code", e.facts["text"], e.facts["data"], _where(e), _evidence(e)] for e in models]
    tables = {(e.facts["store"], e.scope.rsplit(".", 1)[-1]) for e in models}
    rows += [
        ["none in the code", describer.store(e), e.facts["data"], _where(e), _evidence(e)]
        for e in stores
        if e.facts.get("expiry") == NO_EXPIRY and (e.facts.get("store"), e.facts.get("name")) not in tables
    ]
    out += _table(["Setting", "Store", "Data", "Where", "Evidence"], rows)
    return "\n".join(out).rstrip() + "\n"


def _json_entry(entry: Entry) -> dict:
    out: Dict[str, Any] = {"kind": entry.kind, "path": entry.path, "scope": entry.scope, "module": entry.module}
    out.update(entry.facts)
    out["evidence"] = [{"path": p, "line": n} for p, n in entry.evidence]
    return out


def as_json(entries: List[Entry], describer, *, files: int, version: str) -> str:
    used = sorted({e.facts["category"] for e in entries if e.facts.get("category")})
    document = {
        "tool": "gdpr-lint",
        "version": version,
        "format": 1,
        "files": files,
        "categories": {c: {"label": describer.category(c), "special": describer.special(c)} for c in used},
        "entries": [_json_entry(e) for e in entries],
    }
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


CSV_COLUMNS = (
    "kind",
    "category",
    "special",
    "source",
    "sink",
    "recipient",
    "place",
    "provider",
    "region",
    "jurisdiction",
    "allowed",
    "setting",
    "store",
    "seconds",
    "days",
    "path",
    "scope",
    "evidence",
    "via",
    "name",
    "expiry",
)


def as_csv(entries: List[Entry], describer) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for e in entries:
        row = dict(
            e.facts, kind=e.kind, path=e.path, scope=e.scope, evidence=" ".join(f"{p}:{n}" for p, n in e.evidence)
        )
        if e.facts.get("category"):
            row["special"] = "yes" if describer.special(e.facts["category"]) else ""
        if "allowed" in e.facts:
            row["allowed"] = "yes" if e.facts["allowed"] else "no"
        writer.writerow(["" if row.get(c) is None else row.get(c, "") for c in CSV_COLUMNS])
    return buffer.getvalue()


def diff_markdown(changes: List[Change], describer, *, ref: str) -> str:
    if not changes:
        return f"### gdpr-lint data map: no change against `{ref}`\n\nNothing this branch does with personal data differs.\n"
    out = [
        f"### gdpr-lint data map: {len(changes)} change{'s' if len(changes) != 1 else ''} against `{ref}`",
        "",
        "What this branch changes in what the code does with personal data (`+` added, `−` removed, `~` changed):",
        "",
        "```diff",
    ]
    out += [describe(c, describer).replace("−", "-", 1) for c in changes]
    out += ["```", ""]
    evidence = [c for c in changes if c.sign != "-" and c.entry.evidence]
    if evidence:
        out += ["<details><summary>Evidence</summary>", ""]
        out += [f"- {describe(c, describer)}: {_evidence(c.entry)}" for c in evidence]
        out += ["", "</details>", ""]
    return "\n".join(out)


def diff_json(changes: List[Change], describer, *, ref: str) -> str:
    items = []
    for change in changes:
        item = {
            "change": {"+": "added", "-": "removed", "~": "changed"}[change.sign],
            "text": describe(change, describer),
            "entry": _json_entry(change.entry),
        }
        if change.old is not None:
            item["before"] = _json_entry(change.old)
        items.append(item)
    return (
        json.dumps({"tool": "gdpr-lint", "ref": ref, "changes": items}, indent=2, sort_keys=True, ensure_ascii=False)
        + "\n"
    )


__all__ = ["FORMATS", "KEY_FIELDS", "markdown", "as_json", "as_csv", "diff_markdown", "diff_json"]
