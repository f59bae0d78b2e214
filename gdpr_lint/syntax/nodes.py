"""Node helpers over libcst trees: the fields a walk looks into, dotted names, string
literals, slices, assignment and loop targets. No state: functions of nodes only. What an `if`
test says of names on each side is in branch_tests.py.
"""

from __future__ import annotations


import dataclasses
from typing import Any, Dict, Iterator, List, Optional, Tuple, cast

import libcst as cst

# Python 3.14's template strings (`t"... {user.email}"`), parsed by libcst 1.8 and later only:
# their parts are read as an f-string's (a Template's text shows every interpolated value).
TEMPLATE_STRING: type = getattr(cst, "TemplatedString", cst.FormattedString)
STRING_TEXT_PARTS: Tuple[type, ...] = (
    cst.FormattedStringText,
    getattr(cst, "TemplatedStringText", cst.FormattedStringText),
)
STRING_EXPRESSION_PARTS: Tuple[type, ...] = (
    cst.FormattedStringExpression,
    getattr(cst, "TemplatedStringExpression", cst.FormattedStringExpression),
)


# ---------------------------------------------------------------------------------------
# Field walk


_SKIP_FIELDS = frozenset(
    {
        "lpar",
        "rpar",
        "comma",
        "semicolon",
        "leading_lines",
        "lines_after_decorators",
        "header",
        "footer",
        "equal",
        "colon",
        "dot",
        "operator",
        "star",
        "arrow",
        "asynchronous",
        "whitespace",
        "lbracket",
        "rbracket",
        "lbrace",
        "rbrace",
        "prefix",
        "quote",
        "start",
        "end",
    }
)
_FIELD_CACHE: Dict[type, Tuple[str, ...]] = {}


def _child_fields(cls: type) -> Tuple[str, ...]:
    names = _FIELD_CACHE.get(cls)
    if names is None:
        names = tuple(
            f.name
            for f in dataclasses.fields(cls)
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
        bare = {
            f.name
            for f in dataclasses.fields(cls)
            if f.type is cst.Name or f.type == Optional[cst.Name] or f.type in ("Name", "Optional[Name]")
        }
        names = _EXPR_FIELD_CACHE[cls] = tuple(n for n in _child_fields(cls) if n not in bare)
    return names


_IS_NODE: Dict[type, bool] = {}


def _is_node(value) -> bool:
    """isinstance(value, cst.CSTNode), cached per type: libcst's classes are ABCs, whose
    isinstance goes through a Python-level hook, and this runs for every field walked."""
    cls = type(value)
    known = _IS_NODE.get(cls)
    if known is None:
        known = _IS_NODE[cls] = issubclass(cls, cst.CSTNode)
    return known


def child_nodes(node) -> List[Any]:
    """The child nodes of `node` that can hold code (not its whitespace, punctuation or
    comments), read from its fields: libcst's `children` rebuilds every child with a
    visitor (a few times dearer). In field order, which is not always the source's (a
    decorator comes after its function's body): for walks that collect, not for firsts."""
    out: List[Any] = []
    for name in _child_fields(type(node)):
        value = getattr(node, name)
        kind = type(value)
        if kind is list or kind is tuple:
            out.extend(item for item in value if _is_node(item))
        elif value is not None and _is_node(value):
            out.append(value)
    return out


def nodes_under(node) -> Iterator[Any]:
    """`node` and every node under it that can hold code (see `child_nodes`), in no
    particular order."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(child_nodes(current))


def names_read(node) -> Iterator[Any]:
    """The names an expression reads (not attribute names, keywords or lambda parameters):
    `region` of `region is None`, of `self.region`."""
    stack = [node]
    while stack:
        current = stack.pop()
        if type(current) is cst.Name:
            yield current
        elif type(current) is cst.Attribute:
            stack.append(current.value)
        elif type(current) is cst.Arg:
            stack.append(current.value)
        elif current is not None:
            stack.extend(child_nodes(current))


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
# Names, slices and targets


def _last_name(node) -> str:
    if type(node) is cst.Name:
        return node.value
    if type(node) is cst.Attribute:
        return node.attr.value
    if type(node) is cst.Call:
        return _last_name(node.func)
    return ""


def is_getattr_call(node) -> bool:
    """`getattr(obj, "name")` or `getattr(obj, "name", default)`: an attribute of `obj`."""
    return (
        type(node) is cst.Call
        and type(node.func) is cst.Name
        and node.func.value == "getattr"
        and len(node.args) >= 2
        and node.args[0].keyword is None
    )


def _owner_node(node):
    """The object a value is read from: `request.session` for `request.session.session_key`,
    `row` for `row["email"]` and `row.get("email")`, the function for `make_reset_token()`,
    `settings` for `getattr(settings, "ADMIN_USERNAME", "admin")` (an attribute read by name)."""
    t = type(node)
    if t is cst.Attribute or t is cst.Subscript:
        return node.value
    if t is cst.Call:
        func = node.func
        if is_getattr_call(node):
            return node.args[0].value
        return func.value if type(func) is cst.Attribute else func
    return None


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
    return (
        type(value) is cst.Call
        and type(value.func) is cst.Attribute
        and value.func.attr.value in ("split", "rsplit", "partition", "rpartition")
        and bool(value.args)
        and string_value(value.args[0].value) == "@"
    )


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
# Statements


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
                orelse = cast(cst.If, orelse).orelse  # not an Else: that ends the loop above
        elif isinstance(stmt, (cst.Try, cast(Any, getattr(cst, "TryStar", cst.Try)))):
            yield from _flat_top_level(stmt.body.body if type(stmt.body) is cst.IndentedBlock else ())
            for handler in stmt.handlers:
                yield from _flat_top_level(handler.body.body if type(handler.body) is cst.IndentedBlock else ())
        else:
            yield stmt


def _subscript_text(node) -> Optional[str]:
    """`CACHES["default"]["TIMEOUT"]` as its source reads, without libcst's code generation,
    for the common targets: names and attributes indexed by a literal or a name."""
    if type(node) is not cst.Subscript:
        return dotted_name(node)
    if len(node.slice) != 1 or type(node.slice[0].slice) is not cst.Index:
        return None
    index: Any = node.slice[0].slice.value  # a SimpleString, Integer or Name below
    if type(index) not in (cst.SimpleString, cst.Integer, cst.Name):
        return None
    base = _subscript_text(node.value)
    if (
        base is None
        or getattr(node.lbracket.whitespace_after, "value", " ")  # type: ignore[arg-type]  # mypy's bool context
        or getattr(node.rbracket.whitespace_before, "value", " ")
    ):
        return None  # spaces or a line break inside the brackets: as libcst writes it
    return f"{base}[{index.value}]"


def _assignments(small) -> Iterator[Tuple[object, object]]:
    if type(small) is cst.Assign:
        for target in small.targets:
            yield target.target, small.value
    elif type(small) is cst.AnnAssign and small.value is not None:
        yield small.target, small.value
