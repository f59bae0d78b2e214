"""Methods of a class the block pre-filter keeps for their class's sake, though their own text
has no token (prefilter_blocks.relevant_blocks): those that call a method of the class returning
what matters, and, in a class named for a person, those reading its `self.name`."""

from __future__ import annotations

import re
from typing import List


def returning_methods(node, matters, setup_methods):
    """A pattern of the calls on `self` of the methods of a class that matter and return a
    value (`return tuple(usernames)`), or None: another method of the class that calls one
    (`cf_members = self.local_get_members(pk)`) gets what it returns, so it is kept even
    without a token of its own."""
    import ast

    from gdpr_lint.semantic.ast_names import statements

    found = set()
    for child in node.body:
        if (
            isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef))
            and child.name not in setup_methods
            and matters(min([child.lineno] + [d.lineno for d in child.decorator_list]), child.end_lineno)
            and any(isinstance(stmt, ast.Return) and stmt.value is not None for stmt in statements(child))
        ):
            found.add(child.name)
    if not found:
        return None
    return re.compile(r"\bself\s*\.\s*(?:" + "|".join(map(re.escape, sorted(found))) + r")\s*\(")


def person_field_reader(node, person_fields):
    """For a class named for a person (`class SlurmUser`, `class Member`), a pattern of its
    `self.<field>` reads of a `<person> <field>` phrase (`self.name`: the user's name, as the
    engine reads it with the class as the owner), else None."""
    nouns, fields = person_fields[:2] if person_fields else ((), ())
    if not fields:
        return None
    words = _split_class_name(node.name)
    last = words[-1] if words else ""
    if last not in nouns and not (last.endswith("s") and last[:-1] in nouns):
        return None
    return re.compile(r"\bself\.(?:" + "|".join(map(re.escape, fields)) + r")\b")


def _split_class_name(name: str) -> List[str]:
    return [w.lower() for w in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", name)]


_NAME_PARTS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")  # of an identifier, as analysis/names.split_words


def dumps_a_record(token_filter, text: str) -> bool:
    """Whether the text turns an object named after a person into all of its fields
    (`vars(user)`, `member.__dict__`, `model_to_dict(customer)`, `vars(c)` in `for c in
    customers:`): a person's record, whatever else the file spells."""
    record_words = token_filter.person_fields[2] if len(token_filter.person_fields) > 2 else ()
    if not record_words:
        return False

    def spells_record(name: str) -> bool:
        for part in _NAME_PARTS.findall(name):
            part = part.lower()
            if part in record_words or (part.endswith("s") and part[:-1] in record_words):
                return True
        return False

    for _, name in token_filter.dump_positions(text):
        if spells_record(name):
            return True
        if name and name != "self":  # the loop that binds it: `for c in customers:`
            for match in re.finditer(rf"\bfor\s+{re.escape(name)}\s+in\s+([^:\n]+)", text):
                if spells_record(match.group(1)):
                    return True
    return False
