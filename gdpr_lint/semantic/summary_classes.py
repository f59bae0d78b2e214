"""Module summaries of classes (semantic/summary.py): a module-level class's bases, its
methods (summarised as the functions `Class.method`, a static one marked `static`) and the
attributes its body or its methods give one form (`logger = logging.getLogger(...)`,
`self.mailer = Mailer()`), so that the project index can follow `self.helper(x)`,
`Notifier().send(x)` and `self.mailer.send(x)` as it follows free functions.
"""

from __future__ import annotations

import ast
from typing import Dict, List, Optional

from gdpr_lint.semantic.form_fields import declared_fields
from gdpr_lint.semantic.init_kept import init_kept
from gdpr_lint.semantic.summary import _function, _function_head, _targets
from gdpr_lint.semantic.summary_forms import _annotated_params, _Shaper, annotation_form


def summarize_class(
    node: ast.ClassDef,
    shaper: _Shaper,
    functions: Dict[str, dict],
    lazy: bool,
    nodes: dict,
    classes: Dict[str, dict],
    qual: str = "",
    local: bool = False,
    keys: Optional["KeyLog"] = None,
    in_function: bool = False,
) -> None:
    """A class (`qual`: its qualified name, `Outer.Inner`, `view.Inner`; the class name for a
    module-level one), into `classes`: its bases (forms), its methods (summarised as
    functions named `Class.method`, a static one marked) and its attributes given one form
    (`logger = logging.getLogger(...)` in the body, `self.mailer = Mailer()` in a method,
    `mailer: Mailer`). Its nested classes too, and with `local` the classes its methods
    define. `keys`: where the keys written are noted (`in_function`: those of a class a
    function defines), for the summary to tell its module-level part from the rest."""
    qual = qual or node.name
    methods = []
    attrs: Dict[str, Optional[list]] = {}
    given: Dict[str, Optional[list]] = {}  # `self.region = region`: [parameter, method]
    switches: Dict[str, list] = {}
    init_text: Optional[List[str]] = None
    kept: Optional[List[str]] = None
    for stmt in node.body:
        if isinstance(stmt, ast.ClassDef):
            summarize_class(
                stmt, shaper, functions, lazy, nodes, classes, f"{qual}.{stmt.name}", local, keys, in_function
            )
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            key = f"{qual}.{stmt.name}"
            summary = _function_head(stmt, shaper) if lazy else _function(stmt, shaper)
            if any(_decorator_name(d) == "staticmethod" for d in stmt.decorator_list):
                summary["static"] = 1
            functions[key] = summary
            if keys is not None:
                keys.note("f", key, in_function)
            methods.append(stmt.name)
            if lazy:
                nodes[key] = stmt
            args = stmt.args.posonlyargs + stmt.args.args
            own = args[0].arg if args and "static" not in summary else None
            if local:
                local_classes(stmt.body, shaper, functions, lazy, nodes, classes, key, keys)
            method = _Shaper(shaper.imports, shaper.module_names)
            method.params = {a.arg for a in args + stmt.args.kwonlyargs}
            method.annotated = _annotated_params(stmt.args, shaper)  # `self.mailer = mailer`, `mailer: Mailer`
            assigned = _method_assignments(stmt.body, own) if own else ([], set())
            if stmt.name == "__init__":
                _switches(stmt, assigned[0], switches)
                base_text = _base_init_params(stmt)
                if base_text is not None:
                    init_text = base_text
                kept = init_kept(stmt, base_text is not None)
            for inner, target, simple in assigned[0]:
                form = None
                if simple and isinstance(inner, ast.AnnAssign):
                    form = annotation_form(inner.annotation, shaper)
                    if form is None and _is_none(inner.value):
                        continue  # `self.client: Optional[Client] = None`: declared, given a value elsewhere
                if simple and form is None and inner.value is not None:
                    form = _as_instance(method.form(inner.value), own or "self", qual)
                    if form is not None and _mentions(form, assigned[1]):
                        form = None  # `r = compute(); self.region = r`: a local of the method
                _class_attr(attrs, target.attr, form)
                value = getattr(inner, "value", None) if simple else None
                passed = isinstance(value, ast.Name) and value.id in method.params and value.id != own
                _class_attr(given, target.attr, [value.id, stmt.name] if passed else None)  # type: ignore[union-attr]
        else:
            for name in _targets(stmt):
                value = getattr(stmt, "value", None)  # an assignment: `_targets` names none of other statements
                form = None
                if isinstance(stmt, ast.AnnAssign) and (value is None or _is_none(value)):
                    form = annotation_form(stmt.annotation, shaper)  # `mailer: Mailer`, a dataclass field
                elif value is not None:
                    form = shaper.form(value)
                _class_attr(attrs, name, form)
                _class_attr(given, name, None)
    out: dict = {"line": node.lineno, "methods": methods}
    bases = [form for form in (shaper.form(base) for base in node.bases) if form is not None]
    if bases:
        out["bases"] = bases
    known = {name: form for name, form in attrs.items() if form is not None}
    if known:
        out["attrs"] = known
    params = {name: pair for name, pair in given.items() if pair is not None}
    if params:
        out["param_attrs"] = params
    if switches:
        out["switches"] = switches
    if init_text is not None:
        out["init_text"] = init_text
    if kept is not None:
        out["init_kept"] = kept  # semantic/init_kept.py
    if node.bases:
        fields, open_ = declared_fields(node, shaper.fields_lines)  # semantic/form_fields.py
        if fields:
            out["form_fields"] = fields
        if open_:
            out["form_fields_open"] = 1
    classes[qual] = out
    if keys is not None:
        keys.note("c", qual, in_function)


class KeyLog:
    """The keys a summary's `functions` and `classes` were given: those of the module's own
    functions and classes (`module`), those of the classes functions define (`local`)."""

    __slots__ = ("module", "local")

    def __init__(self) -> None:
        self.module: set = set()
        self.local: set = set()

    def note(self, kind: str, key: str, inner: bool) -> None:
        (self.local if inner else self.module).add((kind, key))


def _base_init_params(init: "ast.FunctionDef | ast.AsyncFunctionDef") -> Optional[List[str]]:
    """The parameters of `__init__` that its call of the base's `__init__` is given (in any
    argument, whole, inside text, or through a local or `self.x` the method built from them:
    `message = f"... {user}"; super().__init__(message)`), when it makes one (`super().__init__(
    "Interactive auth not yet complete")` gives []): for an exception, what its text can show.
    None when it makes no such call (an exception's text then shows every argument)."""
    args = init.args
    params = {a.arg for a in args.posonlyargs + args.args[1:] + args.kwonlyargs}
    for extra in (args.vararg, args.kwarg):
        if extra is not None:
            params.add(extra.arg)
    # one walk: the assignments, and the first call of a base's `__init__` (in walk order)
    assignments = []
    base_call: Optional[ast.Call] = None
    for inner in ast.walk(init):
        if isinstance(inner, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            if inner.value is not None:
                targets = inner.targets if isinstance(inner, ast.Assign) else [inner.target]
                names = [_held(t) for t in targets]
                assignments.append(([n for n in names if n], _read_names(inner.value)))
        elif base_call is None and isinstance(inner, ast.Call) and _calls_base_init(inner):
            base_call = inner
    if base_call is None:
        return None
    # what each local or attribute of the method is built from, to a fixpoint
    built: Dict[str, set] = {}
    for _ in range(4):
        for names, read in assignments:
            reached = _reads_of(read, params, built)
            for name in names:
                built.setdefault(name, set()).update(reached)
    used: set = set()
    for arg in list(base_call.args) + [k.value for k in base_call.keywords]:
        used.update(_reads(arg, params, built))
    return sorted(used)


def _calls_base_init(call: ast.Call) -> bool:
    """`super().__init__(...)`, `Base.__init__(self, ...)`, `self.x.__init__(...)`."""
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr != "__init__":
        return False
    owner = func.value
    return (isinstance(owner, ast.Call) and isinstance(owner.func, ast.Name) and owner.func.id == "super") or (
        isinstance(owner, (ast.Name, ast.Attribute))
    )


def _read_names(node) -> List[str]:
    """The names an expression reads, in walk order, as _reads looks them up."""
    out = []
    for inner in ast.walk(node):
        name = inner.id if isinstance(inner, ast.Name) else _held(inner) if isinstance(inner, ast.Attribute) else ""
        if name:
            out.append(name)
    return out


def _reads_of(names: List[str], params: set, built: Dict[str, set]) -> set:
    """_reads of an expression given by its _read_names."""
    out: set = set()
    for name in names:
        if name in params:
            out.add(name)
        elif name in built:
            out.update(built[name])
    return out


def _held(target) -> str:
    """`message` or `self.message` (as `.message`): what an assignment target names."""
    if isinstance(target, ast.Name):
        return target.id
    if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
        return "." + target.attr
    return ""


def _reads(node, params: set, built: Dict[str, set]) -> set:
    """The parameters an expression reads, directly or through what `built` says."""
    out: set = set()
    for inner in ast.walk(node):
        name = inner.id if isinstance(inner, ast.Name) else _held(inner) if isinstance(inner, ast.Attribute) else ""
        if name in params:
            out.add(name)
        elif name in built:
            out.update(built[name])
    return out


def _switches(init, assigned, switches: Dict[str, list]) -> None:
    """`self._enable_logging = enable_logging` in `__init__`: [parameter, 1 if its default
    is false (False, None, 0, "") else 0], for flows made only under `if self.flag:`."""
    args = init.args
    positional = args.posonlyargs + args.args
    defaults = dict(zip([a.arg for a in positional[len(positional) - len(args.defaults) :]], args.defaults))
    defaults.update((a.arg, d) for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None)
    names = {a.arg for a in positional + args.kwonlyargs}
    for inner, target, simple in assigned:
        value = getattr(inner, "value", None)
        if simple and isinstance(value, ast.Name) and value.id in names:
            default = defaults.get(value.id)
            falsy = isinstance(default, ast.Constant) and not default.value
            switches[target.attr] = [value.id, int(falsy)]


def local_classes(
    body,
    shaper: _Shaper,
    functions: Dict[str, dict],
    lazy: bool,
    nodes: dict,
    classes,
    owner: str,
    keys: Optional[KeyLog] = None,
) -> None:
    """The classes a function (`owner`) defines in its body, as `owner.Class`, and those its
    nested functions define (`owner.inner.Class`, as the walk qualifies them)."""
    for stmt in _statements(body):
        if isinstance(stmt, ast.ClassDef):
            summarize_class(stmt, shaper, functions, lazy, nodes, classes, f"{owner}.{stmt.name}", True, keys, True)
        elif isinstance(stmt, _FUNCTIONS) and owner.count(".") < 6:
            local_classes(stmt.body, shaper, functions, lazy, nodes, classes, f"{owner}.{stmt.name}", keys)


def _is_none(node) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _as_instance(form, own: str, cls: str):
    """The form with the method's `self` as ["inst", cls]; None when it holds another
    parameter (`self.region = region`: whatever each caller gives)."""
    if not isinstance(form, list):
        return form
    if form and form[0] == "param":
        return ["inst", cls] if form[1] == own else None
    parts = [_as_instance(part, own, cls) for part in form]
    return None if any(p is None and isinstance(o, list) for p, o in zip(parts, form)) else parts


_LOOSE_TARGETS = (ast.AugAssign, ast.For, ast.AsyncFor)
_WITHS = (ast.With, ast.AsyncWith)
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_SIMPLE = (
    ast.Assign,
    ast.AnnAssign,
    ast.AugAssign,
    ast.Expr,
    ast.Return,
    ast.Raise,
    ast.Pass,
    ast.Import,
    ast.ImportFrom,
)


def _method_assignments(body, own: str):
    """([(statement, `own.x` target, simple)], the names the method assigns): every
    assignment to an attribute of the method's `self`, also in the functions it defines, in
    augmented assignments, unpacking and loop or `with` targets (simple: `self.x = value`
    alone, whose value can be read as a form; the others make the attribute unknown)."""
    found = []
    names: set = set()
    stack = list(body)
    assign, ann, name_type, attribute = ast.Assign, ast.AnnAssign, ast.Name, ast.Attribute
    while stack:
        stmt = stack.pop()
        kind = type(stmt)
        targets: list
        if kind is assign:
            targets = [(t, len(stmt.targets) == 1) for t in stmt.targets]
        elif kind is ann:
            targets = [(stmt.target, True)] if stmt.value is not None else []  # `self.x: int` assigns nothing
        elif kind in _LOOSE_TARGETS:
            targets = [(stmt.target, False)]
        elif kind in _WITHS:
            targets = [(item.optional_vars, False) for item in stmt.items if item.optional_vars is not None]
        else:
            targets = []
        while targets:
            target, simple = targets.pop()
            target_kind = type(target)
            if target_kind is name_type:
                names.add(target.id)
            elif target_kind is attribute:
                if type(target.value) is name_type and target.value.id == own:
                    found.append((stmt, target, simple))
            elif target_kind in (ast.Tuple, ast.List):
                targets.extend((element, False) for element in target.elts)
            elif target_kind is ast.Starred:
                targets.append((target.value, False))
        if kind in _FUNCTIONS:
            names.add(stmt.name)
            stack.extend(stmt.body)  # a closure can set `self.x` too
            continue
        if kind is ast.ClassDef or kind in _SIMPLE:
            continue
        for field in ("body", "orelse", "finalbody"):
            inner = getattr(stmt, field, None)
            if type(inner) is list:
                stack.extend(inner)
        for handler in getattr(stmt, "handlers", ()):
            stack.extend(handler.body)
        for case in getattr(stmt, "cases", ()):
            stack.extend(case.body)
    return found, names


def _mentions(form, names: set) -> bool:
    """Whether a form reads one of `names` as a bare name (a local of the method)."""
    if not isinstance(form, list):
        return False
    if len(form) == 2 and form[0] == "name" and isinstance(form[1], str):
        return form[1].split(".", 1)[0] in names
    return any(_mentions(part, names) for part in form)


def _statements(body):
    """The statements of a body, also those in its blocks (not in nested functions or classes)."""
    stack = list(body)
    while stack:
        stmt = stack.pop()
        yield stmt
        for field in ("body", "orelse", "finalbody"):
            inner = getattr(stmt, field, None)
            if isinstance(inner, list) and not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                stack.extend(inner)
        for handler in getattr(stmt, "handlers", ()):
            stack.extend(handler.body)


def _class_attr(attrs: Dict[str, Optional[list]], name: str, form: Optional[list]) -> None:
    """An attribute keeps its form while every assignment gives it the same one."""
    if name in attrs and attrs[name] != form:
        form = None
    attrs[name] = form


def _decorator_name(node) -> str:
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""
