"""What the walk of one file asks of the project index (semantic/project.py): the kind of an
imported name, what a call of a project function returns, and where a called helper sends
its parameters. A mixin of the engine's Context; `self.project` is None when the run has no
project index (one file from standard input), and then nothing here changes the analysis.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, FrozenSet, Optional, Tuple, cast

import libcst as cst

from gdpr_lint.semantic.project_callees import ProjectCallees
from gdpr_lint.semantic.scope import Binding, _ClassRef, _FunctionRef
from gdpr_lint.syntax.nodes import dotted_name

if TYPE_CHECKING:
    from gdpr_lint.analysis.flow import Taint
    from gdpr_lint.analysis.pii import PiiVocabulary
    from gdpr_lint.semantic.scope import Const, Definition, Scope


class FileProject:
    """The project index as one file sees it: its absolute path, and the files its answers
    read (`deps`, for the result cache)."""

    def __init__(self, index, path: str, display: str):
        self.index = index
        self.path = os.path.abspath(path)
        self.display = display
        self.deps: set = set()
        # a call form -> the project function it calls (callee_passes), and with the
        # subclasses' overrides (callee_flows): asked once per file
        self.functions: dict = {}
        self.callees: dict = {}
        # the display form of other files: relative to where this file's display path starts
        self._base = (
            self.path[: -len(display)]
            if display and self.path.endswith(display.replace("/", os.sep))
            else os.getcwd() + os.sep
        )

    def ask(self, method, *args):
        index = self.index
        index._deps.append(self.deps)
        try:
            return method(*args)
        finally:
            index._deps.pop()

    def gives(self, name: str) -> bool:
        """Whether a name this file imports is a project function whose return gives a field
        of its argument (`return member.email`): for the block pre-filter, a block calling it
        may log personal data with no word of the vocabulary in its own text."""
        index = self.index
        found = self.ask(index.function, ["name", "@" + name], self.path)
        if found is None:
            return False
        module = self.ask(index.summary, found[0])
        function = module["functions"].get(found[1]) if module is not None else None
        return bool(function and function.get("gives"))

    def shown(self, path: str) -> str:
        if path == self.path:
            return self.display
        if path.startswith(self._base):
            return path[len(self._base) :].replace(os.sep, "/")
        return path


class ProjectMixin(ProjectCallees):
    """Cross-module answers for the walk of one file (where a called helper sends its
    arguments: semantic/project_callees.py)."""

    project: Optional[FileProject] = None

    if TYPE_CHECKING:  # provided by the Context and its other mixins
        scope: Scope
        vocab: PiiVocabulary

        def resolve(self, node: Any) -> Optional[str]: ...
        def taint(self, node: Any) -> Taint: ...
        def definition(self, node: Any) -> Optional[Definition]: ...
        def constant(self, node: Any) -> Optional[Const]: ...
        def _is_import(self, node: Any) -> bool: ...
        def _render(self, node: Any) -> str: ...

    def _project_receiver(self, base: str, attr: str) -> str:
        """`verbose_logger.info` with `from myproj._logging import verbose_logger` (or
        `mylog.verbose_logger.info` with `import myproj._logging as mylog`): `<logger>`, from
        the module's summary. Asked only for a method some kind has (`info`, `put_object`),
        so a name that is never such a receiver costs no summary."""
        project = self.project
        assert project is not None  # asked only when the run has a project index
        if (
            attr not in project.index.kind_methods
            or not project.index.in_project(base, project.path)
            or any(part[:1].isupper() and not part.isupper() for part in base.split("."))
        ):
            return base  # `Model.objects.get`: an attribute of a class, not a module's logger or client
        kind = project.ask(project.index.kind_of, base, project.path)
        return f"<{kind}>" if kind else base

    def project_duration(self, node) -> Optional[Tuple[float, Optional[str], str]]:
        """(seconds, calendar text or None, where) of a lifetime another module of the
        project gives a constant (`from myproj.settings import SESSION_TTL` with
        `SESSION_TTL = timedelta(days=400)`); None otherwise."""
        found = self._project_constant(node, durations=True) if self.project is not None else None
        if found is None or not isinstance(found.value, tuple):
            return None
        _, seconds, text = found.value
        return seconds, text, str(found.note)

    def set_elsewhere(self, name: str, attributes: Tuple[str, ...]) -> Optional[Tuple[str, int]]:
        """(file shown, line) where another module re-targets this module's `name` after it is
        built (semantic/project_attributes.py); None when none does."""
        project = self.project
        if project is None:
            return None
        found = project.ask(project.index.set_elsewhere, project.path, name, attributes)
        return (project.shown(found[0]), found[1]) if found is not None else None

    def server_sessions(
        self, attributes: Tuple[str, ...], modules: Tuple[str, ...], cookies: Tuple[str, ...] = ()
    ) -> Optional[Tuple[str, int]]:
        """(file shown, line) where the project installs a server-side session store
        (semantic/project_sessions.py); None when it does not."""
        project = self.project
        if project is None:
            return None
        found = project.ask(project.index.server_sessions, attributes, modules, cookies)
        return (project.shown(found[0]), found[1]) if found is not None else None

    def _project_constant(self, node, durations: bool = False) -> Optional[Const]:
        """`region_name=AWS_REGION` with `from myproj.settings import AWS_REGION`: the value
        the settings module gives it (or its environment default), with where. `durations`:
        also a lifetime, as ("duration", seconds, text) (project_duration)."""
        from gdpr_lint.semantic.scope import Const

        project = self.project
        if project is None:
            return None
        if type(node) is cst.Name:
            binding = self.scope.lookup(node.value)
            if binding is None or binding.type_name == "module":
                return None
            qualname = binding.qualname
        else:  # `conf.DEFAULT_REGION` with `from myproj import conf` (or `import myproj.conf as conf`)
            qualname = self.resolve(node) if self._is_import(node) else None
            if qualname is not None and not project.index.in_project(qualname, project.path):
                if qualname.startswith("django.conf.settings.") and qualname.count(".") == 3:
                    qualname = "<django-settings>." + qualname[21:]  # the project's settings module's
                else:
                    return None
        if not qualname or not qualname.rsplit(".", 1)[-1].isupper():
            return None  # settings constants are named in capitals (`AWS_REGION`)
        if qualname.startswith("<django-settings>."):
            found = project.ask(project.index.django_setting, qualname[18:], project.path, durations)
        else:
            found = project.ask(project.index.constant_of, qualname, project.path, 0, durations)
        if found is None:
            return None
        value, how, path, line = found
        where = f"{project.shown(path)}:{line}" if line else project.shown(path)
        name = qualname.rsplit(".", 1)[-1]
        note = f"{name}, {where}" if how == "constant" else f"the default of environment variable {how}, {where}"
        return Const(value, note=note, remote=(name, how))

    def _project_returned_constant(self, call: cst.Call):
        """`region_name=default_region(r)` with a project helper that returns `r or
        "us-west-2"`, an environment default or a module constant: that value, with where."""
        from gdpr_lint.semantic.scope import Const

        project = self.project
        if project is None:
            return None
        form = self._callee_form(call.func, self.resolve(call.func))
        if form is None:
            return None
        index = project.index
        found = project.ask(index.function, form, project.path)
        if found is None:
            return None
        answer = project.ask(index.returned_constant, found[0], found[1])
        if answer is None:
            return None
        value, how, line = answer
        where = f"{found[1]}() ({project.shown(found[0])}:{line})"
        note = where if how == "constant" else f"the default of environment variable {how}, in {where}"
        return Const(value, note=note)

    def _project_callee(self, func, target: Optional[str]) -> Optional[Tuple[FileProject, list]]:
        """(the file's project, the form of the project function a call names); None when the
        run has no project index or the callee is no project function (`_callee_form`)."""
        project = self.project
        if project is None:
            return None
        form = self._callee_form(func, target)
        return None if form is None else (project, form)

    def _callee_form(self, func, target: Optional[str]) -> Optional[list]:
        """The project function a call names, as the index asks for it; None for a builtin or
        anything else resolved to `<...>`, and for a callee outside the project."""
        if target is not None:
            if target.startswith("<"):
                return None
            assert self.project is not None  # asked only when the run has a project index
            if type(func) is cst.Name and target == func.value and self.scope.lookup(target) is None:
                # a function or class of this module the pre-filter left out of the parsed text
                if target in self.project.index.own_functions.get(self.project.path, ()):
                    return ["name", "@" + target]
            if not self.project.index.in_project(target, self.project.path):
                return None  # the standard library's, a dependency's: the catalogues answer for them
            return ["name", target]
        if type(func) is cst.Name:
            binding = self.scope.lookup(func.value)
            if binding is not None and isinstance(binding.value, (_FunctionRef, _ClassRef)) and not binding.qualname:
                if self._is_module_binding(func.value, binding):
                    return ["name", "@" + func.value]
                if isinstance(binding.value, _ClassRef):  # a class defined in a function or a class
                    qualified = _qualified(binding.value.scope)
                    return ["name", "@" + qualified] if qualified else None
        return None

    def _method_form(self, func) -> Optional[list]:
        """`self.notify` in a method of a module-level class of this file, `n.send`,
        `Notifier().send` or `self.mailer.send` where the receiver is an instance of a project
        class (`n = Notifier()`, `self.mailer = Mailer()` in the class): the method, as a form
        for the project index."""
        if type(func) is cst.Call:
            return self._getattr_form(func)
        if type(func) is not cst.Attribute:
            return None
        receiver = self._receiver_form(func.value, 0)
        return ["attr", receiver, func.attr.value] if receiver is not None else None

    def _getattr_form(self, call: cst.Call) -> Optional[list]:
        """`getattr(client, func)(attributes)` with `func = "perform_disconnect"`: the method of
        that name, as `client.perform_disconnect` (openwisp-radius's change of authorization)."""
        args = call.args
        if type(call.func) is not cst.Name or call.func.value != "getattr" or len(args) != 2:
            return None
        if self.scope.lookup("getattr") is not None:
            return None
        name = self.constant(args[1].value)
        value = name.value if name is not None else None
        if value is None and type(args[1].value) is cst.Name:
            binding = self.scope.lookup(args[1].value.value)
            if binding is not None and type(binding.value) is cst.SimpleString:
                value = binding.value.evaluated_value  # the name last assigned a method's name
        if not isinstance(value, str) or not value.isidentifier():
            return None
        receiver = self._receiver_form(args[0].value, 0)
        return ["attr", receiver, value] if receiver is not None else None

    def _receiver_form(self, node, depth: int) -> Optional[list]:
        if depth > 4:
            return None
        kind = type(node)
        if kind is cst.Attribute:
            base = self._receiver_form(node.value, depth + 1)
            return ["attr", base, node.attr.value] if base is not None else None
        if kind is cst.Name:
            scope: Optional[Scope] = self.scope
            while scope is not None and scope.kind != "function":
                scope = scope.parent
            if scope is not None and scope.class_scope is not None and node.value == scope.self_name:
                binding = scope.lookup(node.value)
                if binding is None or binding.value is not None:
                    return None  # `self` rebound
                qualified = _qualified(scope.class_scope)
                return ["inst", qualified] if qualified else None
            definition = self.definition(node)
            if definition is None:
                return self._annotated_form(node)
            if type(definition.value) is not cst.Call:
                return None
            node = definition.value
        elif kind is not cst.Call:
            return None
        made = node.func
        if type(made) is cst.Name and made.value == "super" and self.scope.lookup("super") is None:
            return self._super_form(node)
        form = self._callee_form(made, self.resolve(made))
        if form is None and type(made) is cst.Attribute and made.attr.value[:1].isupper():
            form = self._receiver_form(made, depth + 1)  # `self.Audit()`: a nested class
            return ["call", form, None] if form is not None else None
        if form is None or not form[1].rsplit(".", 1)[-1].lstrip("@")[:1].isupper():
            return None  # a class is named in CapWords: `Notifier()`, not `make_notifier()`
        return ["call", form, None]

    def _annotated_form(self, node: cst.Name) -> Optional[list]:
        """`n` of `def f(n: Notifier)` (`Optional[Notifier]`, `"Notifier"`, `Notifier | None`),
        not assigned in the function: ["ann", the class's form], an instance when the index
        finds the class in the project."""
        from gdpr_lint.semantic.resolve import _annotation_node

        name = node.value
        scope: Optional[Scope] = self.scope
        while scope is not None and name not in scope.bindings:
            scope = scope.parent
        if scope is None or scope.kind != "function" or name not in scope.param_names:
            return None
        binding = scope.bindings[name]
        if binding.value is not None or binding.defs != 1:
            return None  # assigned in the function: not (only) what the caller passed
        params = scope.node.params
        param = next(
            (
                p
                for p in list(params.posonly_params) + list(params.params) + list(params.kwonly_params)
                if p.name.value == name
            ),
            None,
        )
        if param is None or param.annotation is None or binding.node is not param.name:
            return None
        annotation = param.annotation
        if type(annotation.annotation) is cst.SimpleString:  # `n: "Notifier"`
            text = annotation.annotation.evaluated_value
            if not isinstance(text, str) or not all(part.isidentifier() for part in text.strip().split(".")):
                return None
            target: Optional[cst.BaseExpression] = cst.parse_expression(text.strip())
        else:
            target = _annotation_node(_without_union(annotation))
        if target is None:
            return None
        last = target.value if type(target) is cst.Name else cast(cst.Attribute, target).attr.value
        if not last[:1].isupper() or last.isupper():
            return None
        saved = self.scope
        while self.scope.parent is not None:  # the annotation names a class of the module or an import
            self.scope = self.scope.parent
        try:
            form = self._callee_form(target, self.resolve(target))
        finally:
            self.scope = saved
        return ["ann", form] if form is not None else None

    def _super_form(self, call: cst.Call) -> Optional[list]:
        """`super()` in a method, `super(Cls, self)`: ["super", the class's form]."""
        scope: Optional[Scope] = self.scope
        while scope is not None and scope.kind != "function":
            scope = scope.parent
        if scope is None or scope.class_scope is None:
            return None
        if not call.args:
            qualified = _qualified(scope.class_scope)
            return ["super", ["name", "@" + qualified]] if qualified else None
        if len(call.args) != 2:
            return None
        named = call.args[0].value
        form = self._callee_form(named, self.resolve(named))
        return ["super", form] if form is not None else None

    def _attribute_settled(self, cls: Scope, attr: str) -> bool:
        """Whether the whole file (not only the blocks the pre-filter kept) gives `self.attr`
        of the class one value, as the file's summary says (semantic/summary_classes.py:
        every assignment in the class body and its methods, closures, unpacking, `+=`)."""
        project = self.project
        qualified = _qualified(cls)
        if project is None or qualified is None:
            return False
        summary = project.index.summary(project.path)
        found = summary.get("classes", {}).get(qualified) if summary is not None else None
        return found is not None and attr in found.get("attrs", ())

    def _is_module_binding(self, name: str, binding: Binding) -> bool:
        scope = self.scope
        while scope.parent is not None:
            scope = scope.parent
        return scope.bindings.get(name) is binding

    def _project_call_kind(self, call: cst.Call, target: Optional[str]) -> Optional[str]:
        """`log = get_logger(__name__)` with a project `get_logger` returning a logger."""
        asked = self._project_callee(call.func, target)
        if asked is None:
            return None
        project, form = asked
        return project.ask(project.index.returns_kind, form, project.path)

    def _project_kind_later(self, call: cst.Call):
        """A function that tells the kind a call of a project function returns, for a
        binding to ask when its kind is first read; None when the callee is not one."""
        form = self._callee_form(call.func, self.resolve(call.func))
        if form is None:
            return None
        project = self.project
        assert project is not None  # asked only when the run has a project index
        return lambda: project.ask(project.index.returns_kind, form, project.path)

    def exception_text(self, func) -> Optional[Tuple[Tuple[str, ...], FrozenSet[str]]]:
        """(parameters, those the text shows) of a project exception class a call names
        (semantic/project_classes.py); None when not known."""
        asked = self._project_callee(func, self.resolve(func))
        if asked is None:
            return None
        project, form = asked
        return project.ask(project.index.exception_text, form, project.path)


def _qualified(scope: Scope) -> Optional[str]:
    """`Outer.Inner`, `view.Handler`: a class scope's name as module summaries key it (a
    chain they do not keep, a class in a nested function, is found in no summary)."""
    names = []
    current: Optional[Scope] = scope
    while current is not None and current.parent is not None:
        names.append(current.name)
        current = current.parent
    return ".".join(reversed(names)) or None


def _without_union(annotation: cst.Annotation) -> cst.Annotation:
    """`Union[X, None]` as `X` (one class besides None); any other annotation as it is."""
    node = annotation.annotation
    if type(node) is cst.Subscript and (dotted_name(node.value) or "").rsplit(".", 1)[-1] == "Union":
        options = [
            element.slice.value
            for element in node.slice
            if type(element.slice) is cst.Index
            and not (type(element.slice.value) is cst.Name and element.slice.value.value == "None")
        ]
        if len(options) == 1:
            return cst.Annotation(options[0])
    return annotation
