"""Value folding: the constant an expression evaluates to, where the code makes that
visible (literals, names bound once, arithmetic, f-strings, environment defaults).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, FrozenSet, Optional, Tuple

import libcst as cst

from gdpr_lint.semantic.scope import Const, Definition
from gdpr_lint.syntax.nodes import names_read, string_value

if TYPE_CHECKING:
    from gdpr_lint.semantic.project_use import FileProject
    from gdpr_lint.semantic.scope import Scope


# a default worth asking the project's callers about: a host, a URL or a region id
# (`api.openai.com`, `https://...`, `us-east-1`, `westus2`), not `"/"`, `"GET"` or `"default"`
_DESTINATION_LIKE = re.compile(
    r"(?:[a-z][a-z0-9+.-]*://)?[\w-]+(?:\.[\w-]+)+|[a-z]{2,}(?:-[a-z0-9]+){1,3}$|[a-z]+\d$", re.I
)

_NUMBER_OPS = {
    cst.Add: lambda a, b: a + b,
    cst.Subtract: lambda a, b: a - b,
    cst.Multiply: lambda a, b: a * b,
    cst.Divide: lambda a, b: a / b,
    cst.FloorDivide: lambda a, b: a // b,
    cst.Modulo: lambda a, b: a % b,
    cst.Power: lambda a, b: a**b if abs(b) < 64 else None,
}


class ValuesMixin:
    """Constant folding (`constant()`) over the bindings of the walk."""

    if TYPE_CHECKING:  # provided by the Context and its other mixins
        env_getters: FrozenSet[str]
        project: Optional[FileProject]

        def definition(self, node: Any) -> Optional[Definition]: ...
        def _binding_of(self, node: Any) -> Optional[Any]: ...
        def _instance_scope(self, node: Any) -> Optional[Scope]: ...
        def resolve(self, node: Any) -> Optional[str]: ...
        def _project_constant(self, node: Any, durations: bool = False) -> Optional[Const]: ...
        def _project_returned_constant(self, call: Any) -> Optional[Const]: ...
        def attribute_value(self, node: Any) -> Optional[Any]: ...

        scope: Scope

    def constant(self, node, _depth: int = 0) -> Optional[Const]:
        if _depth > 25:
            return None
        if type(node) in (cst.SimpleString, cst.ConcatenatedString):
            value: Any = string_value(node)
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
                return self._project_constant(node) if self.project is not None else None
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
                elif (
                    isinstance(container.value, tuple)
                    and isinstance(key.value, int)
                    and not isinstance(key.value, bool)
                ):
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
                elif (
                    type(part) is cst.FormattedStringExpression and part.format_spec is None and part.conversion is None
                ):
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
            return Const(
                right.value,
                note=(f"the default of environment variable {variable}" if variable else "the fallback after `or`"),
            )
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

    def fallback(self, node) -> Optional[Const]:
        """The value the code falls back to where `constant` knows none: the default of a
        lookup (`config.get("region", "us-east-1")`, `getattr(settings, "REGION", "us")`),
        of a parameter (`def make(region="us-east-1")`, or `region = region or "us-west-2"`
        before the use), or what a helper returns when it is not given one (`return region
        or "us-west-2"`, an environment default, a module constant). For checks that judge
        where a client goes: the value a lookup falls back to is not what it returns, so
        taint and the other checks keep asking `constant`."""
        kind = type(node)
        if kind is cst.Call:
            return self._lookup_default(node) or (
                self._project_returned_constant(node) if self.project is not None else None
            )
        if kind is cst.Attribute:  # `self.region = region or "us-west-2"` in `__init__`
            param = self._attribute_param(node)
            if param is not None:  # `self.region = region` with `region="us-east-1"`
                inner = self.constant(param.default)
                if inner is None or not inner.value or not isinstance(inner.value, str):
                    return None
                return Const(inner.value, note=f"the default of parameter {param.name.value}")
            given = self.attribute_value(node)
            return self._fallback_of(given) if given is not None else None
        if kind is not cst.Name:
            return None
        bound = self._name_binding(node)
        if bound is None:
            return None
        scope, binding, param = bound
        value = binding.value
        if param is not None:
            inner = self.constant(param.default)
            if inner is None or not inner.value or not isinstance(inner.value, str):
                return None
            if _DESTINATION_LIKE.match(inner.value) and self._default_never_used(
                scope.node, scope.class_scope is not None, param, scope.class_scope
            ):
                return None
            return Const(inner.value, note=f"the default of parameter {node.value}")
        if value is None:
            return None
        if (
            type(value) is cst.BooleanOperation
            and type(value.operator) is cst.Or
            and type(value.left) is cst.Name
            and value.left.value == node.value  # `region = region or "us-west-2"`
        ):
            return self.constant(value)
        if type(value) is cst.IfExp:  # `region = region if region else "us-west-2"`
            return self._fallback_of(value)
        if type(value) is cst.Call and binding.defs == 1:  # `region = getattr(settings, "REGION", "us")`
            return self._lookup_default(value)
        if value is not None and scope.node is not None and binding.defs > 1:
            return self._default_set_when_missing(scope, node.value, binding)
        return None

    def _attribute_param(self, node: cst.Attribute) -> Optional[cst.Param]:
        """The parameter with a default that a method gave `self.x` whole (`self.region =
        region` with `region="us-east-1"`: engine/prepass.py), when the class sets `self.x`
        nowhere else, unless every call the project makes of the method passes it."""
        binding = self._binding_of(node)
        owner = self._instance_scope(node)
        if binding is None or owner is None or binding.defs != 1:
            return None
        given = binding.value
        if owner.instance.get(node.attr.value) is not binding or type(given) is not cst.Name:
            return None
        found = owner.data.get("attribute params", {}).get(id(given))
        if found is None or self.project is None:
            return None
        param, method = found
        from gdpr_lint.semantic.project_use import _qualified

        # the whole file (not only the blocks the pre-filter kept) sets it from that parameter only
        project = self.project
        summary = project.index.summary(project.path)
        cls = summary.get("classes", {}).get(_qualified(owner) or "") if summary is not None else None
        if cls is None or cls.get("param_attrs", {}).get(node.attr.value) != [given.value, method.name.value]:
            return None
        return None if self._default_never_used(method, True, param, owner) else param

    def _name_binding(self, node) -> Optional[Tuple["Scope", Any, Optional[cst.Param]]]:
        """(scope, binding, the parameter it is when that has a default) of a name as the walk
        knows it now; None when no scope binds it."""
        scope: Optional[Scope] = self.scope
        while scope is not None and node.value not in scope.bindings:
            scope = scope.parent
        if scope is None:
            return None
        binding = scope.bindings[node.value]
        if binding.value is None and node.value in getattr(scope, "param_names", ()) and scope.node is not None:
            params = scope.node.params
            for param in list(params.posonly_params) + list(params.params) + list(params.kwonly_params):
                if param.name is binding.node and param.default is not None:
                    return scope, binding, param
        return scope, binding, None

    def _fallback_of(self, value) -> Optional[Const]:
        """The constant an expression falls back to: `x or "us-west-2"`, `x if x else "..."`,
        `"..." if x is None else x` (the branch the test sends a missing value to)."""
        found = _fallback_branch(value)
        if found is None:
            return None
        if type(value) is cst.BooleanOperation and self.constant(value.left) is not None:
            return None  # `"eu-west-1" or ...`: the first value is the value
        const = self.constant(found[0])
        if const is None or not isinstance(const.value, str) or not const.value:
            return None
        return const if const.origin_name is not None or const.note else Const(const.value, note=found[1])

    def _default_set_when_missing(self, scope: "Scope", name: str, binding) -> Optional[Const]:
        """`if region is None: region = "us-west-2"` (or `if not region:`) at the top level of
        the function, when that assignment gave the name its value: the default it falls back to."""
        expr = _default_assignment(scope, name, binding)
        found = self.constant(expr) if expr is not None else None
        if found is None or not isinstance(found.value, str) or not found.value:
            return None
        if found.origin_name is not None or found.note:
            return found
        return Const(found.value, note=f"the default set when {name} is missing")

    def fallback_expression(self, node) -> Optional[Tuple[Any, str]]:
        """(the expression, what says so) a name or `self.x` falls back to when the code is
        given no value: a parameter's default (unless every call the project makes passes it),
        `x = x or <e>`, `x = x if x else <e>`, `if x is None: x = <e>`, `self.x = x or <e>`,
        `self.x = x` with a default for `x`.
        For lifetimes, which analysis/durations.py folds (`timedelta(days=400)` is no constant)."""
        if type(node) is cst.Attribute:
            param = self._attribute_param(node)
            if param is not None:
                return param.default, f"the default of parameter {param.name.value}"
            given = self.attribute_value(node)
            return _fallback_branch(given) if given is not None else None
        if type(node) is not cst.Name:
            return None
        bound = self._name_binding(node)
        if bound is None:
            return None
        scope, binding, param = bound
        value = binding.value
        if param is not None:
            if self._default_never_used(scope.node, scope.class_scope is not None, param, scope.class_scope):
                return None
            return param.default, f"the default of parameter {node.value}"
        if value is None:
            return None
        if type(value) is cst.BooleanOperation and type(value.left) is cst.Name and value.left.value == node.value:
            return _fallback_branch(value)  # `ttl = ttl or 86400 * 30`
        if type(value) is cst.IfExp:
            return _fallback_branch(value)
        if value is not None and scope.node is not None and binding.defs > 1:
            expr = _default_assignment(scope, node.value, binding)
            return (expr, f"the default set when {node.value} is missing") if expr is not None else None
        return None

    def _default_never_used(self, function, method: bool, param, owner=None) -> bool:
        """Whether every call the project makes of the function (`method`: defined in a class)
        passes the parameter, so nothing falls back to its default (semantic/callers.py); for
        `__init__`, every call of its class (`owner`, the class's scope: a top-level one)."""
        project = self.project
        if project is None or type(function) is not cst.FunctionDef:
            return False
        params = function.params
        positional = list(params.posonly_params) + list(params.params)
        position = next((i for i, p in enumerate(positional) if p is param), None)
        if method and any(
            type(d.decorator) is cst.Name and d.decorator.value == "staticmethod" for d in function.decorators
        ):
            position = position + 1 if position is not None else None  # called as `Cls.f(...)`: no `self`
        name = function.name.value
        if method and name == "__init__":  # called as its class (`RDS(region=...)`): no `self` passed
            if owner is None or owner.parent is None or owner.parent.kind != "module":
                return False
            name, method = owner.name, False
            position = position - 1 if position else None
        index = project.index
        count = project.ask(index.every_call_passes, project.path, name, param.name.value, position, method)
        return count is not None

    def _lookup_default(self, call: cst.Call) -> Optional[Const]:
        """`config.get("region", "us-east-1")`, `getattr(settings, "AWS_REGION", "us-east-1")`."""
        func = call.func
        args = call.args
        if any(arg.star for arg in args):
            return None
        if type(func) is cst.Attribute and func.attr.value == "get" and 1 <= len(args) <= 2:
            key_node = args[0].value if args[0].keyword is None else None
            default = args[1].value if len(args) == 2 and args[1].keyword is None else None
            if default is None:
                default = next((a.value for a in args if a.keyword is not None and a.keyword.value == "default"), None)
        elif type(func) is cst.Name and func.value == "getattr" and len(args) == 3:
            if self.scope.lookup("getattr") is not None:
                return None
            key_node, default = args[1].value, args[2].value
        else:
            return None
        if key_node is None or default is None:
            return None
        key = self.constant(key_node)
        if key is None or not isinstance(key.value, str):
            return None
        table = self.constant(func.value) if type(func) is cst.Attribute else None
        if table is not None:  # `REGIONS.get("eu", "us-east-1")` of a constant dict: its item
            found = table.value.get(key.value) if isinstance(table.value, dict) else None
            return Const(found, table.origin_node, table.origin_name, self, table.note) if found else None
        if type(func) is cst.Attribute and _constant_name(func.value):
            return None  # `REGIONS.get(...)` of a table the analysis cannot read: its keys are not known
        if type(func) is cst.Name and self.project is not None and key.value.isupper():
            # `getattr(settings, "AWS_REGION", "us-east-1")` where the project's settings give it
            given = self._project_constant(cst.Attribute(value=args[0].value, attr=cst.Name(key.value)))
            if given is not None:
                return None
        inner = self.constant(default)
        if inner is None or not isinstance(inner.value, str) or not inner.value:
            return None
        return Const(inner.value, note=f'the default of "{key.value}"')

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


def _fallback_branch(value) -> Optional[Tuple[Any, str]]:
    """The part of `x or <e>` / `x if x else <e>` / `<e> if x is None else x` the code falls
    back to when `x` is missing, with what says so; None for a choice on another value."""
    if type(value) is cst.BooleanOperation and type(value.operator) is cst.Or:
        return value.right, "the fallback after `or`"
    if type(value) is not cst.IfExp:
        return None
    tested = {n.value for n in names_read(value.test)}
    in_body = not tested.isdisjoint(n.value for n in names_read(value.body))
    in_orelse = not tested.isdisjoint(n.value for n in names_read(value.orelse))
    if in_body == in_orelse:
        return None
    return (value.orelse if in_body else value.body), "the fallback of `if ... else`"


def _default_assignment(scope, name: str, binding):
    """The value of `if name is None: name = <value>` (or `if not name:`) at the top level of
    the function, when that assignment gave the name its current binding; else None."""
    body = getattr(scope.node, "body", None)
    for stmt in getattr(body, "body", ()):
        if type(stmt) is not cst.If or stmt.orelse is not None or not _tests_missing(stmt.test, name):
            continue
        for inner in getattr(stmt.body, "body", ()):
            if type(inner) is not cst.SimpleStatementLine:
                continue
            for small in inner.body:
                if (
                    type(small) is cst.Assign
                    and len(small.targets) == 1
                    and small.targets[0].target is binding.node
                    and small.value is binding.value
                ):
                    return small.value
    return None


def _tests_missing(test, name: str) -> bool:
    """`name is None`, `not name`, `name == ""`: a test for a value that was not given."""
    if type(test) is cst.UnaryOperation and type(test.operator) is cst.Not:
        return type(test.expression) is cst.Name and test.expression.value == name
    if type(test) is cst.Comparison and len(test.comparisons) == 1:
        left, comparison = test.left, test.comparisons[0]
        right = comparison.comparator
        if type(left) is not cst.Name or left.value != name:
            return False
        if type(comparison.operator) is cst.Is:
            return type(right) is cst.Name and right.value == "None"
        if type(comparison.operator) is cst.Equal:
            return type(right) is cst.SimpleString and right.evaluated_value == ""
    return False


def _constant_name(node) -> bool:
    """`REGIONS`, `conf.REGIONS`: a name written as a module constant."""
    if type(node) is cst.Attribute:
        node = node.attr
    return type(node) is cst.Name and node.value.isupper()
