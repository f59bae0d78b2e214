"""Static evaluation of durations (lifetimes, TTLs, retention periods).

A retention rule needs to know how long something lives: `ex=60 * 60 * 24 * 400`,
`timedelta(days=400)`, `relativedelta(months=13)`, `TTL = 400 * ONE_DAY`, an
Elasticsearch `"400d"`, or an expiry time `int(time.time()) + 86400 * 30`. This module
folds such expressions into a `DurationValue` using only what the engine's Context
offers (`constant`, `definition`, `resolve_call`), and returns None whenever the value
cannot be known: a guessed lifetime is worse than none.
"""

from __future__ import annotations

import datetime as _dt
import math
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    import libcst as cst
else:
    from gdpr_lint._lazy import cst

from gdpr_lint.analysis.duration_values import (
    DAY,
    NUMERIC_PATTERN,
    UNITS,
    DurationValue,
    parse_phrase,
    parse_unit_string,
    plural,
    render_seconds,
)
from gdpr_lint.analysis.duration_folded import (
    _Dur,
    _Now,
    _Num,
    _number_text,
    _origin,
    _seconds_of,
    _Stamp,
    _stamp,
    _Str,
    _truthy,
    _Value,
    _with_origin,
)

#: constructors whose keyword arguments are unit names (timedelta's positional order too)
TIMEDELTA_CONSTRUCTORS = {
    "datetime.timedelta": ("days", "seconds", "microseconds", "milliseconds", "minutes", "hours", "weeks"),
    "pendulum.duration": ("days", "seconds", "microseconds", "milliseconds", "minutes", "hours", "weeks"),
    "pandas.Timedelta": (),
    "dateutil.relativedelta.relativedelta": (),
}
#: keyword arguments each constructor accepts, mapped to the catalogue's unit names
_CONSTRUCTOR_KEYWORDS = {
    "days": "days",
    "seconds": "seconds",
    "microseconds": "microseconds",
    "milliseconds": "milliseconds",
    "minutes": "minutes",
    "hours": "hours",
    "weeks": "weeks",
    "months": "months",
    "years": "years",
}
#: `Duration.days(30)`-style factories (AWS CDK), the method name is the unit
_UNIT_FACTORIES = {
    "aws_cdk.Duration": {
        "millis": "milliseconds",
        "seconds": "seconds",
        "minutes": "minutes",
        "hours": "hours",
        "days": "days",
    },
    "aws_cdk.core.Duration": {
        "millis": "milliseconds",
        "seconds": "seconds",
        "minutes": "minutes",
        "hours": "hours",
        "days": "days",
    },
}
#: constructors of a calendar date, read as an absolute time when all parts are literal
DATE_CONSTRUCTORS = frozenset({"datetime.datetime", "datetime.date"})
#: calls that return "now" (as a timestamp or a datetime)
NOW_CALLS = frozenset(
    {
        "time.time",
        "datetime.datetime.now",
        "datetime.datetime.utcnow",
        "datetime.datetime.today",
        "datetime.date.today",
        "django.utils.timezone.now",
        "pendulum.now",
        "arrow.utcnow",
        "arrow.now",
    }
)
#: calls that pass a number, duration or time through unchanged for our purposes
_PASS_THROUGH = frozenset({"int", "float", "round", "abs", "str", "math.floor", "math.ceil", "decimal.Decimal"})

_MAX_DEPTH = 12


class DurationEvaluator:
    """Folds duration expressions through the engine's Context. One per Context use."""

    def __init__(self, ctx):
        self.ctx = ctx

    # --- public ---------------------------------------------------------------------

    def duration(
        self,
        expr: cst.BaseExpression,
        unit: Optional[str] = "seconds",
        strings: str = "none",
        phrase_units: Optional[dict] = None,
    ) -> Optional[DurationValue]:
        """The lifetime `expr` denotes when a bare number means `unit` (None: a bare
        number is refused; only values that carry their unit, like timedelta, count).

        strings: "none" (a string is not a duration), "numeric" ("3600" is a number, as
        boto3 attribute maps and Kafka configs take them) or "units" (Elasticsearch
        "400d"; a bare numeric string is then milliseconds, as Elasticsearch reads it) or
        "phrases" (loguru's "2 years", "1 week, 3 days", with the unit words of
        `phrase_units`; read whatever `unit` is, as the words carry the unit).
        """
        value = self._eval(expr, 0)
        if isinstance(value, _Num):
            if math.isinf(value.value):
                return DurationValue.forever_value(value.origin) if value.value > 0 else None
            if unit is None:
                return None
            return self._from_number(value.value, unit, value.origin)
        if isinstance(value, _Dur):
            return DurationValue.of(value.seconds, value.text, value.origin)
        if isinstance(value, _Str) and strings == "phrases":
            parsed = parse_phrase(value.value, phrase_units or {})
            return None if parsed is None else DurationValue.of(parsed.seconds, parsed.text, value.origin)
        if isinstance(value, _Str) and unit is not None:
            if strings == "units":
                parsed = parse_unit_string(value.value)
                if parsed is not None:
                    return DurationValue.of(parsed.seconds, None, value.origin)
                if NUMERIC_PATTERN.match(value.value):
                    return self._from_number(float(value.value), "milliseconds", value.origin)
            elif strings == "numeric" and NUMERIC_PATTERN.match(value.value):
                return self._from_number(float(value.value), unit, value.origin)
        return None

    def expiry(self, expr: cst.BaseExpression) -> Optional[DurationValue]:
        """How far in the future an absolute expiry time lies: `time.time() + N`,
        `datetime.now() + timedelta(days=N)`, `int((now + delta).timestamp())`."""
        value = self._eval(expr, 0)
        if isinstance(value, _Stamp):
            return DurationValue.of(value.offset, value.text, value.origin)
        return None

    def number(self, expr: cst.BaseExpression) -> Optional[float]:
        value = self._eval(expr, 0)
        return value.value if isinstance(value, _Num) else None

    # --- evaluation -----------------------------------------------------------------

    def _from_number(self, number: float, unit: str, origin: Optional[str]) -> DurationValue:
        seconds = number * UNITS[unit]
        if unit in ("months", "years"):
            return DurationValue.of(seconds, plural(number, unit[:-1]), origin)
        return DurationValue.of(seconds, None, origin)

    def _eval(self, expr: cst.BaseExpression, depth: int) -> Optional[_Value]:
        if depth > _MAX_DEPTH:
            return None
        if type(expr) is cst.Integer:
            return _Num(int(expr.evaluated_value))
        if type(expr) is cst.Float:
            return _Num(float(expr.evaluated_value))
        if type(expr) is cst.UnaryOperation:
            inner = self._eval(expr.expression, depth + 1)
            if type(expr.operator) is cst.Minus:
                if isinstance(inner, _Num):
                    return _Num(-inner.value, inner.origin)
                if isinstance(inner, _Dur):
                    return _Dur(-inner.seconds, None, inner.origin)
                return None
            if type(expr.operator) is cst.Plus:
                return inner
            return None
        if type(expr) is cst.BinaryOperation:
            return self._binary(expr, depth)
        if type(expr) is cst.Call:
            return self._call(expr, depth)
        if type(expr) in (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString):
            return self._constant(expr)
        if type(expr) in (cst.Name, cst.Attribute):
            if type(expr) is cst.Attribute:
                attribute = self._attribute(expr, depth)
                if attribute is not None:
                    return attribute
            return self._named(expr, depth)
        if type(expr) is cst.Subscript:
            return self._constant(expr)
        if type(expr) is cst.BooleanOperation and type(expr.operator) is cst.Or:
            left = self._eval(expr.left, depth + 1)  # `ttl or 86400 * 30`: the lifetime it falls back to
            if left is not None:
                return left if _truthy(left) else self._eval(expr.right, depth + 1)
            return _with_origin(self._eval(expr.right, depth + 1), "the fallback after `or`")
        if type(expr) is cst.IfExp:  # `ttl if ttl is not None else timedelta(days=30)`
            from gdpr_lint.semantic.values import _fallback_branch

            found = _fallback_branch(expr)
            return _with_origin(self._eval(found[0], depth + 1), found[1]) if found is not None else None
        return None

    def _constant(self, expr: cst.BaseExpression) -> Optional[_Value]:
        const = self.ctx.constant(expr)
        if const is None:
            return None
        value = const.value
        if isinstance(value, bool):
            return None
        if isinstance(value, (int, float)):
            return _Num(value, const.origin)
        if isinstance(value, str):
            return _Str(value, const.origin)
        return None

    def _named(self, expr: cst.BaseExpression, depth: int) -> Optional[_Value]:
        constant = self._constant(expr)
        if constant is not None:
            return constant
        definition = self.ctx.definition(expr)
        if definition is None:
            remote = self.ctx.project_duration(expr)  # `SESSION_TTL = timedelta(days=400)` in settings.py
            if remote is not None:
                return _Dur(remote[0], remote[1], remote[2])
            fallback = self.ctx.fallback_expression(expr)  # `def remember(user, ttl=86400 * 400)`
            return _with_origin(self._eval(fallback[0], depth + 1), fallback[1]) if fallback is not None else None
        if definition is None or definition.value is None or definition.value is expr:
            return None
        value = self._eval(definition.value, depth + 1)
        origin = definition.origin  # the outermost name is what the reader wrote
        if isinstance(value, _Num):
            return _Num(value.value, origin)
        if isinstance(value, _Dur):
            return _Dur(value.seconds, value.text, origin)
        if isinstance(value, _Str):
            return _Str(value.value, origin)
        if isinstance(value, _Stamp):
            return _Stamp(value.offset, value.text, origin)
        return value

    def _attribute(self, expr: cst.Attribute, depth: int) -> Optional[_Value]:
        """`delta.days` and the like; `math.inf`."""
        if expr.attr.value == "inf" and self._dotted(expr) in ("math.inf", "numpy.inf", "np.inf"):
            return _Num(math.inf)
        if expr.attr.value == "days":
            inner = self._eval(expr.value, depth + 1)
            if isinstance(inner, _Dur):
                return _Num(math.floor(inner.seconds / DAY), inner.origin)
        return None

    def _dotted(self, expr: cst.BaseExpression) -> Optional[str]:
        if type(expr) is cst.Name:
            return expr.value
        if type(expr) is cst.Attribute:
            base = self._dotted(expr.value)
            return f"{base}.{expr.attr.value}" if base else None
        return None

    def _binary(self, expr: cst.BinaryOperation, depth: int) -> Optional[_Value]:
        left = self._eval(expr.left, depth + 1)
        if left is None:
            return None
        right = self._eval(expr.right, depth + 1)
        if right is None:
            return None
        op = expr.operator
        origin = _origin(left, right)
        if isinstance(left, _Num) and isinstance(right, _Num):
            number = _arith(op, left.value, right.value)
            return None if number is None else _Num(number, origin)
        if type(op) is cst.Add:
            if isinstance(left, _Dur) and isinstance(right, _Dur):
                return _Dur(left.seconds + right.seconds, None, origin)
            if isinstance(left, _Now) and isinstance(right, (_Num, _Dur)):
                return _stamp(_seconds_of(right), right, origin)
            if isinstance(right, _Now) and isinstance(left, (_Num, _Dur)):
                return _stamp(_seconds_of(left), left, origin)
            if isinstance(left, _Stamp) and isinstance(right, (_Num, _Dur)):
                return _Stamp(left.offset + _seconds_of(right), None, origin)
            if isinstance(right, _Stamp) and isinstance(left, (_Num, _Dur)):
                return _Stamp(right.offset + _seconds_of(left), None, origin)
            return None
        if type(op) is cst.Subtract:
            if isinstance(left, _Dur) and isinstance(right, _Dur):
                return _Dur(left.seconds - right.seconds, None, origin)
            if isinstance(left, _Stamp) and isinstance(right, (_Num, _Dur)):
                return _Stamp(left.offset - _seconds_of(right), None, origin)
            return None  # now - delta is a cutoff in the past, not a lifetime
        if type(op) is cst.Multiply:
            if isinstance(left, _Dur) and isinstance(right, _Num):
                return _Dur(left.seconds * right.value, None, origin)
            if isinstance(left, _Num) and isinstance(right, _Dur):
                return _Dur(left.value * right.seconds, None, origin)
            return None
        if type(op) in (cst.Divide, cst.FloorDivide):
            floor = type(op) is cst.FloorDivide
            if isinstance(left, _Dur) and isinstance(right, _Dur) and right.seconds:
                ratio = left.seconds / right.seconds
                return _Num(math.floor(ratio) if floor else ratio, origin)
            if isinstance(left, _Dur) and isinstance(right, _Num) and right.value:
                return _Dur(left.seconds / right.value, None, origin)
            return None
        return None

    def _call(self, call: cst.Call, depth: int) -> Optional[_Value]:
        func = call.func
        if type(func) is cst.Attribute and not call.args:
            method = func.attr.value
            if method == "total_seconds":
                inner = self._eval(func.value, depth + 1)
                if isinstance(inner, _Dur):
                    return _Num(inner.seconds, inner.origin)
                return None
            if method == "timestamp":
                inner = self._eval(func.value, depth + 1)
                return inner if isinstance(inner, (_Now, _Stamp)) else None
        target = self.ctx.resolve_call(func)
        if target is None:
            return None
        if target in NOW_CALLS:
            return _Now()
        if target in _PASS_THROUGH:
            if len(call.args) != 1 or call.args[0].keyword is not None or call.args[0].star:
                return None
            inner = self._eval(call.args[0].value, depth + 1)
            if target in ("int", "float", "decimal.Decimal") and isinstance(inner, _Str):
                if NUMERIC_PATTERN.match(inner.value):
                    return _Num(float(inner.value), inner.origin)
                if target == "float" and inner.value.strip().lower() in ("inf", "infinity", "+inf"):
                    return _Num(math.inf, inner.origin)
                return None
            if target == "str" and isinstance(inner, _Num):
                return _Str(_number_text(inner.value), inner.origin)
            if target == "int" and isinstance(inner, _Num) and not math.isinf(inner.value):
                return _Num(int(inner.value), inner.origin)
            return inner
        if target in TIMEDELTA_CONSTRUCTORS:
            return self._constructor(call, target, depth)
        if target in DATE_CONSTRUCTORS:
            return self._date(call, depth)
        owner, _, method = target.rpartition(".")
        units = _UNIT_FACTORIES.get(owner)
        if units and method in units and len(call.args) == 1 and call.args[0].keyword is None:
            amount = self._eval(call.args[0].value, depth + 1)
            if isinstance(amount, _Num):
                return _Dur(amount.value * UNITS[units[method]], None, amount.origin)
            return None
        # os.environ.get("TTL", "3600") and other calls the Context folds
        return self._constant(call)

    def _date(self, call: cst.Call, depth: int) -> Optional[_Value]:
        """A literal date (`datetime(2099, 1, 1)`): an expiry that lies its distance from
        today in the future (or the past). Only literal positional parts are read (a `tzinfo`
        is ignored); anything else gives None."""
        parts = []
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value == "tzinfo":
                continue  # a timezone moves the time by hours, not the date
            if arg.star or arg.keyword is not None:
                return None
            amount = self._eval(arg.value, depth + 1)
            if not isinstance(amount, _Num) or amount.value != int(amount.value):
                return None
            parts.append(int(amount.value))
        if not 3 <= len(parts) <= 6:
            return None
        try:
            when = _dt.date(*parts[:3])
        except ValueError:
            return None
        offset = float((when - _dt.date.today()).days * DAY)
        return _Stamp(offset, f"{render_seconds(offset)} (until {when.isoformat()})")

    def _constructor(self, call: cst.Call, target: str, depth: int) -> Optional[_Value]:
        positional_names = TIMEDELTA_CONSTRUCTORS[target]
        seconds = 0.0
        calendar = []  # (amount, unit) for months/years so '13 months' reads as written
        origin = None
        index = 0
        for arg in call.args:
            if arg.star:
                return None
            if arg.keyword is None:
                if index >= len(positional_names):
                    return None
                unit = positional_names[index]
                index += 1
            else:
                keyword_unit = _CONSTRUCTOR_KEYWORDS.get(arg.keyword.value)
                if keyword_unit is None:
                    return None  # relativedelta(day=1) sets a field, it is not a length
                unit = keyword_unit
            amount = self._eval(arg.value, depth + 1)
            if not isinstance(amount, _Num):
                return None
            origin = origin or amount.origin
            seconds += amount.value * UNITS[unit]
            calendar.append((amount.value, unit))
        text = None
        if any(unit in ("months", "years") for _, unit in calendar):
            text = " and ".join(plural(amount, unit[:-1]) for amount, unit in calendar if amount)
        return _Dur(seconds, text or None, origin)


def _arith(op: cst.BaseBinaryOp, left: float, right: float) -> Optional[float]:
    try:
        if type(op) is cst.Add:
            return left + right
        if type(op) is cst.Subtract:
            return left - right
        if type(op) is cst.Multiply:
            return left * right
        if type(op) is cst.Divide:
            return left / right
        if type(op) is cst.FloorDivide:
            return left // right
        if type(op) is cst.Modulo:
            return left % right
        if type(op) is cst.Power:
            if abs(right) > 64:
                return None
            return left**right
    except (ZeroDivisionError, OverflowError):
        return None
    return None
