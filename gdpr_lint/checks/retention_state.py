"""The retention check's rule codes, its per-file state and the small syntax helpers its layers
share: which class, scope or construct a call is in, the literal text of a key, the path an
assignment target names and the value a path reaches."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Dict, List, Optional, Sequence, Tuple

if TYPE_CHECKING:
    import libcst as cst
else:
    from gdpr_lint._lazy import cst

from gdpr_lint.checks.base import argument, dict_value

EXCEEDS = "GDPR301"
FOREVER = "GDPR302"
IMPLICIT = "GDPR303"

UPDATE_METHODS = ("update", "from_mapping")


def split_words(text: str) -> List[str]:
    """'LOG_RETENTION_DAYS' -> ['log', 'retention', 'days']; 'acme-app-logs' and
    'sessionTtl' split the same way (the one word splitter: gdpr_lint.analysis.names)."""
    from gdpr_lint.analysis.names import split_words as words_of

    return list(words_of(text))


@dataclass
class PendingStore:
    """A write of personal data with no lifetime, judged when the file is done."""

    node: cst.CSTNode
    entry: dict
    key_text: Optional[str]
    key_literal: Optional[Tuple[str, ...]]
    scope_node: object
    description: str
    categories: Tuple[str, ...]
    scope_name: str = ""  # where it was written, for the inventory


@dataclass
class FileState:
    ctx: object
    stores: List[PendingStore] = field(default_factory=list)
    expiring_keys: set = field(default_factory=set)
    # function -> the literal texts of the keys an `expire` there names (None: not a literal)
    expiring_scopes: Dict[object, List[Optional[Tuple[str, ...]]]] = field(default_factory=dict)
    expiring_scope_keys: set = field(default_factory=set)  # (function, key text) given a lifetime there
    apis_seen: set = field(default_factory=set)
    # api -> the constants its calls passed under an `excused-by-same` keyword (UNKNOWN if not one)
    api_values: Dict[str, List[Tuple[str, object]]] = field(default_factory=dict)
    missing: List[Tuple[cst.CSTNode, dict, object]] = field(default_factory=list)
    # (api, id of the enclosing class or module) -> the calls whose implicit store never expires
    implicit: Dict[Tuple[str, int], List[Tuple[cst.Call, dict, object]]] = field(default_factory=dict)
    # id of a call judged when the file is done -> the scope it is in (the inventory's location)
    scopes: Dict[int, str] = field(default_factory=dict)


def class_key(ctx):
    """The class (a stack) the current code is in, else the module."""
    scope = ctx.scope
    while scope is not None and getattr(scope, "kind", None) not in ("class", "module"):
        scope = getattr(scope, "parent", None)
    return id(getattr(scope, "node", None))


def construct_id(ctx, call: cst.Call) -> Optional[str]:
    """A construct's id or a resource's name: the first string argument (`Function(self, "Checkout", ...)`)."""
    for arg in call.args[:2]:
        if arg.keyword is None and not arg.star and type(arg.value) is cst.SimpleString:
            value = arg.value.evaluated_value
            return value if isinstance(value, str) else None
    return None


def scope_key(ctx):
    scope = ctx.scope
    return id(getattr(scope, "node", None))


def key_literal(node) -> Optional[Tuple[str, ...]]:
    """The literal parts of a key written as a string or an f-string (`f"user:{uid}:email"`
    -> ('user:', ':email')); None for any other expression, whose text is not known."""
    if type(node) is cst.SimpleString:
        return (node.evaluated_value,) if isinstance(node.evaluated_value, str) else None
    if type(node) is cst.FormattedString:
        return tuple(p.value for p in node.parts if type(p) is cst.FormattedStringText)
    return None


def may_be_same_key(key: Optional[Tuple[str, ...]], other: Optional[Tuple[str, ...]]) -> bool:
    """Two keys are known to differ only when both are literals whose texts differ
    (`f"c:{id}:email"` and `f"c:{id}:contact"`); the values put into them are not compared."""
    return key is None or other is None or key == other


def contains(words: Sequence[str], phrase: Sequence[str]) -> bool:
    n = len(phrase)
    return any(tuple(words[i : i + n]) == tuple(phrase) for i in range(len(words) - n + 1))


UNPACKED = object()  # an argument or key that `*args`/`**options` may hold
UNKNOWN = object()  # a value that is not a known constant


def keyword_constant(ctx, call: cst.Call, keyword: str):
    """The constant passed as `keyword`, or UNKNOWN (not passed, not a constant, `**options`)."""
    arg = argument(call, None, keyword)
    const = ctx.constant(arg) if arg is not None else None
    return const.value if const is not None else UNKNOWN


def constant_name(ctx, node) -> Optional[str]:
    """A string constant, or the member name of an enum-like attribute (`LogGroupClass.DELIVERY`)."""
    const = ctx.constant(node)
    if const is not None and isinstance(const.value, str):
        return const.value
    return node.attr.value if type(node) is cst.Attribute else None


def sibling_argument(call: cst.Call, position: Optional[int], keyword: Optional[str]):
    found = argument(call, position, keyword)
    return UNPACKED if found is None and any(a.star for a in call.args) else found


def sibling_key(ctx, node, key: Optional[str]):
    found = dict_value(ctx, node, key) if key is not None else None
    unpacked = type(node) is cst.Dict and any(type(e) is cst.StarredDictElement for e in node.elements)
    return UNPACKED if found is None and unpacked else found


def string_key(ctx, node) -> Optional[str]:
    if type(node) in (cst.SimpleString, cst.ConcatenatedString, cst.Name, cst.Attribute):
        const = ctx.constant(node)
        if const is not None and isinstance(const.value, str):
            return const.value
    return None


def literal_text(ctx, node) -> str:
    """The constant text of a string, or the literal parts of an f-string."""
    if type(node) is cst.FormattedString:
        return " ".join(p.value for p in node.parts if type(p) is cst.FormattedStringText)
    const = ctx.constant(node)
    if const is not None and isinstance(const.value, str):
        return const.value
    return ""


def access_path(ctx, target) -> List[str]:
    """`app.config["X"]` -> ['app', 'config', 'X']; `CACHES["default"]["TIMEOUT"]` likewise."""
    if type(target) is cst.Name:
        return [target.value]
    if type(target) is cst.Attribute:
        base = access_path(ctx, target.value)
        return base + [target.attr.value] if base else [target.attr.value]
    if type(target) is cst.Subscript and len(target.slice) == 1:
        index = target.slice[0].slice
        if type(index) is cst.Index:
            key = string_key(ctx, index.value)
            base = access_path(ctx, target.value)
            if key is not None:
                return base + [key]
    return []


def follow_path(ctx, value, path: Sequence[str]) -> List[cst.BaseExpression]:
    if not path:
        return [value]
    if type(value) in (cst.Name, cst.Attribute):
        definition = ctx.definition(value)
        if definition is not None and type(definition.value) is cst.Dict:
            value = definition.value
    if type(value) is not cst.Dict:
        return []
    found: List[cst.BaseExpression] = []
    for element in value.elements:
        if type(element) is not cst.DictElement:
            continue
        key = string_key(ctx, element.key)
        if path[0] == "*" or key == path[0]:
            found.extend(follow_path(ctx, element.value, path[1:]))
    return found
