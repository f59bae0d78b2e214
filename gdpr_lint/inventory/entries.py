"""Observations -> inventory entries, keyed by meaning.

An entry is what a reviewer signs off: "email address -> logs in app.views.signup". Its
key holds the kind, the facts that matter (category, sink, recipient, region, lifetime)
and a location that survives edits: the file and the enclosing class and function,
never a line. Moving code within its file, renaming a local or reordering functions
leaves every key as it was; the lines are kept apart, as evidence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Tuple

# the facts that make up each kind's key, in order (besides kind, path and scope)
KEY_FIELDS: Dict[str, Tuple[str, ...]] = {
    "data": ("category", "source"),
    "sent": ("category", "sink", "recipient"),
    "stored": ("category", "store", "via", "name"),
    "recipient": ("recipient", "place"),
    "region": ("provider", "region"),
    "lifetime": ("setting", "store", "seconds"),
    "no-expiry": ("setting", "store", "category"),
}
# the fact whose change is reported as `~ old -> new` rather than a removal and an addition
CHANGING: Dict[str, str] = {"recipient": "place", "region": "region", "lifetime": "seconds"}
KINDS = tuple(KEY_FIELDS)


@dataclass
class Entry:
    kind: str
    path: str
    scope: str
    facts: Dict[str, Any]  # strings, numbers, sets of names while merging
    evidence: List[Tuple[str, int]] = field(default_factory=list)

    @property
    def key(self) -> tuple:
        return (self.kind, self.path, self.scope) + tuple(str(self.facts.get(f, "")) for f in KEY_FIELDS[self.kind])

    @property
    def module(self) -> str:
        return module_name(self.path)

    @property
    def location(self) -> str:
        return self.module if self.scope == "<module>" else f"{self.module}.{self.scope}"

    def sort_key(self) -> tuple:
        """Kind, key facts (numbers as numbers: 15 seconds before 4 hours), path, scope."""
        return (
            (KINDS.index(self.kind),)
            + tuple(_orderable(self.facts.get(f, "")) for f in KEY_FIELDS[self.kind])
            + (self.path, self.scope)
        )

    def to_map(self) -> dict:
        """The committed form: the key only, no lines."""
        out = {"kind": self.kind, "path": self.path, "scope": self.scope}
        out.update({f: self.facts.get(f, "") for f in KEY_FIELDS[self.kind]})
        return out

    @classmethod
    def from_map(cls, data: dict) -> "Entry":
        kind = data["kind"]
        if kind not in KEY_FIELDS:
            raise ValueError(f"unknown kind {kind!r}")
        return cls(kind, str(data["path"]), str(data["scope"]), {f: data.get(f, "") for f in KEY_FIELDS[kind]})


def _orderable(value) -> tuple:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (0, float(value), "")
    return (1, 0.0, str(value))


def module_name(path: str) -> str:
    """`app/views.py` -> `app.views`; `app/__init__.py` -> `app`; leading folders that no
    import names are left out: `src/app/views.py`, `django-allauth-65/allauth/models.py`."""
    name = path.replace("\\", "/")
    for suffix in (".pyi", ".py"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if len(parts) > 1 and parts[-1] == "__init__":
        parts.pop()
    while len(parts) > 1 and (parts[0] == "src" or not parts[0].isidentifier()):
        parts.pop(0)
    return ".".join(parts)


def _number(value) -> object:
    """14.0 -> 14; 0.5 stays 0.5: the same lifetime always has the same key."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _facts(observation) -> Iterable[Dict[str, Any]]:
    """The key facts of one observation (one per category where it carries several)."""
    facts, kind = observation.facts, observation.kind
    if kind == "data":
        yield {"category": facts.get("category", ""), "source": facts.get("source", ""), "name": facts.get("name", "")}
    elif kind == "sent":
        for category in facts.get("categories", ()):
            yield {
                "category": category,
                "sink": facts.get("sink", ""),
                "recipient": facts.get("recipient", ""),
                "target": facts.get("target", ""),
            }
    elif kind == "stored":
        for category in facts.get("categories", ()):
            yield {
                "category": category,
                "store": facts.get("store", ""),
                "via": facts.get("via", ""),
                "name": facts.get("name", ""),
                "label": facts.get("label", ""),
                "expiry": facts.get("expiry", ""),
                "api": facts.get("api", ""),
            }
    elif kind == "recipient":
        yield {
            "recipient": facts.get("service", ""),
            "place": facts.get("place", ""),
            "host": facts.get("host", ""),
            "jurisdiction": facts.get("jurisdiction", ""),
            "allowed": bool(facts.get("allowed")),
        }
    elif kind == "region":
        yield {
            "provider": facts.get("provider", ""),
            "region": facts.get("region", ""),
            "region_name": facts.get("region_name", ""),
            "countries": list(facts.get("countries", ())),
            "jurisdiction": facts.get("jurisdiction", ""),
            "allowed": bool(facts.get("allowed")),
            "provider_name": facts.get("provider_name", ""),
        }
    elif kind == "lifetime":
        yield {
            "setting": facts.get("label") or facts.get("api", ""),
            "store": facts.get("category") or "",
            "seconds": _number(facts.get("seconds")),
            "days": _number(facts.get("days")),
            "limit_days": facts.get("limit_days"),
            "api": facts.get("api", ""),
        }
    elif kind == "no-expiry":
        categories = list(facts.get("categories", ())) or [""]
        for category in categories:
            yield {
                "setting": facts.get("label") or facts.get("api", ""),
                "store": facts.get("category") or "",
                "category": category,
                "api": facts.get("api", ""),
            }


def build(observations, relative=None) -> List[Entry]:
    """Entries, one per key, with every place it was seen as evidence; sorted. `relative`
    turns a display path into the project-root-relative path entries are keyed by."""
    by_key: Dict[tuple, Entry] = {}
    for observation in observations:
        if observation.kind not in KEY_FIELDS:
            continue  # a kind this version does not list (a newer check's)
        path = relative(observation.path) if relative else observation.path
        for facts in _facts(observation):
            entry = Entry(observation.kind, path, observation.scope, facts)
            found = by_key.setdefault(entry.key, entry)
            found.evidence.append((path, observation.line))
            if found is not entry:
                _merge_details(found.facts, facts)
    entries = list(by_key.values())
    for entry in entries:
        entry.evidence = sorted(set(entry.evidence))
        for name in ("name", "target"):
            if isinstance(entry.facts.get(name), set):
                entry.facts[name] = ", ".join(sorted(entry.facts[name]))
    entries.sort(key=Entry.sort_key)
    return entries


def _merge_details(into: Dict[str, Any], facts: Dict[str, Any]) -> None:
    """Two fields of one model holding email addresses are one entry: their names join."""
    for name in ("name", "target"):
        if name in facts and facts[name] and facts[name] != into.get(name):
            names = into[name] if isinstance(into.get(name), set) else {into.get(name)} - {"", None}
            names.add(facts[name])
            into[name] = names


def restrict(entries: List[Entry], paths: Optional[set]) -> List[Entry]:
    """The entries located in `paths` (None: all)."""
    return entries if paths is None else [e for e in entries if e.path in paths]
