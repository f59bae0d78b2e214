"""What an `if` test says about names on each side of it: `if not email:`, `if email is None:`,
`if len(name) == 0:`, `if "@" not in address:` leave the name empty (or of another shape) on one
branch. No state: functions of nodes only.
"""

from __future__ import annotations

import re
from typing import Tuple

import libcst as cst

from gdpr_lint.syntax.nodes import dotted_name, string_value


def _empty_on_branches(test, marks=None) -> Tuple[frozenset, frozenset]:
    """What a test says is no data in its body, and in its else branch, as (name, category)
    pairs (category None: no data at all): `if not email:` / `if email is None:` /
    `if email == "":` / `if not isinstance(email, str):` / `if len(email) == 0:` (body),
    `if name in (".", ".."):` / `if kind == "bot":` (body: one of the program's own literals),
    `if email:` / `if email is not None:` (else); with marks (a character -> the category a
    value without it is not, and the words of a name that says it is one all the same: `"@"`
    -> email, unless the name says `email`: a mistyped address is still one), `if "@" not in
    recipient:` (body) and `if "@" in recipient:` (else). `and` and `or` combine what their operands say."""
    t = type(test)
    if t is cst.BooleanOperation:
        left, right = _empty_on_branches(test.left, marks), _empty_on_branches(test.right, marks)
        if type(test.operator) is cst.And:  # body: both hold; else: one of them fails
            return left[0] | right[0], _both(left[1], right[1])
        return _both(left[0], right[0]), left[1] | right[1]  # `or`: body: one holds
    if t is cst.UnaryOperation and type(test.operator) is cst.Not:
        body, orelse = _empty_on_branches(test.expression, marks)
        if body or orelse:
            return orelse, body
        name = dotted_name(test.expression)
        return (frozenset(((name, None),)), frozenset()) if name else (frozenset(), frozenset())
    if t is cst.Name or t is cst.Attribute:
        name = dotted_name(test)
        return (frozenset(), frozenset(((name, None),))) if name else (frozenset(), frozenset())
    if t is cst.Call:
        stripped = _stripped(test)
        if stripped:  # `if email.strip():`: blanks only in the else branch
            return frozenset(), frozenset(((stripped, None),))
        return _empty_call(test)
    if t is cst.Comparison and len(test.comparisons) == 1:
        comparison = test.comparisons[0]
        op = type(comparison.operator)
        right = comparison.comparator
        mark = string_value(test.left)
        if marks and mark in marks and op in (cst.In, cst.NotIn):
            name = dotted_name(right)
            category, kept = marks[mark]
            if name and kept.isdisjoint(w.lower() for w in re.split(r"[\W_]+", name)):
                fact = frozenset(((name, category),))
                return (fact, frozenset()) if op is cst.NotIn else (frozenset(), fact)
        length = _len_of(test.left)
        if length and type(right) is cst.Integer:
            # `len(x) == 0`, `len(x) < 1` (body); `len(x) > 0`, `len(x) != 0` (else)
            value = int(right.value)
            fact = frozenset(((length, None),))
            if (op is cst.Equal and value == 0) or (op is cst.LessThan and value == 1):
                return fact, frozenset()
            if (op is cst.NotEqual and value == 0) or (op is cst.GreaterThan and value == 0):
                return frozenset(), fact
            return frozenset(), frozenset()
        name = dotted_name(test.left)
        if name and _literal_strings(right, op):
            # `if obj.username in (".", ".."):` / `if kind == "bot":`: on that branch the value is one of
            # the program's own constants, nobody's data (body; else for `not in`, `!=`)
            fact = frozenset(((name, None),))
            return (fact, frozenset()) if op in (cst.In, cst.Equal) else (frozenset(), fact)
        empty = (type(right) is cst.Name and right.value == "None") or (
            type(right) is cst.SimpleString and right.value in ('""', "''")
        )
        if name and empty:
            if op in (cst.Is, cst.Equal):
                return frozenset(((name, None),)), frozenset()
            if op in (cst.IsNot, cst.NotEqual):
                return frozenset(), frozenset(((name, None),))
    return frozenset(), frozenset()


def _literal_strings(node, op) -> bool:
    """`(".", "..")` after `in`/`not in`, `"bot"` after `==`/`!=`: non-empty string literals only."""
    if op in (cst.In, cst.NotIn) and type(node) in (cst.Tuple, cst.List, cst.Set):
        items = [e.value for e in node.elements]
    elif op in (cst.Equal, cst.NotEqual):
        items = [node]
    else:
        return False
    return bool(items) and all(type(i) is cst.SimpleString and i.value not in ('""', "''") for i in items)


def _both(left: frozenset, right: frozenset) -> frozenset:
    """What two tests both say: a fact of one that the other says too, or says more broadly
    (no data at all covers no e-mail address)."""
    return frozenset(
        (name, category)
        for name, category in left | right
        if ((name, category) in left or (name, None) in left) and ((name, category) in right or (name, None) in right)
    )


def _stripped(node) -> str:
    """`x` for `x.strip()` (also lstrip, rstrip), else ""."""
    func = node.func
    if type(func) is cst.Attribute and func.attr.value in ("strip", "lstrip", "rstrip") and not node.args:
        return dotted_name(func.value) or ""
    return ""


def _len_of(node) -> str:
    """`x` for `len(x)`, else ""."""
    if type(node) is cst.Call and type(node.func) is cst.Name and node.func.value == "len" and len(node.args) == 1:
        return dotted_name(node.args[0].value) or ""
    return ""


def _empty_call(test: cst.Call) -> Tuple[frozenset, frozenset]:
    """`isinstance(x, str)`, `isinstance(x, (str, bytes))` (x is no text in the else branch: None
    or some other object; not after `isinstance(x, bytes)` alone, whose else branch holds x as
    text) and
    `len(x)` (x is empty in the else branch)."""
    func = test.func
    if type(func) is not cst.Name:
        return frozenset(), frozenset()
    if func.value == "len":
        name = _len_of(test)
        return (frozenset(), frozenset(((name, None),))) if name else (frozenset(), frozenset())
    if func.value == "isinstance" and len(test.args) == 2:
        kind = test.args[1].value
        kinds = [e.value for e in kind.elements] if type(kind) is cst.Tuple else [kind]
        checked = dotted_name(test.args[0].value)
        names = [k.value for k in kinds if type(k) is cst.Name]
        # `str` must be among the kinds: the else branch of `isinstance(x, bytes)` is where a
        # decoded text goes on (`user = x.decode() if isinstance(x, bytes) else x`), no text only
        # when the test let every text through its body
        if checked and len(names) == len(kinds) and "str" in names and set(names) <= {"str", "bytes"}:
            return frozenset(), frozenset(((checked, None),))
    return frozenset(), frozenset()
