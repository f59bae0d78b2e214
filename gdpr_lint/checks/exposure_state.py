"""The exposure check's sink and write specs (as rules/exposure.toml describes them) and the
small syntax helpers its layers share: format placeholders, numeric and labelled arguments,
factories, dotted names and the positional and key arguments of a call."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Dict, FrozenSet, Optional, Tuple, Union

if TYPE_CHECKING:
    import libcst as cst
else:
    from gdpr_lint._lazy import cst

from gdpr_lint.analysis.labels import percent_labels


@dataclass(frozen=True)
class Sink:
    rule: str
    verb: str
    skip_positional: int = 0
    positional: Optional[FrozenSet[int]] = None
    keywords: object = "all"  # "all", "none" or a frozenset of names
    skip_keywords: FrozenSet[str] = frozenset()
    key_value: Optional[Tuple[int, int]] = None
    stream_keywords: FrozenSet[str] = frozenset()  # `file=`: where the call writes, the console by default
    console_streams: FrozenSet[str] = frozenset()  # words of a stream that is the console
    kind: str = ""  # for the inventory: logs, console, telemetry, ... ([exposure] sink-kinds)
    recipient: str = ""  # the service it sends to, when one
    key_keywords: FrozenSet[str] = frozenset()  # `set_cookie(key="email", value=...)`: the key by keyword
    not_categories: FrozenSet[str] = frozenset()  # categories the sink is made for (a session id in a cookie)
    external_url: bool = False  # a redirect: a sink only when its URL names another site (`https://...`)


@dataclass(frozen=True)
class Write:
    """An assignment that sends: `scope.user = {...}`, `event["user"]["email"] = ...`."""

    rule: str
    verb: str
    kinds: FrozenSet[str]
    attributes: Union[str, FrozenSet[str]]  # "any" or a frozenset of attribute names
    items: bool
    attribute_items: FrozenSet[str]  # `response.cookies[k] = v`: items of these attributes of any object
    not_categories: FrozenSet[str] = frozenset()


PLACEHOLDER = re.compile(r"%(\([^)]*\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?([a-zA-Z%])")


def numeric_arguments(ctx, args) -> FrozenSet[int]:
    """The positions of the arguments that a literal %-format string (the first positional
    argument) formats as numbers: `("%s has %d tokens", name, count)` gives {2}."""
    first = args[0] if args and args[0].keyword is None and not args[0].star else None
    if first is None or type(first.value) not in (cst.SimpleString, cst.ConcatenatedString, cst.Name):
        return frozenset()
    text = ctx.constant(first.value)
    if text is None or not isinstance(text.value, str) or "%" not in text.value:
        return frozenset()
    numeric = set()
    position = 0
    for match in PLACEHOLDER.finditer(text.value):
        if match.group(2) == "%":
            continue
        if match.group(1):
            return frozenset()  # `%(name)s`: a mapping, not positions
        position += 1
        if match.group(2) in "diouxXeEfFgG":
            numeric.add(position)
    return frozenset(numeric)


def format_labels(ctx, args) -> Dict[int, str]:
    """The text before each placeholder of a literal %-format string (the first positional
    argument), by the position of the argument it formats (0 the first after the string)."""
    first = args[0] if args and args[0].keyword is None and not args[0].star else None
    if first is None or type(first.value) not in (cst.SimpleString, cst.ConcatenatedString, cst.Name):
        return {}
    text = ctx.constant(first.value)
    if text is None or not isinstance(text.value, str) or "%" not in text.value:
        return {}
    return percent_labels(text.value)


def is_factory(target: str) -> bool:
    """A function that builds the exception (`build_error`, `self._denied`), not its class."""
    last = target.rsplit(".", 1)[-1].lstrip("_")
    return bool(last) and last[0].islower()


def builds_text(value) -> bool:
    t = type(value)
    if t is cst.FormattedString or t is cst.ConcatenatedString or t.__name__ == "TemplatedString":
        return True
    if t is cst.BinaryOperation:
        return type(value.operator) in (cst.Modulo, cst.Add)
    if t is cst.Call and type(value.func) is cst.Attribute:
        return value.func.attr.value in ("format", "format_map", "join")
    return False


def formats_field(ctx, func, keyword: str) -> Optional[bool]:
    """Whether a class of this module puts keyword `keyword` into its text; None for a class
    the module does not define."""
    if type(func) is not cst.Name:
        return None
    binding = ctx.scope.lookup(func.value)
    scope = getattr(binding.value, "scope", None) if binding is not None else None
    node = getattr(scope, "node", None)
    if type(node) is not cst.ClassDef:
        return None
    text = ctx.source(node)
    return (
        re.search(r"\{[^{}\n]*\b" + re.escape(keyword) + r"\b", text) is not None
        or re.search(r"%[^\n]*\b" + re.escape(keyword) + r"\b", text) is not None
    )


def dotted(node) -> str:
    from gdpr_lint.syntax.nodes import dotted_name

    return dotted_name(node) or ""


def key_argument(args, sink: Sink):
    """The key of a key-value sink, by position or by one of its key keywords."""
    for arg in args:
        if arg.keyword is not None and arg.keyword.value in sink.key_keywords:
            return arg.value
    return nth_positional(args, sink.key_value[0]) if sink.key_value is not None else None


def nth_positional(args, index: int):
    i = 0
    for arg in args:
        if arg.keyword is None and not arg.star:
            if i == index:
                return arg.value
            i += 1
    return None
