"""Scopes and bindings of the walk, and the values name resolution and folding hand to checks
(Const, Definition, Origin).
"""

from __future__ import annotations

import dataclasses
from typing import Dict, Optional, Tuple

from gdpr_lint.analysis.flow import EMPTY, Taint
from gdpr_lint.analysis.names import split_words


class Binding:
    """What the analysis knows of a name in a scope."""

    __slots__ = ("value", "taint", "kind", "qualname", "defs", "node", "name", "type_name", "items", "keyed")

    def __init__(
        self,
        name: str,
        value=None,
        taint: Taint = EMPTY,
        kind: Optional[str] = None,
        qualname: Optional[str] = None,
        node=None,
    ):
        self.name = name
        self.value = value  # the expression assigned (None for params, loop targets)
        self.taint = taint
        self.kind = kind  # object kind from the [objects] catalogue
        self.qualname = qualname  # for imports: the dotted module path
        self.defs = 1
        self.node = node  # where it was defined (for messages)
        self.type_name: Optional[str] = None  # the annotated class of a parameter
        self.items = EMPTY  # personal data read from it by key so far (`row["email"]`)
        # what was stored into it under each constant key (`kwargs["headers"] = {...}`); None once
        # something was stored under a key the code does not say (`d[k] = v`, `d.update(...)`)
        self.keyed: Optional[dict] = {}


class LazyKindBinding(Binding):
    """A binding whose object kind comes from the project index (`log = get_logger()` of a
    project module) and is asked for only when something reads it: most names assigned
    a call's result are never the receiver of a method whose kind matters."""

    __slots__ = ("_pending",)

    def __init__(self, name: str, value, taint: Taint, node, pending):
        Binding.__init__(self, name, value, taint, None, None, node)
        self._pending = pending

    @property
    def pending(self) -> bool:
        return self._pending is not None

    @property
    def kind(self):
        pending = self._pending
        if pending is not None:
            self._pending = None
            _KIND_SLOT.__set__(self, pending())
        return _KIND_SLOT.__get__(self)

    @kind.setter
    def kind(self, value):
        self._pending = None
        _KIND_SLOT.__set__(self, value)


_KIND_SLOT = Binding.__dict__["kind"]


class Scope:
    def __init__(self, kind: str, name: str, node, parent: Optional["Scope"]):
        self.kind = kind
        self.name = name
        self.node = node
        self.parent = parent
        self.bindings: Dict[str, Binding] = {}
        self.instance: Dict[str, Binding] = {}  # class scopes: self.x assignments
        self.class_scope: Optional[Scope] = None  # function scopes of methods
        self.self_name: Optional[str] = None
        self.data: dict = {}  # per-scope scratch space for checks
        self.param_names: Tuple[str, ...] = ()
        self.returns: Taint = EMPTY  # what a function returns (a summary for callers in the module)
        self._words: Optional[frozenset] = None

    def words(self, meta_prefixes=None) -> frozenset:
        """Words of the enclosing function and class names and parameter names, except
        parameters that are a count, a limit or a flag (meta_prefixes: `max_tokens`,
        `is_tagged` say nothing of what the function handles)."""
        if self._words is None:
            words = set(self.parent.words(meta_prefixes)) if self.parent is not None else set()
            if self.kind != "module":
                words.update(split_words(self.name))
                for name in self.param_names:
                    param_words = split_words(name)
                    if meta_prefixes is not None and len(param_words) > 1 and meta_prefixes.begins(param_words):
                        continue
                    words.update(param_words)
            self._words = frozenset(words)
        return self._words

    def lookup(self, name: str) -> Optional[Binding]:
        scope: Optional[Scope] = self
        first = True
        while scope is not None:
            if scope.kind != "class" or first:
                binding = scope.bindings.get(name)
                if binding is not None:
                    return binding
            first = False
            scope = scope.parent
        return None


class Origin:
    """Where a constant came from, as text (`AWS_REGION, line 12`). The line is looked up
    only when the text is used, so merely folding a constant never computes positions."""

    __slots__ = ("name", "node", "_ctx", "_text")

    def __init__(self, name: str, node, ctx):
        self.name, self.node, self._ctx = name, node, ctx
        self._text: Optional[str] = None

    def __str__(self) -> str:
        if self._text is None:
            line = self._ctx.line_of(self.node) if self._ctx is not None and self.node is not None else None
            self._text = f"{self.name}, line {line}" if line else self.name
        return self._text

    __repr__ = __str__

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __bool__(self) -> bool:
        return True

    def __eq__(self, other) -> bool:
        if isinstance(other, Origin):
            return (self.name, id(self.node)) == (other.name, id(other.node))
        return str(self) == other

    def __hash__(self) -> int:
        return hash((self.name, id(self.node)))

    def split(self, *args):
        return str(self).split(*args)


@dataclasses.dataclass
class Const:
    value: object
    origin_node: object = None
    origin_name: Optional[str] = None
    _ctx: object = dataclasses.field(default=None, repr=False)
    note: Optional[str] = None
    # another module's constant: (its name, "constant" or the environment variable it defaults)
    remote: Optional[Tuple[str, str]] = None

    @property
    def origin(self):
        if self.note:
            return self.note
        if self.origin_name is None:
            return None
        return Origin(self.origin_name, self.origin_node, self._ctx)


@dataclasses.dataclass
class Definition:
    value: object
    name: str
    node: object
    _ctx: object = dataclasses.field(default=None, repr=False)

    @property
    def origin(self) -> "Origin":
        return Origin(self.name, self.node, self._ctx)


class _FunctionRef:
    """Binding value for a function name: never data itself."""


_FUNCTION = _FunctionRef()


class _ClassRef:
    """Binding value for a class name, so `ClassName.attr` resolves to its class scope."""

    def __init__(self, scope: Scope):
        self.scope = scope
