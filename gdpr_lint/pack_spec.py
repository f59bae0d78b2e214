"""The building blocks of the rule-pack schema: a spec per kind of value (Str, Int, Bool,
OneOf, ListOf, Table, MapOf), each checking a value and raising PackError with the key's
path and a "did you mean", and the leaf specs every family's tables use."""

from __future__ import annotations

from typing import Dict, Iterable, Optional, Tuple

from gdpr_lint.hints import describe, did_you_mean
from gdpr_lint.model import SEVERITIES


class PackError(Exception):
    """One line: where in the pack (`retention.calls[3].unit`) and what is wrong."""

    def __init__(self, at: str, message: str):
        super().__init__(f"{at}: {message}" if at else message)


class Spec:
    what = "a value"

    def check(self, value, at: str) -> None:
        raise NotImplementedError


class Str(Spec):
    def __init__(self, choices: Optional[Iterable[str]] = None):
        self.choices: Optional[Tuple[str, ...]] = tuple(choices) if choices is not None else None
        self.what = "a string" if self.choices is None else "one of " + ", ".join(f'"{c}"' for c in self.choices)

    def check(self, value, at: str) -> None:
        if not isinstance(value, str):
            raise PackError(at, f"must be a string, not {describe(value)}")
        if self.choices is not None and value not in self.choices:
            raise PackError(at, f"{describe(value)} is not {self.what}{did_you_mean(value, self.choices)}")


class Int(Spec):
    def __init__(self, minimum: Optional[int] = None):
        self.minimum = minimum
        self.what = "an integer" if minimum is None else f"an integer of at least {minimum}"

    def check(self, value, at: str) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or (self.minimum is not None and value < self.minimum):
            raise PackError(at, f"must be {self.what}, not {describe(value)}")


class Bool(Spec):
    what = "true or false"

    def check(self, value, at: str) -> None:
        if not isinstance(value, bool):
            raise PackError(at, f"must be true or false, not {describe(value)}")


class OneOf(Spec):
    """The first alternative that accepts the value (a number or a string, ...)."""

    def __init__(self, *alternatives: Spec):
        self.alternatives = alternatives
        self.what = " or ".join(a.what for a in alternatives)

    def check(self, value, at: str) -> None:
        errors = []
        for alternative in self.alternatives:
            try:
                alternative.check(value, at)
                return
            except PackError as exc:
                errors.append(exc)
        if len(errors) == 1 or all(type(a) is not type(self.alternatives[0]) for a in self.alternatives[1:]):
            raise PackError(at, f"must be {self.what}, not {describe(value)}")
        raise errors[0]


class ListOf(Spec):
    def __init__(self, item: Spec):
        self.item = item
        self.what = f"a list of {item.what.replace('a ', '', 1)}s" if item.what.startswith("a ") else "a list"

    def check(self, value, at: str) -> None:
        if not isinstance(value, list):
            raise PackError(at, f"must be {self.what}, not {describe(value)}")
        for index, item in enumerate(value):
            self.item.check(item, f"{at}[{index}]{entry_label(item)}")


#: keys that name a list entry in messages (`retention.calls[3] (api = "redis.set")`)
_LABEL_KEYS = ("api", "rule", "provider", "target", "kind", "name")


def entry_label(item) -> str:
    if isinstance(item, dict):
        for key in _LABEL_KEYS:
            if isinstance(item.get(key), str):
                return f' ({key} = "{item[key]}")'
    return ""


class Table(Spec):
    """A table with known keys (all optional unless `required`)."""

    what = "a table"

    def __init__(self, fields: Dict[str, Spec], required: Tuple[str, ...] = ()):
        self.fields = fields
        self.required = required

    def check(self, value, at: str) -> None:
        if not isinstance(value, dict):
            raise PackError(at, f"must be a table, not {describe(value)}")
        if not value:
            raise PackError(at, "empty table (remove it, or give it keys: " + ", ".join(sorted(self.fields)) + ")")
        for key, item in value.items():
            spec = self.fields.get(key)
            if spec is None:
                raise PackError(_join(at, key), f"unknown key{did_you_mean(key, self.fields)}")
            spec.check(item, _join(at, key))
        for key in self.required:
            if key not in value:
                raise PackError(at, f'lacks "{key}"')


class MapOf(Spec):
    """A table whose keys are names (categories, providers, regions), all with one shape."""

    what = "a table"

    def __init__(self, value: Spec, keys: Optional[Str] = None):
        self.value = value
        self.keys = keys

    def check(self, value, at: str) -> None:
        if not isinstance(value, dict):
            raise PackError(at, f"must be a table, not {describe(value)}")
        if not value:
            raise PackError(at, "empty table")
        for key, item in value.items():
            if self.keys is not None:
                self.keys.check(key, f"{at} key")
            self.value.check(item, _join(at, key))


def _join(at: str, key: str) -> str:
    plain = key.replace("-", "").replace("_", "").isalnum()
    part = key if plain else f'"{key}"'
    return f"{at}.{part}" if at else part


# ---- leaf specs every table uses -------------------------------------------------------

STR, INT, BOOL = Str(), Int(), Bool()
STRS = ListOf(STR)
POSITION = Int(minimum=0)
#: duration units, as gdpr_lint.analysis.duration_values.UNITS names them
UNITS = ("microseconds", "milliseconds", "seconds", "minutes", "hours", "days", "weeks", "months", "years")
UNIT = Str(UNITS)
SEVERITY = Str(SEVERITIES)
ARGUMENT = Table({"position": POSITION, "keyword": STR})
