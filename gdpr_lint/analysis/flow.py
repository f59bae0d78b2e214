"""Taint values: which categories of personal data a value carries, and from where."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable, FrozenSet, Optional, Tuple

from gdpr_lint.model import CONFIDENCES


@dataclass(frozen=True)
class Source:
    """One origin of personal data: `user.email` is an email address."""

    category: str
    node: object  # the libcst expression it was read from
    confidence: str = "medium"
    reason: str = ""  # why the analysis is that sure (rules/pii.toml [pii.confidence])
    ambiguous: bool = False  # recognised by an ambiguous word (`token`, `session_id`, `ip`)
    hashed: Optional[str] = None  # the unsalted digest it went through (`sha256`): still personal data
    origin: str = ""  # "cli": a command-line command's own parameter (what its operator typed)
    # `path_or_token` judged low: (the words a branch must choose, the confidence and reason then)
    chosen: Optional[Tuple[frozenset, str, str]] = None


class Taint:
    """The personal data an expression's value carries (empty when none)."""

    __slots__ = ("sources", "via", "_render", "_label")

    def __init__(
        self,
        sources: Tuple[Source, ...] = (),
        via: Optional[str] = None,
        render: Optional[Callable] = None,
        label: Optional[Callable] = None,
    ):
        self.sources = sources
        self.via = via
        self._render = render
        self._label = label

    def __bool__(self) -> bool:
        return bool(self.sources)

    @property
    def categories(self) -> Tuple[str, ...]:
        seen = []
        for source in self.sources:
            if source.category not in seen:
                seen.append(source.category)
        return tuple(seen)

    @property
    def confidence(self) -> str:
        if not self.sources:
            return "low"
        return max((s.confidence for s in self.sources), key=CONFIDENCES.index)

    @property
    def reason(self) -> str:
        """Why the surest of the sources is as sure as it is."""
        best = max(self.sources, key=lambda s: CONFIDENCES.index(s.confidence), default=None)
        return best.reason if best is not None else ""

    def union(self, other: "Taint") -> "Taint":
        if not other.sources:
            return self
        if not self.sources:
            return other
        known = {(s.category, id(s.node)) for s in self.sources}
        extra = tuple(s for s in other.sources if (s.category, id(s.node)) not in known)
        return Taint(self.sources + extra, None, self._render or other._render, self._label or other._label)

    def capped(
        self,
        confidence: str,
        reason: str,
        *,
        ambiguous_only: bool = False,
        categories: Optional[FrozenSet[str]] = None,
        below: Optional[str] = None,
        where: Optional[Callable[[Source], bool]] = None,
    ) -> "Taint":
        """The same data, no surer than `confidence` (the place it reaches says why);
        ambiguous_only: only what an ambiguous word named (a number contradicts a `token`, not
        an OTP or a card number); categories: only those; below: only what is less sure than
        that (a request's own client address stays what it is); where: only the sources it
        accepts."""
        limit = CONFIDENCES.index(confidence)
        ceiling = CONFIDENCES.index(below) if below is not None else len(CONFIDENCES)

        def keeps(s: Source) -> bool:
            rank = CONFIDENCES.index(s.confidence)
            return (
                rank <= limit
                or rank >= ceiling
                or (ambiguous_only and not s.ambiguous)
                or (categories is not None and s.category not in categories)
                or (where is not None and not where(s))
            )

        if all(keeps(s) for s in self.sources):
            return self
        return Taint(
            tuple(s if keeps(s) else replace(s, confidence=confidence, reason=reason) for s in self.sources),
            self.via,
            self._render,
            self._label,
        )

    def from_origin(self, origin: str) -> "Taint":
        """The same data, come from `origin` ("cli": what a command's operator typed or is)."""
        sources = tuple(replace(s, origin=origin) for s in self.sources)
        return Taint(sources, self.via, self._render, self._label)

    def in_branch(self, words: frozenset) -> "Taint":
        """The same data where the enclosing `if`s chose `words` (`if kind == "token":`): a
        source whose name said it holds one of two things is the one the branch chose."""
        if not words or not any(s.chosen is not None and not words.isdisjoint(s.chosen[0]) for s in self.sources):
            return self

        def lifted(s: Source) -> Source:
            if s.chosen is None or words.isdisjoint(s.chosen[0]):
                return s
            return replace(s, confidence=s.chosen[1], reason=s.chosen[2], chosen=None)

        return Taint(tuple(lifted(s) for s in self.sources), self.via, self._render, self._label)

    def without(self, other: "Taint") -> "Taint":
        """The same data less the categories `other` carries (`text.replace(token, "***")`)."""
        gone = set(other.categories)
        if not gone or not self.sources:
            return self
        return Taint(tuple(s for s in self.sources if s.category not in gone), self.via, self._render, self._label)

    def without_categories(self, categories) -> "Taint":
        """The same data less the given categories (a branch says the value is none of them)."""
        if not any(s.category in categories for s in self.sources):
            return self
        return Taint(
            tuple(s for s in self.sources if s.category not in categories), self.via, self._render, self._label
        )

    def restricted(self, categories) -> "Taint":
        """The same data, of the given categories only."""
        if all(s.category in categories for s in self.sources):
            return self
        return Taint(tuple(s for s in self.sources if s.category in categories), self.via, self._render, self._label)

    def hashed(self, algorithm: str) -> "Taint":
        """The same data through an unsalted digest (`sha256(email)`): reversible by dictionary."""
        sources = tuple(replace(s, hashed=s.hashed or algorithm) for s in self.sources)
        return Taint(sources, self.via, self._render, self._label)

    def split_hashed(self) -> Tuple["Taint", "Taint"]:
        """(the data as it is, the data only through an unsalted digest)."""
        if not any(s.hashed for s in self.sources):
            return self, EMPTY
        plain = tuple(s for s in self.sources if not s.hashed)
        digests = tuple(s for s in self.sources if s.hashed)
        return (
            Taint(plain, self.via, self._render, self._label) if plain else EMPTY,
            Taint(digests, self.via, self._render, self._label),
        )

    def without_hashed(self) -> "Taint":
        return self.split_hashed()[0]

    def through(self, name: str) -> "Taint":
        """The same data, now held by variable `name` (kept for the message)."""
        if not self.sources:
            return self
        return Taint(self.sources, name, self._render, self._label)

    def describe(self) -> str:
        """`email address (user.email)`, `email address (user.email) and phone number (phone)`."""
        texts: dict = {}  # label -> its expressions, in order: one label names them all
        for source in self.sources:
            label = self._label(source.category) if self._label else source.category
            text = self._render(source.node) if self._render else "?"
            if len(text) > 60:
                text = text[:57] + "..."
            if label not in texts and len(texts) == 3:
                continue
            if text not in texts.setdefault(label, []):
                texts[label].append(text)
        parts = []
        for label, exprs in texts.items():
            if self.via and len(self.sources) == 1 and self.via != exprs[0]:
                parts.append(f"{label} ({self.via}, from {exprs[0]})")
            else:
                parts.append(f"{label} ({', '.join(exprs[:3])})")
        if len(parts) == 1:
            return parts[0]
        return ", ".join(parts[:-1]) + " and " + parts[-1]


EMPTY = Taint()
# what a branch says of a name whose lookup found nothing (`session = get(session_id)` / `if not
# session:`): the key names nothing stored (analysis/taint.py lowers what it authenticates)
UNKNOWN = "<unknown>"
