"""Resolution across modules (a mixin of the project index, semantic/project.py): a name,
attribute or call of the project's code followed through imports, module summaries, classes
and their bases to what it is (a function, a class, an instance, an object kind). Answers are
memoised with the files they read; following stops after a fixed depth, so cycles end.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Callable, Dict, List, Optional, Sequence, Set, Tuple

_MAX_DEPTH = 12

# ("kind", k) | ("fn", path, name) | ("dotted", s) | ("module", path) | ("class", path, name) |
# ("instance", path, class name) | ("method", path, "Class.method"): a method bound to an instance |
# ("scope", path, "view.inner"): a function nested in a function, which defines a class
Target = Optional[tuple]


class ProjectResolution:
    """A mixin of ProjectIndex: names of the project followed to what they are."""

    if TYPE_CHECKING:  # provided by ProjectIndex and its other mixins
        instances: Dict[str, str]
        conventional: Dict[str, str]
        factories: Dict[str, str]
        _memo: Dict[tuple, tuple]
        _deps: List[Set[str]]
        _active: Set[tuple]

        def summary(self, path: str) -> Optional[dict]: ...
        def is_test(self, path: str) -> bool: ...
        def _roots_for(self, importer: str) -> List[str]: ...
        def _file(self, root: str, parts: Tuple[str, ...]) -> Optional[str]: ...
        def locate(self, qualname: str, importer: str) -> Optional[Tuple[str, Tuple[str, ...]]]: ...
        def _subclasses(self, path: str, name: str) -> List[Tuple[str, str]]: ...

    def _tracked(self, key: tuple, compute: Callable):
        """A memoised answer, and the files it read added to every answer being computed."""
        hit = self._memo.get(key)
        if hit is None:
            if key in self._active or len(self._deps) > _MAX_DEPTH * 3:
                return None  # a cycle, or too deep: unknown
            self._active.add(key)
            self._deps.append(set())
            try:
                answer = compute()
            finally:
                deps = self._deps.pop()
                self._active.discard(key)
            hit = self._memo[key] = (answer, frozenset(deps))
        for outer in self._deps:
            outer.update(hit[1])
        return hit[0]

    def resolve(self, form, path: str, depth: int = 0) -> Target:
        if form is None or depth > _MAX_DEPTH:
            return None
        shape = form[0]
        if shape == "name":
            dotted = form[1]
            # an absolute name means the same to every file of a package: one answer for all
            where = path if dotted[:1] in ".@" else self._roots_for(path)[0]
            return self._tracked(("name", where, dotted), lambda: self._name(dotted, path, depth))
        if shape == "attr":
            return self._attr(self.resolve(form[1], path, depth + 1), form[2], depth)
        if shape == "call":
            return self._call(self.resolve(form[1], path, depth + 1), form[2], depth)
        if shape == "inst":  # the instance a method is called on (its `self`)
            return ("instance", path, form[1])
        if shape == "ann":  # `n: Notifier`: an instance of a project class, nothing else
            target = self.resolve(form[1], path, depth + 1)
            return ("instance", target[1], target[2]) if target is not None and target[0] == "class" else None
        if shape == "super":  # `super().send` in a method of the class form[1] names
            target = self.resolve(form[1], path, depth + 1)
            return ("super", target[1], target[2]) if target is not None and target[0] == "class" else None
        if shape == "any":  # `try: log = structlog.get_logger() except ImportError: log = logging.getLogger()`
            answers = [self.resolve(f, path, depth + 1) for f in form[1:]]
            if all(a is not None and a[0] == "kind" for a in answers):
                return answers[0]
            return answers[0] if all(a == answers[0] for a in answers) else None
        return None

    def _name(self, dotted: str, path: str, depth: int) -> Target:
        rest: Sequence[str]
        if dotted.startswith("@"):
            first, *rest = dotted[1:].split(".")
            target = self._module_name(path, first, depth)
        else:
            kind = self.instances.get(dotted)
            if kind is not None:
                return ("kind", kind)
            located = self.locate(dotted, path)
            if located is None:
                return ("dotted", dotted)
            found, rest = located
            target = ("module", found)
        for attr in rest:
            target = self._attr(target, attr, depth)
        return target

    def _module_name(self, path: str, name: str, depth: int) -> Target:
        summary = self.summary(path)
        if summary is None:
            return None
        if name in summary["functions"]:
            return ("fn", path, name)
        if name in summary.get("classes", ()):
            return ("class", path, name)
        if name in summary["values"]:
            return self.resolve(summary["values"][name], path, depth + 1)
        if name in summary["imports"]:
            return self.resolve(["name", summary["imports"][name]], path, depth + 1)
        if path.endswith("__init__.py"):  # `from pkg import submodule`
            found = self._file(os.path.dirname(path), (name,))
            if found is not None:
                return ("module", found)
        for module, _line in reversed(summary.get("stars", ()) if depth <= _MAX_DEPTH else ()):
            located = self.locate(module, path)  # `from .base_errors import *` in a package's __init__
            star = self._module_name(located[0], name, depth + 1) if located is not None and not located[1] else None
            if star is not None:
                return star
        return None

    def _attr(self, target: Target, attr: str, depth: int) -> Target:
        if target is None:
            return None
        if target[0] == "module":
            return self._module_name(target[1], attr, depth + 1)
        if target[0] in ("class", "instance"):
            return self._member(target, attr, depth)
        if target[0] == "super":  # the first base that has it, bound to the instance
            summary = self.summary(target[1])
            cls = summary.get("classes", {}).get(target[2]) if summary is not None else None
            for base in cls.get("bases", ()) if cls is not None else ():
                found = self.resolve(base, target[1], depth + 1)
                if found is not None and found[0] == "class":
                    answer = self._member(("instance", found[1], found[2]), attr, depth + 1, 1)
                    if answer is not None:
                        return answer
            return None
        if target[0] in ("fn", "scope"):  # a class the function defines (`view.Handler`): the file's own
            summary = self.summary(target[1])
            key = f"{target[2]}.{attr}"
            classes = summary.get("classes", ()) if summary is not None else ()
            if key in classes:
                return ("class", target[1], key)
            if any(name.startswith(key + ".") for name in classes):  # `export.write_all.Writer`
                return ("scope", target[1], key)  # a function nested in it, which defines one
            return None
        if target[0] == "kind":
            dotted = f"<{target[1]}>.{attr}"
        elif target[0] == "dotted":
            dotted = f"{target[1]}.{attr}"
        else:
            return None
        kind = self.instances.get(dotted)
        return ("kind", kind) if kind else ("dotted", dotted)

    def _member(self, target: tuple, attr: str, depth: int, seen: int = 0) -> Target:
        """A method or attribute of a project class, through its bases (`class
        Notifier(BaseNotifier)`): a method of an instance is bound to it, and an attribute its
        class or methods give one form (`self.mailer = Mailer()`) is what that form resolves to."""
        shape, path, name = target
        summary = self.summary(path)
        cls = summary.get("classes", {}).get(name) if summary is not None else None
        if summary is None or cls is None or seen > 4 or depth > _MAX_DEPTH:
            return None
        if f"{name}.{attr}" in summary["classes"]:  # a nested class: `Outer.Inner`
            return ("class", path, f"{name}.{attr}")
        if attr in cls["methods"]:
            key = f"{name}.{attr}"
            static = summary["functions"][key].get("static")
            return ("method", path, key) if shape == "instance" and not static else ("fn", path, key)
        form = cls.get("attrs", {}).get(attr)
        if form is not None:
            return self.resolve(form, path, depth + 1)
        for base in cls.get("bases", ()):
            found = self.resolve(base, path, depth + 1)
            if found is not None and found[0] == "class":
                answer = self._member((shape, found[1], found[2]), attr, depth + 1, seen + 1)
                if answer is not None:
                    return answer
        if (
            shape == "instance"
            and seen == 0
            and not getattr(self, "local_only", False)
            and self._closed(path, name, depth)
        ):
            mixed = self._mixed_in(path, name, attr, depth)
            if mixed is not None:
                return mixed
        if shape == "instance" and seen == 0 and attr.lower() in self.conventional:
            # `self.stdout` of a Django command, `self.log` of a traitlets application: given by
            # a base outside the project, known by its name as the engine knows it in a file
            return ("kind", self.conventional[attr.lower()])
        return None

    def _closed(self, path: str, name: str, depth: int, seen: int = 0) -> bool:
        """Whether every class the project class derives from is the project's own (or `object`):
        then an attribute none of them has comes from a class it is mixed into, not from a base
        outside the project (a Django view's `self.request`)."""
        summary = self.summary(path)
        cls = summary.get("classes", {}).get(name) if summary is not None else None
        if cls is None or seen > 4:
            return False
        for base in cls.get("bases", ()):
            if base == ["name", "object"]:
                continue
            found = self.resolve(base, path, depth + 1)
            if found is None or found[0] != "class" or not self._closed(found[1], found[2], depth + 1, seen + 1):
                return False
        return True

    def _mixed_in(self, path: str, name: str, attr: str, depth: int) -> Target:
        """`self.add_note(...)` in a mixin (`class UserMixin(ResourceMixin)`) that neither defines
        nor inherits it: the method of the classes it is mixed into (`class NewProjectAction(
        BaseAction, ProjectMixin, UserMixin)`), through their other bases, when they all agree."""
        answers = set()
        for sub_path, sub_name in self._subclasses(path, name):
            answer = self._member(("instance", sub_path, sub_name), attr, depth + 1, 1)
            if answer is not None:
                answers.add(answer)
        return answers.pop() if len(answers) == 1 else None

    def _call(self, target: Target, service, depth: int) -> Target:
        if target is None:
            return None
        if target[0] == "class":  # `Notifier()`: an instance of it
            return ("instance", target[1], target[2])
        if target[0] in ("dotted", "kind"):
            dotted = target[1] if target[0] == "dotted" else None
            if dotted is None:
                return None
            kind = self.factories.get(dotted)
            if kind == "aws":
                return ("kind", f"aws:{service}" if service else "aws")
            return ("kind", kind) if kind else None
        if target[0] in ("fn", "method"):
            summary = self.summary(target[1])
            assert summary is not None  # a function target is read from its module's summary
            function = summary["functions"][target[2]]
            for form in function.get("returns", ()):
                answer = self.resolve(form, target[1], depth + 1)
                if answer is not None and answer[0] == "kind":
                    return answer
        return None

    # ---- what the engine asks -------------------------------------------------------------

    def kind_of(self, qualname: str, importer: str) -> Optional[str]:
        """The object kind of an imported name (`myproj._logging.verbose_logger`: logger)."""
        target = self.resolve(["name", qualname], importer)
        return target[1] if target is not None and target[0] == "kind" else None

    def returns_kind(self, form, importer: str) -> Optional[str]:
        """The object kind a call returns (`get_logger(__name__)` of a project module)."""
        target = self.resolve(["call", form, None], importer)
        return target[1] if target is not None and target[0] == "kind" else None

    def function(self, form, importer: str) -> Optional[Tuple[str, str, int]]:
        """(file, name, parameters the call does not pass) of the project function a name
        refers to, or None: a method bound to an instance (`self.notify(x)`, `Notifier().send(x)`)
        is not passed its first parameter. A helper of the project's tests (tests/, testing/,
        test_*.py, conftest.py) handles test data: where it sends its parameters is not followed."""
        target = self.resolve(form, importer)
        if target is None or target[0] not in ("fn", "method") or self.is_test(target[1]):
            return None
        return target[1], target[2], 1 if target[0] == "method" else 0
