"""Durations as values: the units (seconds in a minute, a day, a month, a year), DurationValue
(a lifetime in seconds, or forever, with the text and the place it came from), how one is shown
(`400 days`), and the strings that write one: an Elasticsearch unit string ("400d") and a phrase
("2 years", "1 week, 3 days")."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Optional

SECOND = 1
MINUTE = 60
HOUR = 3600
DAY = 86400
WEEK = 7 * DAY
YEAR = 365 * DAY  # a calendar year never exceeds a 365-day limit by a leap day
MONTH = YEAR / 12

#: seconds per unit, by the unit names the catalogue uses
UNITS = {
    "microseconds": 1e-6,
    "milliseconds": 1e-3,
    "seconds": SECOND,
    "minutes": MINUTE,
    "hours": HOUR,
    "days": DAY,
    "weeks": WEEK,
    "months": MONTH,
    "years": YEAR,
}


#: Elasticsearch time units ("400d", "12h", "30m", "90s", "500ms", "1000micros", "nanos")
_ES_UNITS = {"d": DAY, "h": HOUR, "m": MINUTE, "s": SECOND, "ms": 1e-3, "micros": 1e-6, "nanos": 1e-9}
_ES_PATTERN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(d|h|m|s|ms|micros|nanos)\s*$")
NUMERIC_PATTERN = re.compile(r"^\s*[+-]?\d+(?:\.\d+)?\s*$")
#: a written duration, "2 years", "1 week, 3 days", "10d" (one amount and unit word per part)
_PHRASE_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([a-z]+)[\s,]*", re.I)
_PHRASE_PATTERN = re.compile(r"^\s*(?:\d+(?:\.\d+)?\s*[a-z]+[\s,]*)+$", re.I)


@dataclass(frozen=True)
class DurationValue:
    """A lifetime in seconds with the human rendering used in messages.

    `seconds` is math.inf for "forever". `origin` names the constant it came from
    ('SESSION_TTL, line 12') when it was not written in place.
    """

    seconds: float
    text: str
    origin: Optional[str] = None

    @classmethod
    def of(cls, seconds: float, text: Optional[str] = None, origin: Optional[str] = None) -> "DurationValue":
        return cls(seconds, text or render_seconds(seconds), origin)

    @classmethod
    def forever_value(cls, origin: Optional[str] = None) -> "DurationValue":
        return cls(math.inf, "forever", origin)

    @property
    def forever(self) -> bool:
        return math.isinf(self.seconds) and self.seconds > 0

    @property
    def days(self) -> float:
        return self.seconds / DAY

    def exceeds(self, limit_days: float) -> bool:
        """True when longer than `limit_days` whole days (fractions of a day are tolerated:
        13 months is not 'more than 395 days')."""
        if self.forever:
            return True
        return math.floor(self.days + 1e-9) > limit_days

    def __str__(self) -> str:
        return self.text


def plural(amount: float, unit: str) -> str:
    if amount == int(amount):
        amount = int(amount)
        return f"{amount} {unit}" if amount == 1 else f"{amount} {unit}s"
    return f"{amount:.1f} {unit}s"


def render_seconds(seconds: float) -> str:
    """'400 days', '12 hours', '30 minutes', '90 seconds', 'forever'."""
    if math.isinf(seconds):
        return "forever" if seconds > 0 else "-forever"
    if seconds >= DAY:
        return plural(round(seconds / DAY, 1) if seconds % DAY else seconds // DAY, "day")
    if seconds >= HOUR and seconds % HOUR == 0:
        return plural(seconds // HOUR, "hour")
    if seconds >= MINUTE and seconds % MINUTE == 0:
        return plural(seconds // MINUTE, "minute")
    if seconds == int(seconds):
        return plural(int(seconds), "second")
    return f"{seconds:g} seconds"


def parse_unit_string(text: str) -> Optional[DurationValue]:
    """An Elasticsearch-style unit string ('400d', '12h') -> DurationValue, else None."""
    match = _ES_PATTERN.match(text)
    if not match:
        return None
    return DurationValue.of(float(match.group(1)) * _ES_UNITS[match.group(2)])


def parse_phrase(text: str, units: dict) -> Optional[DurationValue]:
    """A written duration ('2 years', '1 week, 3 days') whose unit words are the keys of
    `units` (word -> unit name, lower-case) -> DurationValue; None when any part is unknown."""
    if not _PHRASE_PATTERN.match(text):
        return None
    seconds = 0.0
    parts = []
    for amount, word in _PHRASE_PART.findall(text):
        unit = units.get(word.lower())
        if unit is None:
            return None
        seconds += float(amount) * UNITS[unit]
        parts.append((float(amount), unit))
    label: Optional[str] = None
    if any(unit in ("months", "years") for _, unit in parts):
        label = " and ".join(plural(amount, unit[:-1]) for amount, unit in parts if amount)
    return DurationValue.of(seconds, label or None)
