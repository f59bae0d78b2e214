"""What a message calls the value it formats: the word right before a placeholder.

`f"Loaded script {script.full_name}"`, `log.info("notification on repository %s", full_name)`,
`f"defined in job '{first_name}'"`: the text the developer wrote in front of the value names
what it is. When that word is one of a category's `exclude-words` (rules/pii.toml: the names
of code, places and things whose `full_name` is no person's), the value the message formats
there is a thing's, not the category's: its taint is lowered for those categories only.
"""

from __future__ import annotations

import re
from typing import Dict, FrozenSet, List, Optional, Tuple

from gdpr_lint.analysis.flow import Taint

# the last word of the text before a placeholder, followed only by spaces, quotes, brackets or
# `=` (`script {name}`, `job '{name}'`, `repo=%s`); not a `:` (`in database: {user.name}` lists
# an item of the database, not its name)
_LAST_WORD = re.compile(r"([A-Za-z]+)[\s'\"`(\[{=]*$")
_WORDS = re.compile(r"[A-Za-z]+")
_PLACEHOLDER = re.compile(r"%(\([^)]*\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?([a-zA-Z%])")


def thing_label(vocab, text: str) -> Optional[Tuple[str, FrozenSet[str]]]:
    """(word, categories) when the last word of `text` is an excluding word of categories
    (credentials aside: a secret has no name to be called by) and no person noun in the text
    says whose it is (`"user of job %s"`)."""
    found = _LAST_WORD.search(text[-60:])
    if found is None:
        return None
    word = vocab.fold(found.group(1).lower())
    if vocab.person_nouns.intersection(vocab.fold(w.lower()) for w in _WORDS.findall(text)):
        return None
    categories = frozenset(
        cid
        for cid, category in vocab.categories.items()
        if category.group != "credential" and category.exclude_words.occurs_in([word])
    )
    return (word, categories) if categories else None


def percent_labels(text: str) -> Dict[int, str]:
    """The text before each positional %-placeholder of a format string, by position (0-based);
    {} for a mapping format (`%(name)s`)."""
    labels: Dict[int, str] = {}
    position = 0
    start = 0
    for match in _PLACEHOLDER.finditer(text):
        if match.group(2) == "%":
            continue
        if match.group(1):
            return {}
        labels[position] = text[start : match.start()]
        position += 1
        start = match.end()
    return labels


_CLAUSE = re.compile(r"[,;.!?:]")


def spent_label(vocab, text: str) -> Optional[Tuple[str, bool]]:
    """(words, unknown) when the clause right before a placeholder says the credential formatted
    there no longer works (`previously used token '%s'`: [pii.confidence] spent-words) or, unknown,
    names nothing stored (`Unknown session ID: %s`: unknown-words), else None."""
    judge = vocab.judge
    if not judge.spent_words and not judge.unknown_words:
        return None
    clause = _CLAUSE.split(text[-80:].rstrip(" '\"`([{=:"))[-1]
    words = [w.lower() for w in _WORDS.findall(clause)][-4:]
    for start, end in judge.spent_words.spans(words):
        return " ".join(words[start:end]), False
    for start, end in judge.unknown_words.spans(words):
        return " ".join(words[start:end]), True
    return None


def _names_session(source) -> bool:
    from gdpr_lint.analysis.names import split_words
    from gdpr_lint.syntax.nodes import dotted_name

    return "session" in (w.lower() for w in split_words(dotted_name(source.node) or ""))


def labelled(vocab, taint: Taint, text: str) -> Taint:
    """The taint of a value formatted after `text`, lowered where the text calls it a thing,
    or says the credential it formats is spent (or, a session id, unknown)."""
    if not taint:
        return taint
    spent = spent_label(vocab, text)
    if spent is not None:
        words, unknown = spent
        taint = taint.capped(
            "low",
            f"the message says it is '{words}': a credential that "
            + ("names no session the server holds" if unknown else "no longer works"),
            ambiguous_only=True,
            categories=vocab.judge.credential_categories,
            where=_names_session if unknown else None,
        )
    held = holder_label(vocab, text)
    if held is not None:
        taint = taint.capped(
            "low",
            f"the message says a '{held}' holds it: the {held}'s id, not a person's",
            where=lambda source: _held_by(vocab, source.node, held),
        )
    label = thing_label(vocab, text)
    if label is None:
        return taint
    word, categories = label
    return taint.capped(
        "low",
        f"the message calls it a '{word}': the name of a thing, not a person's",
        categories=categories,
        where=lambda source: not _names_person(vocab, source.node),
    )


def holder_label(vocab, text: str) -> Optional[str]:
    """The last word of `text` when it is a holder of some identifier phrase ([pii.confidence]
    holder-ids: `f"Deleting portal room {existing.mxid}"`) and no person noun in the text says
    whose the value is, else None."""
    holders = vocab.judge.holder_ids
    if not holders:
        return None
    found = _LAST_WORD.search(text[-60:])
    if found is None:
        return None
    word = vocab.fold(found.group(1).lower())
    if not any(word in words for words in holders.values()):
        return None
    if vocab.person_nouns.intersection(vocab.fold(w.lower()) for w in _WORDS.findall(text)):
        return None
    return word


def _held_by(vocab, node, holder: str) -> bool:
    """Whether the name a value was read by is an identifier phrase that `holder` holds (`mxid`
    after "room"), and no person noun in it says whose (`sender_mxid`)."""
    from gdpr_lint.analysis.names import split_words
    from gdpr_lint.syntax.nodes import cst

    t = type(node)
    name = node.attr.value if t is cst.Attribute else node.value if t is cst.Name else ""
    words = [vocab.fold(w.lower()) for w in split_words(name)]
    if not words or vocab.person_nouns.intersection(words):
        return False
    match = vocab.match_words(words)
    if match is None:
        return False
    holders = vocab.judge.holder_ids.get(tuple(words[match.start : match.end]))
    return bool(holders) and holder in holders


def _names_person(vocab, node) -> bool:
    """Whether the name a value was read by says it is a person's (`user_name`,
    `job.owner_name`): the code's own name outweighs the word a message puts before it
    (`f"scope server={user_name}/{server_name}"` formats a user's name into a server's)."""
    from gdpr_lint.analysis.names import split_words
    from gdpr_lint.syntax.nodes import cst

    t = type(node)
    if t is cst.Attribute:
        name = node.attr.value
    elif t is cst.Name:
        name = node.value
    else:
        return False
    return bool(vocab.person_nouns.intersection(vocab.fold(w.lower()) for w in split_words(name)))


def formatted_parts(parts) -> List[Tuple[str, object]]:
    """(text before, expression) of each expression of an f-string's (or a t-string's) parts."""
    from gdpr_lint.syntax.nodes import STRING_EXPRESSION_PARTS, STRING_TEXT_PARTS

    out: List[Tuple[str, object]] = []
    before = ""
    for part in parts:
        if type(part) in STRING_TEXT_PARTS:
            before += part.value
        elif type(part) in STRING_EXPRESSION_PARTS:
            out.append((before, part.expression))
            before = ""
    return out
