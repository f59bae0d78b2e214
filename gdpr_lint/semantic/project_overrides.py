"""The methods a project class's subclasses override, for a call on an object known only by
its annotation: `def welcome(n: Notifier, user): n.send(user.email)` may run any subclass's
`send`, and the one of `EmailNotifier(Notifier)` that logs the address is where the data goes
(an abstract `Notifier.send` writes nothing).

Only a receiver typed by an annotation (a parameter, a dataclass field, `self.n = n` with
`n: Notifier`) is followed so: an object the code builds (`n = PlainNotifier()`) runs its own
class's method. The subclasses are found by one pass over the project's files (their bytes,
for `class X(... Notifier ...)`, read once per run and process), then confirmed through the
module summaries: a base that resolves to the class. Bounded: three generations, a few dozen
classes; the project's tests (fakes that record or print what they get) are left out.
"""

from __future__ import annotations

import re
from gdpr_lint.semantic.source_bytes import read_source
from typing import TYPE_CHECKING, Callable, Dict, List, Optional, Sequence, Set, Tuple

_CLASS = re.compile(rb"^[ \t]*class[ \t]+\w+[ \t]*\(([^)]{1,400})\)", re.M)
_MAX_BYTES = 2_000_000
_MAX_CLASSES = 24
_MAX_GENERATIONS = 3
_MAX_FILES = 200


class ProjectOverrides:
    """A mixin of ProjectIndex: the overrides of a method in the project's subclasses."""

    if TYPE_CHECKING:  # provided by ProjectIndex
        roots: List[str]
        local_only: bool
        _deps: List[Set[str]]

        def summary(self, path: str) -> Optional[dict]: ...
        def resolve(self, form, path: str, depth: int = 0) -> Optional[tuple]: ...
        def _tracked(self, key: tuple, compute: Callable): ...
        def is_test(self, path: str) -> bool: ...
        def _project_files(self) -> List[str]: ...
        def spelled(self, words: Sequence[bytes]) -> None: ...

    _subclassing: Optional[Dict[str, List[str]]] = None

    def overrides(self, form, importer: str) -> List[Tuple[str, str, int]]:
        """[(file, "Sub.method", 1)] for the project subclasses that override the method a
        call form names (`["attr", ["ann", Notifier], "send"]`), when its receiver is known
        only by an annotation; [] otherwise."""
        if self.local_only or not form or form[0] != "attr":
            return []
        receiver = self._annotated(form[1], importer)
        if receiver is None:
            return []
        method = form[2]
        key = ("overrides", receiver[0], receiver[1], method)
        return self._tracked(key, lambda: self._overrides(receiver[0], receiver[1], method)) or []

    def _annotated(self, form, importer: str) -> Optional[Tuple[str, str]]:
        """(file, class) of a receiver typed by an annotation: the form itself (`n: Notifier`)
        or an attribute of a project class whose form is one (`self.notifier` with
        `notifier: Notifier` in the class, or `self.notifier = notifier` from an annotated
        parameter)."""
        annotation = None
        if form[0] == "ann":
            annotation = form
        elif form[0] == "attr":
            owner = self.resolve(form[1], importer)
            if owner is not None and owner[0] in ("instance", "class"):
                annotation = self._attribute_form(owner[1], owner[2], form[2], 0)
                importer = annotation[1] if annotation is not None else importer
                annotation = annotation[0] if annotation is not None else None
        if annotation is None or annotation[0] != "ann":
            return None
        target = self.resolve(annotation, importer)
        return (target[1], target[2]) if target is not None and target[0] == "instance" else None

    def _attribute_form(self, path: str, name: str, attr: str, depth: int):
        summary = self.summary(path)
        cls = summary.get("classes", {}).get(name) if summary is not None else None
        if cls is None or depth > 4:
            return None
        form = cls.get("attrs", {}).get(attr)
        if form is not None:
            return form, path
        for base in cls.get("bases", ()):
            found = self.resolve(base, path)
            if found is not None and found[0] == "class":
                answer = self._attribute_form(found[1], found[2], attr, depth + 1)
                if answer is not None:
                    return answer
        return None

    def _overrides(self, path: str, name: str, method: str) -> List[Tuple[str, str, int]]:
        out: List[Tuple[str, str, int]] = []
        generation = [(path, name)]
        seen = {(path, name)}
        for _ in range(_MAX_GENERATIONS):
            following = []
            for base_path, base_name in generation:
                for sub in self._subclasses(base_path, base_name):
                    if sub in seen or len(seen) > _MAX_CLASSES:
                        continue
                    seen.add(sub)
                    following.append(sub)
                    summary = self.summary(sub[0])
                    if summary is None:
                        continue
                    key = f"{sub[1]}.{method}"
                    if method in summary["classes"][sub[1]].get("methods", ()):
                        if not summary["functions"].get(key, {}).get("static"):
                            out.append((sub[0], key, 1))
            generation = following
            if not generation:
                break
        return out

    def _subclasses(self, path: str, name: str) -> List[Tuple[str, str]]:
        """The project classes (outside its tests) that name class `name` of `path` as a base."""
        short = name.rsplit(".", 1)[-1]
        self.spelled((short.encode(),))  # a file that names it as a base spells it
        found: List[Tuple[str, str]] = []
        candidates = self._subclassing_files().get(short, ())
        if len(candidates) > _MAX_FILES:
            return found  # a name too common to judge (`Base`, `Model`)
        for candidate in candidates:
            if self.is_test(candidate):
                continue
            summary = self.summary(candidate)
            for cls_name, cls in (summary.get("classes", {}) if summary is not None else {}).items():
                for base in cls.get("bases", ()):
                    if base and base[0] == "name" and base[1].rsplit(".", 1)[-1].lstrip("@") == short:
                        target = self.resolve(base, candidate)
                        if target is not None and target[0] == "class" and (target[1], target[2]) == (path, name):
                            found.append((candidate, cls_name))
        return found

    def _subclassing_files(self) -> Dict[str, List[str]]:
        """Base name -> the project files with a class naming it among its bases (one pass)."""
        known = self._subclassing
        if known is None:
            known = {}
            for file in self._project_files():
                data = read_source(file, _MAX_BYTES)
                if data is None:
                    continue
                path = file
                for bases in _CLASS.findall(data):
                    for base in bases.split(b","):
                        word = base.strip().rsplit(b".", 1)[-1]
                        if b"=" not in base and _identifier(word):
                            names = known.setdefault(word.decode("ascii"), [])
                            if not names or names[-1] != path:
                                names.append(path)
            self._subclassing = known
        return known


def _identifier(word: bytes) -> bool:
    try:
        return word.decode("ascii").isidentifier()
    except UnicodeDecodeError:
        return False
