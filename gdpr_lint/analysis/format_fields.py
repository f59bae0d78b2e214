"""What a `str.format` template takes of each argument it is given.

`"Transcoding track {0.id} for user {1.id}".format(res, request.user)` shows the user's id, not
the user: a replacement field may name an attribute or an item of its argument (`{1.id}`,
`{user.email}`, `{0[name]}`), and then only that part is written. An argument no field names is
not written at all. The template must be a literal; with `*args`/`**kwargs` or a template that
does not parse, every argument counts whole, as before.
"""

from __future__ import annotations

import string
from typing import Dict, List, Optional, Tuple, Union

import libcst as cst

Key = Union[int, str]
Step = Tuple[str, str]  # ("attr", name) or ("item", key)
Path = Tuple[Step, ...]


def field_paths(template: str) -> Optional[Dict[Key, List[Path]]]:
    """Each argument's key (position or keyword) -> the paths its fields take of it ("()" whole)."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:
        return None
    fields: Dict[Key, List[Path]] = {}
    auto = 0
    for _text, field, spec, _conversion in parsed:
        if field is None:
            continue
        if spec and "{" in spec:
            return None  # `{0:{width}}`: a nested field, read no further
        head, path = _split(field)
        if path is None:
            return None
        key: Key
        if head == "":
            key, auto = auto, auto + 1
        elif head.isdigit():
            key = int(head)
        else:
            key = head
        fields.setdefault(key, []).append(path)
    return fields


def _split(field: str) -> Tuple[str, Optional[Path]]:
    """`1.user.email` -> ("1", (("attr", "user"), ("attr", "email"))); `0[name]` -> item steps."""
    index = 0
    while index < len(field) and field[index] not in ".[":
        index += 1
    head, rest = field[:index], field[index:]
    steps: List[Step] = []
    while rest:
        if rest[0] == ".":
            end = 1
            while end < len(rest) and rest[end] not in ".[":
                end += 1
            name = rest[1:end]
            if not name.isidentifier():
                return head, None
            steps.append(("attr", name))
            rest = rest[end:]
        else:
            end = rest.find("]")
            if end < 0:
                return head, None
            steps.append(("item", rest[1:end]))
            rest = rest[end + 1 :]
    return head, tuple(steps)


def taken(value: cst.BaseExpression, path: Path) -> cst.BaseExpression:
    """The expression `value` followed by the field's path (`{1.id}` of `request.user`: `request.user.id`)."""
    for kind, name in path:
        if kind == "attr":
            value = cst.Attribute(value=value, attr=cst.Name(name))
        else:
            key: cst.BaseExpression = cst.Integer(name) if name.isdigit() else cst.SimpleString(repr(name))
            value = cst.Subscript(value=value, slice=[cst.SubscriptElement(slice=cst.Index(value=key))])
    return value
