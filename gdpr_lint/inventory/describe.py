"""Words for entries: category labels, service and place names, from the knowledge in rules/."""

from __future__ import annotations

from typing import Dict, Optional

from gdpr_lint.inventory.entries import Entry


class Describer:
    def __init__(self, kb, places: Optional[Dict[str, str]] = None):
        pii = kb.tables.get("pii", {})
        residency = kb.tables.get("residency", {})
        self.categories = pii.get("categories", {})
        self.saas = residency.get("saas", {})
        self.places = dict(residency.get("areas", {}))
        self.places.update(residency.get("countries", {}))
        # service -> where the code sends it (a recipient entry's place), else its default
        self.service_places: Dict[str, str] = dict(places or {})
        stores = kb.tables.get("stores", {})
        # `database model field` -> `database`: a model with personal fields is a table of them
        self.model_sources: Dict[str, str] = dict(stores.get("model-sources", {}))
        self.store_kinds: Dict[str, str] = dict(stores.get("kinds", {}))

    def category(self, cid: str) -> str:
        spec = self.categories.get(cid)
        return spec.get("label", cid) if spec else (cid or "personal data")

    def special(self, cid: str) -> bool:
        spec = self.categories.get(cid) or {}
        return spec.get("group") == "special"

    def service(self, sid: str) -> str:
        return (self.saas.get(sid) or {}).get("name", sid)

    def place(self, code: str) -> str:
        if code in ("none", "account"):
            return "the account's own region" if code == "account" else "nowhere (sends nothing)"
        entry = self.places.get(code) or {}
        return entry.get("name", code or "unknown")

    def group(self, code: str) -> str:
        return (self.places.get(code) or {}).get("group", "other")

    def service_place(self, sid: str) -> str:
        place = self.service_places.get(sid) or (self.saas.get(sid) or {}).get("default", "")
        return place

    def recipient(self, sid: str) -> str:
        """`Segment (United States)`."""
        if not sid:
            return ""
        place = self.service_place(sid)
        return f"{self.service(sid)} ({self.place(place)})" if place and place not in ("none",) else self.service(sid)

    @staticmethod
    def store(entry: Entry) -> str:
        """`database: Customer (Django ORM)`, `cache (redis)`."""
        facts = entry.facts
        name = f": {facts['name']}" if facts.get("name") else ""
        via = f" ({facts['via']})" if facts.get("via") else ""
        return f"{facts.get('store', '')}{name}{via}"

    @staticmethod
    def duration(seconds) -> str:
        """`14 days`, `15 minutes`."""
        from gdpr_lint.analysis.duration_values import render_seconds

        if not isinstance(seconds, (int, float)) or isinstance(seconds, bool):
            return "?"
        return render_seconds(seconds)

    @staticmethod
    def days(value) -> str:
        if value in (None, ""):
            return "?"
        return f"{value} day" if value == 1 else f"{value} days"

    def phrase(self, entry: Entry) -> str:
        """One line of a diff, without its sign: what changes for a reviewer."""
        facts = entry.facts
        kind = entry.kind
        where = f" [{entry.location}]"
        if kind == "data":
            return f"{self.category(facts['category'])} enters as {facts['source']}{where}"
        if kind == "sent":
            target = self.recipient(facts.get("recipient", "")) or facts.get("sink", "")
            return f"{self.category(facts['category'])} → {target}{where}"
        if kind == "stored":
            return f"{self.category(facts['category'])} → {self.store(entry)}{where}"
        if kind == "recipient":
            return f"recipient {self.service(facts['recipient'])} ({self.place(facts['place'])}){where}"
        if kind == "region":
            return f"{facts.get('provider_name') or facts['provider']} region {facts['region']}{where}"
        if kind == "lifetime":
            return f"{facts['setting']} {self.duration(facts['seconds'])}{where}"
        if kind == "no-expiry":
            held = f" holding {self.category(facts['category'])}" if facts.get("category") else ""
            return f"{facts['setting']} with no expiry{held}{where}"
        return f"{kind}{where}"

    def changed(self, old: Entry, new: Entry) -> str:
        """`session cookie age 14 days → 30 days [app.settings]`."""
        kind, facts = new.kind, new.facts
        where = f" [{new.location}]"
        if kind == "lifetime":
            return (
                f"{facts['setting']} {self.duration(old.facts['seconds'])} → {self.duration(facts['seconds'])}{where}"
            )
        if kind == "region":
            name = facts.get("provider_name") or facts["provider"]
            return f"{name} region {old.facts['region']} → {facts['region']}{where}"
        if kind == "recipient":
            return (
                f"recipient {self.service(facts['recipient'])} {self.place(old.facts['place'])} → "
                f"{self.place(facts['place'])}{where}"
            )
        return f"{self.phrase(old)} → {self.phrase(new)}"
