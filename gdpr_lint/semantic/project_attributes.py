"""Whether another module of the project re-targets a module-level client after it is built:
`events = Posthog(key)` in `myproj/tracking.py`, and `from myproj.tracking import events;
events.host = "https://eu.i.posthog.com"` (or `events.set_sendgrid_data_residency("eu")`) in the
module that starts the app. The client's default host is then not where its data goes, and the
host it is given is judged where it is set (checks/residency.py).

Asked only for a client whose default would be reported (a handful in a project), so this is a
plain scan paid once per question: the project's files are read as bytes, and only those that
spell `name.attribute` are parsed, with CPython's `ast`. The project's tests do not count.
"""

from __future__ import annotations

from gdpr_lint.semantic.source_bytes import read_source
from typing import TYPE_CHECKING, List, Optional, Sequence, Set, Tuple

_MAX_BYTES = 2_000_000


class ProjectAttributes:
    """A mixin of ProjectIndex: attributes of a module's names set from other modules."""

    if TYPE_CHECKING:  # provided by ProjectIndex
        from gdpr_lint.semantic.project_scan import ProjectScan

        roots: List[str]

        @property
        def scan(self) -> ProjectScan: ...

        local_only: bool
        _deps: List[Set[str]]

        def is_test(self, path: str) -> bool: ...
        def locate(self, qualname: str, importer: str) -> Optional[Tuple[str, Tuple[str, ...]]]: ...
        def spelled(self, words: Sequence[bytes]) -> None: ...

    def set_elsewhere(self, path: str, name: str, attributes: Sequence[str]) -> Optional[Tuple[str, int]]:
        """(file, line) of the first assignment `name.attribute = ...` or call
        `name.attribute(...)` (an attribute of `attributes`) in another module of the project
        that imports `name` from the module at `path`; None when there is none."""
        if self.local_only or not attributes:
            return None
        spelled = [f"{name}.{attribute}".encode() for attribute in attributes]
        self.spelled(spelled)
        for file in self._project_files():
            if file == path or self.is_test(file):
                continue
            data = read_source(file, _MAX_BYTES)
            if data is None:
                continue
            if not any(word in data for word in spelled):
                continue
            for deps in self._deps:
                deps.add(file)
            line = self._retargets(file, data, path, name, frozenset(attributes))
            if line is not None:
                return file, line
        return None

    def _retargets(self, file: str, data: bytes, path: str, name: str, attributes) -> Optional[int]:
        import ast  # only when a file spells `name.attribute`: a clean run never imports it

        try:
            tree = ast.parse(data)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
        local = None
        for node in tree.body:
            if isinstance(node, ast.ImportFrom):
                module = "." * (node.level or 0) + (node.module or "")
                for alias in node.names:
                    if alias.name != name:
                        continue
                    sep = "" if module.endswith(".") or not module else "."
                    located = self.locate(f"{module}{sep}{name}", file)
                    if located is not None and located == (path, (name,)):
                        local = alias.asname or name
        if local is None:
            return None
        for inner in ast.walk(tree):
            if isinstance(inner, ast.Assign):
                targets: list = inner.targets
            elif isinstance(inner, ast.Call):
                targets = [inner.func]
            else:
                continue
            for target in targets:
                if (
                    isinstance(target, ast.Attribute)
                    and target.attr in attributes
                    and isinstance(target.value, ast.Name)
                    and target.value.id == local
                ):
                    return inner.lineno
        return None

    def _project_files(self) -> List[str]:
        # (its roots are absolute: its paths are too; a caller records which files it depends
        # on, the files that spell its words: spelled())
        return self.scan.listed()
