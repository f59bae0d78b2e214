"""What a function's docstring says a parameter is.

`def autorespond_to_sender(mlist, sender, language=None)` documents `:param sender: The sender's
email address.`: the name says nothing (`sender` is also a signal's sending class), the
docstring says it is a person's address. A parameter whose name names no data takes the category
of its description's head noun phrase (reST `:param name:`, Google `name (type): ...`): the first
sentence, cut before what only qualifies it (`of the member`, `to send mail through`, `used
for ...`), its last words classified as a name's words are (`email address`, `login name`).
`:param host: the SMTP server to send email through` heads on `server`; `:param count: number of
email addresses` on `number`: neither names data.
"""

from __future__ import annotations

import re
from typing import List, Optional

_REST = re.compile(r"^[ \t]*:param[ \t]+(?:[\w\[\]., ]+[ \t]+)?(\w+)[ \t]*:[ \t]*(\S.*)$", re.M)
_GOOGLE = re.compile(r"^[ \t]*(\w+)[ \t]*(?:\([^)\n]*\))?[ \t]*:[ \t]*(\S.*)$", re.M)
_WORD = re.compile(r"[a-z][a-z0-9]*")
# words after which a description only qualifies its head (`address of the member`)
_QUALIFIERS = frozenset(
    (
        "of",
        "for",
        "to",
        "that",
        "which",
        "who",
        "used",
        "from",
        "in",
        "on",
        "with",
        "by",
        "as",
        "or",
        "and",
        "if",
        "when",
    )
)
_ARTICLES = frozenset(("a", "an", "the", "s", "optional", "this", "its", "their", "his", "her"))


def documented_category(function, name: str, vocab) -> Optional[str]:
    """The category the docstring of `function` gives parameter `name`, else None."""
    get = getattr(function, "get_docstring", None)
    doc = get(clean=True) if get is not None else None
    if not doc or name not in doc:
        return None
    for pattern in (_REST, _GOOGLE):
        for match in pattern.finditer(doc):
            if match.group(1) == name:
                return _head_category(match.group(2), vocab)
    return None


def _head_category(text: str, vocab) -> Optional[str]:
    sentence = text.split(". ")[0].rstrip(".").lower().replace("'s ", " ").replace("e-mail", "email")
    words: List[str] = []
    for word in _WORD.findall(sentence):
        if word in _QUALIFIERS and words:
            break
        if word not in _ARTICLES:
            words.append(word)
    for size in (3, 2, 1):
        if len(words) >= size:
            category = vocab.classify_words(words[-size:], head=True)
            if category is not None:
                return category
    return None
