"""The interface between the engine's single traversal and the rule families.

The engine walks each file once. At every call, assignment, raise and scope exit it
hands the node to every enabled check. Checks stay small and declarative: they look
things up in the knowledge catalogues (`ctx.kb`) and ask the shared analyses through
`CheckContext`, the one interface a check sees of the engine (`ctx.resolve_call`,
`ctx.constant`, `ctx.taint`, ...). A check keeps no state of its own between hooks:
what it gathers about one file lives in `ctx.file_state(self, factory)`, made per file.
"""

from __future__ import annotations

from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    FrozenSet,
    Iterable,
    Optional,
    Protocol,
    Sequence,
    Tuple,
    TypeVar,
    Union,
)

if TYPE_CHECKING:  # pragma: no cover
    import libcst as cst

    from gdpr_lint.analysis.flow import Taint
    from gdpr_lint.semantic.scope import Const, Definition, Scope

T = TypeVar("T")

# a prefilter token: a literal, or (anchor, the regex that confirms the phrase): prefilter.TokenFilter
PrefilterToken = Union[str, Tuple[str, str]]


class CheckContext(Protocol):
    """What a check may ask of the engine about the file being walked (implemented by
    gdpr_lint.engine.context.Context; tests may pass any object with these members)."""

    kb: object  #: the knowledge catalogues (`kb.tables`, `kb.rules`)
    config: object  #: the run's configuration
    path: str  #: the file's display path
    scope: "Scope"  #: the scope being walked (`kind`, `name`, `node`, `parent`, `data`)
    withs: Sequence["cst.With"]  #: the `with` statements around the current statement, outermost first
    trys: Sequence["cst.Try"]  #: the `try` statements whose body holds the current statement, outermost first
    block: Sequence["cst.BaseStatement"]  #: the statements of the block the current statement is in
    stmt: Optional["cst.CSTNode"]  #: the statement being walked (a report made later names its own)
    module: "cst.Module"  #: the parsed file (its `code`, for what only the whole text can say)
    reports: list  #: what was reported so far in the file (a later use may make one less sure)

    def report(
        self,
        code: str,
        node,
        message: str,
        *,
        categories=(),
        confidence: str = "medium",
        severity: Optional[str] = None,
        facts: Optional[dict] = None,
    ) -> None:
        """A finding of rule `code` at `node` (dropped when the rule is not enabled)."""

    def observe(self, kind: str, node, *, rule: str = "", in_scope: str = "", **facts) -> None:
        """A fact for the inventory, finding or not (docs/inventory.md lists the kinds):
        `sent` (categories, sink, recipient, target), `region`, `recipient`, `lifetime`,
        `no-expiry`. Sink kinds and recipients are strings from rules/ data."""

    def scope_name(self) -> str:
        """`Class.method` of the scope being walked, `<module>` at the top level."""

    def source(self, node: "cst.CSTNode") -> str:
        """The node's source text."""

    def line_of(self, node) -> Optional[int]:
        """The node's first line in the file."""

    def resolve(self, node) -> Optional[str]:
        """Dotted target of an expression: `logging.getLogger`, `<logger>`, `print`."""

    def resolve_call(self, func) -> Optional[str]:
        """`resolve` of a call's function."""

    def kind(self, node) -> Optional[str]:
        """The object kind of an expression (`logger`, `aws:s3`), from the [objects] catalogue."""

    def constant(self, node) -> Optional["Const"]:
        """The constant an expression folds to, with where it came from."""

    def fallback(self, node) -> Optional["Const"]:
        """The value an expression falls back to where `constant` knows none: a lookup's
        default (`config.get("region", "us-east-1")`), a parameter's, a helper's return."""

    def fallback_expression(self, node) -> Optional[Tuple[Any, str]]:
        """(expression, what says so) a name or `self.x` falls back to when none is given: a
        parameter's default, `x = x or <e>`, `if x is None: x = <e>` (semantic/values.py)."""

    def definition(self, node) -> Optional["Definition"]:
        """The value a name (or `self.x`, `Class.x`) is bound to once, with where."""

    def project_duration(self, node) -> Optional[Tuple[float, Optional[str], str]]:
        """(seconds, calendar text, where) of a lifetime another module of the project
        gives a constant (`SESSION_TTL = timedelta(days=400)` in settings.py)."""

    def set_elsewhere(self, name: str, attributes: Tuple[str, ...]) -> Optional[Tuple[str, int]]:
        """(file shown, line) where another module of the project sets or calls one of
        `attributes` on this module's `name` (`events.host = ...` after `from app.tracking
        import events`); None when none does."""

    def server_sessions(
        self, attributes: Tuple[str, ...], modules: Tuple[str, ...], cookies: Tuple[str, ...] = ()
    ) -> Optional[Tuple[str, int]]:
        """(file shown, line) where the project installs a server-side session store
        (`app.session_interface = ...`, `from flask_session import Session`); None when not."""

    def exception_text(self, func) -> Optional[Tuple[Tuple[str, ...], FrozenSet[str]]]:
        """For a call of a project exception class whose text the project's code decides:
        (its constructor's parameters, those its text can show); None when not known."""

    def taint(self, node) -> "Taint":
        """The personal data an expression carries."""

    def keyed_taint(self, key_node, value_node) -> "Taint":
        """A value stored under a key: its own data, or what the key names."""

    def labelled(self, taint: "Taint", text: str) -> "Taint":
        """The taint of a value a message formats after `text`, lowered where the text calls it
        a thing (`"on repository %s"`: analysis/labels.py)."""

    def spread_taint(self, node, keywords) -> "Taint":
        """What `**node` passes under the given keywords, when the dict's keys are known."""

    def keys_taint(self, node) -> Optional["Taint"]:
        """What the keys of a dict carry, when the dict is one the engine can see."""

    def is_module(self, node) -> bool:
        """Whether `node` is a module or an attribute of one (`requests`, `os.path`), not an object."""

    def loop_iterable(self, node):
        """What the `for` loop that bound name `node` iterates (`for c in CLUSTERS:` -> `CLUSTERS`), or None."""

    def is_local(self, node) -> bool:
        """Whether `node` is a name the walked function has bound itself (not a parameter)."""

    def file_state(self, owner: object, factory: Callable[[], T]) -> T:
        """`owner`'s state for this file: made by `factory()` on first use in the file."""


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

    def prefilter_tokens(self) -> Iterable[PrefilterToken]:
        """Lower-case substrings; a file whose lower-cased text contains none of the tokens
        of any enabled check is not parsed. Derive them from the catalogues so the filter
        never drifts from the rules. Return ["" ] to always parse."""
        return ()

    def on_call(self, ctx: "CheckContext", call: "cst.Call", target: Optional[str]) -> None:
        """Every call expression. `target` is the resolved dotted name
        (`logging.info`, `boto3.client`, `<logger>.info`, `print`) or None."""

    def on_assign(
        self, ctx: "CheckContext", target: "cst.BaseExpression", name: Optional[str], value: "cst.BaseExpression"
    ) -> None:
        """Every assignment `target = value` (also annotated assignments with a value and
        each target of a chained assignment). `name` is the dotted text of a simple
        target (`AWS_REGION`, `self.ttl`, `app.config.x`) or a subscript like
        `CACHES["default"]` rendered as its source; None for tuple targets."""

    def on_raise(self, ctx: "CheckContext", node: "cst.Raise") -> None:
        """Every raise statement."""

    def on_assert(self, ctx: "CheckContext", node: "cst.Assert") -> None:
        """Every assert statement with a message."""

    def on_scope_exit(self, ctx: "CheckContext", scope: "Scope") -> None:
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
