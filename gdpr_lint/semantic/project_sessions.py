"""Whether the project keeps its web sessions on the server: Flask's `session` then lives in a
store (files, Redis, a database) and the browser's cookie holds only the session's id.

Flask's default session is a signed cookie: what a view puts in `session[...]` travels in the
cookie (GDPR107). A project that installs a server-side session interface
(`app.session_interface = ManagedSessionInterface(...)`) or the Flask-Session extension
(`from flask_session import Session`) keeps the values on the server. Asked only where a value
written into Flask's session would be reported, so this is a plain scan paid once per project:
the files that spell one of the markers ([exposure.server-sessions] in rules/exposure.toml) are
parsed with CPython's `ast`. The project's tests do not count.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, List, Optional, Sequence, Set, Tuple

from gdpr_lint.semantic.source_bytes import read_source

_MAX_BYTES = 2_000_000


class ProjectSessions:
    """A mixin of ProjectIndex: where the project installs a server-side session store."""

    if TYPE_CHECKING:  # provided by ProjectIndex
        local_only: bool
        _deps: List[Set[str]]

        def is_test(self, path: str) -> bool: ...
        def _project_files(self) -> List[str]: ...
        def project_wide(self) -> None: ...

    _server_sessions: Optional[Tuple[Optional[Tuple[str, int]], Tuple[str, ...]]] = None

    def server_sessions(self, attributes: Sequence[str], modules: Sequence[str]) -> Optional[Tuple[str, int]]:
        """(file, line) of the first assignment `<x>.<attribute> = ...` (`app.session_interface`)
        or import of a module of `modules` (`flask_session`) in a file of the project that is not
        a test; None when there is none."""
        if self.local_only or not (attributes or modules):
            return None
        if self._server_sessions is None:
            self._server_sessions = _scan(self, tuple(attributes), tuple(modules))
        found, naming = self._server_sessions
        self.project_wide()
        for deps in self._deps:
            deps.update(naming)
        return found


def _scan(index, attributes: Tuple[str, ...], modules: Tuple[str, ...]):
    import ast  # only when a file spells a marker

    words = [a.encode() for a in attributes] + [m.encode() for m in modules]
    naming: List[str] = []
    for file in index._project_files():
        if index.is_test(file):
            continue
        data = read_source(file, _MAX_BYTES)
        if data is None or not any(word in data for word in words):
            continue
        naming.append(file)
        try:
            tree = ast.parse(data)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Attribute) and t.attr in attributes for t in node.targets
            ):
                return (file, node.lineno), tuple(naming)
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in modules:
                return (file, node.lineno), tuple(naming)
            if isinstance(node, ast.Import) and any(a.name.split(".")[0] in modules for a in node.names):
                return (file, node.lineno), tuple(naming)
    return None, tuple(naming)
