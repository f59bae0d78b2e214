"""Per file: read, pre-filter, parse once, walk once for every rule, apply suppressions.

The walk reads libcst nodes' fields directly instead of using `CSTNode.visit()` (which
rebuilds every node), keeps a small scope/binding analysis of its own instead of the
whole-file Scope/QualifiedName providers, and computes positions only for files that
have something to report.
"""
from __future__ import annotations

import dataclasses
import json
import re
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from gdpr_lint.analysis.flow import EMPTY, Source, Taint
from gdpr_lint.analysis.names import TYPE_WRAPPERS, is_constant_name, split_words
from gdpr_lint.analysis.pii import PiiVocabulary
from gdpr_lint import baseline, suppressions
from gdpr_lint.model import FileError, Finding, severity_rank

# ---------------------------------------------------------------------------------------
# Field walk


_SKIP_FIELDS = frozenset({
    "lpar", "rpar", "comma", "semicolon", "leading_lines", "lines_after_decorators", "header",
    "footer", "equal", "colon", "dot", "operator", "star", "arrow", "asynchronous", "whitespace",
    "lbracket", "rbracket", "lbrace", "rbrace", "prefix", "quote", "start", "end",
})
_FIELD_CACHE: Dict[type, Tuple[str, ...]] = {}


def _child_fields(cls: type) -> Tuple[str, ...]:
    names = _FIELD_CACHE.get(cls)
    if names is None:
        names = tuple(
            f.name for f in dataclasses.fields(cls)
            if not f.name.startswith("whitespace") and f.name not in _SKIP_FIELDS
        )
        _FIELD_CACHE[cls] = names
    return names


_EXPR_FIELD_CACHE: Dict[type, Tuple[str, ...]] = {}


def _expr_fields(cls: type) -> Tuple[str, ...]:
    """The child fields an expression walk looks into: those of _child_fields less the
    ones that only ever hold a bare name (`attr` of `a.b`, a keyword's name), which can
    hold no call."""
    names = _EXPR_FIELD_CACHE.get(cls)
    if names is None:
        bare = {f.name for f in dataclasses.fields(cls)
                if f.type is cst.Name or f.type == Optional[cst.Name] or f.type in ("Name", "Optional[Name]")}
        names = _EXPR_FIELD_CACHE[cls] = tuple(n for n in _child_fields(cls) if n not in bare)
    return names


def original_line(origin: Optional[List[int]], line: int) -> int:
    """A line of the parsed source as a line of the file: `origin` lists the file's line
    number of each source line when the pre-filter dropped blocks (None: the same)."""
    return origin[line - 1] if origin is not None and 0 < line <= len(origin) else line


_IS_NODE: Dict[type, bool] = {}


def _is_node(value) -> bool:
    """isinstance(value, cst.CSTNode), cached per type: libcst's classes are ABCs, whose
    isinstance goes through a Python-level hook, and this runs for every field walked."""
    cls = type(value)
    known = _IS_NODE.get(cls)
    if known is None:
        known = _IS_NODE[cls] = issubclass(cls, cst.CSTNode)
    return known


def dotted_name(node: cst.CSTNode) -> Optional[str]:
    """`a.b.c` for a Name/Attribute chain, else None."""
    parts = []
    while type(node) is cst.Attribute:
        parts.append(node.attr.value)
        node = node.value
    if type(node) is cst.Name:
        parts.append(node.value)
        return ".".join(reversed(parts))
    return None


def _simple_string(raw: str) -> Optional[str]:
    """Evaluate a string literal without ast.literal_eval (which libcst's evaluated_value
    uses) when it has no escapes: the common case, and many times cheaper."""
    quote_at = 0
    while quote_at < len(raw) and raw[quote_at] not in "'\"":
        quote_at += 1
    prefix = raw[:quote_at].lower()
    if "b" in prefix or "f" in prefix:
        return None
    body = raw[quote_at:]
    size = 3 if body[:3] in ('"""', "'''") else 1
    inner = body[size:-size]
    if "\\" in inner and "r" not in prefix:
        return _unescape(inner, raw)
    return inner


def _unescape(inner: str, raw: str) -> Optional[str]:
    """The value of a string body with backslash escapes: the `unicode_escape` codec reads
    them as Python's parser does (characters beyond Latin-1 pass through as their own
    escapes), at a fraction of the cost of compiling the literal; whatever it refuses goes
    to ast.literal_eval, which also decides what Python itself would reject."""
    import codecs
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escapes (`"\d"`) are kept, as Python keeps them
            return codecs.decode(inner.encode("latin-1", "backslashreplace"), "unicode_escape")
    except (UnicodeError, ValueError):
        return _literal(raw)


def _literal(raw: str) -> Optional[str]:
    import ast

    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the scanned code's own warnings are not ours to print
            value = ast.literal_eval(raw)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    return value if isinstance(value, str) else None


def string_value(node: cst.CSTNode) -> Optional[str]:
    """The text of a plain string literal (also implicit concatenation), else None."""
    if type(node) is cst.SimpleString:
        return _simple_string(node.value)
    if type(node) is cst.ConcatenatedString:
        left, right = string_value(node.left), string_value(node.right)
        if left is not None and right is not None:
            return left + right
    return None


# ---------------------------------------------------------------------------------------
# Scopes


class Binding:
    """What the analysis knows of a name in a scope."""

    __slots__ = ("value", "taint", "kind", "qualname", "defs", "node", "name", "type_name", "items")

    def __init__(self, name: str, value=None, taint: Taint = EMPTY, kind: Optional[str] = None,
                 qualname: Optional[str] = None, node=None):
        self.name = name
        self.value = value          # the expression assigned (None for params, loop targets)
        self.taint = taint
        self.kind = kind            # object kind from the [objects] catalogue
        self.qualname = qualname    # for imports: the dotted module path
        self.defs = 1
        self.node = node            # where it was defined (for messages)
        self.type_name = None       # the annotated class of a parameter
        self.items = EMPTY          # personal data read from it by key so far (`row["email"]`)


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
        self._words = None

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
        self.name, self.node, self._ctx, self._text = name, node, ctx, None

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


class _Report:
    __slots__ = ("code", "node", "stmt", "message", "categories", "confidence", "severity", "facts")

    def __init__(self, code, node, stmt, message, categories, confidence, severity, facts):
        self.code, self.node, self.stmt, self.message = code, node, stmt, message
        self.categories, self.confidence, self.severity, self.facts = categories, confidence, severity, facts


_NUMBER_OPS = {
    cst.Add: lambda a, b: a + b, cst.Subtract: lambda a, b: a - b, cst.Multiply: lambda a, b: a * b,
    cst.Divide: lambda a, b: a / b, cst.FloorDivide: lambda a, b: a // b, cst.Modulo: lambda a, b: a % b,
    cst.Power: lambda a, b: a ** b if abs(b) < 64 else None,
}


class Context:
    """The single traversal of one module, and the analyses the checks query."""

    def __init__(self, settings, path: str, module: cst.Module, origin: Optional[List[int]] = None,
                 checks: Optional[List] = None):
        self.settings = settings
        self.origin = origin  # original line number of each line of the parsed source
        self.kb = settings.kb
        self.config = settings.config
        self.vocab: PiiVocabulary = settings.vocab
        self.checks = settings.checks if checks is None else checks
        self.path = path
        self.module = module
        self.reports: List[_Report] = []
        self.stmt = None
        self.scope: Scope = Scope("module", "<module>", module, None)
        self._positions = None
        objects = self.kb.tables.get("objects", {})
        self.factories: Dict[str, str] = objects.get("factories", {})
        self.instances: Dict[str, str] = objects.get("instances", {})
        self.conventional: Dict[str, str] = objects.get("names", {})
        self.conventional_suffixes: Dict[str, str] = objects.get("name-suffixes", {})
        self.types: Dict[str, str] = objects.get("types", {})
        values = self.kb.tables.get("values", {})
        self.env_getters = frozenset(values.get("env-getters", ()))
        self.imported_readers = {}  # name -> (kind, module words) ([[values.imported-readers]])
        for entry in values.get("imported-readers", ()):
            for name in entry.get("names", ()):
                self.imported_readers[name] = (entry["kind"], frozenset(entry.get("modules", ())))
        self.field_categories: Dict[str, str] = {}  # attr name -> category from model fields
        self.masked_fields: Dict[str, set] = {}  # class name -> fields that mask themselves
        self.printed_whole: set = set()  # classes whose printed form shows fields naming personal data
        self._taint_depth = 0
        self.withs: List[cst.With] = []  # the `with` statements around the current one, outermost first
        self.block: Sequence = ()  # the statements of the block the current statement is in

    # ---- positions and text -----------------------------------------------------------

    def positions(self):
        if self._positions is None:
            self._positions = _positions(self.module)
        return self._positions

    def original_line(self, line: int) -> int:
        return original_line(self.origin, line)

    def line_of(self, node) -> Optional[int]:
        pos = self.positions().get(node)
        return self.original_line(pos.start.line) if pos else None

    def source(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node)

    def _render(self, node) -> str:
        text = self.module.code_for_node(node)
        return " ".join(text.split())

    # ---- reporting --------------------------------------------------------------------

    def report(self, code: str, node, message: str, *, categories=(), confidence: str = "medium",
               severity: Optional[str] = None, facts: Optional[dict] = None) -> None:
        if code not in self.settings.enabled:
            return
        self.reports.append(_Report(code, node, self.stmt, message, tuple(categories), confidence,
                                    severity, dict(facts or {})))

    # ---- name resolution --------------------------------------------------------------

    def _conventional_kind(self, name: str) -> Optional[str]:
        lowered = name.lower()
        kind = self.conventional.get(lowered)
        if kind is None:
            for suffix, suffix_kind in self.conventional_suffixes.items():
                if lowered.endswith(suffix):
                    return suffix_kind
        return kind

    def _imported_object_kind(self, binding: Binding) -> Optional[str]:
        """`from myapp.users import logger` (or `LOGGER`): a project's own logger, by its whole
        name; not `get_task_logger` (a function) nor `Logger` (a class)."""
        if "." not in binding.qualname or binding.type_name == "module":
            return None
        name = binding.qualname.rsplit(".", 1)[1]
        if name[:1].isupper() and not name.isupper():
            return None
        return self.conventional.get(name.lower())

    def _self_binding(self, node: cst.Attribute) -> Optional[Binding]:
        """The binding of `self.x` / `cls.x` in the enclosing class."""
        cls_scope = self._instance_scope(node)
        if cls_scope is None:
            return None
        name = node.attr.value
        return cls_scope.instance.get(name) or cls_scope.bindings.get(name)

    def _imported_reader(self, binding: Binding) -> Optional[str]:
        """The kind of a shared reader imported from a settings module (`from .base import env`)."""
        found = self.imported_readers.get(binding.name)
        if found is None or binding.type_name == "module":
            return None
        module, _, imported = binding.qualname.rpartition(".")
        if imported != binding.name or not module:
            return None
        kind, words = found
        if module.startswith(".") or words.intersection(module.split(".")):
            return kind
        return None

    def resolve(self, node) -> Optional[str]:
        """Dotted target of an expression: `logging.getLogger`, `<logger>`, `print`."""
        if type(node) is cst.Name:
            binding = self.scope.lookup(node.value)
            if binding is not None:
                if binding.qualname:
                    kind = self.instances.get(binding.qualname) or self._imported_reader(binding) \
                        or self._imported_object_kind(binding)
                    return f"<{kind}>" if kind else binding.qualname
                if binding.kind:
                    return f"<{binding.kind}>"
                return None
            kind = self._conventional_kind(node.value)
            return f"<{kind}>" if kind else node.value
        if type(node) is cst.Attribute:
            binding = self._self_binding(node)
            if binding is not None and binding.kind:
                return f"<{binding.kind}>"
            base = self.resolve(node.value)
            if base is None:
                kind = self._conventional_kind(node.attr.value)
                return f"<{kind}>" if kind else None
            dotted = f"{base}.{node.attr.value}"
            kind = self.instances.get(dotted)
            if kind:
                return f"<{kind}>"
            if binding is None and not base.startswith("<") and base in ("self", "cls"):
                kind = self._conventional_kind(node.attr.value)
                return f"<{kind}>" if kind else None
            return dotted
        if type(node) is cst.Call:
            kind = self.call_kind(node)
            return f"<{kind}>" if kind else None
        if type(node) is cst.Subscript:
            base = self.resolve(node.value)
            if base is not None:
                kind = self.factories.get(f"{base}.__getitem__")
                return f"<{kind}>" if kind else None
        return None

    def resolve_call(self, func) -> Optional[str]:
        return self.resolve(func)

    def call_kind(self, call: cst.Call) -> Optional[str]:
        target = self.resolve(call.func)
        if target is None:
            return None
        # factories are dotted calls (`logging.getLogger`) or methods of a kind (`<logger>.bind`)
        kind = self.factories.get(target)
        if kind == "aws":
            service = None
            for arg in call.args:
                if arg.keyword is not None and arg.keyword.value == "service_name":
                    service = string_value(arg.value)
            if service is None and call.args and call.args[0].keyword is None:
                service = string_value(call.args[0].value)
            return f"aws:{service}" if service else "aws"
        return kind

    def kind(self, node) -> Optional[str]:
        target = self.resolve(node)
        if target and target.startswith("<") and target.endswith(">"):
            return target[1:-1]
        return None

    # ---- values -----------------------------------------------------------------------

    def _binding_of(self, node) -> Optional[Binding]:
        if type(node) is cst.Name:
            return self.scope.lookup(node.value)
        if type(node) is cst.Attribute:
            binding = self._self_binding(node)
            if binding is not None:
                return binding
            if type(node.value) is cst.Name:
                owner = self.scope.lookup(node.value.value)
                if owner is not None and isinstance(owner.value, _ClassRef):
                    return owner.value.scope.bindings.get(node.attr.value)
        return None

    def definition(self, node) -> Optional[Definition]:
        binding = self._binding_of(node)
        if binding is None or binding.value is None or binding.defs != 1 or isinstance(binding.value, (_ClassRef, _FunctionRef)):
            return None
        name = dotted_name(node) or binding.name
        return Definition(binding.value, name, binding.node, self)

    def constant(self, node, _depth: int = 0) -> Optional[Const]:
        if _depth > 25:
            return None
        if type(node) in (cst.SimpleString, cst.ConcatenatedString):
            value = string_value(node)
            if value is None and type(node) is cst.SimpleString:
                value = node.evaluated_value  # bytes
            return Const(value) if value is not None else None
        if type(node) is cst.Integer:
            return Const(node.evaluated_value)
        if type(node) is cst.Float:
            return Const(node.evaluated_value)
        if type(node) is cst.Name:
            if node.value in ("True", "False", "None"):
                return Const({"True": True, "False": False, "None": None}[node.value])
        if type(node) is cst.UnaryOperation and type(node.operator) is cst.Minus:
            inner = self.constant(node.expression, _depth + 1)
            if inner is not None and isinstance(inner.value, (int, float)) and not isinstance(inner.value, bool):
                return Const(-inner.value, inner.origin_node, inner.origin_name, self, inner.note)
            return None
        if type(node) in (cst.Name, cst.Attribute):
            definition = self.definition(node)
            if definition is None:
                return None
            inner = self.constant(definition.value, _depth + 1)
            if inner is None:
                return None
            if inner.origin_name is not None or inner.note:
                return inner
            return Const(inner.value, definition.node, definition.name, self)
        if type(node) is cst.BinaryOperation:
            left = self.constant(node.left, _depth + 1)
            right = self.constant(node.right, _depth + 1)
            if left is None or right is None:
                return None
            origin = left if left.origin_name else right
            op = type(node.operator)
            if isinstance(left.value, str) and isinstance(right.value, str) and op is cst.Add:
                return Const(left.value + right.value, origin.origin_node, origin.origin_name, self)
            if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (left.value, right.value)):
                fn = _NUMBER_OPS.get(op)
                try:
                    value = fn(left.value, right.value) if fn else None
                except (ZeroDivisionError, OverflowError, ValueError):
                    value = None
                return Const(value, origin.origin_node, origin.origin_name, self) if value is not None else None
            return None
        if type(node) in (cst.Tuple, cst.List):
            values = []
            for element in node.elements:
                if type(element) is cst.StarredElement:
                    return None
                inner = self.constant(element.value, _depth + 1)
                if inner is None:
                    return None
                values.append(inner.value)
            return Const(tuple(values))
        if type(node) is cst.Dict:
            result = {}
            for element in node.elements:
                if type(element) is not cst.DictElement:
                    return None
                key = self.constant(element.key, _depth + 1)
                value = self.constant(element.value, _depth + 1)
                if key is None or value is None or not isinstance(key.value, (str, int, float, bool, type(None))):
                    return None
                result[key.value] = value.value
            return Const(result)
        if type(node) is cst.Subscript:
            # `INTERNAL_SERVERS["db"]["ip"]`, `HOSTS[0]`: an item of a constant container
            if len(node.slice) != 1 or type(node.slice[0].slice) is not cst.Index:
                return None
            container = self.constant(node.value, _depth + 1)
            if container is None:
                return None
            key = self.constant(node.slice[0].slice.value, _depth + 1)
            if key is None:
                return None
            try:
                if isinstance(container.value, dict):
                    value = container.value[key.value]
                elif (isinstance(container.value, tuple) and isinstance(key.value, int)
                      and not isinstance(key.value, bool)):
                    value = container.value[key.value]
                else:
                    return None
            except (KeyError, IndexError, TypeError):
                return None
            return Const(value, container.origin_node, container.origin_name, self, container.note)
        if type(node) is cst.FormattedString:
            parts = []
            leading = None  # the constant the text starts with (`f"{API_BASE}/users"`): its origin
            for part in node.parts:
                if type(part) is cst.FormattedStringText:
                    parts.append(part.value)
                elif type(part) is cst.FormattedStringExpression and part.format_spec is None and part.conversion is None:
                    inner = self.constant(part.expression, _depth + 1)
                    if inner is None or not isinstance(inner.value, (str, int, float)):
                        return None
                    if not parts:
                        leading = inner
                    parts.append(str(inner.value))
                else:
                    return None
            if leading is not None:
                return Const("".join(parts), leading.origin_node, leading.origin_name, self, leading.note)
            return Const("".join(parts))
        if type(node) is cst.BooleanOperation and type(node.operator) is cst.Or:
            # `os.getenv("AWS_REGION") or "us-east-1"`: the value the code falls back to
            left = self.constant(node.left, _depth + 1)
            if left is not None:
                return left if left.value else self.constant(node.right, _depth + 1)
            right = self.constant(node.right, _depth + 1)
            if right is None or not right.value:
                return None  # `timeout or None`: an empty fallback configures nothing
            if right.origin_name is not None or right.note:
                return right
            variable = self._env_variable(node.left, _depth) if type(node.left) is cst.Call else None
            return Const(right.value, note=(f"the default of environment variable {variable}" if variable
                                            else "the fallback after `or`"))
        if type(node) is cst.Call and self._is_env_getter(node):
            default = None
            for index, arg in enumerate(node.args):
                if arg.keyword is not None and arg.keyword.value == "default":
                    default = arg.value
                elif arg.keyword is None and index == 1:
                    default = arg.value
            if default is not None:
                inner = self.constant(default, _depth + 1)
                if inner is not None:
                    variable = self._env_variable(node, _depth)
                    where = f"the default of environment variable {variable}" if variable else "an environment default"
                    return Const(inner.value, note=where)
        return None

    def _is_env_getter(self, call: cst.Call) -> bool:
        target = self.resolve(call.func)
        return target in self.env_getters or (target or "").endswith((".getenv", "environ.get"))

    def _env_variable(self, call: cst.Call, _depth: int = 0) -> Optional[str]:
        """The variable an environment getter reads (`os.getenv("AWS_REGION")`), if known."""
        if not call.args or call.args[0].keyword is not None or not self._is_env_getter(call):
            return None
        variable = self.constant(call.args[0].value, _depth + 1)
        return str(variable.value) if variable is not None else None

    # ---- personal data ----------------------------------------------------------------

    def _taint_source(self, category: Optional[str], node, confidence: str = "medium",
                      name: Optional[str] = None) -> Taint:
        """name: the identifier or key the category was recognised by, when it is not the
        node's own name (`token = next(stream)`, `data["token"]`)."""
        if category is None:
            return EMPTY
        if self.vocab.categories[category].exclude_scope_words and self.vocab.excluded_in_scope(
                category, self.scope.words(self.vocab.meta_prefixes), name or _last_name(node)):
            return EMPTY
        return Taint((Source(category, node, confidence),), None, self._render, self.vocab.label)

    def _is_payload_call(self, call: cst.Call) -> bool:
        """`request.get_json()`, `await request.json()`: what a user sent, read whole."""
        func = call.func
        return (type(func) is cst.Attribute and func.attr.value in self.vocab.payload_methods
                and dotted_name(func.value) in self.vocab.request_bases)

    def _is_payload(self, node) -> bool:
        """`request.POST`, `request.data`: what a user sent, whole."""
        return type(node) is cst.Attribute and node.attr.value in self.vocab.payload_attributes \
            and self._is_request_source(node)

    def _is_request_source(self, node) -> bool:
        if type(node) is cst.Attribute and node.attr.value in self.vocab.request_attributes:
            base = dotted_name(node.value)
            return base is not None and base in self.vocab.request_bases
        return False

    def taint(self, node) -> Taint:
        self._taint_depth += 1
        try:
            if self._taint_depth > 40:
                return EMPTY
            return self._taint(node)
        finally:
            self._taint_depth -= 1

    def _name_taint(self, node: cst.Name, whole: bool = True) -> Taint:
        """whole: the object itself is used (formatted, printed), not one of its methods'
        results (`body.model_dump(include=...)` picks its fields)."""
        binding = self.scope.lookup(node.value)
        if binding is not None:
            if binding.qualname or isinstance(binding.value, (_ClassRef, _FunctionRef)):
                return EMPTY
            if whole and not binding.taint and self.printed_whole and not self._is_class_itself(node):
                owner = self._owner_class(node)
                if owner in self.printed_whole:  # `body: SignupRequest`, a pydantic model
                    return self._object_dump_taint(node)
            if whole and not binding.taint and binding.items:
                return binding.items.through(node.value)  # `row` after `email = row["Email"]`
            return binding.taint
        return self._taint_source(self.vocab.classify(node.value), node)

    def _taint(self, node) -> Taint:
        t = type(node)
        if t is cst.Name:
            return self._name_taint(node)
        if t is cst.Attribute:
            binding = self._self_binding(node)
            if binding is not None:
                if binding.taint:
                    return binding.taint
                if binding.value is not None and self._assigned_clean(binding):
                    return EMPTY
            attr = node.attr.value
            if attr == "__dict__":
                return self._object_dump_taint(node.value)
            if attr.startswith("__"):
                return EMPTY  # __name__, __class__: the code, not the data
            category = self.field_categories.get(attr)
            if category is not None:
                return self._taint_source(category, node, "high")
            if attr in self.masked_fields.get(self._owner_class(node.value), ()):
                return EMPTY  # a SecretStr field prints as **********
            owner = _last_name(node.value)
            if is_constant_name(attr) and owner.lower() not in self.vocab.config_owners and not self._is_request_source(node):
                return EMPTY  # ErrorCode.LOGIN_BAD_CREDENTIALS: an enum member, not a secret
            category = self.vocab.classify(attr, context=owner)
            if category is not None and not self._owner_excludes(category, node.value) \
                    and not self._is_signal_sender(node.value):
                return self._taint_source(category, node, "medium")
            if self._is_payload(node):
                return self._taint_source(self.vocab.payload_category, node, "low")  # `request.POST` whole
            if attr in self.vocab.user_attributes and dotted_name(node.value) in self.vocab.request_bases:
                return self._taint_source(self.vocab.user_category, node, "medium")  # `request.user` prints its username
            return EMPTY
        if t is cst.Subscript:
            key = self._subscript_key(node)
            if key is not None:
                return self._keyed_item_taint(node.value, key, node)
            if _is_short_slice(node) or _is_domain_part(node) or self._is_payload(node.value):
                return EMPTY  # `request.POST[field]`: one field, whose key the code does not say
            return self.taint(node.value)
        if t is cst.Call:
            return self._call_taint(node)
        if t is cst.FormattedString:
            result = EMPTY
            for part in node.parts:
                if type(part) is cst.FormattedStringExpression:
                    result = result.union(self.taint(part.expression))
            return result
        if t is cst.BinaryOperation:
            if type(node.operator) in (cst.Add, cst.Modulo):
                return self.taint(node.left).union(self.taint(node.right))
            return EMPTY
        if t is cst.ConcatenatedString:
            return self.taint(node.left).union(self.taint(node.right))
        if t in (cst.List, cst.Tuple, cst.Set):
            result = EMPTY
            for element in node.elements:
                result = result.union(self.taint(element.value))
            return result
        if t is cst.Dict:
            result = EMPTY
            for element in node.elements:
                if type(element) is cst.DictElement:
                    result = result.union(self.keyed_taint(element.key, element.value))
                else:
                    result = result.union(self.taint(element.value))
            return result
        if t is cst.IfExp:
            return self.taint(node.body).union(self.taint(node.orelse))
        if t is cst.BooleanOperation:
            return self.taint(node.left).union(self.taint(node.right))
        if t in (cst.Await, cst.StarredElement):
            return self.taint(node.expression if t is cst.Await else node.value)
        if t is cst.NamedExpr:
            return self.taint(node.value)
        if t is cst.Lambda:
            return self.taint(node.body)
        if t in (cst.ListComp, cst.SetComp, cst.GeneratorExp):
            return self._comprehension_taint(node, node.elt)
        if t is cst.DictComp:
            return self._comprehension_taint(node, node.value)
        return EMPTY

    def _subscript_key(self, node: cst.Subscript) -> Optional[str]:
        if len(node.slice) != 1 or type(node.slice[0].slice) is not cst.Index:
            return None
        index = node.slice[0].slice.value
        key = string_value(index)
        if key is None and type(index) in (cst.Name, cst.Attribute):
            folded = self.constant(index)  # EMAIL_COLUMN = "email"; row[EMAIL_COLUMN]
            key = folded.value if folded is not None and isinstance(folded.value, str) else None
        return key

    def _note_item_read(self, container, taint: Taint) -> None:
        """Remember that a variable's value holds personal data under a key (`email =
        row["Email"]`, `cart["customer"]["email"]`): the variable passed on whole carries it."""
        root = container
        while True:
            if type(root) is cst.Subscript:
                root = root.value
            elif type(root) is cst.Call and type(root.func) is cst.Attribute and root.func.attr.value == "get":
                root = root.func.value
            else:
                break
        if not taint or type(root) is not cst.Name:
            return
        binding = self.scope.lookup(root.value)
        if binding is not None and binding.qualname is None and not isinstance(binding.value, (_ClassRef, _FunctionRef)):
            binding.items = binding.items.union(taint)

    def _container_word(self, container) -> str:
        """The name a keyed item is read from: `customer` in `customer["name"]`, `shipping`
        in `order["shipping"]["address"]` and `order.get("shipping", {}).get("address")`."""
        t = type(container)
        if t in (cst.Name, cst.Attribute):
            return _last_name(container)
        if t is cst.Subscript:
            return self._subscript_key(container) or ""
        if t is cst.Call and type(container.func) is cst.Attribute and container.func.attr.value == "get" \
                and container.args and container.args[0].keyword is None:
            return string_value(container.args[0].value) or ""
        return ""

    def _keyed_item_taint(self, container, key: str, node) -> Taint:
        """`data["email"]`, `data.get("email")`: the key says what the item is. A key that
        names no personal data gives the item of a dict literal we know, else nothing."""
        if self.vocab.is_meta_container(_last_name(container)):
            return EMPTY
        folded = self.constant(container) if type(container) in (cst.Name, cst.Attribute, cst.Subscript) else None
        if folded is not None and isinstance(folded.value, dict) and key in folded.value \
                and not self.taint(container):
            return EMPTY  # IMPRINT_CONTACT["email"]: a literal the code wrote, not someone's data
        # a person's record qualifies a bare key as an attribute's owner does: `customer["name"]`,
        # `order["shipping"]["address"]` (not `session["id"]`, a Stripe object's id); and a
        # machine's record rules one out: `host["ip"]`
        context = self._container_word(container)
        if context and not set(split_words(context)[-1:]) & self.vocab.person_nouns:
            context = ""
        category = self.vocab.classify(key, key=True, context=context)
        if category is not None and len(split_words(key)) == 1 and not self._is_request_source(container) \
                and self._owner_excludes(category, container):
            category = None
        if category is not None:
            confidence = "high" if self._is_request_source(container) else "medium"
            taint = self._taint_source(category, node, confidence, key)
            self._note_item_read(container, taint)
            return taint
        if self._is_request_source(container):
            # request.cookies.get("session"): the container itself says what its items are,
            # unless the key read after it says the item is about something else:
            # `COOKIES["django_language"]` reads as cookies_django_language, a setting
            taint = self.taint(container)
            if taint and self.vocab.classify_words(split_words(container.attr.value) + split_words(key)) is None:
                return EMPTY
            return taint
        if type(container) is cst.Name:
            binding = self.scope.lookup(container.value)
            if binding is not None and type(binding.value) is cst.Dict:
                for element in binding.value.elements:
                    if type(element) is cst.DictElement and string_value(element.key) == key:
                        return self.taint(element.value)
        return EMPTY

    def _object_dump_taint(self, owner) -> Taint:
        """`vars(account)`, `asdict(account)`, `account.__dict__`: every field of a class
        of this module whose name (or declared type) says personal data."""
        class_name = self._owner_class(owner)
        binding = self.scope.lookup(class_name) if class_name else None
        if binding is None or not isinstance(binding.value, _ClassRef):
            return EMPTY
        fields = self._object_dump_taint_of(binding.value.scope)
        if not fields:
            return fields
        # named as the object's fields (`body.email`), not as the class declares them (`email`)
        return Taint(tuple(Source(s.category, cst.Attribute(value=owner, attr=cst.Name(s.node.value)), s.confidence)
                           for s in fields.sources), None, self._render, self.vocab.label)

    def _object_dump_taint_of(self, class_scope: "Scope") -> Taint:
        result = EMPTY
        for field in class_scope.data.get("fields", ()):
            name = field.value
            category = self.field_categories.get(name) or self.vocab.classify(name)
            if category is not None and name not in self.masked_fields.get(class_scope.name, ()):
                result = result.union(self._taint_source(category, field, "medium"))
        return result

    def _method_scope(self) -> Optional["Scope"]:
        """The scope of the method being walked (through nested functions), or None."""
        scope = self.scope
        while scope is not None and scope.kind == "function" and scope.class_scope is None:
            scope = scope.parent
        return scope if scope is not None and scope.class_scope is not None else None

    def _is_signal_sender(self, node) -> bool:
        """`sender` in a signal receiver ([pii.flow] signal-sender-params): the first parameter
        of a function that also takes **kwargs, the task or model class that sent the signal."""
        if type(node) is not cst.Name or node.value not in self.vocab.signal_sender_params:
            return False
        scope = self.scope
        while scope is not None and scope.kind != "function":
            scope = scope.parent
        return scope is not None and scope.param_names[:1] == (node.value,) \
            and getattr(scope.node.params, "star_kwarg", None) is not None

    def _is_class_itself(self, node: cst.Name) -> bool:
        """`cls` in a classmethod: the class, which prints as its name, not an object."""
        method = self._method_scope()
        if method is None or node.value != method.self_name:
            return False
        return any(type(d.decorator) is cst.Name and d.decorator.value in ("classmethod", "staticmethod")
                   for d in method.node.decorators)

    def _owner_class(self, node) -> Optional[str]:
        """The class an object belongs to when we know it: `self` in a method, or a
        parameter annotated with a class."""
        if type(node) is cst.Name:
            method = self._method_scope()
            if method is not None and node.value == method.self_name:
                return method.class_scope.name
            binding = self.scope.lookup(node.value)
            if binding is not None:
                return binding.type_name
        return None

    def _assigned_clean(self, binding: Binding) -> bool:
        """An assignment whose value we know carries nothing: a constant or a sanitizer."""
        value = binding.value
        if isinstance(value, (_ClassRef, _FunctionRef)):
            return True
        if self.constant(value) is not None:
            return True
        if type(value) is cst.Call:
            name = _last_name(value.func)
            return self.vocab.is_sanitizer(self.resolve(value.func), name) or self._is_non_data(value)
        return False

    def keyed_taint(self, key_node, value_node) -> Taint:
        """A value under a key (`{"email": x}`, `email=x`, `set_tag("email", x)`): the
        value's own data, or, for a value of unknown content, what the key names."""
        taint = self.taint(value_node)
        if taint:
            return taint
        key = string_value(key_node) if not isinstance(key_node, str) else key_node
        if key is None or not self._may_hold_data(value_node):
            return EMPTY
        return self._taint_source(self.vocab.classify(key, key=True), value_node, "medium", key)

    def _is_non_data(self, node) -> bool:
        """Values that are never personal data whatever their key or name says."""
        return type(node) in (cst.Lambda, cst.Integer, cst.Float, cst.Comparison) or (
            type(node) is cst.Call and _last_name(node.func) in self.vocab.non_data_calls)

    def _may_hold_data(self, node, _depth: int = 0) -> bool:
        """Whether a value of unknown content can be what its key names: a variable, an
        attribute, an item or a call result. Not when the engine can tell the value is
        clean: a literal or constant (`None`), a function, a container, a sanitizer's result
        or a variable assigned one, a short slice or the domain half of an address, a value
        typed as never personal data (SecretStr) or named as made safe (`email_hash`)."""
        if _depth > 8 or self.constant(node) is not None:
            return False
        t = type(node)
        if t is cst.Name:
            if self.vocab.is_sanitized_name(node.value):
                return False
            binding = self.scope.lookup(node.value)
            if binding is None:
                return True
            if binding.qualname or isinstance(binding.value, (_ClassRef, _FunctionRef)):
                return False
            if binding.type_name in self.vocab.non_data_types:
                return False
            return binding.value is None or self._may_hold_data(binding.value, _depth + 1)
        if t is cst.Attribute:
            if self.vocab.is_sanitized_name(node.attr.value):
                return False
            if node.attr.value in self.masked_fields.get(self._owner_class(node.value), ()):
                return False  # a SecretStr field prints as **********
            binding = self._self_binding(node)
            if binding is not None and binding.value is not None:
                return self._may_hold_data(binding.value, _depth + 1)
            return True
        if t is cst.Subscript:
            return not (_is_short_slice(node) or _is_domain_part(node))
        if t is cst.Call:
            return not self._is_non_data(node) and not self.vocab.is_sanitizer(
                self.resolve(node.func), _last_name(node.func))
        if t is cst.Await:
            return self._may_hold_data(node.expression, _depth + 1)
        return False

    def _comprehension_taint(self, node, element) -> Taint:
        saved = []
        for_in = node.for_in
        while for_in is not None:
            for name, source in self._loop_taints(for_in.target, for_in.iter):
                saved.append((name, self.scope.bindings.get(name)))
                self.scope.bindings[name] = Binding(name, None, source.through(name))
            for_in = for_in.inner_for_in
        try:
            return self.taint(element)
        finally:
            for name, old in reversed(saved):
                if old is None:
                    self.scope.bindings.pop(name, None)
                else:
                    self.scope.bindings[name] = old

    def _loop_taints(self, target, iterable) -> List[Tuple[str, Taint]]:
        """What each name of a loop target carries. Iterating a dict whose keys we know gives
        its keys: `for field, value in changes.items()` (field: a key), `for field in changes`."""
        names = _target_names(target)
        t = type(iterable)
        if t is cst.Call and type(iterable.func) is cst.Attribute and not iterable.args \
                and iterable.func.attr.value in ("items", "keys"):
            keys = self.keys_taint(iterable.func.value)
            if keys is not None:
                if iterable.func.attr.value == "keys":
                    return [(name, keys) for name in names]
                if type(target) in (cst.Tuple, cst.List) and len(target.elements) == 2 \
                        and type(target.elements[0].value) is cst.Name:
                    first = target.elements[0].value.value
                    rest = self.taint(iterable)
                    return [(name, keys if name == first else rest) for name in names]
            elif iterable.func.attr.value == "items" and type(target) in (cst.Tuple, cst.List) \
                    and len(target.elements) == 2 and type(target.elements[0].value) is cst.Name:
                # `for name, morsel in cookie_data.items()`: the key names an entry, it does
                # not carry the values' data; its own name may say what it is (`for email, n in`)
                key_node = target.elements[0].value
                return [(key_node.value, self._item_name_taint(key_node, iterable))] \
                    + self._items_taints(target.elements[1].value, iterable)
        elif t in (cst.Name, cst.Dict, cst.DictComp):
            keys = self.keys_taint(iterable)
            if keys is not None:
                return [(name, keys) for name in names]
        return self._items_taints(target, iterable)

    def _items_taints(self, target, iterable) -> List[Tuple[str, Taint]]:
        """What each name of a loop target carries from the iterable's items: what the
        iterable carries, or when its items are unknown, what each name says."""
        source = self.taint(iterable)
        if source or not self._items_unknown(iterable):
            return [(name, source) for name in _target_names(target)]
        return [(name, self._item_name_taint(node, iterable)) for name, node in _target_name_nodes(target).items()]

    def _items_unknown(self, iterable) -> bool:
        """Whether the items of an iterable are values we cannot see (a parameter, a query, a
        call's result): then a loop or unpacking target's own name says what each item is, as
        an assigned variable's does. Not for literals, constants (`settings.ADMINS`) or values
        known to be clean."""
        if type(iterable) is cst.Attribute and is_constant_name(iterable.attr.value):
            return False
        return self._may_hold_data(iterable)

    def _item_name_taint(self, target: cst.Name, iterable) -> Taint:
        """`for (cid, full_name), total in top.items()`: the target's name speaks."""
        category = self.vocab.classify(target.value)
        if category is not None and self._owner_excludes(category, iterable):
            return EMPTY  # for ip in cluster.node_ips: a machine's
        return self._taint_source(category, target)

    def is_local(self, node) -> bool:
        """Whether `node` is a name the function being walked has bound so far (assignment,
        loop, `with ... as`, walrus), not one of its parameters; for checks that tell a
        function's own variable from a value given to it (redis keys)."""
        scope = self.scope
        return (type(node) is cst.Name and scope.kind == "function" and node.value in scope.bindings
                and node.value not in scope.param_names)

    def keys_taint(self, node, _depth: int = 0) -> Optional[Taint]:
        """What the keys of a dict carry, when the dict is one we can see: a dict display or
        comprehension (or a name bound once to one), the fields of an object (`vars(data)`,
        `data.__dict__`, `data.model_dump()`) or request data (`request.POST`: field names).
        None when the value is not known to be such a dict. Checks use it where an API
        stores a mapping's keys as data (redis `zadd(name, {member: score})`)."""
        if _depth > 8:
            return None
        t = type(node)
        if t is cst.Dict:
            result = EMPTY
            for element in node.elements:
                if type(element) is cst.DictElement:
                    result = result.union(self.taint(element.key))
                else:
                    keys = self.keys_taint(element.value, _depth + 1)
                    result = result.union(keys if keys is not None else self.taint(element.value))
            return result
        if t is cst.DictComp:
            return self._comprehension_taint(node, node.key)
        if t is cst.Name:
            binding = self.scope.lookup(node.value)
            keys = None
            if binding is not None and binding.defs == 1 and type(binding.value) in (cst.Dict, cst.DictComp, cst.Call):
                keys = self.keys_taint(binding.value, _depth + 1)
            if keys is None and binding is not None and binding.items:
                return EMPTY  # `sorted(row)` after `row["email"]`: the keys the code reads by name
            return keys
        if t is cst.Attribute:
            if node.attr.value == "__dict__":
                return EMPTY
            if self._is_payload(node):
                return EMPTY
            return None
        if t is cst.Call:
            name = _last_name(node.func)
            if name in self.vocab.object_dumpers and node.args:
                return EMPTY
            if type(node.func) is cst.Attribute and name in self.vocab.dump_methods and not node.args:
                return EMPTY
            if self._is_payload_call(node):
                return EMPTY  # `request.get_json()`: field names
        return None

    def _call_taint(self, node: cst.Call) -> Taint:
        func = node.func
        target = self.resolve(func)
        name = func.attr.value if type(func) is cst.Attribute else (func.value if type(func) is cst.Name else "")
        if self.vocab.is_sanitizer(target, name):
            return EMPTY
        if type(func) is cst.Name and target is None:
            binding = self.scope.lookup(func.value)
            if binding is not None and isinstance(binding.value, _FunctionRef):
                return binding.taint  # what the module's own function returns
        if self._is_payload_call(node):
            return self._taint_source(self.vocab.payload_category, node, "low")  # `request.get_json()`
        if type(func) is cst.Attribute:
            receiver_target = self.resolve(func.value)
            if receiver_target is not None and (receiver_target.startswith("<") or self._is_module(func.value)):
                receiver = EMPTY  # a module or a client object: `requests.get`, `session.get`
            elif type(func.value) is cst.Name:
                receiver = self._name_taint(func.value, whole=False)
            else:
                receiver = self.taint(func.value)
            is_object = receiver_target is not None and (receiver_target.startswith("<") or self._is_module(func.value))
            # a mapping's `get(key, default)`; a `get` with keywords (`headers=`, `timeout=`) is
            # an HTTP client's, whatever the object: what it sends is not in what it returns
            if name in ("get", "pop") and node.args and not is_object and not self._kind_is_module(target) \
                    and all(arg.keyword is None for arg in node.args):
                key = string_value(node.args[0].value)
                if key is None and type(node.args[0].value) in (cst.Name, cst.Attribute):
                    folded = self.constant(node.args[0].value)
                    key = folded.value if folded is not None and isinstance(folded.value, str) else None
                if key is not None:
                    item = self._keyed_item_taint(func.value, key, node)
                    for arg in node.args[1:2]:
                        item = item.union(self.taint(arg.value))
                    return item
                if not receiver:
                    return EMPTY
                # `request.POST.get(f"payment_{method}_oid")`: one field, not the form whole
                result = EMPTY if self._is_payload(func.value) else receiver
                for arg in node.args[1:2]:
                    result = result.union(self.taint(arg.value))
                return result
            if name in self.vocab.dump_methods and not node.args and self._owner_class(func.value):
                # `body.model_dump()` of a class of this module: its fields' data, and what
                # the object itself carries (`dict` is also a passthrough method below)
                return self._object_dump_taint(func.value).union(receiver)
            if not is_object and name in self.vocab.key_methods and len(node.args) == 1 \
                    and node.args[0].keyword is None:
                keys = self.keys_taint(node.args[0].value)
                if keys is not None:
                    return receiver.union(keys)  # `", ".join(changes)`: the keys of a dict we know
            if not is_object and name in self.vocab.passthrough_methods:
                result = receiver
                for arg in node.args:
                    if arg.keyword is None or arg.keyword.value not in self.vocab.passthrough_skip_keywords:
                        result = result.union(self.taint(arg.value))
                return result
        if name in self.vocab.object_dumpers and node.args:
            return self._object_dump_taint(node.args[0].value)
        if target in self.vocab.key_functions and len(node.args) == 1 and node.args[0].keyword is None:
            keys = self.keys_taint(node.args[0].value)
            if keys is not None:
                return keys  # `sorted(changes)`: the keys of a dict we know
        response = target in self.vocab.response_functions
        if response or target in self.vocab.passthrough_functions or name in ("str", "repr", "format") \
                and type(func) is cst.Name:
            result = EMPTY
            for arg in node.args:
                if arg.keyword is None or arg.keyword.value not in self.vocab.passthrough_skip_keywords:
                    result = result.union(self.taint(arg.value))
            if response and result:  # the data a request is about, not the credentials it sent
                categories, dropped = self.vocab.categories, self.vocab.response_drops_groups
                result = result.restricted([c for c in result.categories if categories[c].group not in dropped])
            if target == "getattr" and len(node.args) >= 2:
                key = string_value(node.args[1].value)
                if key is not None:
                    result = self._taint_source(self.vocab.classify(key, context=_last_name(node.args[0].value)), node,
                                                name=key)
            return result
        # getters named after the data: user.get_full_name(), get_client_ip(request)
        words = split_words(name)
        if len(words) > 1 and words[0] == "get":
            # `get_serial_by_otp(...)`, `get_user_by_email(...)`: what comes before `by` is got
            for index, word in enumerate(words[2:], 2):
                if word in self.vocab.getter_prepositions:
                    words = words[:index]
                    break
            context = _last_name(func.value) if type(func) is cst.Attribute else ""
            category = self.vocab.classify_words(words) or self.vocab.classify_words(words[1:])
            if category is None and context:
                category = self.vocab.classify("_".join(words[1:]), context=context)
            return self._taint_source(category, node)
        return EMPTY

    def _root_binding(self, node) -> Optional[Binding]:
        """The binding of the name an attribute chain starts from (`os` in `os.path.join`)."""
        while type(node) is cst.Attribute:
            node = node.value
        return self.scope.lookup(node.value) if type(node) is cst.Name else None

    def _is_module(self, node) -> bool:
        """`requests`, `os.path`: a name bound by `import X` (not an object imported from one)."""
        binding = self._root_binding(node)
        return binding is not None and binding.type_name == "module"

    def _is_import(self, node) -> bool:
        binding = self._root_binding(node)
        return binding is not None and binding.qualname is not None

    def _kind_is_module(self, target: Optional[str]) -> bool:
        return bool(target) and target.startswith(("os.", "environ."))

    # ---- binding ------------------------------------------------------------------------

    def _value_taint(self, name: str, value) -> Taint:
        """What an assigned value carries; for a value of unknown content (a call, an item,
        an attribute) the variable's own name speaks: `token = make_reset_token()`."""
        taint = self.taint(value)
        if taint or not self._unknown_content(value):
            return taint.through(name) if taint else taint
        category = self.vocab.classify(name)
        if category is not None and self._owner_excludes(category, value):
            return EMPTY  # full_name = preparer.format_table(table): a table's name
        return self._taint_source(category, value, name=name)

    def _owner_excludes(self, category: str, owner) -> bool:
        """Whether the object a value is read from rules the category out by its words
        (`msg.DESCRIPTOR.full_name` is a protobuf name, not a person's)."""
        excluded = self.vocab.categories[category].exclude_words
        if not excluded:
            return False
        called = False
        while type(owner) in (cst.Call, cst.Subscript):
            called = called or type(owner) is cst.Call
            owner = owner.func if type(owner) is cst.Call else owner.value
        # the nearest owner only: `room.full_name` is a room's, `room.owner.full_name` a person's;
        # a call's result, by the method and what it is called on (`parser.get_mailbox(addr)`)
        text = _last_name(owner)
        if called and type(owner) is cst.Attribute:
            text = _last_name(owner.value) + "_" + text
        return excluded.occurs_in([self.vocab.fold(w) for w in split_words(text)])

    def _unknown_content(self, value) -> bool:
        if type(value) is cst.BooleanOperation:
            return self._unknown_content(value.left) or self._unknown_content(value.right)
        if type(value) is cst.Await:
            return self._unknown_content(value.expression)
        if type(value) is cst.Call:
            if self._is_non_data(value) or self.constant(value) is not None:
                return False
            func = value.func
            if (type(func) is cst.Attribute and func.attr.value in self.vocab.passthrough_methods
                    and func.attr.value not in ("get", "pop")):
                return False  # `line.split()`, `".".join(parts)`: made from what we already know
            if type(func) is cst.Name and func.value in ("str", "repr", "format") and value.args:
                return any(self._unknown_content(arg.value) for arg in value.args)  # `str(uuid4())`
            return not self.vocab.is_sanitizer(self.resolve(value.func), _last_name(value.func))
        if type(value) is cst.Subscript:
            if type(value.slice[0].slice) is cst.Slice:  # `str(uuid4())[:8]`: part of what it slices
                return self._unknown_content(value.value) and not _is_short_slice(value)
            return not (_is_short_slice(value) or _is_domain_part(value))
        if type(value) is cst.Attribute:
            from gdpr_lint.analysis.names import is_constant_name

            return not is_constant_name(value.attr.value) and not self._is_import(value)
        return False

    def bind(self, scope: Scope, name: str, value, node, *, count: bool = True) -> Binding:
        taint = self._value_taint(name, value) if value is not None else EMPTY
        kind = None
        if type(value) is cst.Call:
            kind = self.call_kind(value)
        elif value is not None:
            kind = self.kind(value)
        old = scope.bindings.get(name)
        binding = Binding(name, value, taint, kind, None, node)
        if old is not None:
            binding.defs = old.defs + (1 if count else 0)
        scope.bindings[name] = binding
        return binding

    def bind_target(self, target, value, *, count: bool = True) -> None:
        if type(target) is cst.Name:
            self.bind(self.scope, target.value, value, target, count=count)
        elif type(target) in (cst.Tuple, cst.List):
            values = None
            if type(value) in (cst.Tuple, cst.List) and len(value.elements) == len(target.elements):
                values = [e.value for e in value.elements]
            # `local, domain = email.split("@")`: only the part before the first star and the
            # `@` can identify someone; the domain half does not, as `email.split("@")[1]`
            address_split = value is not None and _is_address_split(value)
            whole = self.taint(value) if value is not None and values is None else EMPTY  # once, not per name
            unknown_items = None  # whether the value's items are unknown, asked when first needed
            for i, element in enumerate(target.elements):
                inner = element.value
                if values is not None:
                    self.bind_target(inner, values[i], count=count)
                else:
                    domain = address_split and i > 0 and not any(
                        type(e.value) is cst.StarredElement for e in target.elements[:i + 1])
                    nodes = _target_name_nodes(inner)
                    for name in _target_names(inner):
                        taint = whole.through(name) if not domain else EMPTY
                        if not taint and value is not None and not domain:
                            if unknown_items is None:
                                unknown_items = self._items_unknown(value)
                            if unknown_items:
                                taint = self._item_name_taint(nodes[name], value)  # `cid, email = row`
                        binding = Binding(name, None, taint, None, None, inner)
                        old = self.scope.bindings.get(name)
                        if old is not None:
                            binding.defs = old.defs + 1
                        self.scope.bindings[name] = binding
        elif type(target) is cst.Attribute:
            binding_scope = self._instance_scope(target)
            if binding_scope is not None:
                name = target.attr.value
                old = binding_scope.instance.get(name)
                taint = self.taint(value) if value is not None else EMPTY
                if taint:  # rendering the target is code generation: only for data worth naming
                    taint = taint.through(self._render(target))
                kind = self.call_kind(value) if type(value) is cst.Call else self.kind(value)
                binding = Binding(name, value, taint, kind, None, target)
                if old is not None:
                    binding.defs = old.defs + 1
                    if kind is None:
                        binding.kind = old.kind
                binding_scope.instance[name] = binding

    def _instance_scope(self, target: cst.Attribute) -> Optional[Scope]:
        """The class scope that `self.x` / `cls.x` belongs to, inside a method."""
        if type(target.value) is not cst.Name:
            return None
        scope = self.scope
        while scope is not None and scope.kind == "function" and scope.class_scope is None:
            scope = scope.parent
        if scope is None or scope.class_scope is None or target.value.value not in ("self", "cls", scope.self_name):
            return None
        return scope.class_scope


class _FunctionRef:
    """Binding value for a function name: never data itself."""


_FUNCTION = _FunctionRef()


class _ClassRef:
    """Binding value for a class name, so `ClassName.attr` resolves to its class scope."""

    def __init__(self, scope: Scope):
        self.scope = scope


def _last_name(node) -> str:
    if type(node) is cst.Name:
        return node.value
    if type(node) is cst.Attribute:
        return node.attr.value
    if type(node) is cst.Call:
        return _last_name(node.func)
    return ""


def _subscript_key(node: cst.Subscript) -> Optional[str]:
    if len(node.slice) != 1:
        return None
    element = node.slice[0].slice
    if type(element) is cst.Index:
        return string_value(element.value)
    return None


def _slice_bound(node) -> Optional[int]:
    if node is None:
        return None
    if type(node) is cst.Integer:
        return int(node.value)
    if type(node) is cst.UnaryOperation and type(node.operator) is cst.Minus and type(node.expression) is cst.Integer:
        return -int(node.expression.value)
    raise ValueError


def _is_short_slice(node: cst.Subscript) -> bool:
    """`iban[:2]`, `card[-4:]`: a few characters identify no one."""
    if len(node.slice) != 1 or type(node.slice[0].slice) is not cst.Slice:
        return False
    part = node.slice[0].slice
    try:
        lower, upper = _slice_bound(part.lower), _slice_bound(part.upper)
    except ValueError:
        return False
    if lower is None and upper is not None and 0 <= upper <= 4:
        return True
    return upper is None and lower is not None and -4 <= lower < 0


def _is_address_split(value) -> bool:
    """`email.split("@")`, `email.partition("@")`: an address cut at its `@`."""
    return (type(value) is cst.Call and type(value.func) is cst.Attribute
            and value.func.attr.value in ("split", "rsplit", "partition", "rpartition") and bool(value.args)
            and string_value(value.args[0].value) == "@")


def _is_domain_part(node: cst.Subscript) -> bool:
    """`email.split("@")[1]`: the domain of an address is not the address."""
    if len(node.slice) != 1 or type(node.slice[0].slice) is not cst.Index:
        return False
    index = node.slice[0].slice.value
    if not _is_address_split(node.value):
        return False
    try:
        position = _slice_bound(index)
    except ValueError:
        return False
    return position is not None and position != 0


def _target_name_nodes(target) -> Dict[str, cst.Name]:
    """The Name nodes a loop or unpacking target binds, by name."""
    if type(target) is cst.Name:
        return {target.value: target}
    if type(target) in (cst.Tuple, cst.List):
        nodes: Dict[str, cst.Name] = {}
        for element in target.elements:
            nodes.update(_target_name_nodes(element.value))
        return nodes
    if type(target) is cst.StarredElement:
        return _target_name_nodes(target.value)
    return {}


def _target_names(target) -> List[str]:
    if type(target) is cst.Name:
        return [target.value]
    if type(target) in (cst.Tuple, cst.List):
        names = []
        for element in target.elements:
            names.extend(_target_names(element.value))
        return names
    if type(target) is cst.StarredElement:
        return _target_names(target.value)
    return []


# ---------------------------------------------------------------------------------------
# The traversal


def _flat_top_level(body) -> Iterator:
    """Top-level statements, looking into module-level if/try blocks (imports under
    `if TYPE_CHECKING:` or `try: ... except ImportError:`)."""
    for stmt in body:
        if type(stmt) is cst.If:
            yield from _flat_top_level(stmt.body.body if type(stmt.body) is cst.IndentedBlock else ())
            orelse = stmt.orelse
            while orelse is not None:
                if type(orelse) is cst.Else:
                    yield from _flat_top_level(orelse.body.body if type(orelse.body) is cst.IndentedBlock else ())
                    break
                yield from _flat_top_level(orelse.body.body if type(orelse.body) is cst.IndentedBlock else ())
                orelse = orelse.orelse
        elif isinstance(stmt, (cst.Try, getattr(cst, "TryStar", cst.Try))):
            yield from _flat_top_level(stmt.body.body if type(stmt.body) is cst.IndentedBlock else ())
            for handler in stmt.handlers:
                yield from _flat_top_level(handler.body.body if type(handler.body) is cst.IndentedBlock else ())
        else:
            yield stmt


def _annotation_name(annotation) -> Optional[str]:
    if annotation is None:
        return None
    node = annotation.annotation
    if type(node) is cst.Subscript:  # Optional[EmailStr], list[str]
        name = dotted_name(node.value)
        if name and name.rsplit(".", 1)[-1] in TYPE_WRAPPERS and node.slice:
            inner = node.slice[0].slice
            if type(inner) is cst.Index:
                return dotted_name(inner.value)
        return name
    if type(node) is cst.BinaryOperation:  # EmailStr | None
        return dotted_name(node.left)
    return dotted_name(node)


class Walker(Context):
    """Walks statements in order, keeping bindings, and dispatches to the checks."""

    def run(self) -> None:
        body = self.module.body
        self._prepass_module(body)
        self._block(body)
        for check in self.checks:
            check.on_scope_exit(self, self.scope)

    # ---- pre-passes (names used before their definition in walk order) ---------------

    def _prepass_module(self, body) -> None:
        statements = list(_flat_top_level(body))
        for stmt in statements:
            if type(stmt) is cst.SimpleStatementLine:
                for small in stmt.body:
                    if type(small) in (cst.Import, cst.ImportFrom):
                        self._import(small)
        counts: Dict[str, int] = {}
        for stmt in statements:
            if type(stmt) is cst.SimpleStatementLine:
                for small in stmt.body:
                    for target, value in _assignments(small):
                        if type(target) is cst.Name:
                            counts[target.value] = counts.get(target.value, 0) + 1
                            self.bind(self.scope, target.value, value, target, count=False)
            elif type(stmt) is cst.ClassDef:
                self.scope.bindings[stmt.name.value] = Binding(stmt.name.value, _ClassRef(Scope("class", stmt.name.value, stmt, self.scope)))
            elif type(stmt) is cst.FunctionDef:
                self.scope.bindings[stmt.name.value] = Binding(stmt.name.value, _FUNCTION)
        for name, count in counts.items():
            self.scope.bindings[name].defs = count

    def _prepass_class(self, node: cst.ClassDef, scope: Scope) -> None:
        body = node.body.body if type(node.body) is cst.IndentedBlock else node.body.body
        saved = self.scope
        self.scope = scope
        try:
            for stmt in body:
                smalls = stmt.body if type(stmt) is cst.SimpleStatementLine else ()
                for small in smalls:
                    if type(small) is cst.AnnAssign and type(small.target) is cst.Name:
                        scope.data.setdefault("fields", []).append(small.target)
                        annotation = _annotation_name(small.annotation)
                        if annotation is not None:
                            last = annotation.rsplit(".", 1)[-1]
                            category = self.vocab.classify_type(annotation)
                            if category is not None:
                                self.field_categories[small.target.value] = category
                            elif last in self.vocab.non_data_types:
                                # SecretStr prints as **********, a bool field is a flag: no data
                                self.masked_fields.setdefault(scope.name, set()).add(small.target.value)
                    for target, value in _assignments(small):
                        if type(target) is cst.Name:
                            if type(small) is not cst.AnnAssign:
                                scope.data.setdefault("fields", []).append(target)
                            self.bind(scope, target.value, value, target, count=scope.bindings.get(target.value) is not None)
                            if type(value) is cst.Call:
                                field = _last_name(value.func)
                                category = self.vocab.classify_type(field)
                                if category is not None:
                                    self.field_categories[target.value] = category
                if type(stmt) is cst.FunctionDef:
                    self._prepass_method(stmt, scope)
        finally:
            self.scope = saved
        if self._prints_its_fields(node) and self._object_dump_taint_of(scope):
            self.printed_whole.add(scope.name)

    def _prints_its_fields(self, node: cst.ClassDef) -> bool:
        """Whether printing an object of the class shows all of its fields: a dataclass,
        attrs or pydantic class (rules/pii.toml, auto-repr-*), or a subclass of such a class
        of the module, that writes no __repr__ or __str__ of its own."""
        body = node.body.body
        if any(type(stmt) is cst.FunctionDef and stmt.name.value in ("__repr__", "__str__") for stmt in body):
            return False
        for decorator in node.decorators:
            expr = decorator.decorator
            call = expr if type(expr) is cst.Call else None
            if dotted_name(call.func if call is not None else expr) in self.vocab.auto_repr_decorators:
                for arg in call.args if call is not None else ():
                    if arg.keyword is not None and arg.keyword.value == "repr":
                        return not (type(arg.value) is cst.Name and arg.value.value == "False")
                return True
        for base in node.bases:
            name = dotted_name(base.value)
            if name in self.vocab.auto_repr_bases or name in self.printed_whole:
                return True
        return False

    def _prepass_method(self, node: cst.FunctionDef, scope: Scope) -> None:
        params = node.params.params
        self_name = params[0].name.value if params else "self"
        stack = list(node.body.body) if type(node.body) is cst.IndentedBlock else []
        while stack:
            stmt = stack.pop()
            if type(stmt) is cst.SimpleStatementLine:
                for small in stmt.body:
                    for target, value in _assignments(small):
                        if (type(target) is cst.Attribute and type(target.value) is cst.Name
                                and target.value.value == self_name):
                            name = target.attr.value
                            kind = self.call_kind(value) if type(value) is cst.Call else None
                            old = scope.instance.get(name)
                            binding = Binding(name, value, EMPTY, kind or (old.kind if old else None), None, target)
                            if old is not None:
                                binding.defs = old.defs + 1
                            scope.instance[name] = binding
            elif type(stmt) in (cst.If, cst.Try, cst.With, cst.For, cst.While):
                body = getattr(stmt, "body", None)
                if type(body) is cst.IndentedBlock:
                    stack.extend(body.body)

    # ---- statements ----------------------------------------------------------------------

    def _block(self, body: Sequence) -> None:
        saved, self.block = self.block, body
        try:
            for stmt in body:
                self._stmt(stmt)
        finally:
            self.block = saved

    def _suite(self, suite, owner) -> None:
        if type(suite) is cst.IndentedBlock:
            self._block(suite.body)
        else:  # SimpleStatementSuite: `if x: log(y)` on one line
            for small in suite.body:
                self.stmt = owner
                self._small(small)

    def _stmt(self, stmt) -> None:
        t = type(stmt)
        if t is cst.SimpleStatementLine:
            for small in stmt.body:
                self.stmt = stmt
                self._small(small)
            return
        if t is cst.FunctionDef:
            self._function(stmt)
            return
        if t is cst.ClassDef:
            self._class(stmt)
            return
        self.stmt = stmt
        if t is cst.If:
            self._expr(stmt.test)
            self._suite(stmt.body, stmt)
            orelse = stmt.orelse
            if type(orelse) is cst.If:
                self._stmt(orelse)
            elif orelse is not None:
                self._suite(orelse.body, stmt)
        elif t is cst.For:
            self._expr(stmt.iter)
            for name, source in self._loop_taints(stmt.target, stmt.iter):
                binding = Binding(name, None, source.through(name), None, None, stmt.target)
                old = self.scope.bindings.get(name)
                binding.defs = (old.defs + 1) if old else 1
                self.scope.bindings[name] = binding
            self._suite(stmt.body, stmt)
            if stmt.orelse is not None:
                self._suite(stmt.orelse.body, stmt)
        elif t is cst.While:
            self._expr(stmt.test)
            self._suite(stmt.body, stmt)
            if stmt.orelse is not None:
                self._suite(stmt.orelse.body, stmt)
        elif t is cst.With:
            for item in stmt.items:
                self._expr(item.item)
                if item.asname is not None:
                    self.bind_target(item.asname.name, item.item)
            self.withs.append(stmt)
            try:
                self._suite(stmt.body, stmt)
            finally:
                self.withs.pop()
        elif t in (cst.Try, getattr(cst, "TryStar", cst.Try)):
            self._suite(stmt.body, stmt)
            for handler in stmt.handlers:
                self.stmt = handler
                self._expr(handler.type)
                if handler.name is not None and type(handler.name.name) is cst.Name:
                    self.scope.bindings[handler.name.name.value] = Binding(handler.name.name.value, None)
                self._suite(handler.body, handler)
            if stmt.orelse is not None:
                self._suite(stmt.orelse.body, stmt)
            if stmt.finalbody is not None:
                self._suite(stmt.finalbody.body, stmt)
        elif t is cst.Match:
            self._expr(stmt.subject)
            for case in stmt.cases:
                self.stmt = case
                self._expr(case.guard)
                self._suite(case.body, case)
        else:  # statements this version does not model: still visit their expressions
            self._expr(stmt)

    def _small(self, small) -> None:
        t = type(small)
        if t is cst.Expr:
            self._expr(small.value)
        elif t is cst.Assign:
            self._expr(small.value)
            for target in small.targets:
                self._assign(target.target, small.value)
        elif t is cst.AnnAssign:
            if small.value is not None:
                self._expr(small.value)
                self._assign(small.target, small.value)
        elif t is cst.AugAssign:
            self._expr(small.value)
            if type(small.target) is cst.Name:
                old = self.scope.lookup(small.target.value)
                taint = (old.taint if old else EMPTY).union(self.taint(small.value))
                binding = Binding(small.target.value, None, taint, old.kind if old else None, None, small.target)
                binding.defs = (old.defs + 1) if old else 1
                self.scope.bindings[small.target.value] = binding
        elif t is cst.Return:
            self._expr(small.value)
            if small.value is not None and self.scope.kind == "function":
                self.scope.returns = self.scope.returns.union(self.taint(small.value))
        elif t is cst.Raise:
            for check in self.checks:
                check.on_raise(self, small)
            self._expr(small.exc)
            self._expr(small.cause)
        elif t in (cst.Import, cst.ImportFrom):
            self._import(small)
        elif t is cst.Assert:
            self._expr(small.test)
            self._expr(small.msg)
        elif t is cst.Del:
            pass
        else:
            self._expr(small)

    def _mutate(self, name: str, values) -> None:
        """`seen.append(user.email)`, `row[k] = v`: the container now carries the value's data."""
        binding = self.scope.lookup(name)
        if binding is None or binding.qualname or binding.kind:
            return
        added = EMPTY
        for value in values:
            added = added.union(self.taint(value))
        if added:
            binding.taint = binding.taint.union(added.through(name))

    def _assign(self, target, value) -> None:
        if type(target) in (cst.Name, cst.Attribute):
            name = dotted_name(target)
        elif type(target) is cst.Subscript:
            name = _subscript_text(target) or self._render(target)
        else:
            name = None
        for check in self.checks:
            check.on_assign(self, target, name, value)
        if type(target) is cst.Subscript and type(target.value) is cst.Name:
            self._mutate(target.value.value, [value])
        prepassed = self.scope.kind in ("module", "class")  # counted by the pre-pass already
        self.bind_target(target, value, count=not prepassed)

    def _import(self, node) -> None:
        if type(node) is cst.Import:
            for alias in node.names:
                full = dotted_name(alias.name) or ""
                if alias.asname is not None and type(alias.asname.name) is cst.Name:
                    name, qualname = alias.asname.name.value, full
                else:
                    name = qualname = full.split(".")[0]
                binding = Binding(name, None, EMPTY, None, qualname)
                binding.type_name = "module"
                self.scope.bindings[name] = binding
            return
        if type(node.names) is cst.ImportStar:
            return
        module = dotted_name(node.module) if node.module is not None else ""
        if node.relative:
            module = "." * len(node.relative) + (module or "")
        for alias in node.names:
            imported = dotted_name(alias.name) or ""
            name = alias.asname.name.value if alias.asname is not None and type(alias.asname.name) is cst.Name else imported
            qualname = f"{module}.{imported}" if module and not module.endswith(".") else f"{module}{imported}"
            self.scope.bindings[name] = Binding(name, None, EMPTY, None, qualname)

    def _function(self, node: cst.FunctionDef) -> None:
        self.stmt = node
        for decorator in node.decorators:
            self._expr(decorator.decorator)
        params = node.params
        for param in list(params.params) + list(params.kwonly_params) + list(params.posonly_params):
            self._expr(param.default)
        scope = Scope("function", node.name.value, node, self.scope)
        scope.param_names = tuple(p.name.value for p in list(params.posonly_params) + list(params.params)
                                  + list(params.kwonly_params))
        is_static = any(_last_name(d.decorator) == "staticmethod" for d in node.decorators)
        if self.scope.kind == "class" and not is_static:
            scope.class_scope = self.scope
            first = (list(params.posonly_params) + list(params.params))[:1]
            scope.self_name = first[0].name.value if first else None
        self.scope.bindings[node.name.value] = Binding(node.name.value, _FUNCTION)
        saved = self.scope
        self.scope = scope
        try:
            all_params = list(params.posonly_params) + list(params.params) + list(params.kwonly_params)
            for extra in (params.star_arg, params.star_kwarg):
                if type(extra) is cst.Param:
                    all_params.append(extra)
            for param in all_params:
                self._bind_param(param, scope)
            self._suite(node.body, node)
            for check in self.checks:
                check.on_scope_exit(self, scope)
        finally:
            self.scope = saved
        if scope.returns:
            self.scope.bindings[node.name.value].taint = scope.returns

    def _bind_param(self, param: cst.Param, scope: Scope) -> None:
        name = param.name.value
        if name == scope.self_name:
            scope.bindings[name] = Binding(name, None)
            return
        annotation = _annotation_name(param.annotation)
        taint = EMPTY
        kind = None
        if annotation is not None:
            category = self.vocab.classify_type(annotation)
            if category is not None:
                taint = self._taint_source(category, param.name, "high")
            kind = self.types.get(annotation) or self.types.get(annotation.rsplit(".", 1)[-1])
        non_data = annotation is not None and annotation.rsplit(".", 1)[-1] in self.vocab.non_data_types
        if not taint and not non_data:
            taint = self._taint_source(self.vocab.classify(name), param.name)
        if not taint and (name in self.vocab.payload_names
                          or self.vocab.payload_handler_params.get(name) in scope.param_names):
            # DRF create(self, validated_data); AWS Lambda handler(event, context)
            taint = self._taint_source(self.vocab.payload_category, param.name, "low")
        if not taint and not non_data and name in ("value", "attrs") and scope.name.startswith("validate_") \
                and scope.class_scope is not None:
            # DRF/Django form field validators: validate_email(self, value)
            taint = self._taint_source(self.vocab.classify(scope.name[len("validate_"):], key=True), param.name)
        if kind is None:
            kind = self._conventional_kind(name)
        binding = Binding(name, None, taint, kind, None, param.name)
        binding.type_name = annotation.rsplit(".", 1)[-1] if annotation else None
        scope.bindings[name] = binding

    def _class(self, node: cst.ClassDef) -> None:
        self.stmt = node
        for decorator in node.decorators:
            self._expr(decorator.decorator)
        for base in node.bases:
            self._expr(base.value)
        existing = self.scope.bindings.get(node.name.value)
        if existing is not None and isinstance(existing.value, _ClassRef) and existing.value.scope.node is node:
            scope = existing.value.scope
        else:
            scope = Scope("class", node.name.value, node, self.scope)
            self.scope.bindings[node.name.value] = Binding(node.name.value, _ClassRef(scope))
        scope.parent = self.scope
        self._prepass_class(node, scope)
        saved = self.scope
        self.scope = scope
        try:
            self._suite(node.body, node)
        finally:
            self.scope = saved

    # ---- expressions ---------------------------------------------------------------------

    def _expr(self, node) -> None:
        """Every call in an expression, in source order, goes to the checks."""
        if node is None:
            return
        stack = [node]
        checks = self.checks
        while stack:
            current = stack.pop()
            t = type(current)
            if t is cst.Name or t is cst.SimpleString or t is cst.Integer:
                continue
            if t is cst.Call:
                target = self.resolve(current.func)
                for check in checks:
                    check.on_call(self, current, target)
                func = current.func
                if (type(func) is cst.Attribute and func.attr.value in self.vocab.container_mutators
                        and type(func.value) is cst.Name and current.args):
                    self._mutate(func.value.value, [a.value for a in current.args])
                if type(func) is cst.Attribute and func.attr.value == "get" and current.args \
                        and type(current.args[0].value) is cst.SimpleString:
                    self.taint(current)  # `row.get("email")`: remembered by `row` (_note_item_read)
            elif t is cst.NamedExpr and type(current.target) is cst.Name:
                self.bind(self.scope, current.target.value, current.value, current.target)
            elif t is cst.Subscript and type(current.value) in (cst.Name, cst.Subscript) \
                    and self._subscript_key(current) is not None:
                # `row["Email"]`: remembered by `row` whichever checks look at this expression
                self.taint(current)
            children = []
            for name in _expr_fields(t):
                value = getattr(current, name)
                kind = type(value)
                if kind is list or kind is tuple:
                    for item in value:
                        if _is_node(item):
                            children.append(item)
                elif value is not None and _is_node(value):
                    children.append(value)
            children.reverse()
            stack.extend(children)




def _subscript_text(node) -> Optional[str]:
    """`CACHES["default"]["TIMEOUT"]` as its source reads, without libcst's code generation,
    for the common targets: names and attributes indexed by a literal or a name."""
    if type(node) is not cst.Subscript:
        return dotted_name(node)
    if len(node.slice) != 1 or type(node.slice[0].slice) is not cst.Index:
        return None
    index = node.slice[0].slice.value
    if type(index) not in (cst.SimpleString, cst.Integer, cst.Name):
        return None
    base = _subscript_text(node.value)
    if base is None or getattr(node.lbracket.whitespace_after, "value", " ") \
            or getattr(node.rbracket.whitespace_before, "value", " "):
        return None  # spaces or a line break inside the brackets: as libcst writes it
    return f"{base}[{index.value}]"


def _assignments(small) -> Iterator[Tuple[object, object]]:
    if type(small) is cst.Assign:
        for target in small.targets:
            yield target.target, small.value
    elif type(small) is cst.AnnAssign and small.value is not None:
        yield small.target, small.value


# ---------------------------------------------------------------------------------------
# One file


def fingerprint(rule: str, path: str, source: str, occurrence: int) -> str:
    return baseline.fingerprint(rule, path, source, occurrence)


class FileOutcome:
    __slots__ = ("findings", "errors")

    def __init__(self, findings=(), errors=()):
        self.findings = list(findings)
        self.errors = list(errors)


def _no_validation(self) -> None:
    """Stands in for CSTNode.__post_init__ while parsing."""


try:  # libcst internals: if they change, positions take the public route
    from libcst.metadata.position_provider import PositionProvidingCodegenState as _PositionState

    class _FastPositionState(_PositionState):
        __slots__ = ()

        def _update_position(self, value: str) -> None:
            if "\n" in value or "\r" in value:
                _PositionState._update_position(self, value)
            else:
                self.column += len(value)
except (ImportError, TypeError):
    _FastPositionState = None


def _positions(module: cst.Module):
    """libcst's PositionProvider ranges for every node of the module, from its own code
    generation with a cheaper column count (a regex split of every token is most of the
    cost of the public route, which is the fallback)."""
    if _FastPositionState is not None:
        try:
            provider = PositionProvider()
            module._codegen(_FastPositionState(default_indent=module.default_indent,
                                               default_newline=module.default_newline, provider=provider))
            return provider._computed
        except (AttributeError, TypeError):
            pass
    return MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)


# a line that is only a backslash continuation: libcst's parser drops it, so every position
# after it would be a line short
_LONE_BACKSLASH = re.compile(r"(?m)^([ \t\f]*)\\(?=\r?\n)")


def _parse_module(text: str) -> cst.Module:
    """libcst validates every node as it is built; nodes made by its own parser from valid
    source need no second check (libcst's own comment in CSTNode.__post_init__ says as
    much), and skipping it saves about a sixth of the parse. Restored before returning,
    so nodes built anywhere else are still validated.

    A line holding only a backslash continuation becomes a blank line of the same length
    (the same code to Python): libcst would lose it, and with it the line count."""
    if "\\" in text:
        text = _LONE_BACKSLASH.sub(r"\1 ", text)
    post_init = cst.CSTNode.__post_init__
    cst.CSTNode.__post_init__ = _no_validation
    try:
        return cst.parse_module(text)
    finally:
        cst.CSTNode.__post_init__ = post_init


_DEEP = 12000  # recursion limit while libcst works on a file: long operator chains nest deeply


def analyze_source(text: str, path: str, settings, rejected=None, *, origin: Optional[List[int]] = None,
                   original: Optional[str] = None, checks: Optional[List] = None) -> FileOutcome:
    """Findings for one file's text (decoded, past the skip-file check and the pre-filter).
    `rejected`: CPython's own verdict (line, column, message) when it refused the text as
    newer syntax than it knows; the runner has parsed the file with CPython already.

    libcst's code generation and positions recurse once per nesting level, so the
    recursion limit is raised while it works; what still does not fit is reported."""
    import sys
    import threading

    if threading.current_thread() is not threading.main_thread():
        return _analyze_source(text, path, settings, rejected, origin, original, checks)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, _DEEP))
    try:
        return _analyze_source(text, path, settings, rejected, origin, original, checks)
    except RecursionError:
        return FileOutcome(errors=[FileError(path, "nesting too deep to analyse; file not checked")])
    finally:
        sys.setrecursionlimit(limit)


def _analyze_source(text: str, path: str, settings, rejected, origin, original, checks) -> FileOutcome:
    try:
        module = _parse_module(text)
    except cst.ParserSyntaxError as exc:
        if rejected is not None:  # neither parser accepts it
            from gdpr_lint.runner import syntax_error

            return FileOutcome([syntax_error(settings, path, *rejected)])
        line = original_line(origin, exc.raw_line)
        return FileOutcome(errors=[FileError(path, f"syntax not supported by the parser at line {line}: {exc.message}")])
    except RecursionError:
        return FileOutcome(errors=[FileError(path, "expression nesting too deep to parse; file not checked")])
    walker = Walker(settings, path, module, origin, checks)
    try:
        walker.run()
    except RecursionError:
        return FileOutcome(errors=[FileError(path, "expression nesting too deep to analyse; file not checked")])
    if original is None:
        original = text
    if not walker.reports:
        # suppressions can still be unused, also in blocks the pre-filter dropped
        return FileOutcome(apply_file_suppressions([], original, path, settings))
    return FileOutcome(_findings(walker, original, path, settings))


def _contains(outer, inner) -> bool:
    return (outer.start.line, outer.start.column) <= (inner.start.line, inner.start.column) and \
        (outer.end.line, outer.end.column) >= (inner.end.line, inner.end.column)


def _enclosing_statement(module: cst.Module, positions, node_pos):
    """The innermost statement whose range holds node_pos (None: none does)."""
    found, nodes = None, list(module.body)
    while nodes:
        node = nodes.pop()
        pos = positions.get(node)
        if pos is None or not _contains(pos, node_pos):
            continue
        if isinstance(node, cst.BaseStatement):
            found = node
        nodes = list(node.children)
    return found


def _stmt_lines(walker: Walker, report: _Report, node_pos) -> Tuple[int, int, object]:
    positions = walker.positions()
    stmt = report.stmt
    stmt_pos = positions.get(stmt) if stmt is not None else None
    if stmt_pos is None or not _contains(stmt_pos, node_pos):
        # a report made after the walk moved on (at the end of a scope) names a node of
        # an earlier statement: that statement, not the last one walked, is its context
        stmt = _enclosing_statement(walker.module, positions, node_pos)
    if type(stmt) is cst.SimpleStatementLine:
        pos = positions.get(stmt)
        if pos is not None:
            return walker.original_line(pos.start.line), walker.original_line(pos.end.line), stmt
    if stmt is not None and type(stmt) is not cst.SimpleStatementLine:
        pos = positions.get(stmt)
        body = getattr(stmt, "body", None)
        if pos is not None and type(body) is cst.SimpleStatementSuite:
            return walker.original_line(pos.start.line), walker.original_line(pos.end.line), stmt
    return walker.original_line(node_pos.start.line), walker.original_line(node_pos.end.line), report.node


def _findings(walker: Walker, text: str, path: str, settings) -> List[Finding]:
    """Positions, severities and fingerprints for the walk's reports, then suppressions."""
    positions = walker.positions()
    kb = settings.kb
    vocab = settings.vocab
    raw = []
    for report in walker.reports:
        pos = positions.get(report.node)
        if pos is None:
            continue
        first, last, stmt_node = _stmt_lines(walker, report, pos)
        rule = kb.rules[report.code]
        severity = report.severity
        if severity is None:
            if report.categories:
                severity = max((vocab.category(c).severity for c in report.categories if c in vocab.categories),
                               key=severity_rank, default=rule.severity)
            else:
                severity = rule.severity
        if type(stmt_node) is cst.SimpleStatementLine:
            source = "; ".join(walker.module.code_for_node(small).strip() for small in stmt_node.body)
        else:
            source = walker.module.code_for_node(report.node)
        report.facts = json.loads(json.dumps(report.facts, default=str))
        raw.append((pos, report, severity, baseline.normalise_source(source), first, last))
    raw.sort(key=lambda item: (item[0].start.line, item[0].start.column, item[1].code))
    occurrences: Dict[Tuple[str, str], int] = {}
    located = []
    seen = set()
    for pos, report, severity, source, first, last in raw:
        key = (report.code, pos.start.line, pos.start.column, report.message)
        if key in seen:
            continue
        seen.add(key)
        index = occurrences.get((report.code, source), 0)
        occurrences[(report.code, source)] = index + 1
        rule = kb.rules[report.code]
        located.append((Finding(
            rule=report.code, name=rule.name, severity=severity, path=path,
            line=walker.original_line(pos.start.line), column=pos.start.column + 1,
            end_line=walker.original_line(pos.end.line), end_column=pos.end.column + 1,
            message=report.message, categories=report.categories, confidence=report.confidence,
            fingerprint=fingerprint(report.code, path, source, index), source=source, facts=report.facts,
        ), first, last))
    return apply_file_suppressions(located, text, path, settings)


def apply_file_suppressions(located, text: str, path: str, settings) -> List[Finding]:
    """Inline `# gdpr-lint: ignore[...]` comments, and the hygiene findings about them."""
    if "gdpr-lint:" not in text:
        return [finding for finding, _, _ in located]
    outcome = suppressions.apply_suppressions(
        located, suppressions.parse_suppressions(text), path=path, resolve=settings.resolve_code,
        enabled=settings.enabled_for(path), non_suppressible=settings.config.non_suppressible,
        require_justification=settings.config.require_justification, rules=settings.kb.rules)
    return list(outcome.kept) + list(outcome.hygiene)
