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
from gdpr_lint.semantic.source_bytes import read_source
from typing import TYPE_CHECKING, Callable, Dict, List, Optional, Sequence, Set, Tuple

from gdpr_lint.semantic.django_settings import DjangoSettings
from gdpr_lint.semantic.path_roots import self_registered_roots
from gdpr_lint.semantic.project_attributes import ProjectAttributes
from gdpr_lint.semantic.project_classes import ProjectClasses
from gdpr_lint.semantic.project_constants import ProjectConstants
from gdpr_lint.semantic.project_overrides import ProjectOverrides
from gdpr_lint.semantic.project_flows import ProjectFlows

if TYPE_CHECKING:
    from gdpr_lint.semantic.callers import Callers
    import ast

    from gdpr_lint.summary_cache import RunSummaries

_MAX_DEPTH = 12
_MAX_BYTES = 2_000_000  # a bigger file is generated code: not summarised
_RECENT_TREES = 2  # kept at most, each of a file under _RECENT_BYTES (a tree is ~10x its text)
_RECENT_BYTES = 256_000

# ("kind", k) | ("fn", path, name) | ("dotted", s) | ("module", path) | ("class", path, name) |
# ("instance", path, class name) | ("method", path, "Class.method"): a method bound to an instance |
# ("scope", path, "view.inner"): a function nested in a function, which defines a class
Target = Optional[tuple]


class ProjectIndex(ProjectConstants, ProjectClasses, DjangoSettings, ProjectOverrides, ProjectAttributes, ProjectFlows):
    """Summaries and resolution over one project's files (one per run and process)."""

    def __init__(self, roots: Sequence[str], tables: dict, cache=None, local_only: bool = False):
        self.roots = [os.path.abspath(r) for r in roots]
        self.local_only = local_only  # the registered file only: no import is followed
        objects = tables.get("objects", {})
        self.factories: Dict[str, str] = objects.get("factories", {})
        self.instances: Dict[str, str] = objects.get("instances", {})
        exceptions = tables.get("exposure", {}).get("exceptions", {})
        self.error_handlers = (  # how a module registers an error handler: (calls, decorators)
            frozenset(exceptions.get("error-handler-registrations", ())),
            frozenset(exceptions.get("error-handler-decorators", ())),
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
        file's bytes, is made from the tree now (a tenth of a parse) and kept, and handed to
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
                partial = self._summaries[path] = _partial(tree)
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
        callers = self._callers
        if callers is None:
            from gdpr_lint.semantic.callers import Callers

            callers = self._callers = Callers(self.roots)
        count, naming = callers.every_call_passes(path, name, param, position, method)
        for deps in self._deps:
            deps.update(naming)
        return count

    # ---- files of modules ---------------------------------------------------------------

    def _file(self, root: str, parts: Tuple[str, ...]) -> Optional[str]:
        key = (root, parts)
        if key in self._files:
            return self._files[key]
        found = None
        base = os.path.join(root, *parts) if parts else root
        if parts and os.path.isfile(base + ".py"):
            found = base + ".py"
        elif os.path.isfile(os.path.join(base, "__init__.py")):
            found = os.path.join(base, "__init__.py")
        self._files[key] = found
        return found

    def _roots_for(self, importer: str) -> List[str]:
        """Where absolute imports of a file are looked for: the folder above its top-level
        package, then the project root and its src/."""
        folder = importer.rpartition(os.sep)[0]
        roots = self._package_roots.get(folder)
        if roots is None:
            top = folder
            for _ in range(40):
                if not os.path.isfile(os.path.join(top, "__init__.py")):
                    break
                top = os.path.dirname(top)
            roots = [top]
            for root in self.roots:
                for candidate in (root, os.path.join(root, "src")):
                    if candidate not in roots:
                        roots.append(candidate)
            roots += [r for r in self_registered_roots(top, folder) if r not in roots]  # semantic/path_roots.py
            self._package_roots[folder] = roots
        return roots

    def is_test(self, path: str) -> bool:
        """Whether a file is test code of the project (judged on its path inside the project)."""
        for root in self.roots + self._roots_for(path)[:1]:
            if path.startswith(root + os.sep):
                return is_test_path(path[len(root) + 1 :])
        return is_test_path(os.path.basename(path))

    def in_project(self, dotted: str, importer: str) -> bool:
        """Whether a dotted name can be the project's: relative, or its top-level module
        is a file or package of the project (cheap: one answer per top-level name)."""
        if dotted[:1] in ".@":
            return True
        if self.local_only:
            return False
        top = dotted.partition(".")[0]
        key = (importer, top)
        known = self._tops.get(key)
        if known is None:
            known = self._tops[key] = any(self._file(root, (top,)) is not None for root in self._roots_for(importer))
        return known

    def locate(self, qualname: str, importer: str) -> Optional[Tuple[str, Tuple[str, ...]]]:
        """(file of the longest module prefix of `qualname`, the names after it), or None."""
        if self.local_only:
            return None
        level = len(qualname) - len(qualname.lstrip("."))
        parts = tuple(p for p in qualname[level:].split(".") if p)
        if level:
            base = os.path.dirname(importer)
            for _ in range(level - 1):
                base = os.path.dirname(base)
            for cut in range(len(parts), -1, -1):
                found = self._file(base, parts[:cut])
                if found is not None:
                    return found, parts[cut:]
            return None
        for cut in range(len(parts), 0, -1):
            for root in self._roots_for(importer):
                found = self._file(root, parts[:cut])
                if found is not None:
                    return found, parts[cut:]
        return None

    # ---- resolution ---------------------------------------------------------------------

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
        return None

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


_TEST_FOLDERS = frozenset(("tests", "test", "testing"))


def is_test_path(path: str) -> bool:
    """Whether a file is a project's test code (a test module, conftest, a tests/ folder)."""
    parts = path.replace(os.sep, "/").split("/")
    name = parts[-1]
    return (
        name.startswith("test_")
        or name.endswith("_test.py")
        or name == "conftest.py"
        or not _TEST_FOLDERS.isdisjoint(parts[:-1])
    )


def _read(path: str) -> Optional[bytes]:
    return read_source(path, _MAX_BYTES)


def _summarize_bytes(data: bytes, whole: bool = False) -> Optional[dict]:
    """The summary of a file's bytes: its module-level names and what its functions
    return (`partial`), or also its functions' flows (`whole`)."""
    tree = _parse_bytes(data)
    if tree is None:
        return None
    return _whole_summary(tree) if whole else _partial(tree)


def _parse_bytes(data: bytes) -> Optional[ast.Module]:
    """CPython's tree of a file's bytes, or None when they are no Python it can read."""
    import ast
    import warnings

    from gdpr_lint.prefilter import decode_source

    try:
        text = decode_source(data)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(text)
    except (SyntaxError, ValueError, UnicodeDecodeError, LookupError, RecursionError, MemoryError):
        return None


def _whole_summary(tree: ast.Module) -> Optional[dict]:
    """A module's whole summary: also each function's flows."""
    from gdpr_lint.semantic.summary import summarize

    try:
        return summarize(tree)
    except RecursionError:
        return None


def _partial(tree: ast.Module) -> Optional[dict]:
    """A module's partial summary: its module-level names and what its functions return."""
    from gdpr_lint.semantic.summary import summarize

    try:
        summary = summarize(tree, lazy=True)
    except RecursionError:
        return None
    del summary["_lazy"]
    summary["partial"] = True
    return summary
