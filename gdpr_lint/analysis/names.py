"""Splitting identifiers, dict keys and dotted names into lower-case words."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Tuple

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
