"""The values analysis/durations.py folds an expression into on the way to a DurationValue:
a number, a duration, a string, "now", and now + an offset (an expiry time), each with the
origin the code falls back to when it says one (`timeout or DEFAULT_TTL`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Optional, Union


@dataclass(frozen=True)
class _Num:
    value: float
    origin: Optional[str] = None


@dataclass(frozen=True)
class _Dur:
    seconds: float
    text: Optional[str] = None  # calendar rendering ('13 months') when the source said so
    origin: Optional[str] = None


@dataclass(frozen=True)
class _Str:
    value: str
    origin: Optional[str] = None


@dataclass(frozen=True)
class _Now:
    """The current time, as a timestamp or a datetime."""


@dataclass(frozen=True)
class _Stamp:
    """now + offset: an absolute expiry time."""

    offset: float
    text: Optional[str] = None
    origin: Optional[str] = None


_Value = Union[_Num, _Dur, _Str, _Now, _Stamp]


def _truthy(value: "_Value") -> bool:
    if isinstance(value, _Num):
        return bool(value.value)
    if isinstance(value, _Dur):
        return bool(value.seconds)
    if isinstance(value, _Str):
        return bool(value.value)
    return True


def _with_origin(value: Optional["_Value"], origin: str) -> Optional["_Value"]:
    """The value, marked as the one the code falls back to (unless it names its own origin)."""
    if value is None or getattr(value, "origin", None) or isinstance(value, _Now):
        return value
    return replace(value, origin=origin)


def _origin(*values) -> Optional[str]:
    for value in values:
        origin = getattr(value, "origin", None)
        if origin:
            return origin
    return None


def _seconds_of(value) -> float:
    return value.value if isinstance(value, _Num) else value.seconds


def _stamp(offset: float, source, origin) -> _Stamp:
    text = source.text if isinstance(source, _Dur) else None
    return _Stamp(offset, text, origin)


def _number_text(value: float) -> str:
    return str(int(value)) if value == int(value) else repr(value)
