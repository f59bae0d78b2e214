"""Lifetimes a settings module computes from its other constants, as summary forms, and
their values once the project index folds them (`RETENTION_DAYS = 400` with
`SESSION_TTL = timedelta(days=RETENTION_DAYS)`, `CACHE_SECONDS = RETENTION_DAYS * 24 * 3600`,
`SESSION_SECONDS = int(SESSION_TTL.total_seconds())`, the names possibly imported).

Forms (semantic/summary.py keeps them as it keeps the others):
  ["op", "*", form, form]        arithmetic (+ - * / //) of two forms, one at least not constant
  ["delta", [["days", form], ...], calendar]   a timedelta/relativedelta whose amounts are forms;
                                 calendar: true when months or years are given
Only numbers and lifetimes fold: a string made of names (`BASE_URL + "/api"`) is not guessed.
"""

from __future__ import annotations

import ast
from typing import Any, Callable, Dict, Optional

_OPERATORS: Dict[type, str] = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//"}
_NUMERIC = frozenset(("const", "name", "op", "delta", "duration", "call"))
_PASS_THROUGH = frozenset(("int", "float", "round"))
_UNIT_SECONDS = {
    "microseconds": 1e-6,
    "milliseconds": 1e-3,
    "seconds": 1,
    "minutes": 60,
    "hours": 3600,
    "days": 86400,
    "weeks": 7 * 86400,
    "months": 365 * 86400 / 12,
    "years": 365 * 86400,
}


def arithmetic_form(node: ast.BinOp, form: Callable[[Any, int], Optional[list]], depth: int) -> Optional[list]:
    """["op", sign, left, right] of `RETENTION_DAYS * 24 * 3600`; None when an operand has no
    form that can be a number or a lifetime."""
    sign = _OPERATORS.get(type(node.op))
    if sign is None:
        return None
    left, right = form(node.left, depth + 1), form(node.right, depth + 1)
    if left is None or right is None or left[0] not in _NUMERIC or right[0] not in _NUMERIC:
        return None
    if left[0] == "const" and right[0] == "const":
        return None  # folded by the summary already (or not a number)
    return ["op", sign, left, right]


def delta_form(node: ast.Call, order, form: Callable[[Any, int], Optional[list]], depth: int) -> Optional[list]:
    """["delta", [[unit, form], ...], calendar] of `timedelta(days=RETENTION_DAYS)`; None
    when an argument is no unit or has no form."""
    if len(node.args) > len(order):
        return None
    given = list(zip(order, node.args)) + [(k.arg, k.value) for k in node.keywords]
    if not given:
        return None
    parts = []
    for unit, value in given:
        amount = form(value, depth + 1)
        if unit not in _UNIT_SECONDS or amount is None or amount[0] not in _NUMERIC:
            return None
        parts.append([unit, amount])
    return ["delta", parts, any(unit in ("months", "years") for unit, _ in parts)]


def passed_through(node: ast.Call, func: list, form: Callable[[Any, int], Optional[list]], depth: int):
    """The form of `int(SESSION_TTL.total_seconds())`'s argument when it is a lifetime form."""
    if func[0] != "name" or func[1] not in _PASS_THROUGH or len(node.args) != 1 or node.keywords:
        return None
    inner = form(node.args[0], depth + 1)
    if inner is not None and (inner[0] in ("op", "delta", "duration") or _total_seconds(inner)):
        return inner
    return None


def _total_seconds(form) -> bool:
    """Whether a form is `X.total_seconds()`."""
    if not form or form[0] != "call" or form[2] is not None:
        return False
    func = form[1]
    return (func[0] == "attr" and func[2] == "total_seconds") or (
        func[0] == "name" and func[1].endswith(".total_seconds")
    )


def fold(index, form, path: str, depth: int):
    """The number, or ("duration", seconds, text), a lifetime form gives in the module at
    `path`, following names through the project index; None when it cannot be known."""
    if form is None or depth > 12:
        return None
    shape = form[0]
    if shape == "const":
        value = form[1]
        return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    if shape == "duration":
        return ("duration", form[1], form[2])
    if shape == "name":
        return _named(index, form[1], path, depth)
    if shape == "op":
        return _operate(form[1], fold(index, form[2], path, depth + 1), fold(index, form[3], path, depth + 1))
    if shape == "delta":
        seconds = 0.0
        for unit, amount_form in form[1]:
            amount = fold(index, amount_form, path, depth + 1)
            if not isinstance(amount, (int, float)):
                return None
            seconds += amount * _UNIT_SECONDS[unit]
        return ("duration", seconds, _calendar(form[1], index, path, depth) if form[2] else None)
    if _total_seconds(form):
        func = form[1]
        inner = (
            fold(index, func[1], path, depth + 1)
            if func[0] == "attr"
            else _named(index, func[1][: -len(".total_seconds")], path, depth)
        )
        return inner[1] if isinstance(inner, tuple) else None
    return None


def _named(index, dotted: str, path: str, depth: int):
    if dotted.startswith("@"):
        found = index.constant_in(path, dotted[1:], depth + 1, True)
    elif index.in_project(dotted, path):
        found = index.constant_of(dotted, path, depth + 1, True)
    else:
        return None
    if found is None or found[1] != "constant":
        return None
    value = found[0]
    if isinstance(value, tuple) or (isinstance(value, (int, float)) and not isinstance(value, bool)):
        return value
    return None


def _operate(sign: str, left, right):
    if left is None or right is None:
        return None
    if isinstance(left, tuple) and isinstance(right, tuple):
        if sign in "+-":
            return ("duration", left[1] + right[1] if sign == "+" else left[1] - right[1], None)
        return None
    if isinstance(left, tuple) or isinstance(right, tuple):
        duration, number = (left, right) if isinstance(left, tuple) else (right, left)
        if sign == "*":
            return ("duration", duration[1] * number, None)
        if sign in ("/", "//") and isinstance(left, tuple) and number:
            return ("duration", duration[1] / number, None)
        return None
    try:
        if sign == "+":
            value = left + right
        elif sign == "-":
            value = left - right
        elif sign == "*":
            value = left * right
        else:
            value = left / right if sign == "/" else left // right
    except ZeroDivisionError:
        return None
    return value if abs(value) < 1e15 else None


def _calendar(parts, index, path: str, depth: int) -> Optional[str]:
    words = []
    for unit, amount_form in parts:
        amount = fold(index, amount_form, path, depth + 1)
        if isinstance(amount, (int, float)) and amount:
            words.append(f"{amount:g} {unit[:-1]}" + ("" if amount == 1 else "s"))
    return " and ".join(words) or None
