"""Record classes (the data of findings, rules, configuration and runs) without the
`dataclasses` module.

Importing `dataclasses` imports `inspect` (and with it `dis`, `opcode`, `linecache`, ...),
and each `@dataclass` writes and compiles its methods: together a sixth of a pre-commit
run that checks one file. `record` makes the same methods for the same declarations
(annotated fields, defaults, `field(default_factory=..., compare=False, hash=False)`):
`__init__` with the fields in order, `__repr__`, `__eq__` over the compared fields, and
for `frozen=True` no assignment and a `__hash__`, as `dataclass(frozen=True)` does.
`replace`, `asdict`, `fields` and `is_record` work on records (and on real dataclasses,
handed to the `dataclasses` module).
"""

from __future__ import annotations

from operator import attrgetter
from typing import TYPE_CHECKING, Any, Callable, Dict, Tuple, TypeVar, overload

if TYPE_CHECKING:  # type checkers read a record as the dataclass it behaves as
    from typing_extensions import dataclass_transform
else:

    def dataclass_transform(**_kwargs):
        return lambda function: function


_T = TypeVar("_T")

_MISSING: Any = type("_Missing", (), {"__repr__": lambda self: "<missing>"})()


class FrozenRecordError(AttributeError):
    """An assignment to a field of a frozen record."""


class Field:
    __slots__ = ("name", "default", "default_factory", "compare", "hash", "repr")

    def __init__(self, default=_MISSING, default_factory=_MISSING, compare=True, hash=None, repr=True):
        self.name = ""
        self.default = default
        self.default_factory = default_factory
        self.compare = compare
        self.hash = hash
        self.repr = repr

    def __repr__(self) -> str:
        return f"Field(name={self.name!r})"


def field(*, default=_MISSING, default_factory=_MISSING, compare=True, hash=None, repr=True) -> Any:
    """A field with a default made per instance, or left out of comparison and hashing."""
    if default is not _MISSING and default_factory is not _MISSING:
        raise ValueError("cannot specify both default and default_factory")
    return Field(default, default_factory, compare, hash, repr)


def _frozen_setattr(self, name, value):
    raise FrozenRecordError(f"cannot assign to field {name!r}")


def _frozen_delattr(self, name):
    raise FrozenRecordError(f"cannot delete field {name!r}")


def _is_classvar(annotation) -> bool:
    text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", "")
    return text.startswith(("ClassVar", "typing.ClassVar"))


@overload
def record(cls: type[_T], *, frozen: bool = False) -> type[_T]: ...


@overload
def record(cls: None = None, *, frozen: bool = False) -> Callable[[type[_T]], type[_T]]: ...


@dataclass_transform(field_specifiers=(field, Field))
def record(cls=None, *, frozen: bool = False):
    """Make `cls` a record (see the module docstring); `@record` or `@record(frozen=True)`."""

    def wrap(cls):
        return _make(cls, frozen)

    return wrap if cls is None else wrap(cls)


def _make(cls, frozen: bool):
    own: Dict[str, Field] = {}
    for name, annotation in cls.__dict__.get("__annotations__", {}).items():
        if _is_classvar(annotation):
            continue
        value = cls.__dict__.get(name, _MISSING)
        spec = value if isinstance(value, Field) else Field(default=value)
        spec.name = name
        own[name] = spec
        if spec.default is _MISSING:
            if name in cls.__dict__:
                delattr(cls, name)
        else:
            setattr(cls, name, spec.default)
    inherited: Dict[str, Field] = {}
    for base in reversed(cls.__mro__[1:]):
        inherited.update({f.name: f for f in getattr(base, "__record_fields__", ())})
    inherited.update(own)
    specs = tuple(inherited.values())
    cls.__record_fields__ = specs

    namespace: Dict[str, Any] = {"_MISSING": _MISSING, "_setattr": object.__setattr__}
    params, body, seen_default = [], [], False
    for spec in specs:
        name = spec.name
        if spec.default_factory is not _MISSING:
            namespace[f"_factory_{name}"] = spec.default_factory
            params.append(f"{name}=_MISSING")
            value = f"_factory_{name}() if {name} is _MISSING else {name}"
            seen_default = True
        elif spec.default is not _MISSING:
            namespace[f"_default_{name}"] = spec.default
            params.append(f"{name}=_default_{name}")
            value = name
            seen_default = True
        else:
            if seen_default:
                raise TypeError(f"non-default argument {name!r} follows default argument")
            params.append(name)
            value = name
        body.append(f"_setattr(self, {name!r}, {value})" if frozen else f"self.{name} = {value}")
    if hasattr(cls, "__post_init__"):
        body.append("self.__post_init__()")
    source = f"def __init__(self, {', '.join(params)}):\n    " + ("\n    ".join(body) or "pass") + "\n"
    exec(source, namespace)  # code made here from the class's own field names
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    _set(cls, "__init__", init)

    shown = tuple(spec.name for spec in specs if spec.repr)
    compared = tuple(spec.name for spec in specs if spec.compare)
    hashed = tuple(spec.name for spec in specs if (spec.compare if spec.hash is None else spec.hash))
    _set(cls, "__repr__", _repr(shown))
    _set(cls, "__eq__", _eq(compared))
    if frozen:
        _set(cls, "__setattr__", _frozen_setattr)
        _set(cls, "__delattr__", _frozen_delattr)
        _set(cls, "__hash__", _hash(hashed))
    elif "__hash__" not in cls.__dict__:
        cls.__hash__ = None  # mutable and compared by value: not hashable, as a dataclass
    _set(cls, "__match_args__", tuple(spec.name for spec in specs))
    return cls


def _set(cls, name: str, value) -> None:
    if name not in cls.__dict__:  # a method the class defines itself wins, as with dataclasses
        setattr(cls, name, value)


def _repr(names: Tuple[str, ...]) -> Callable:
    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{type(self).__qualname__}({inner})"

    return __repr__


def _values(names: Tuple[str, ...]) -> Callable:
    """The tuple of a record's values of these fields."""
    if len(names) == 1:
        one = names[0]
        return lambda self: (getattr(self, one),)
    return attrgetter(*names) if names else lambda self: ()


def _eq(names: Tuple[str, ...]) -> Callable:
    values = _values(names)

    def __eq__(self, other) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return values(self) == values(other)

    return __eq__


def _hash(names: Tuple[str, ...]) -> Callable:
    values = _values(names)

    def __hash__(self) -> int:
        return hash(values(self))

    return __hash__


def is_record(obj) -> bool:
    """Whether `obj` (a class or an instance) is a record."""
    return hasattr(obj if isinstance(obj, type) else type(obj), "__record_fields__")


def fields(obj) -> Tuple[Field, ...]:
    """The fields of a record (class or instance), in order."""
    cls = obj if isinstance(obj, type) else type(obj)
    specs = getattr(cls, "__record_fields__", None)
    if specs is None:
        import dataclasses

        return tuple(dataclasses.fields(obj))  # type: ignore[arg-type]
    return specs


def replace(obj, **changes):
    """A copy of a record with some fields changed (`dataclasses.replace` for records)."""
    specs = getattr(type(obj), "__record_fields__", None)
    if specs is None:
        import dataclasses

        return dataclasses.replace(obj, **changes)
    for spec in specs:
        if spec.name not in changes:
            changes[spec.name] = getattr(obj, spec.name)
    return type(obj)(**changes)


def asdict(obj) -> dict:
    """The fields of a record as a dict, nested records, lists, tuples and dicts copied
    (`dataclasses.asdict` for records)."""
    if not is_record(obj):
        import dataclasses

        return dataclasses.asdict(obj)
    return _asdict(obj)


def _asdict(value):
    if is_record(value) and not isinstance(value, type):
        return {spec.name: _asdict(getattr(value, spec.name)) for spec in type(value).__record_fields__}
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return type(value)(*[_asdict(v) for v in value])
    if isinstance(value, (list, tuple)):
        return type(value)(_asdict(v) for v in value)
    if isinstance(value, dict):
        return type(value)((_asdict(k), _asdict(v)) for k, v in value.items())
    return value
