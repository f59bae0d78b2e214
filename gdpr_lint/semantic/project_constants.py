"""What the project index (semantic/project.py) tells of constants: the value a module-level
name of another module is given (`from myproj.settings import AWS_REGION`, with its environment
default), and the one constant a project function returns when it is given nothing (`return
region or "us-west-2"`), for the checks that judge where a client goes or how long data lives.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Optional, Tuple

_MAX_DEPTH = 12


class ProjectConstants:
    """A mixin of ProjectIndex: constants across modules."""

    if TYPE_CHECKING:  # provided by ProjectIndex

        def summary(self, path: str) -> Optional[dict]: ...
        def is_test(self, path: str) -> bool: ...
        def in_project(self, dotted: str, importer: str) -> bool: ...
        def locate(self, qualname: str, importer: str) -> Optional[Tuple[str, Tuple[str, ...]]]: ...

    def constant_of(self, qualname: str, importer: str, depth: int = 0, durations: bool = False):
        """(value, how it was given, file, line) of an imported module-level constant
        (`from myproj.settings import AWS_REGION`); how: "constant" or the environment
        variable whose default it is. None when the module gives it no single value.
        `durations`: a lifetime (`SESSION_TTL = timedelta(days=400)`) is also a value, as
        ("duration", seconds, text or None)."""
        if depth > _MAX_DEPTH:
            return None
        located = self.locate(qualname, importer)
        if located is None or len(located[1]) != 1:
            return None
        return self.constant_in(located[0], located[1][0], depth, durations)

    def constant_in(self, path: str, name: str, depth: int = 0, durations: bool = False):
        """constant_of() for the module-level name `name` of the module in `path`; a name the
        module star-imports (`from .base import *` in a settings module) is followed too, the
        later of the module's own value and a star import's winning."""
        summary = self.summary(path) if not self.is_test(path) else None  # a test's data configures nothing
        if summary is None or depth > _MAX_DEPTH:
            return None
        if name in summary.get("opaque", ()):
            return None  # given a value here that no form says (also after importing one)
        if name in summary["imports"] and name not in summary["values"]:
            return self.constant_of(summary["imports"][name], path, depth + 1, durations)
        form = summary["values"].get(name)
        line = summary.get("lines", {}).get(name)
        for module, star_line in reversed(summary.get("stars", ())):
            if form is not None and line is not None and line > star_line:
                break  # the module's own value comes after this star import
            if self._star_defines(module, name, path, depth + 1):
                return self.constant_of(
                    module + ("" if module.endswith(".") else ".") + name, path, depth + 1, durations
                )
        if form is None:
            return None
        if form[0] == "const":
            return form[1], "constant", path, line
        if form[0] == "env":
            return form[2], form[1], path, line
        if form[0] == "duration":
            return (("duration", form[1], form[2]), "constant", path, line) if durations else None
        if form[0] in ("op", "delta", "call"):
            from gdpr_lint.semantic.lifetime_forms import fold

            value = fold(self, form, path, depth + 1)  # `timedelta(days=RETENTION_DAYS)`, `DAYS * 86400`
            if value is None or (isinstance(value, tuple) and not durations):
                return None
            return value, "constant", path, line
        if form[0] == "name" and not form[1].startswith("@"):
            return self.constant_of(form[1], path, depth + 1, durations)
        if form[0] == "name":
            return (
                self.constant_of("." + os.path.basename(path)[:-3] + "." + form[1][1:], path, depth + 1, durations)
                if not path.endswith("__init__.py")
                else None
            )
        return None

    def _star_defines(self, module: str, name: str, importer: str, depth: int) -> bool:
        """Whether the module `from module import *` names defines `name` (with a value the
        summary says or not)."""
        located = self.locate(module, importer) if depth <= _MAX_DEPTH else None
        if located is None or located[1]:
            return False
        summary = self.summary(located[0])
        if summary is None:
            return False
        if name in summary["values"] or name in summary["imports"] or name in summary.get("opaque", ()):
            return True
        return any(self._star_defines(star, name, located[0], depth + 1) for star, _ in summary.get("stars", ()))

    def returned_constant(self, path: str, name: str) -> Optional[Tuple[object, str, int]]:
        """(value, how, line of the function) of the one constant a project function returns
        when it returns one (`return region or "us-west-2"`, `return os.environ.get("REGION",
        "us-east-1")`, `return DEFAULT_REGION`); how: "constant" or the environment variable
        it is the default of. None when its returns give no constant or several different ones."""
        summary = self.summary(path) if not self.is_test(path) else None
        function = summary["functions"].get(name) if summary is not None else None
        if function is None:
            return None
        found = []
        for form in function.get("returns", ()):
            answer = self._form_constant(form, path)
            if answer is not None and isinstance(answer[0], str) and answer[0]:
                found.append(answer)
        if not found or any(value != found[0][0] for value, _ in found):
            return None
        return found[0][0], found[0][1], function["line"]

    def _form_constant(self, form, path: str) -> Optional[Tuple[object, str]]:
        if form[0] == "const":
            return form[1], "constant"
        if form[0] == "env":
            return form[2], form[1]
        if form[0] != "name" or not form[1].rsplit(".", 1)[-1].lstrip("@").isupper():
            return None
        dotted = form[1]
        if dotted.startswith("@"):  # a constant of the function's own module
            module = "" if path.endswith("__init__.py") else os.path.basename(path)[:-3] + "."
            dotted = "." + module + dotted[1:]
        elif not self.in_project(dotted, path):
            return None
        found = self.constant_of(dotted, path)
        return (found[0], found[1]) if found is not None else None
