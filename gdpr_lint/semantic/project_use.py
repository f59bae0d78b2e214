"""What the walk of one file asks of the project index (semantic/project.py): the kind of an
imported name, what a call of a project function returns, and where a called helper sends
its parameters. A mixin of the engine's Context; `self.project` is None when the run has no
project index (one file from standard input), and then nothing here changes the analysis.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, List, Optional, Tuple

import libcst as cst

from gdpr_lint.semantic.scope import Binding, _ClassRef, _FunctionRef

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

    def shown(self, path: str) -> str:
        if path == self.path:
            return self.display
        if path.startswith(self._base):
            return path[len(self._base) :].replace(os.sep, "/")
        return path


class ProjectMixin:
    """Cross-module answers for the walk of one file."""

    project: Optional[FileProject] = None

    if TYPE_CHECKING:  # provided by the Context and its other mixins
        scope: Scope
        vocab: PiiVocabulary

        def resolve(self, node: Any) -> Optional[str]: ...
        def taint(self, node: Any) -> Taint: ...
        def definition(self, node: Any) -> Optional[Definition]: ...
        def _is_import(self, node: Any) -> bool: ...

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

    def _project_constant(self, node) -> Optional[Const]:
        """`region_name=AWS_REGION` with `from myproj.settings import AWS_REGION`: the value
        the settings module gives it (or its environment default), with where."""
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
                return None
        if not qualname or not qualname.rsplit(".", 1)[-1].isupper():
            return None  # settings constants are named in capitals (`AWS_REGION`)
        found = project.ask(project.index.constant_of, qualname, project.path)
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

    def _callee_form(self, func, target: Optional[str]) -> Optional[list]:
        """The project function a call names, as the index asks for it; None for a builtin or
        anything else resolved to `<...>`, and for a callee outside the project."""
        if target is not None:
            if target.startswith("<"):
                return None
            assert self.project is not None  # asked only when the run has a project index
            if type(func) is cst.Name and target == func.value and self.scope.lookup(target) is None:
                # a function of this module the pre-filter left out of the parsed text
                if target in self.project.index.own_functions.get(self.project.path, ()):
                    return ["name", "@" + target]
            if not self.project.index.in_project(target, self.project.path):
                return None  # the standard library's, a dependency's: the catalogues answer for them
            return ["name", target]
        if type(func) is cst.Name:
            binding = self.scope.lookup(func.value)
            if (
                binding is not None
                and isinstance(binding.value, (_FunctionRef, _ClassRef))
                and not binding.qualname
                and self._is_module_binding(func.value, binding)
            ):
                return ["name", "@" + func.value]
        return None

    def _method_form(self, func) -> Optional[list]:
        """`self.notify` in a method of a module-level class of this file, `n.send`,
        `Notifier().send` or `self.mailer.send` where the receiver is an instance of a project
        class (`n = Notifier()`, `self.mailer = Mailer()` in the class): the method, as a form
        for the project index."""
        if type(func) is not cst.Attribute:
            return None
        receiver = self._receiver_form(func.value, 0)
        return ["attr", receiver, func.attr.value] if receiver is not None else None

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
                cls = scope.class_scope
                binding = scope.lookup(node.value)
                if binding is None or binding.value is not None:
                    return None  # `self` rebound
                module = cls
                while module.parent is not None:
                    module = module.parent
                return ["inst", cls.name] if cls.parent is module else None
            definition = self.definition(node)
            if definition is None or type(definition.value) is not cst.Call:
                return None
            node = definition.value
        elif kind is not cst.Call:
            return None
        made = node.func
        form = self._callee_form(made, self.resolve(made))
        if form is None or not form[1].rsplit(".", 1)[-1].lstrip("@")[:1].isupper():
            return None  # a class is named in CapWords: `Notifier()`, not `make_notifier()`
        return ["call", form, None]

    def _is_module_binding(self, name: str, binding: Binding) -> bool:
        scope = self.scope
        while scope.parent is not None:
            scope = scope.parent
        return scope.bindings.get(name) is binding

    def _project_call_kind(self, call: cst.Call, target: Optional[str]) -> Optional[str]:
        """`log = get_logger(__name__)` with a project `get_logger` returning a logger."""
        project = self.project
        if project is None:
            return None
        form = self._callee_form(call.func, target)
        if form is None:
            return None
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

    def callee_flows(self, call: cst.Call, target: Optional[str], sinks) -> List[Tuple]:
        """Where a called project function sends the arguments of this call:
        [(argument node, parameter, rule, verb, callee, steps)], steps being (path shown,
        line, what is called there). A parameter whose own name says it is personal data is
        left out: the helper's own finding (at its sink) covers it."""
        project = self.project
        if project is None or not call.args:
            return []
        form = self._method_form(call.func) or self._callee_form(call.func, target)
        if form is None:
            return []
        # only a call given personal data can pass it on: judged before any summary is read
        if not any(not arg.star and self.taint(arg.value) for arg in call.args):
            return []
        index = project.index
        found = project.ask(index.function, form, project.path)
        if found is None:
            return []
        path, name, shift = found
        summary = index.function_summary(path, name)
        flows = project.ask(index.param_sinks, path, name, sinks)
        if not flows or summary is None:
            return []
        params = summary["params"][shift:]  # a method bound to an instance is not passed `self`
        arguments = {}
        position = 0
        for arg in call.args:
            if arg.star:
                continue
            if arg.keyword is not None:
                arguments[arg.keyword.value] = arg.value
            else:
                if position < len(params):
                    arguments[params[position]] = arg.value
                position += 1
        out = []
        for param, rule, verb, steps in flows:
            node = arguments.get(param)
            if node is None or self.vocab.classify(param) is not None:
                continue
            shown = [(project.shown(p), line, what) for p, line, what in steps]
            out.append((node, param, rule, verb, (project.shown(path), summary["line"], name), shown))
        return out
