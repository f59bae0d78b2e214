"""The interface between the engine's single traversal and the rule families.

The engine walks each file once. At every call, assignment, raise and scope exit it
hands the node to every enabled check. Checks stay small and declarative: they look
things up in the knowledge catalogues (`ctx.kb`) and ask the shared analyses on the
context (`ctx.resolve_call`, `ctx.constant`, `ctx.taint`, `ctx.duration`, ...).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Optional, Sequence

if TYPE_CHECKING:  # pragma: no cover
    import libcst as cst

    from gdpr_lint.engine import Context, Scope


class Check:
    """Base class of a rule family. Override only the hooks the family needs."""

    #: the family name as used in rules/*.toml (`family = "exposure"`)
    family: str = ""

    def __init__(self, kb, config, enabled_codes: frozenset):
        self.kb = kb
        self.config = config
        self.enabled = enabled_codes

    def wants(self, code: str) -> bool:
        return code in self.enabled

    def prefilter_tokens(self) -> Iterable[str]:
        """Lower-case substrings; a file whose lower-cased text contains none of the tokens
        of any enabled check is not parsed. Derive them from the catalogues so the filter
        never drifts from the rules. Return ["" ] to always parse."""
        return ()

    def on_call(self, ctx: "Context", call: "cst.Call", target: Optional[str]) -> None:
        """Every call expression. `target` is the resolved dotted name
        (`logging.info`, `boto3.client`, `<logger>.info`, `print`) or None."""

    def on_assign(
        self, ctx: "Context", target: "cst.BaseExpression", name: Optional[str], value: "cst.BaseExpression"
    ) -> None:
        """Every assignment `target = value` (also annotated assignments with a value and
        each target of a chained assignment). `name` is the dotted text of a simple
        target (`AWS_REGION`, `self.ttl`, `app.config.x`) or a subscript like
        `CACHES["default"]` rendered as its source; None for tuple targets."""

    def on_raise(self, ctx: "Context", node: "cst.Raise") -> None:
        """Every raise statement."""

    def on_scope_exit(self, ctx: "Context", scope: "Scope") -> None:
        """After a function body (or the module) has been walked."""


def keyword(call: "cst.Call", name: str):
    """The value of keyword argument `name`, or None."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg.value
    return None


def positional(call: "cst.Call", index: int):
    """The value of the index-th positional argument, or None (stops at *args)."""
    i = 0
    for arg in call.args:
        if arg.keyword is not None or arg.star:
            if arg.star:
                return None
            continue
        if i == index:
            return arg.value
        i += 1
    return None


def argument(call: "cst.Call", index: Optional[int], name: Optional[str]):
    """An argument that may be passed by position or by keyword (either may be None: only
    the other is looked at); the keyword wins."""
    value = keyword(call, name) if name is not None else None
    if value is None and index is not None:
        value = positional(call, index)
    return value


def dict_value(ctx, node, key):
    """The value stored under `key` in a dict literal (keys folded to constants:
    `{REGION_KEY: ...}`), or None (not a dict literal, or no such key)."""
    from gdpr_lint._lazy import cst

    if type(node) is not cst.Dict:
        return None
    for element in node.elements:
        if type(element) is cst.DictElement:
            folded = ctx.constant(element.key)
            if folded is not None and folded.value == key:
                return element.value
    return None


def method_name(target: Optional[str]) -> str:
    return target.rsplit(".", 1)[-1] if target else ""


def any_target(target: Optional[str], names: Sequence[str]) -> bool:
    return target is not None and target in names
