"""A key of a dict the function built, overwritten by a literal before the dict is used:
`data = dict(email=email, password=password)` / `data["password"] = "****"` /
`click.echo(data)`. The literal replaced what the key held, so the dict no longer carries it:
its data is what the other keys hold (a secret masked in place, as `.replace(secret, "XXXX")`).

The mask holds until the block that masks ends (engine/walker.py restores the dict's taint
there): masked in an `if`, the path that skipped it still holds the value after the `if`.
Only for a dict displayed or built with `dict(...)` keywords in one assignment, whose later changes
were all under constant keys (a binding's `keyed`: `data.update(other)` or
`data[k] = v` with an unknown key make the keys unknown, and the dict keeps all it carries).
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from gdpr_lint.syntax.nodes import string_value

_LITERALS = (cst.SimpleString, cst.ConcatenatedString, cst.Integer, cst.Float)


def _is_literal(node) -> bool:
    if type(node) in _LITERALS:
        return True
    return type(node) is cst.Name and node.value in ("None", "True", "False")


def without_key(walker, binding, name: str, key: str, value):
    """The taint of the dict bound to `name` once its item `key` holds the literal `value`, or
    None when that is not known (not a literal, not a dict built here, keys unknown)."""
    if binding.defs != 1 or binding.keyed is None or not _is_literal(value):
        return None
    built = binding.value
    rebuilt: Optional[cst.CSTNode] = None
    if type(built) is cst.Dict:
        kept = [e for e in built.elements if not (type(e) is cst.DictElement and string_value(e.key) == key)]
        rebuilt = built.with_changes(elements=kept)
    elif (
        type(built) is cst.Call
        and type(built.func) is cst.Name
        and built.func.value == "dict"
        and walker.scope.lookup("dict") is None
        and all(arg.keyword is not None for arg in built.args)
    ):
        kept_args = [arg for arg in built.args if arg.keyword is None or arg.keyword.value != key]
        rebuilt = built.with_changes(args=kept_args)
    if rebuilt is None:
        return None
    taint = walker._value_taint(name, rebuilt)
    for other, carried in binding.keyed.items():
        if other != key:
            taint = taint.union(carried.through(name))
    return taint
