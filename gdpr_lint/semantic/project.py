"""The project index: imports resolved to the project's own files, and their summaries used
where a file uses what they define.

`from myproj._logging import verbose_logger`, `import myproj.mail as mail`, `from .log import
get_logger`, `from . import helpers`: the module path is looked up (relative imports from
the importing file's folder; absolute ones from the folder above the importing file's
top-level package, then the project root and its `src/`), the module's summary
(semantic/summary.py) is made or taken from the cache, and the name in it is followed:
a value (`logging.getLogger(...)`, another name, a call of a project function that returns
a logger), a function, or a re-export (`from ._impl import logger` in an `__init__`).
Following stops after a fixed depth, so cycles end.

Each answer also says which files it read (`deps`): a file's cached result is valid only
while the files its analysis used are unchanged.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Callable, Dict, List, Optional, Sequence, Set, Tuple

from gdpr_lint.semantic.django_settings import DjangoSettings
from gdpr_lint.semantic.project_attributes import ProjectAttributes
from gdpr_lint.semantic.project_classes import ProjectClasses
from gdpr_lint.semantic.project_constants import ProjectConstants
from gdpr_lint.semantic.project_files import _MAX_BYTES, ProjectFiles, _parse_bytes, _partial, _read, _whole_summary
from gdpr_lint.semantic.project_flows import ProjectFlows
from gdpr_lint.semantic.project_overrides import ProjectOverrides
from gdpr_lint.semantic.project_resolve import ProjectResolution
from gdpr_lint.semantic.project_sessions import ProjectSessions

if TYPE_CHECKING:
    import ast

    from gdpr_lint.semantic.callers import Callers
    from gdpr_lint.semantic.project_scan import ProjectScan
    from gdpr_lint.summary_cache import RunSummaries

_RECENT_TREES = 2  # kept at most, each of a file under _RECENT_BYTES (a tree is ~10x its text)
_RECENT_BYTES = 256_000


class ProjectIndex(
    ProjectResolution,
    ProjectFiles,
    ProjectConstants,
    ProjectClasses,
    DjangoSettings,
    ProjectOverrides,
    ProjectAttributes,
    ProjectFlows,
    ProjectSessions,
):
    """Summaries and resolution over one project's files (one per run and process)."""

    def __init__(self, roots: Sequence[str], tables: dict, cache=None, local_only: bool = False):
        self.roots = [os.path.abspath(r) for r in roots]
        self.local_only = local_only  # the registered file only: no import is followed
        objects = tables.get("objects", {})
        self.factories: Dict[str, str] = objects.get("factories", {})
        self.instances: Dict[str, str] = objects.get("instances", {})
        # objects known by their name (`stdout`, `logger`): an instance's attribute that neither
        # its project class nor a project base gives (`self.stdout` of a Django command)
        self.conventional: Dict[str, str] = objects.get("names", {})
        exceptions = tables.get("exposure", {}).get("exceptions", {})
        self.error_handlers = (  # how a module registers an error handler: (calls, decorators, methods)
            frozenset(exceptions.get("error-handler-registrations", ())),
            frozenset(exceptions.get("error-handler-decorators", ())),
            frozenset(exceptions.get("error-handler-methods", ())),
        )
        self.cache = cache  # a SummaryCache (runner), or None
        self.shared: Optional[RunSummaries] = None  # what the run's workers made (runner), or None
        self._summaries: Dict[str, Optional[dict]] = {}
        self._files: Dict[Tuple[str, Tuple[str, ...]], Optional[str]] = {}
        self._package_roots: Dict[str, List[str]] = {}
        self._tops: Dict[tuple, bool] = {}
        self.own_functions: Dict[str, frozenset] = {}  # files being checked: their module-level functions and classes
        self._memo: Dict[tuple, tuple] = {}  # key -> (answer, deps)
        self._deps: List[Set[str]] = []  # one set per answer being computed, innermost last
        self._active: Set[tuple] = set()
        self.deps_of: Dict[str, Set[str]] = {}  # display path of a checked file -> files its answers read
        self._trees: Dict[str, ast.Module] = {}  # files being checked: their tree, summarised when first asked
        self._data: Dict[str, bytes] = {}  # files being checked: their bytes
        self._tables = tables
        self._methods: Optional[frozenset] = None
        self._callers: Optional[Callers] = None  # made when first asked
        self._scan: Optional[ProjectScan] = None  # made when first asked
        # the files that spell some words, once the run's spelling index is current (runner.py)
        self.known_spellers: Optional[Callable[[Sequence[bytes]], Optional[List[str]]]] = None
        # the trees of the last modules given a partial summary from their bytes, whose
        # whole summary (a function's flows) is often asked for right after (the partial
        # names the function, its flows are asked next): (bytes, tree)
        self._recent: Dict[str, Tuple[bytes, ast.Module]] = {}

    @property
    def kind_methods(self) -> frozenset:
        """The methods some object kind has (`info`, `put_object`), worked out when first needed."""
        methods = self._methods
        if methods is None:
            methods = self._methods = _kind_methods(self._tables)
        return methods

    @property
    def scan(self) -> ProjectScan:
        """The project's files as the project-wide scans read them (semantic/project_scan.py)."""
        scan = self._scan
        if scan is None:
            from gdpr_lint.semantic.project_scan import ProjectScan

            scan = self._scan = ProjectScan(self.roots)
            scan.on_scan = self.project_wide
            scan.on_spell = self.spelled
            scan.known_spellers = self.known_spellers
        return scan

    def project_wide(self) -> None:
        """The answers being computed looked across every file of the project: their cached
        results depend on the project's file list, not only on the files that matched."""
        from gdpr_lint.semantic.project_scan import PROJECT_FILES

        for deps in self._deps:
            deps.add(PROJECT_FILES)

    def spelled(self, words: Sequence[bytes]) -> None:
        """The answers being computed read the project's files that spell one of `words`: their
        cached results depend on which files those are and on their content (spelling_index.py)."""
        from gdpr_lint.spelling_index import spelled_key

        key = spelled_key(words)
        for deps in self._deps:
            deps.add(key)

    def callers(self) -> Callers:
        """Who calls a function, for a parameter's default (semantic/callers.py)."""
        callers = self._callers
        if callers is None:
            from gdpr_lint.semantic.callers import Callers

            callers = self._callers = Callers(self.roots, self.scan, self.is_test)
        return callers

    # ---- summaries --------------------------------------------------------------------

    def register(self, path: str, tree: ast.Module, data: Optional[bytes] = None) -> None:
        """A file being checked: its summary is made from the tree the runner parsed, if
        and when something asks for it. `data`: the file's bytes the tree was parsed from,
        when they are the file's on disk (a summary made from it may then outlive the check)."""
        path = os.path.abspath(path)
        self._summaries.pop(path, None)
        self._trees[path] = tree
        if data is not None:
            self._data[path] = data
        self.own_functions[path] = frozenset(
            node.name
            for node in getattr(tree, "body", ())
            if type(node).__name__ in ("FunctionDef", "AsyncFunctionDef", "ClassDef")
        )

    def forget_tree(self, path: str) -> None:
        """The file's check is done: its tree goes, and so does a summary that holds it.
        A file whose summary its own check asked for (its code uses its own module's names)
        is one other files are likely to import too: its partial summary, as made from the
        file's bytes, is the lazy summary's module-level part (or made from the tree now) and kept, and handed to
        the run's other workers; any other file importing this one later reads it from the
        file."""
        path = os.path.abspath(path)
        tree = self._trees.pop(path, None)
        data = self._data.pop(path, None)
        self.own_functions.pop(path, None)
        summary = self._summaries.get(path)
        if summary is not None and "_lazy" in summary:
            del self._summaries[path]  # the answers it gave stay: the file is the same
            if tree is not None and data is not None and len(data) <= _MAX_BYTES:
                known = summary["_lazy"][2]  # its module-level part, as _partial(tree) makes it
                partial = self._summaries[path] = known if known is not None else _partial(tree)
                if self.shared is not None:
                    self.shared.put(path, partial)
                if partial is not None and self.cache is not None and self.cache.get(data) is None:
                    self.cache.put(data, partial)  # (a whole one cached is kept)

    def summary(self, path: str) -> Optional[dict]:
        for deps in self._deps:
            deps.add(path)
        if path in self._summaries:
            return self._summaries[path]
        tree = self._trees.get(path)
        if tree is not None or self.local_only:
            from gdpr_lint.semantic.summary import summarize

            try:
                summary = self._summaries[path] = summarize(tree, lazy=True, local=True) if tree is not None else None
            except RecursionError:
                summary = self._summaries[path] = None
            return summary
        shared = self.shared
        known = (shared.get(path) or shared.get(path, whole=True)) if shared is not None else None
        if known is not None:  # another worker of the run made it
            summary = self._summaries[path] = known[0]
            return summary
        summary = None
        data = _read(path)
        if data is not None:
            summary = self.cache.get(data) if self.cache is not None else None
            if summary is None:
                tree = _parse_bytes(data)
                summary = _partial(tree) if tree is not None else None
                if tree is not None and summary is not None and summary["functions"] and len(data) < _RECENT_BYTES:
                    self._recent[path] = (data, tree)
                    while len(self._recent) > _RECENT_TREES:
                        del self._recent[next(iter(self._recent))]
                if summary is not None and self.cache is not None:
                    self.cache.put(data, summary)
        self._summaries[path] = summary
        if shared is not None:
            shared.put(path, summary, whole=summary is not None and not summary.get("partial"))
        return summary

    def every_call_passes(self, path: str, name: str, param: str, position, method: bool) -> Optional[int]:
        """How many calls the project makes of a function, when it makes some and each one
        passes `param` (so nothing falls back to its default); else None (semantic/callers.py)."""
        if self.local_only:
            return None
        count, naming = self.callers().every_call_passes(path, name, param, position, method)
        for deps in self._deps:
            deps.update(naming)
        return count

    def every_call_argument(self, path: str, name: str, param: str, position, method: bool) -> Optional[tuple]:
        """The dotted names every call the project makes of a function passes as `param`, when
        it makes some and each passes one; else None (semantic/callers.py)."""
        if self.local_only:
            return None
        given, naming = self.callers().every_call_argument(path, name, param, position, method)
        for deps in self._deps:
            deps.update(naming)
        return given

    def function_summary(self, path: str, name: str) -> Optional[dict]:
        from gdpr_lint.semantic.summary import complete

        summary = self.summary(path)
        if summary is not None and summary.get("partial") and name in summary["functions"]:
            summary = self._whole(path)  # its flows are asked for: the file is read again
        return complete(summary, name) if summary is not None else None

    def _whole(self, path: str) -> Optional[dict]:
        shared = self.shared
        known = shared.get(path, whole=True) if shared is not None else None
        if known is not None:  # another worker of the run made it
            summary = self._summaries[path] = known[0]
            return summary
        summary = None
        data = _read(path)
        if data is not None:
            summary = self.cache.get(data) if self.cache is not None else None
            if summary is None or summary.get("partial"):
                recent = self._recent.pop(path, None)
                tree = recent[1] if recent is not None and recent[0] == data else _parse_bytes(data)
                summary = _whole_summary(tree) if tree is not None else None
                if summary is not None and self.cache is not None:
                    self.cache.put(data, summary)
        self._summaries[path] = summary
        if shared is not None:
            shared.put(path, summary, whole=True)
        return summary


_KIND_METHOD = None
_KIND_METHODS: Dict[int, tuple] = {}  # id(tables) -> (tables, methods)


def _kind_methods(tables: dict) -> frozenset:
    """Every `m` of a `<kind>.m` the catalogues name (sinks, factories, instances, the
    checks' targets): the methods whose receiver's kind matters."""
    import json
    import re

    global _KIND_METHOD
    known = _KIND_METHODS.get(id(tables))
    if known is not None and known[0] is tables:
        return known[1]
    if _KIND_METHOD is None:
        _KIND_METHOD = re.compile(r"<[A-Za-z0-9_:.-]+>\.([A-Za-z_][A-Za-z0-9_]*)")
    text = json.dumps(tables, default=str)  # one pass in C over every key and value
    _KIND_METHODS[id(tables)] = (tables, frozenset(_KIND_METHOD.findall(text)))
    return _KIND_METHODS[id(tables)][1]
