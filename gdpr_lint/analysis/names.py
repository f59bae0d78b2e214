"""Splitting identifiers, dict keys and dotted names into lower-case words; the name the project
index knows a called class by."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable, Iterable, Iterator, Optional, Sequence, Tuple

from gdpr_lint._lazy import cst

# IPv4/IPv6 first so `IPv4Address` is (ipv4, address), then acronyms before a capitalised
# word (`HTTPServer` -> http, server), words, acronyms and digits.
_WORD = re.compile(r"IPv[46]|ipv[46]|[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


@lru_cache(maxsize=65536)
def split_words(identifier: str) -> Tuple[str, ...]:
    """`userEmailAddress` -> (user, email, address); `HTTP_X_FORWARDED_FOR` -> (http, x,
    forwarded, for); `date-of-birth` -> (date, of, birth)."""
    return tuple(part.lower() for part in _WORD.findall(identifier))


def is_constant_name(identifier: str) -> bool:
    """ALL_CAPS names are configuration by convention (`ADMIN_EMAIL`, `EMAIL_BACKEND`)."""
    letters = [c for c in identifier if c.isalpha()]
    return len(letters) > 1 and all(c.isupper() for c in letters)


# Annotations that wrap the type a parameter holds: `Optional[X]` and `Annotated[X, ...]`
# type it as X (the engine on libcst's tree, the pre-filter on CPython's)
TYPE_WRAPPERS = frozenset({"Optional", "Annotated"})


class WordSequences:
    """A word list of the vocabulary whose entries are split like identifiers, so that
    `country_code` is the sequence (country, code) and `sha256` is (sha, 256): an entry
    matches where its words occur in a row in an identifier's words."""

    __slots__ = ("single", "multi")

    def __init__(self, entries: Iterable[str] = (), fold: Optional[Callable[[str], str]] = None):
        single = set()
        multi = set()
        for entry in entries:
            words = tuple(fold(w) if fold else w for w in split_words(entry))
            if len(words) == 1:
                single.add(words[0])
            elif words:
                multi.add(words)
        self.single = frozenset(single)
        self.multi = tuple(sorted(multi))

    def __bool__(self) -> bool:
        return bool(self.single or self.multi)

    def spans(self, words: Sequence[str]) -> Iterator[Tuple[int, int]]:
        """(start, end) of every occurrence of an entry in words."""
        for i, word in enumerate(words):
            if word in self.single:
                yield i, i + 1
        for entry in self.multi:
            n = len(entry)
            for i in range(len(words) - n + 1):
                if tuple(words[i : i + n]) == entry:
                    yield i, i + n

    def occurs_in(self, words: Sequence[str], start: int = 0, end: Optional[int] = None) -> bool:
        """Whether an entry occurs within words[start:end]."""
        return any(True for _ in self.spans(words[start:end]))

    def occurs_outside(self, words: Sequence[str], start: int, end: int) -> bool:
        """Whether an entry occurs in words other than inside words[start:end] (the phrase
        matched): `status_code` excludes `health_status_code`."""
        return any(not (start <= s and e <= end) for s, e in self.spans(words))

    def begins(self, words: Sequence[str]) -> bool:
        """Whether words start with an entry: `number_of_emails`."""
        return bool(words) and (words[0] in self.single or any(tuple(words[: len(e)]) == e for e in self.multi))


def last_name(node) -> str:
    """The last name of a plain or dotted name node (`User`, `models.User`: "User"); "" for
    any other node."""
    if type(node) is cst.Name:
        return node.value
    if type(node) is cst.Attribute:
        return node.attr.value
    return ""


def project_class_name(ctx, func) -> Optional[str]:
    """How the project index names the class (or other module-level name) `func` names:
    `@Name` for one bound at the module's top level (`Invalid = df.Invalid` too), else the
    call's resolved dotted name."""
    if type(func) is cst.Name:
        binding = ctx.scope.lookup(func.value)
        module = ctx.scope
        while module.parent is not None:
            module = module.parent
        if binding is not None and not binding.qualname and module.bindings.get(func.value) is binding:
            return "@" + func.value
    return ctx.resolve_call(func)
