"""A person's id that the project binds from their login name (`student_id = rec['username']`)
is that login wherever the project names it: in a log line of another module, a parameter, a
key of a path's match (`gd['student_id']`). Opaque ids (`user_id = user.pk`) stay what they are.

Only a person's id is asked about: a name ending in `id`/`ids` right after a person noun
([pii] person-nouns: `student_id`, `memberId`); what the project binds to it is read once per
run (semantic/project_login_ids.py).
"""

from __future__ import annotations

import re
from typing import FrozenSet, Iterable, List, Optional

from gdpr_lint.analysis.names import split_words


def login_id_reason(host, name: Optional[str]) -> Optional[str]:
    """Why a person's id named `name` is their login name (the project binds it from one at
    more often than from an opaque id), or None."""
    if not name or name[-2:] not in ("id", "Id", "ds") or host.project is None:
        return None
    from gdpr_lint.semantic.project_login_ids import is_person_id

    vocab = host.vocab
    if not is_person_id(vocab, name):
        return None
    from gdpr_lint.semantic.project_login_ids import login_ids

    project = host.project
    found = project.ask(login_ids, project.index, vocab).get(name)
    if found is None or found[0] <= found[1]:
        return None
    where = project.shown(found[2].rpartition(":")[0]) + ":" + found[2].rpartition(":")[2]
    return f"the project binds {name} from a login name ({where}): the person's username, not an opaque id"


# the end of an identifier ending in an id word (`student_id`, `authorId`, `member_ids`); the
# identifier is the word it ends (_id_names); whether a person noun is before it is judged in
# Python, for the few that match
_ID_END = re.compile(r"(?:_ids?|Ids?|IDs?)\b")


def _id_names(text: str) -> List[str]:
    r"""The identifiers ending in an id word, each with a character before it, in text order:
    what `re.findall(r"\b\w+(?:_ids?|Ids?|IDs?)\b", text)` finds, without that pattern's
    retries of `\w+` at every word of the text (a file's whole text is asked). An id word
    ends a word only where it ends the match, and `\w` is `str.isalnum()` or `_`."""
    found = []
    for match in _ID_END.finditer(text):
        end = start = match.start()
        while start and (text[start - 1].isalnum() or text[start - 1] == "_"):
            start -= 1
        if start < end:
            found.append(text[start : match.end()])
    return found


def may_spell_person_ids(person_nouns: FrozenSet[str], text: str) -> bool:
    """Whether the text may spell a person's id, judged from [pii] person-nouns alone: a
    superset of `person_ids_spelled` (each plural folding the vocabulary could make is
    tried), so that a file no token passes does not build the PII vocabulary (a pre-commit
    run of clean files never needs it) unless it may name such an id."""
    if "id" not in text and "Id" not in text and "ID" not in text:
        return False
    for name in set(_id_names(text)):
        words = [w.lower() for w in split_words(name)]
        if len(words) < 2 or words[-1] not in ("id", "ids"):
            continue
        noun = words[-2]
        if noun in person_nouns or any(
            noun.endswith(cut) and noun[: -len(cut)] + add in person_nouns
            for cut, add in (("ies", "y"), ("es", ""), ("s", ""))
        ):
            return True
    return False


def person_ids_spelled(vocab, text: str) -> FrozenSet[str]:
    """The person's ids a file's text spells (`student_id`, `authorId`): the names a file with
    no token of the pre-filter may still log as a login, when the project binds them from one."""
    if "id" not in text and "Id" not in text and "ID" not in text:
        return frozenset()
    from gdpr_lint.semantic.project_login_ids import is_person_id  # (it imports ast)

    return frozenset(name for name in set(_id_names(text)) if is_person_id(vocab, name))


def login_names(project, vocab, names: Iterable[str]) -> FrozenSet[str]:
    """Of `names` (person's ids a file spells), those the project binds from a login name."""
    if project is None or project.index.local_only or not names:
        return frozenset()
    from gdpr_lint.semantic.project_login_ids import login_ids

    found = project.ask(login_ids, project.index, vocab)
    return frozenset(name for name in names if name in found and found[name][0] > found[name][1])
