"""A small stand-in for the engine's Context, for unit tests of the retention family.

It implements the documented Context surface (gdpr_lint.checks.base.CheckContext: resolve_call,
kind, constant, definition, taint, report, source, scope, file_state) with the simplest
analyses that honour it: imports, single module/class/function assignments, and a
name-based taint. The fixture test runs
the real engine; these tests pin the family's own logic independently of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional

import libcst as cst

_PII_WORDS = re.compile(
    r"(email|phone|address|first_name|last_name|full_name|ssn|birth|ip_address|\bip\b|profile)", re.I
)


@dataclass(frozen=True)
class Const:
    value: object
    origin: Optional[str] = None


@dataclass(frozen=True)
class Definition:
    value: cst.BaseExpression
    origin: str


class Taint:
    confidence = "medium"  # a name-based guess, as the engine's for a strong identifier
    reason = "named as personal data"

    def __init__(self, categories=(), text=""):
        self.categories = tuple(categories)
        self.text = text

    def __bool__(self):
        return bool(self.categories)

    def describe(self):
        return f"{self.categories[0]} ({self.text})" if self.categories else ""


@dataclass
class Scope:
    kind: str
    name: str
    node: cst.CSTNode
    names: Dict[str, List[cst.BaseExpression]] = field(default_factory=dict)
    parent: Optional["Scope"] = None  # the enclosing scope (a stack class of a function's code)


@dataclass
class Reported:
    code: str
    line: int
    message: str
    facts: dict
    categories: tuple
    confidence: str = "medium"


def _dotted(expr) -> Optional[str]:
    if isinstance(expr, cst.Name):
        return expr.value
    if isinstance(expr, cst.Attribute):
        base = _dotted(expr.value)
        return f"{base}.{expr.attr.value}" if base else None
    return None


class FakeContext:
    def __init__(self, source: str, kb_tables: dict, config=None, path="t.py"):
        self.module = cst.parse_module(source)
        self.wrapper = cst.MetadataWrapper(self.module, unsafe_skip_copy=True)
        self.positions = self.wrapper.resolve(cst.metadata.PositionProvider)
        self.kb = type("KB", (), {"tables": kb_tables, "rules": {}})()
        self.config = config
        self.path = path
        self.imports: Dict[str, str] = {}
        self.reports: List[Reported] = []
        self.module_scope = Scope("module", "<module>", self.module)
        self.scope = self.module_scope
        self.class_names: Dict[str, Dict[str, List[cst.BaseExpression]]] = {}
        objects = kb_tables.get("objects", {})
        self.factories = objects.get("factories", {})
        self.instances = objects.get("instances", {})
        self.object_names = objects.get("names", {})
        self.kinds: Dict[str, str] = {}
        self.withs: List[cst.With] = []
        self.block = ()
        self._states: Dict[int, object] = {}

    # --- Context surface ------------------------------------------------------------

    def file_state(self, owner, factory):
        state = self._states.get(id(owner))
        if state is None:
            state = self._states[id(owner)] = factory()
        return state

    def _qualify(self, dotted: str) -> str:
        head, _, rest = dotted.partition(".")
        if head in self.imports:
            full = self.imports[head]
            return f"{full}.{rest}" if rest else full
        return dotted

    def kind(self, expr) -> Optional[str]:
        if isinstance(expr, cst.Call):
            target = self.resolve_call(expr.func)
            if target is None:
                return None
            kind = self.factories.get(target)
            if kind == "aws" and expr.args and isinstance(expr.args[0].value, cst.SimpleString):
                return f"aws:{expr.args[0].value.evaluated_value}"
            return kind
        if isinstance(expr, cst.Subscript):  # as the engine: `<base>.__getitem__` in the factories
            base = _dotted(expr.value)
            return self.factories.get(f"{self._qualify(base)}.__getitem__") if base else None
        dotted = _dotted(expr)
        if dotted is None:
            return None
        if dotted in self.kinds:
            return self.kinds[dotted]
        qualified = self._qualify(dotted)
        if qualified in self.instances:
            return self.instances[qualified]
        # a reader imported from a settings module (`from .base import env`): [[values.imported-readers]]
        module, _, imported = qualified.rpartition(".")
        for entry in self.kb.tables.get("values", {}).get("imported-readers", ()):
            named = dotted in self.imports and imported == dotted and dotted in entry.get("names", ())
            if named and set(module.split(".")) & set(entry.get("modules", ())):
                return entry["kind"]
        last = dotted.rsplit(".", 1)[-1].lower()
        return self.object_names.get(last)

    def resolve_call(self, func) -> Optional[str]:
        if isinstance(func, cst.Attribute):
            kind = self.kind(func.value)
            if kind:
                return f"<{kind}>.{func.attr.value}"
        dotted = _dotted(func)
        return self._qualify(dotted) if dotted else None

    def _lookup(self, expr) -> Optional[List[cst.BaseExpression]]:
        if isinstance(expr, cst.Name):
            for names in (self.scope.names, self.module_scope.names):
                if expr.value in names:
                    return names[expr.value]
        if isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name):
            owner = expr.value.value
            if owner in self.class_names and expr.attr.value in self.class_names[owner]:
                return self.class_names[owner][expr.attr.value]
        return None

    def definition(self, expr) -> Optional[Definition]:
        values = self._lookup(expr)
        if not values or len(values) != 1:
            return None
        line = self.positions[values[0]].start.line
        return Definition(values[0], f"{_dotted(expr)}, line {line}")

    def project_duration(self, expr):
        return None  # one module: no other gives a lifetime

    def fallback_expression(self, expr):
        """As the engine's (semantic/values.py), over this stand-in's scopes: a parameter's
        default, `x = x or <e>`, `x = x if ... else <e>`, `if x is None: x = <e>` at the top
        of the function, and `self.x = x or <e>` in the class's `__init__`."""
        from gdpr_lint.semantic.values import _fallback_branch, _tests_missing

        if isinstance(expr, cst.Attribute) and _dotted(expr.value) == "self":
            scope = self.scope
            while scope is not None and scope.kind != "class":
                scope = scope.parent
            for stmt in scope.node.body.body if scope is not None else ():
                if isinstance(stmt, cst.FunctionDef) and stmt.name.value == "__init__":
                    for line in stmt.body.body:
                        for small in getattr(line, "body", ()) if isinstance(line, cst.SimpleStatementLine) else ():
                            if isinstance(small, cst.Assign) and _dotted(small.targets[0].target) == _dotted(expr):
                                return _fallback_branch(small.value)
            return None
        function = self.scope.node if self.scope.kind == "function" else None
        if not isinstance(expr, cst.Name) or not isinstance(function, cst.FunctionDef):
            return None
        name = expr.value
        for stmt in function.body.body:
            if isinstance(stmt, cst.If) and stmt.orelse is None and _tests_missing(stmt.test, name):
                for line in stmt.body.body:
                    for small in line.body if isinstance(line, cst.SimpleStatementLine) else ():
                        if isinstance(small, cst.Assign) and _dotted(small.targets[0].target) == name:
                            return small.value, f"the default set when {name} is missing"
        for value in self.scope.names.get(name, ()):
            if isinstance(value, (cst.BooleanOperation, cst.IfExp)):
                return _fallback_branch(value)
        params = function.params
        for param in [*params.posonly_params, *params.params, *params.kwonly_params]:
            if param.name.value == name and param.default is not None and name not in self.scope.names:
                return param.default, f"the default of parameter {name}"
        return None

    def constant(self, expr) -> Optional[Const]:
        if isinstance(expr, cst.SimpleString):
            return Const(expr.evaluated_value)
        if isinstance(expr, cst.ConcatenatedString):
            value = expr.evaluated_value
            return Const(value) if isinstance(value, str) else None
        if isinstance(expr, cst.Integer):
            return Const(int(expr.evaluated_value))
        if isinstance(expr, cst.Float):
            return Const(float(expr.evaluated_value))
        if isinstance(expr, cst.Name) and expr.value in ("None", "True", "False"):
            return Const({"None": None, "True": True, "False": False}[expr.value])
        if isinstance(expr, cst.Call):
            target = self.resolve_call(expr.func)
            getters = {"os.environ.get", "os.getenv", *self.kb.tables.get("values", {}).get("env-getters", ())}
            if target in getters and expr.args:
                default = next(
                    (a.value for a in expr.args if a.keyword is not None and a.keyword.value == "default"),
                    expr.args[1].value if len(expr.args) > 1 and expr.args[1].keyword is None else None,
                )
                inner = self.constant(default) if default is not None else None
                if inner is not None:
                    return Const(inner.value, f"default of {self.source(expr.args[0].value)}")
            return None
        if isinstance(expr, cst.BinaryOperation):
            left, right = self.constant(expr.left), self.constant(expr.right)
            if left and right and isinstance(left.value, (int, float)) and isinstance(right.value, (int, float)):
                if isinstance(expr.operator, cst.Multiply):
                    return Const(left.value * right.value, left.origin or right.origin)
                if isinstance(expr.operator, cst.Add):
                    return Const(left.value + right.value, left.origin or right.origin)
            return None
        definition = self.definition(expr)
        if definition is not None:
            inner = self.constant(definition.value)
            if inner is not None:
                return Const(inner.value, definition.origin)
        return None

    def taint(self, expr) -> Taint:
        text = self.source(expr)
        match = _PII_WORDS.search(text)
        return Taint(("email",), text) if match else Taint()

    def is_local(self, expr) -> bool:
        return isinstance(expr, cst.Name) and self.scope.kind == "function" and expr.value in self.scope.names

    def keys_taint(self, expr) -> Optional[Taint]:
        if not isinstance(expr, cst.Dict):
            return None
        keys = [e.key for e in expr.elements if isinstance(e, cst.DictElement)]
        return next((t for t in map(self.taint, keys) if t), Taint())

    def source(self, node) -> str:
        return self.module.code_for_node(node)

    def report(self, code, node, message, *, categories=(), confidence="medium", severity=None, facts=None):
        self.reports.append(
            Reported(code, self.positions[node].start.line, message, dict(facts or {}), tuple(categories), confidence)
        )

    def observe(self, kind, node, *, rule="", in_scope="", **facts):
        """The inventory's channel: these tests look at findings only."""

    def scope_name(self):
        return "<module>"

    # --- a tiny traversal ---------------------------------------------------------------

    def run(self, check) -> List[Reported]:
        self._collect(self.module.body, self.module_scope.names, None)
        self._walk_body(check, self.module.body)
        check.on_scope_exit(self, self.module_scope)
        return self.reports

    def _collect(self, body, names, class_name):
        for stmt in body:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, cst.Import):
                        for alias in small.names:
                            full = _dotted(alias.name)
                            local = alias.asname.name.value if alias.asname else full.split(".")[0]
                            self.imports[local] = full if alias.asname else local
                    elif isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
                        module = _dotted(small.module) if small.module else ""
                        for alias in small.names:
                            local = alias.asname.name.value if alias.asname else alias.name.value
                            self.imports[local] = f"{module}.{alias.name.value}"
                    elif isinstance(small, (cst.Assign, cst.AnnAssign)) and small.value is not None:
                        targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else [small.target]
                        for target in targets:
                            dotted = _dotted(target)
                            if isinstance(target, cst.Name):
                                names.setdefault(target.value, []).append(small.value)
                            if isinstance(small.value, cst.Call):
                                kind = self.kind(small.value)
                                if kind and dotted:
                                    self.kinds[dotted] = kind
            elif isinstance(stmt, cst.ClassDef):
                class_names: Dict[str, List[cst.BaseExpression]] = {}
                self.class_names[stmt.name.value] = class_names
                self._collect(stmt.body.body, class_names, stmt.name.value)

    def _walk_body(self, check, body):
        for stmt in body:
            if isinstance(stmt, cst.FunctionDef):
                for decorator in stmt.decorators:  # as the engine: `@cache_page(...)` is a call
                    self._walk_node(check, decorator.decorator)
                outer = self.scope
                self.scope = Scope("function", stmt.name.value, stmt, parent=outer)
                self._collect(stmt.body.body, self.scope.names, None)
                self._walk_body(check, stmt.body.body)
                check.on_scope_exit(self, self.scope)
                self.scope = outer
            elif isinstance(stmt, cst.ClassDef):
                outer = self.scope
                self.scope = Scope("class", stmt.name.value, stmt, self.class_names[stmt.name.value], parent=outer)
                self._walk_body(check, stmt.body.body)
                self.scope = outer
            elif isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    self._walk_node(check, small)
            else:
                for child in stmt.children:
                    if isinstance(child, cst.BaseSuite):
                        self._walk_body(check, child.body)
                    elif isinstance(child, cst.CSTNode):
                        self._walk_node(check, child)

    def _walk_node(self, check, node):
        if isinstance(node, (cst.Assign, cst.AnnAssign)) and node.value is not None:
            targets = [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
            for target in targets:
                name = _dotted(target)
                if name is None and isinstance(target, cst.Subscript):
                    name = self.source(target)
                check.on_assign(self, target, name, node.value)
        if isinstance(node, cst.Call):
            check.on_call(self, node, self.resolve_call(node.func))
        for child in node.children:
            if isinstance(child, cst.BaseSuite):
                self._walk_body(check, child.body)
            else:
                self._walk_node(check, child)
