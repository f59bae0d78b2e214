"""Django's `settings.X` (`from django.conf import settings`) read from the project's own
settings module, for the checks that judge a lifetime (`max_age=settings.SESSION_COOKIE_AGE`,
`cache.set(k, v, settings.PROFILE_CACHE_SECONDS)`).

Which module is the settings module: the one `DJANGO_SETTINGS_MODULE` names in a `manage.py`,
`wsgi.py` or `asgi.py` of the project (for the files under the folder that file's package
lives in), else the `settings.py` (or `settings/` package) of the importing file's own
top-level package. A settings module split over files is followed through its star imports
(`from .base import *`, a later file's value winning). When several settings modules apply
(`manage.py` names the development settings, `wsgi.py` the production ones) they must agree:
a value that depends on which one runs is not guessed.
"""

from __future__ import annotations

import os
import re
from gdpr_lint.semantic.source_bytes import read_source
from typing import TYPE_CHECKING, List, Optional, Set, Tuple

_NAMING_FILES = ("manage.py", "wsgi.py", "asgi.py")
_SETTINGS_MODULE = re.compile(r"""DJANGO_SETTINGS_MODULE["']\s*(?:,|\]\s*=)\s*(?:f?["'])([A-Za-z_][\w.]*)["']""")
_SKIPPED = frozenset(("node_modules", "site-packages", "__pycache__", "build", "dist", "venv", "env"))
_MAX_SCAN_DEPTH = 3  # manage.py at the root, mysite/wsgi.py, src/mysite/asgi.py
_MAX_NAMING_FILES = 50
_MAX_TEXT = 200_000


class DjangoSettings:
    """A mixin of ProjectIndex: the value the project's settings module gives a setting."""

    if TYPE_CHECKING:  # provided by ProjectIndex and ProjectConstants
        roots: List[str]
        _deps: List[Set[str]]

        def is_test(self, path: str) -> bool: ...
        def locate(self, qualname: str, importer: str) -> Optional[Tuple[str, Tuple[str, ...]]]: ...
        def _roots_for(self, importer: str) -> List[str]: ...
        def _file(self, root: str, parts: Tuple[str, ...]) -> Optional[str]: ...
        def constant_in(self, path: str, name: str, depth: int = 0, durations: bool = False): ...

    _named_settings: Optional[List[Tuple[str, str, str]]] = None

    def django_setting(self, name: str, importer: str, durations: bool = False):
        """(value, how, file, line) of `settings.<name>` in `importer`, as the project's
        settings module gives it (see the module docstring); None when no settings module
        applies, one of them gives no single value, or they disagree."""
        modules = self.settings_modules(importer) if not getattr(self, "local_only", False) else []
        answers = [self.constant_in(path, name, 0, durations) for path in modules]
        if not answers or any(answer is None for answer in answers):
            return None
        if any(answer[0] != answers[0][0] for answer in answers):
            return None  # the development and production settings differ: not clear
        return answers[0]

    def settings_modules(self, importer: str) -> List[str]:
        """The settings modules that apply to a file of the project."""
        named = self._naming()
        for naming_file, _, _ in named:
            for deps in self._deps:
                deps.add(naming_file)
        found = [path for _, scope, path in named if importer.startswith(scope + os.sep)]
        if not found:  # the settings of the file's own top-level package
            top = self._roots_for(importer)[0]
            if importer.startswith(top + os.sep):
                package = importer[len(top) + 1 :].split(os.sep, 1)[0]
                if package != os.path.basename(importer):
                    own = self._file(os.path.join(top, package), ("settings",))
                    if own is not None and not self.is_test(own):
                        found.append(own)
        return sorted(set(found))

    def _naming(self) -> List[Tuple[str, str, str]]:
        """(file naming it, folder it applies to, settings file) for each DJANGO_SETTINGS_MODULE
        a manage.py, wsgi.py or asgi.py of the project names (made once per index)."""
        named = self._named_settings
        if named is not None:
            return named
        named = []
        for naming_file in _naming_files(self.roots):
            if self.is_test(naming_file):
                continue
            data = read_source(naming_file, _MAX_TEXT)
            if data is None:
                continue
            text = data.decode("utf-8", "replace")
            scope = self._roots_for(naming_file)[0]
            for dotted in set(_SETTINGS_MODULE.findall(text)):
                located = self.locate(dotted, naming_file)
                if located is not None and not located[1] and not self.is_test(located[0]):
                    named.append((naming_file, scope, located[0]))
        self._named_settings = named
        return named


def _naming_files(roots: List[str]) -> List[str]:
    """The manage.py, wsgi.py and asgi.py files near the project's roots (a few levels deep)."""
    out: List[str] = []
    seen: Set[str] = set()
    stack = [(root, 0) for root in roots]
    while stack and len(out) < _MAX_NAMING_FILES:
        folder, depth = stack.pop()
        if folder in seen:
            continue
        seen.add(folder)
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                if depth < _MAX_SCAN_DEPTH and entry.name not in _SKIPPED:
                    stack.append((entry.path, depth + 1))
            elif entry.name in _NAMING_FILES:
                out.append(entry.path)
    return sorted(out)
