"""Whether the project keeps its web sessions on the server: Flask's `session` then lives in a
store (files, Redis, a database) and the browser's cookie holds only the session's id.

Flask's default session is a signed cookie: what a view puts in `session[...]` travels in the
cookie (GDPR107). A project that installs a server-side session interface
(`app.session_interface = ManagedSessionInterface(...)`, or a Flask subclass's
`session_interface = RedisSessionInterface()`) or the Flask-Session extension
(`from flask_session import Session`) keeps the values on the server; an interface derived from
Flask's `SecureCookieSessionInterface` (a custom serializer, a salt) still keeps them in the cookie. Asked only where a value
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
        def spelled(self, words: Sequence[bytes]) -> None: ...

    _server_sessions: Optional[Tuple[Optional[Tuple[str, int]], Tuple[str, ...]]] = None

    def server_sessions(
        self, attributes: Sequence[str], modules: Sequence[str], cookies: Sequence[str] = ()
    ) -> Optional[Tuple[str, int]]:
        """(file, line) of the first assignment `<x>.<attribute> = ...` (`app.session_interface`),
        or `<attribute> = ...` in a class's body (a Flask subclass's `session_interface`), or
        import of a module of `modules` (`flask_session`) in a file of the project that is not a
        test; an interface made by a class of `cookies` (`SecureCookieSessionInterface`) or a
        project class derived from one keeps the session in the cookie and does not count. None
        when there is none."""
        if self.local_only or not (attributes or modules):
            return None
        if self._server_sessions is None:
            self._server_sessions = _scan(self, tuple(attributes), tuple(modules), tuple(cookies))
        found, naming = self._server_sessions
        self.spelled([w.encode() for w in (*attributes, *modules, *cookies)])  # the words _scan looks for
        for deps in self._deps:
            deps.update(naming)
        return found


def _scan(index, attributes: Tuple[str, ...], modules: Tuple[str, ...], cookies: Tuple[str, ...]):
    import ast  # only when a file spells a marker

    words = [a.encode() for a in attributes] + [m.encode() for m in modules] + [c.encode() for c in cookies]
    naming: List[str] = []
    installs: List[Tuple[str, int, str]] = []  # (file, line, the class called: "" when not known)
    bases_of: List[Tuple[str, Set[str]]] = []
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
            if isinstance(node, ast.ClassDef):
                bases_of.append((node.name, {_last_name(base) for base in node.bases}))
                for stmt in node.body:  # `class IndicoFlask(Flask): session_interface = IndicoSessionInterface()`
                    if isinstance(stmt, ast.Assign) and any(
                        isinstance(t, ast.Name) and t.id in attributes for t in stmt.targets
                    ):
                        installs.append((file, stmt.lineno, _called(stmt.value)))
            elif isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Attribute) and t.attr in attributes for t in node.targets
            ):
                installs.append((file, node.lineno, _called(node.value)))
            elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in modules:
                installs.append((file, node.lineno, ""))
            elif isinstance(node, ast.Import) and any(a.name.split(".")[0] in modules for a in node.names):
                installs.append((file, node.lineno, ""))
    cookie_classes = _derived(set(cookies), bases_of)
    for file, line, called in installs:
        if called not in cookie_classes:
            return (file, line), tuple(naming)
    return None, tuple(naming)


def _derived(roots: Set[str], bases_of: List[Tuple[str, Set[str]]]) -> Set[str]:
    """`roots` and the classes (by name) that derive from one of them, through any depth."""
    found = set(roots)
    changed = True
    while changed:
        changed = False
        for name, bases in bases_of:
            if name not in found and bases & found:
                found.add(name)
                changed = True
    return found


def _last_name(node) -> str:
    """`SecureCookieSessionInterface` for `flask.sessions.SecureCookieSessionInterface`."""
    import ast

    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _called(value) -> str:
    """The name of the class an installed interface is made by (`RedisSessions(...)`), else ""."""
    import ast

    return _last_name(value.func) if isinstance(value, ast.Call) else ""
