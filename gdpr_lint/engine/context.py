"""The context of one file's walk: what the checks see (the CheckContext interface of
gdpr_lint/checks/base.py), composed of one mixin per concern:

- semantic.resolve.ResolveMixin: names, imports, calls (`resolve`, `kind`, `definition`)
- semantic.values.ValuesMixin: constant folding (`constant`)
- analysis.taint*.…Mixin: personal data an expression carries (`taint`, `keyed_taint`, `keys_taint`),
  and where it comes from besides names (taint_sources: prompts, settings keys, functions' returns)
- engine.bindings.BindingMixin: assignments bound to names

and, here, positions, source text, reports and the checks' per-file state.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, FrozenSet, List, Optional, Sequence, Tuple, TypeVar

import libcst as cst

from gdpr_lint.analysis.digests import DigestTaintMixin
from gdpr_lint.analysis.flow import Taint
from gdpr_lint.analysis.pii import PiiVocabulary
from gdpr_lint.analysis.taint import TaintMixin
from gdpr_lint.analysis.taint_calls import CallTaintMixin
from gdpr_lint.analysis.taint_items import ItemTaintMixin
from gdpr_lint.analysis.taint_judge import JudgedSourceMixin
from gdpr_lint.analysis.taint_sources import SourceTaintMixin
from gdpr_lint.analysis.taint_values import ValueTaintMixin
from gdpr_lint.engine.bindings import BindingMixin
from gdpr_lint.semantic.project_use import ProjectMixin
from gdpr_lint.semantic.resolve import ResolveMixin
from gdpr_lint.semantic.scope import Scope
from gdpr_lint.semantic.values import ValuesMixin
from gdpr_lint.syntax.positions import _positions, original_line

T = TypeVar("T")


class _Report:
    __slots__ = ("code", "node", "stmt", "message", "categories", "confidence", "severity", "facts")

    def __init__(self, code, node, stmt, message, categories, confidence, severity, facts):
        self.code, self.node, self.stmt, self.message = code, node, stmt, message
        self.categories, self.confidence, self.severity, self.facts = categories, confidence, severity, facts


class Context(
    BindingMixin,
    SourceTaintMixin,
    ValueTaintMixin,
    CallTaintMixin,
    DigestTaintMixin,
    TaintMixin,
    ItemTaintMixin,
    JudgedSourceMixin,
    ValuesMixin,
    ResolveMixin,
    ProjectMixin,
):
    """The single traversal of one module, and the analyses the checks query."""

    def __init__(
        self,
        settings,
        path: str,
        module: cst.Module,
        origin: Optional[List[int]] = None,
        checks: Optional[List] = None,
        project=None,
    ):
        self.settings = settings
        self.project = project  # semantic.project_use.FileProject, or None (no project index)
        self.origin = origin  # original line number of each line of the parsed source
        self.original: Optional[str] = None  # the file's whole text, when the pre-filter dropped blocks of it
        self.kb = settings.kb
        self.config = settings.config
        self.vocab: PiiVocabulary = settings.vocab
        self.checks = settings.checks if checks is None else checks
        self.path = path
        self.module = module
        self.reports: List[_Report] = []
        self.stmt: Optional[cst.CSTNode] = None
        self.scope: Scope = Scope("module", "<module>", module, None)
        self._positions = None
        objects = self.kb.tables.get("objects", {})
        self.factories: Dict[str, str] = objects.get("factories", {})
        self.instances: Dict[str, str] = objects.get("instances", {})
        self.conventional: Dict[str, str] = objects.get("names", {})
        self.conventional_suffixes: Dict[str, str] = objects.get("name-suffixes", {})
        self.factory_names: Dict[str, str] = objects.get("factory-names", {})  # `get_logger()`
        self.factory_name_suffixes: Dict[str, str] = objects.get("factory-name-suffixes", {})
        self.types: Dict[str, str] = objects.get("types", {})
        self.parameter_kinds = objects.get("parameters", ())  # [[objects.parameters]]
        self.conditional_factories = {
            target: entry for entry in objects.get("conditional-factories", ()) for target in entry.get("targets", ())
        }
        self.stream_wrappers = {
            target: entry for entry in objects.get("stream-wrappers", ()) for target in entry.get("targets", ())
        }
        self.weak_hashes = self.kb.tables.get("pii", {}).get("weak-hashes", {})
        self._resolving_bases: set = set()
        values = self.kb.tables.get("values", {})
        self.env_getters = frozenset(values.get("env-getters", ()))
        self.imported_readers = {}  # name -> (kind, module words) ([[values.imported-readers]])
        for entry in values.get("imported-readers", ()):
            for name in entry.get("names", ()):
                self.imported_readers[name] = (entry["kind"], frozenset(entry.get("modules", ())))
        self.field_categories: Dict[str, str] = {}  # attr name -> category from model fields
        self.account_fields: Dict[str, str] = {}  # attr name -> the relation to the user model it is
        self.masked_fields: Dict[str, set] = {}  # class name -> fields that mask themselves
        self.printed_whole: set = set()  # classes whose printed form shows fields naming personal data
        self.text_shown: dict = {}  # class -> ((attribute, category), ...) its own __str__ shows
        # the module's functions walked so far: name -> (whether its name may say what it returns,
        # the data of each item when every return is a tuple of the same length)
        self.function_returns: Dict[str, Tuple[bool, Optional[List[Taint]]]] = {}
        self._taint_depth = 0
        self._module_words: Optional[FrozenSet[str]] = None  # words of the file's path, for judging confidence
        self._package_words: FrozenSet[str] = frozenset()  # words of all its folders (with _module_words)
        self._made_up_cache: Dict[str, Any] = {}  # analysis/generated.py: the module's constants and literal methods
        self._function_uses: Dict[int, Any] = {}  # id(a function node) -> its names' uses (analysis/uses.py)
        self._function_recipients: Dict[int, Dict[str, str]] = {}  # id(a function node) -> names sent mail to
        self._function_accounts: Dict[int, Dict[str, str]] = {}  # id(a function node) -> names used as accounts
        self.sends_mail = False  # the text has a call whose recipients say what a name holds (analysis/uses.py)
        self.empty_names: frozenset = frozenset()  # names known to be None or empty on this branch
        self.branch_words: frozenset = frozenset()  # what the enclosing `if`s chose (`kind == "token"`)
        self.withs: List[cst.With] = []  # the `with` statements around the current one, outermost first
        self.trys: List[cst.Try] = []  # the `try` statements whose body holds the current one, outermost first
        self.block: Sequence = ()  # the statements of the block the current statement is in
        self.masked: list = []  # (binding, its taint before) of dict keys masked in this block (engine/overwrites.py)
        self.loop_iters: Dict[int, object] = {}  # id(a for loop's target) -> what it iterates
        self.loop_blocks: Dict[int, str] = {}  # id(a for loop's statements) -> the name it binds
        self._check_states: Dict[int, Any] = {}  # per check: its state for this file (file_state)
        self.observations: List[tuple] = []  # (kind, node, top-level statement, scope, rule, facts)
        self.top: Optional[cst.CSTNode] = None  # the top-level statement being walked

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
        if code not in self.settings.enabled:
            return
        self.reports.append(
            _Report(code, node, self.stmt, message, tuple(categories), confidence, severity, dict(facts or {}))
        )

    # ---- per-file state of the checks ---------------------------------------------------

    def observe(self, kind: str, node, *, rule: str = "", in_scope: str = "", **facts) -> None:
        """Record a fact for the inventory (model.Observation), whether or not it is a
        finding: not subject to rule selection or suppressions, only to per-file-ignores.
        `in_scope`: the scope it was seen in, for a fact recorded when the file is done."""
        self.observations.append((kind, node, self.top, in_scope or self.scope_name(), rule, facts))

    def scope_name(self) -> str:
        """`Class.method` of the current scope; `<module>` at the top level."""
        names: List[str] = []
        scope: Optional[Scope] = self.scope
        while scope is not None and scope.kind != "module":
            names.append(scope.name)
            scope = scope.parent
        return ".".join(reversed(names)) or "<module>"

    def file_state(self, owner, factory: Callable[[], T]) -> T:
        """The state `owner` (a check) keeps for this file: made by `factory()` on first use,
        dropped with the context when the file is done, so a check instance keeps none."""
        state = self._check_states.get(id(owner))
        if state is None:
            state = self._check_states[id(owner)] = factory()
        return state
