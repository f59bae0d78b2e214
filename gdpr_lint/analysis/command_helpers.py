"""Helpers of a command-line command: what the operator typed, passed on to a function of the
module (analysis/commands.py says what a command's own input is).

`self.get_user(options["email"])` in a management command's `handle`, or
`asyncio.run(_reconcile(username=username or None))` in a typer command: the helper's parameter
holds what the operator typed, as the command's does, when every call of the helper in the
module gives it that (or a constant, or leaves it to a constant default) and at least one call
gives it the operator's input. Only helpers whose callers are all in the module are judged: a
private function of the module (`_reconcile`) and a method of a command class, called by name
and never handed on (`callback=_reconcile`); what another module may call with other data is
left as it is. The parameters are worked out once per module, from the commands down through
helpers of helpers.
"""

from __future__ import annotations

import re
from typing import Dict, FrozenSet, List, Optional, Set, Tuple

import libcst as cst

from gdpr_lint.syntax.nodes import _flat_top_level, child_nodes

_TEXT_METHODS = frozenset(("strip", "lstrip", "rstrip", "lower", "upper", "casefold", "title"))
_CONSTANTS = (cst.SimpleString, cst.ConcatenatedString, cst.Integer, cst.Float)
_OPERATOR, _CONSTANT = "operator", "constant"
_WORDS = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class _Unit:
    """A function or method of the module: its node, its `self`, its class, and its callers."""

    def __init__(self, node: cst.FunctionDef, cls: Optional[str], class_scope) -> None:
        self.node = node
        self.cls = cls
        self.class_scope = class_scope
        params = node.params
        positional = list(params.posonly_params) + list(params.params)
        static = any(_last(d.decorator) == "staticmethod" for d in node.decorators)
        self.self_name = positional[0].name.value if cls is not None and positional and not static else None
        self.positional = [p for p in positional if p.name.value != self.self_name]
        self.kwonly = list(params.kwonly_params)
        self.calls: List[Tuple[Optional["_Unit"], cst.Call]] = []  # (caller or None at module level, call)
        self.escapes = False  # named without being called: called from elsewhere
        self.input: FrozenSet[str] = frozenset()
        self.fed: FrozenSet[str] = frozenset()
        self._assigned: Optional[Set[str]] = None
        self.namespaces: Set[str] = set()

    @property
    def assigned(self) -> Set[str]:
        """The names the body binds: worked out when first asked, only in a module with a
        command (most modules have none, and this walks the whole body)."""
        if self._assigned is None:
            self._assigned = _assigned(self.node)
        return self._assigned


def fed_parameters(walker, node: cst.FunctionDef) -> FrozenSet[str]:
    """The parameters of `node`, a function or method of the module, that every call of the
    module gives what a command's operator typed (see the module docstring)."""
    module = walker.scope
    while module.parent is not None:
        module = module.parent
    table = module.data.get("command helpers")
    if table is None:
        table = module.data["command helpers"] = _fed(walker, module)
    unit = table.get(id(node))
    return unit.fed if unit is not None and unit.node is node else frozenset()


def _fed(walker, module) -> Dict[int, _Unit]:
    from gdpr_lint.analysis.commands import _is_command_class, _spec, direct_input

    spec = _spec(walker)
    if not spec:
        return {}
    functions: Dict[str, _Unit] = {}
    methods: Dict[Tuple[str, str], _Unit] = {}
    command_classes: Set[str] = set()
    units: List[_Unit] = []
    for stmt in _flat_top_level(walker.module.body):
        if type(stmt) is cst.FunctionDef:
            unit = functions[stmt.name.value] = _Unit(stmt, None, None)
            units.append(unit)
        elif type(stmt) is cst.ClassDef:
            binding = module.bindings.get(stmt.name.value)
            class_scope = getattr(binding.value, "scope", None) if binding is not None else None
            if class_scope is None or class_scope.node is not stmt:
                continue
            if _is_command_class(walker, class_scope):
                command_classes.add(stmt.name.value)
            for inner in stmt.body.body if type(stmt.body) is cst.IndentedBlock else ():
                if type(inner) is cst.FunctionDef:
                    unit = methods[(stmt.name.value, inner.name.value)] = _Unit(inner, stmt.name.value, class_scope)
                    units.append(unit)
    typed_somewhere = False
    for unit in units:
        typed = direct_input(walker, unit.node, unit.self_name, unit.class_scope)
        typed_somewhere = typed_somewhere or typed is not None
        unit.input = typed or frozenset()
    if not typed_somewhere:
        return {}  # no command in the module: no helper of one
    namespace_methods = frozenset(spec.get("namespace-methods", ()))
    for unit in units:
        for current in _own_nodes(unit.node.body):
            if type(current) is cst.Assign and type(current.value) is cst.Call:
                func = current.value.func
                if type(func) is cst.Attribute and func.attr.value in namespace_methods:
                    unit.namespaces.update(t.target.value for t in current.targets if type(t.target) is cst.Name)
    # who calls whom, and which helpers are named without being called
    called: Set[int] = set()
    for caller in [*units, None]:
        body = caller.node.body if caller is not None else walker.module
        for current in _own_nodes(body, top=caller is None):
            if type(current) is not cst.Call:
                continue
            func = current.func
            callee = None
            if (
                type(func) is cst.Name
                and func.value in functions
                and (caller is None or func.value not in caller.assigned)
            ):
                callee = functions[func.value]
            elif (
                caller is not None
                and caller.self_name is not None
                and type(func) is cst.Attribute
                and type(func.value) is cst.Name
                and func.value.value == caller.self_name
            ):
                callee = methods.get((caller.cls or "", func.attr.value))
            if callee is not None:
                callee.calls.append((caller, current))
                called.add(id(func))
    by_name: Dict[str, List[_Unit]] = {}
    for (_, name), unit in methods.items():
        by_name.setdefault(name, []).append(unit)
    called.update(id(unit.node.name) for unit in units)  # `def _helper(...)`: its name, not a use
    for current in _own_nodes(walker.module, top=True, into_functions=True):
        if id(current) in called:
            continue
        if type(current) is cst.Name and current.value in functions:
            functions[current.value].escapes = True
        elif type(current) is cst.Attribute:
            for unit in by_name.get(current.attr.value, ()):
                unit.escapes = True
    dropped = set(_WORDS.findall(dropped_text(walker)))  # code the pre-filter dropped may call it too
    judged = [
        unit
        for unit in units
        if unit.calls
        and not unit.escapes
        and unit.node.name.value not in dropped
        and (unit.cls in command_classes if unit.cls is not None else unit.node.name.value.startswith("_"))
        and not unit.node.name.value.startswith("__")
    ]
    for _ in range(8):  # from the commands down through helpers of helpers
        changed = False
        for unit in judged:
            fed = _judge(unit)
            if fed != unit.fed:
                unit.fed, changed = fed, True
        if not changed:
            break
    return {id(unit.node): unit for unit in judged if unit.fed}


def dropped_text(walker) -> str:
    """The lines of the file the pre-filter dropped (blocks without a token): "" when none."""
    original, origin = walker.original, walker.origin
    if original is None or origin is None:
        return ""
    module = walker.scope
    while module.parent is not None:
        module = module.parent
    known = module.data.get("dropped text")
    if known is None:
        kept = set(origin)
        lines = original.splitlines()
        known = module.data["dropped text"] = "\n".join(
            line for number, line in enumerate(lines, 1) if number not in kept
        )
    return known


def _judge(unit: _Unit) -> FrozenSet[str]:
    """The parameters every call gives the operator's input or a constant, one call at least
    the operator's input."""
    seen: Dict[str, Set[Optional[str]]] = {}
    for caller, call in unit.calls:
        for name, what in _bound(unit, caller, call).items():
            seen.setdefault(name, set()).add(what)
    return frozenset(name for name, whats in seen.items() if _OPERATOR in whats and whats <= {_OPERATOR, _CONSTANT})


def _bound(unit: _Unit, caller: Optional[_Unit], call: cst.Call) -> Dict[str, Optional[str]]:
    """What the call gives each parameter: the operator's input, a constant, or None (other)."""
    out: Dict[str, Optional[str]] = {}
    index = 0
    unknown_from = None
    rest: Optional[str] = _CONSTANT  # what the parameters the call does not name receive
    for arg in call.args:
        if arg.star == "*":
            unknown_from = index if unknown_from is None else unknown_from
            continue
        if arg.star == "**":
            rest = _what(arg.value, caller)
            continue
        what = _what(arg.value, caller)
        if arg.keyword is not None:
            out[arg.keyword.value] = what
        else:
            if index < len(unit.positional):
                out[unit.positional[index].name.value] = what
            index += 1
    for position, param in enumerate(unit.positional + unit.kwonly):
        name = param.name.value
        if name in out:
            continue
        if unknown_from is not None and position < len(unit.positional):
            out[name] = None  # `helper(*values)` may give it anything
        elif rest == _OPERATOR:
            out[name] = _OPERATOR  # `self.helper(**options)`
        elif rest == _CONSTANT and param.default is not None and _constant(param.default):
            out[name] = _CONSTANT  # left to its default
        else:
            out[name] = None
    return out


def _what(node, caller: Optional[_Unit]) -> Optional[str]:
    """Whether an argument is what the caller's operator typed (`username`, `options["email"]`,
    `kwargs.get("email")`, `args.email`, `username or None`, `email.strip()`), a constant, or
    something else (None)."""
    if _constant(node):
        return _CONSTANT
    if caller is None:
        return None
    typed = caller.input | caller.fed
    t = type(node)
    if t is cst.Name:
        return _OPERATOR if node.value in typed and node.value not in caller.assigned else None
    if t is cst.Subscript and type(node.value) is cst.Name:
        return _OPERATOR if node.value.value in typed and node.value.value not in caller.assigned else None
    if t is cst.Attribute and type(node.value) is cst.Name:
        return _OPERATOR if node.value.value in caller.namespaces else None  # `args.email`
    if t is cst.BooleanOperation:
        parts = {_what(node.left, caller), _what(node.right, caller)}
        return _OPERATOR if _OPERATOR in parts and parts <= {_OPERATOR, _CONSTANT} else None
    if t is cst.Call and type(node.func) is cst.Attribute:
        method = node.func.attr.value
        if method == "get" and type(node.func.value) is cst.Name:
            return _what(node.func.value, caller)  # `options.get("email")`
        if method in _TEXT_METHODS:
            return _what(node.func.value, caller)
    if t is cst.Call and type(node.func) is cst.Name and node.func.value == "str" and len(node.args) == 1:
        return _what(node.args[0].value, caller)
    return None


def _constant(node) -> bool:
    if type(node) in _CONSTANTS:
        return True
    if type(node) is cst.Name and node.value in ("None", "True", "False"):
        return True
    return type(node) is cst.UnaryOperation and type(node.expression) in (cst.Integer, cst.Float)


def _assigned(node: cst.FunctionDef) -> Set[str]:
    """The names the function's body binds (an assignment, a loop, `with ... as`, `:=`)."""
    out: Set[str] = set()
    for current in _own_nodes(node.body):
        t = type(current)
        targets = []
        if t is cst.Assign:
            targets = [target.target for target in current.targets]
        elif t in (cst.AnnAssign, cst.AugAssign):
            targets = [current.target]
        elif t in (cst.For, cst.CompFor):
            targets = [current.target]
        elif t is cst.AsName:
            targets = [current.name]
        elif t is cst.NamedExpr:
            targets = [current.target]
        for target in targets:
            stack = [target]
            while stack:
                item = stack.pop()
                if type(item) is cst.Name:
                    out.add(item.value)
                elif type(item) in (cst.Tuple, cst.List):
                    stack.extend(element.value for element in item.elements)
                elif type(item) is cst.StarredElement:
                    stack.append(item.value)
    return out


def _own_nodes(root, top: bool = False, into_functions: bool = False):
    """The nodes under `root`, not those in nested functions and classes (lambdas are in);
    `top`: the module's own statements, not its functions' and classes' bodies (unless
    `into_functions`)."""
    stack = [root]
    while stack:
        current = stack.pop()
        yield current
        for child in child_nodes(current):
            if type(child) in (cst.FunctionDef, cst.ClassDef) and not into_functions:
                if top:
                    stack.extend(d for d in getattr(child, "decorators", ()))  # `@app.command()` at module level
                continue
            stack.append(child)


def _last(node) -> str:
    if type(node) is cst.Call:
        node = node.func
    if type(node) is cst.Attribute:
        return node.attr.value
    return node.value if type(node) is cst.Name else ""
