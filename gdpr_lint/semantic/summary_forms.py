"""How a module summary writes an expression (semantic/summary.py): the forms (`["name", ...]`,
`["call", ...]`, `["const", ...]`, durations, environment defaults), the annotations that name a
project class, and which parameters a value carries whole. Reads `ast` nodes only."""

from __future__ import annotations

import ast
from typing import Any, Dict, List, Optional, Set

from gdpr_lint.semantic.lifetime_forms import _UNIT_SECONDS, arithmetic_form, delta_form, passed_through

_TEXT_METHODS = frozenset(
    (
        "format",
        "join",
        "strip",
        "lstrip",
        "rstrip",
        "lower",
        "upper",
        "title",
        "casefold",
        "capitalize",
        "format_map",
        "encode",
        "decode",
        # a `string.Template`'s: `Template(text).safe_substitute(values)` is text made of the values
        "substitute",
        "safe_substitute",
    )
)
# methods that put their arguments into the container they are called on (`values.update(extras)`)
_MUTATORS = frozenset(("update", "append", "extend", "add", "insert", "setdefault"))
_TEXT_FUNCTIONS = frozenset(("str", "repr", "format", "f"))
# collections made of an iterable's items: `tuple(set(members))` holds the members
_COLLECTIONS = frozenset(("tuple", "list", "set", "frozenset", "sorted"))
_SET_BUILDERS = frozenset(("set", "frozenset"))
# what a returned record's text is made with, and how many of a record's values are looked at
_SERIALIZERS = frozenset(("json", "simplejson", "orjson", "ujson"))
_RECORD_VALUES = 32
_ITEMS = (ast.Tuple, ast.List)
_ENV_GETTERS = frozenset(("os.getenv", "os.environ.get", "environ.get", "getenv"))


_WRAPPERS = frozenset(("Optional", "Annotated", "Union", "Final", "ClassVar"))


def _builds_set(node) -> bool:
    """A set the expression builds: `set(x)`, `frozenset(x)`, `d.keys()`, `{a, b}`, or set
    arithmetic of one."""
    if isinstance(node, (ast.Set, ast.SetComp)):
        return True
    if isinstance(node, ast.Call):
        func = node.func
        return (isinstance(func, ast.Name) and func.id in _SET_BUILDERS) or (
            isinstance(func, ast.Attribute) and func.attr == "keys"
        )
    if isinstance(node, ast.BinOp):
        return _builds_set(node.left) or _builds_set(node.right)
    return False


def _serializes(func) -> bool:
    """`json.dumps` (or simplejson's, orjson's, ujson's)."""
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "dumps"
        and isinstance(func.value, ast.Name)
        and func.value.id in _SERIALIZERS
    )


def annotation_form(node, shaper: "_Shaper") -> Optional[list]:
    """["ann", form] of an annotation naming a class in CapWords (`Notifier`,
    `alerts.Notifier`, `Optional[Notifier]`, `Notifier | None`, `"Notifier"`), else None: the
    project index makes it an instance when the form resolves to a project class."""
    for _ in range(4):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value.strip()
            if not text or len(text) > 200 or not all(part.isidentifier() for part in text.split(".")):
                return None
            try:
                node = ast.parse(text, mode="eval").body
            except SyntaxError:  # a keyword (`"class"`)
                return None
        elif isinstance(node, ast.Subscript):
            wrapper = node.value.attr if isinstance(node.value, ast.Attribute) else getattr(node.value, "id", "")
            if wrapper not in _WRAPPERS:
                return None
            inner = node.slice
            if isinstance(inner, ast.Tuple) and wrapper == "Annotated" and inner.elts:
                inner = inner.elts[0]
            elif isinstance(inner, ast.Tuple):
                options = [e for e in inner.elts if not (isinstance(e, ast.Constant) and e.value is None)]
                if len(options) != 1:
                    return None
                inner = options[0]
            node = inner
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            if isinstance(node.right, ast.Constant) and node.right.value is None:
                node = node.left
            elif isinstance(node.left, ast.Constant) and node.left.value is None:
                node = node.right
            else:
                return None
        else:
            break
    if not isinstance(node, (ast.Name, ast.Attribute)):
        return None
    last = node.id if isinstance(node, ast.Name) else node.attr
    if not last[:1].isupper() or last.isupper():
        return None  # a class is named in CapWords (`Notifier`, not `T` or `ANY`)
    form = shaper.form(node)
    return ["ann", form] if form is not None and form[0] in ("name", "attr") else None


def _annotated_params(args, shaper: "_Shaper") -> Dict[str, Any]:
    """The annotations of a function's parameters, by name: read as forms (`annotation_form`)
    only when a form uses the parameter."""
    return {
        arg.arg: (arg.annotation, shaper)
        for arg in args.posonlyargs + args.args + args.kwonlyargs
        if arg.annotation is not None
    }


class _Shaper:
    """Turns expressions into forms, in a module (imports, module names) and optionally a
    function (its parameters and the locals assigned a form)."""

    def __init__(self, imports: Dict[str, str], module_names: Set[str]):
        self.imports = imports
        self.module_names = module_names
        self.params: Set[str] = set()
        self.locals: Dict[str, Optional[list]] = {}
        self.carriers: Dict[str, Set[str]] = {}
        self.fields = False  # `carried` also gives a parameter's attributes
        # parameters' annotations (annotation node, module shaper), read as ["ann", form] when used
        self.annotated: Dict[str, Any] = {}
        # the module's lines that spell `fields` (semantic/spelled_lines.py), None when not known
        self.fields_lines: Optional[List[int]] = None

    def form(self, node, depth: int = 0) -> Optional[list]:
        if depth > 12:
            return None
        if isinstance(node, ast.Name):
            name = node.id
            if name in self.locals:
                return self.locals[name]
            if name in self.annotated:
                annotated = self.annotated[name]
                if isinstance(annotated, tuple):  # read when first used
                    annotated = self.annotated[name] = annotation_form(annotated[0], annotated[1]) or ["param", name]
                return annotated
            if name in self.params:
                return ["param", name]
            if name in self.imports:
                return ["name", self.imports[name]]
            if name in self.module_names:
                return ["name", "@" + name]
            return ["name", name]
        if isinstance(node, ast.Attribute):
            base = self.form(node.value, depth + 1)
            if base is None:
                return None
            if base[0] == "name" and not base[1].startswith("@"):
                return ["name", f"{base[1]}.{node.attr}"]  # dotted, as the engine resolves them
            return ["attr", base, node.attr]
        if isinstance(node, ast.Call):
            func = self.form(node.func, depth + 1)
            if func is None:
                return None
            if func == ["name", "super"] and len(node.args) in (0, 2):  # not an imported or own `super`
                return ["super", self.form(node.args[0], depth + 1) if node.args else None]
            dotted = func[1] if func[0] == "name" else None
            if dotted in _DURATIONS:
                duration = _duration(node, _DURATIONS[dotted]) or delta_form(node, _DURATIONS[dotted], self.form, depth)
                if duration is not None:
                    return duration
            elif dotted in ("int", "float", "round"):
                inner = passed_through(node, func, self.form, depth)
                if inner is not None:
                    return inner
            if dotted in _ENV_GETTERS and len(node.args) >= 2:
                var, default = _constant(node.args[0]), _constant(node.args[1])
                if isinstance(var, str) and default is not None:
                    return ["env", var, default]
            service = None
            for keyword in node.keywords:
                if keyword.arg == "service_name":
                    service = _constant(keyword.value)
            if service is None and node.args:
                service = _constant(node.args[0])
            return ["call", func, service if isinstance(service, str) else None]
        if isinstance(node, ast.Await):
            return self.form(node.value, depth + 1)
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or) and len(node.values) == 2:
            # `os.getenv("AWS_REGION") or "us-east-1"`: the fallback
            fallback = _constant(node.values[1])
            first = self.form(node.values[0], depth + 1)
            if fallback is not None and first is not None:
                if (
                    first[0] == "call"
                    and first[1][0] == "name"
                    and first[1][1] in _ENV_GETTERS
                    and isinstance(node.values[0], ast.Call)
                    and node.values[0].args
                ):
                    var = _constant(node.values[0].args[0])
                    if isinstance(var, str):
                        return ["env", var, fallback]
                return ["const", fallback]
            if fallback is None and first is not None and first[0] == "param":
                made = self.form(node.values[1], depth + 1)
                if made is not None:  # `logger or get_logger("mailer")`, `ttl or timedelta(days=30)`: the fallback
                    return made
        value = _constant(node)
        if value is not None:
            return ["const", value]
        if isinstance(node, ast.BinOp):  # `RETENTION_DAYS * 24 * 3600`
            return arithmetic_form(node, self.form, depth)
        return None

    def carried(self, node, depth: int = 0) -> Set[str]:
        """The parameters an expression carries whole (itself, or text made of it); with
        `fields` set, also the attributes of a parameter it carries (`user.email` as
        "user.email", in `f"{user.first_name} {user.last_name}"`)."""
        if depth > 30 or node is None:
            return set()
        if isinstance(node, ast.Name):
            return set(self.carriers.get(node.id, ()))
        if isinstance(node, ast.Attribute):
            if not self.fields:
                return set()
            path: List[str] = []
            current: ast.AST = node
            while isinstance(current, ast.Attribute) and len(path) < 4:
                path.append(current.attr)
                current = current.value
            if not isinstance(current, ast.Name):
                return set()
            tail = ".".join(reversed(path))
            return {f"{root}.{tail}" for root in self.carriers.get(current.id, ()) if "." not in root}
        if isinstance(node, ast.JoinedStr):
            out: Set[str] = set()
            for value in node.values:
                if isinstance(value, ast.FormattedValue):
                    out |= self.carried(value.value, depth + 1)
            return out
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
            return self.carried(node.left, depth + 1) | self.carried(node.right, depth + 1)
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Sub, ast.BitAnd, ast.BitOr, ast.BitXor)):
            # set arithmetic (`set(openldap_members) - set(cf_members)`): some of their members;
            # numbers subtracted carry nothing, so an operand must be a set built here
            if not (_builds_set(node.left) or _builds_set(node.right)):
                return set()
            if isinstance(node.op, ast.Sub):
                return self.carried(node.left, depth + 1)
            return self.carried(node.left, depth + 1) | self.carried(node.right, depth + 1)
        if isinstance(node, (ast.Tuple, ast.List)):
            out = set()
            for element in node.elts:
                out |= self.carried(element, depth + 1)
            return out
        if isinstance(node, ast.IfExp):
            return self.carried(node.body, depth + 1) | self.carried(node.orelse, depth + 1)
        if isinstance(node, ast.Dict):
            # a record returned (`return json.dumps({"remoteIp": request.remote_addr, ...})`):
            # what its values give; a mapping passed on in a call carries its values whole
            # (`_write(conn.modify, dn, {"memberUid": [(MODIFY_ADD, uids)]})`), not their fields
            out = set()
            for value in node.values[:_RECORD_VALUES]:
                out |= self.carried(value, depth + 1)
            return out if self.fields else {p for p in out if "." not in p}
        if isinstance(node, ast.Call):
            func = node.func
            if self.fields and _serializes(func) and node.args:
                return self.carried(node.args[0], depth + 1)  # `json.dumps(record)`: its text
            if isinstance(func, ast.Name) and func.id in _TEXT_FUNCTIONS:
                out = set()
                for arg in node.args:
                    out |= self.carried(arg, depth + 1)
                return out
            if isinstance(func, ast.Name) and func.id in _COLLECTIONS and len(node.args) == 1:
                return self.carried(node.args[0], depth + 1)  # `tuple(set(members))`: the members
            if isinstance(func, ast.Name) and func.id == "dict":
                # `dict(funcname=func.__name__, args=args)`: a record of what it is given
                out = set()
                for arg in node.args[:1]:
                    out |= self.carried(arg, depth + 1)
                for keyword in node.keywords[:_RECORD_VALUES]:
                    out |= self.carried(keyword.value, depth + 1)
                return out
            if (  # `value.replace("\n", "")`: a literal taken out (a secret replaced is redacted)
                isinstance(func, ast.Attribute)
                and func.attr == "replace"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                return self.carried(func.value, depth + 1)
            if isinstance(func, ast.Attribute) and func.attr in _TEXT_METHODS:
                out = self.carried(func.value, depth + 1)
                for arg in node.args:
                    out |= self.carried(arg, depth + 1)
                return out
        return set()


_TIMEDELTA_ORDER = ("days", "seconds", "microseconds", "milliseconds", "minutes", "hours", "weeks")
# constructors of a duration whose keywords are units (analysis/durations.py reads the same in a file)
_DURATIONS = {
    "datetime.timedelta": _TIMEDELTA_ORDER,
    "pendulum.duration": _TIMEDELTA_ORDER,
    "dateutil.relativedelta.relativedelta": (),
}


def _duration(node: ast.Call, order) -> Optional[list]:
    """["duration", seconds, text] of `timedelta(days=400)` with constant amounts, else None."""
    if len(node.args) > len(order):
        return None
    seconds = 0.0
    calendar = []
    given = list(zip(order, node.args)) + [(k.arg, k.value) for k in node.keywords]
    if not given:
        return None
    for unit, value in given:
        amount = _constant(value)
        if unit not in _UNIT_SECONDS or not isinstance(amount, (int, float)):
            return None
        seconds += amount * _UNIT_SECONDS[unit]
        if unit in ("months", "years") and amount:
            calendar.append(f"{amount:g} {unit[:-1]}" + ("" if amount == 1 else "s"))
    return ["duration", seconds, " and ".join(calendar) or None]


_ARITHMETIC = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.FloorDiv: lambda a, b: a // b,
    ast.Div: lambda a, b: a / b,
}


def _constant(node, depth: int = 0):
    if (
        isinstance(node, ast.Constant)
        and isinstance(node.value, (str, int, float))
        and not isinstance(node.value, bool)
    ):
        return node.value
    if isinstance(node, ast.BinOp) and depth < 12:  # a lifetime: `60 * 60 * 24 * 90`
        operate = _ARITHMETIC.get(type(node.op))
        left = _constant(node.left, depth + 1) if operate is not None else None
        right = _constant(node.right, depth + 1) if left is not None else None
        if operate is not None and isinstance(left, (int, float)) and isinstance(right, (int, float)):
            try:
                value = operate(left, right)
            except ZeroDivisionError:
                return None
            return value if abs(value) < 1e15 else None
    return None
