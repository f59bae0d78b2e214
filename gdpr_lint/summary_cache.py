"""Module summaries on disk, by the sha256 of the file's content (semantic/summary.py), and
the content digests that tell whether a cached result still holds for the files its
analysis read (the modules whose loggers, clients and helpers it used).

Summaries depend on the file's bytes and the summariser's version only, not on the settings:
one folder serves every configuration. Sharded by key, written atomically at the end of a
run, as the result cache is; a pre-commit run reads the few shards its imports fall in.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, Optional

from gdpr_lint._lazy import sha256
from gdpr_lint.cache_store import ShardedStore


class SummaryCache(ShardedStore):
    SHARDS = 32
    _root: Optional[Path] = None

    def __init__(self, folder: Optional[Path]):
        self.folder = folder
        ShardedStore.__init__(self, None)  # the folder's name waits for the summariser's version
        self.new: Dict[str, dict] = {}  # made by this process, not yet written

    @property
    def root(self) -> Optional[Path]:
        """The folder of this summariser version's shards (its version is read when first
        needed: a run whose files all fail the pre-filter never imports the summariser)."""
        if self._root is None and self.folder:
            from gdpr_lint.semantic.summary import VERSION

            self._root = self.folder / f"summaries-{VERSION}"
        return self._root

    @root.setter
    def root(self, value: Optional[Path]) -> None:
        self._root = value

    @staticmethod
    def key(data: bytes) -> str:
        return sha256(data).hexdigest()

    def _shard(self, key: str) -> str:
        return "%02x" % (int(key[:4], 16) % self.SHARDS)

    def get(self, data: bytes) -> Optional[dict]:
        key = self.key(data)
        found = self.new.get(key)
        if found is None and self.root is not None:
            found = self._entries(self._shard(key)).get(key)
        return found if isinstance(found, dict) else None

    def put(self, data: bytes, summary: dict) -> None:
        self.new[self.key(data)] = summary

    def drain(self) -> Dict[str, dict]:
        """What this process made since the last call (a worker hands it to the parent)."""
        new, self.new = self.new, {}
        return new

    def save(self) -> None:
        if not self.new or self.root is None:
            return
        touched: Dict[str, Dict[str, dict]] = {}
        for key, summary in self.new.items():
            shard = self._shard(key)
            entries = touched.get(shard)
            if entries is None:
                entries = touched[shard] = dict(self._entries(shard))
            entries[key] = summary
        for shard, entries in sorted(touched.items()):
            self._write(shard, entries)
        self.new = {}


class ContentDigests:
    """sha256 of files' content, each file read once per run; for a project-wide scan's
    dependency (spelling_index.spelled_key: the files that spell its words), the digest
    `spelling()` (a SpellingIndex, made when first needed) gives; for the older whole-project
    dependency (semantic/project_scan.PROJECT_FILES), `project()` (its file list's digest),
    worked out once, when first asked."""

    def __init__(
        self, project: Optional[Callable[[], Optional[str]]] = None, spelling: Optional[Callable[[], Any]] = None
    ) -> None:
        self._known: Dict[str, Optional[str]] = {}
        self._project = project
        self._spelling = spelling

    def __call__(self, path: str) -> Optional[str]:
        if path not in self._known:
            if path.startswith("\0"):
                self._known[path] = self._special(path)
                return self._known[path]
            try:
                with open(path, "rb") as handle:
                    self._known[path] = sha256(handle.read()).hexdigest()
            except OSError:
                self._known[path] = None
        return self._known[path]

    def prepare(self, deps: Iterable[str]) -> None:
        """The words of these spelling dependencies looked for in the project's files in one
        pass (before their digests are asked for one by one)."""
        from gdpr_lint.spelling_index import SPELLED, spelled_words

        words = set()
        for dep in deps:
            if dep.startswith(SPELLED) and dep not in self._known:
                words.update(spelled_words(dep))
        if words and self._spelling is not None:
            self._spelling().learn(words)

    def _special(self, path: str) -> Optional[str]:
        from gdpr_lint.semantic.project_scan import PROJECT_FILES
        from gdpr_lint.spelling_index import SPELLED, spelled_words

        if path.startswith(SPELLED):
            return self._spelling().digest(spelled_words(path)) if self._spelling is not None else None
        return self._project() if self._project is not None and path == PROJECT_FILES else None


class RunSummaries:
    """The summaries one run's worker processes made, handed to each other through a scratch
    folder the run removes at its end: a module that files of both workers import is read
    and parsed by the first that needs it, not by each (a summary is 2-3 ms of parse, a
    file here a tenth of that). Keyed by the module's path: within one run a file is taken
    to be what it was when the run started, as each process's own summaries already are.
    A missing or unreadable entry is a miss; entries are written atomically."""

    def __init__(self, folder: str):
        self.folder = folder

    def _file(self, path: str, whole: bool) -> str:
        name = sha256(path.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        return os.path.join(self.folder, name + (".w" if whole else ".p"))

    def get(self, path: str, whole: bool = False) -> Optional[tuple]:
        """(summary,) as another process made it (None: the module has none), or None."""
        import pickle

        try:
            with open(self._file(path, whole), "rb") as handle:
                found = pickle.load(handle)
        except (OSError, EOFError, ValueError, TypeError, pickle.UnpicklingError):
            return None
        return found if isinstance(found, tuple) and len(found) == 1 else None

    def put(self, path: str, summary: Optional[dict], whole: bool = False) -> None:
        import pickle

        target = self._file(path, whole)
        scratch = f"{target}.{os.getpid()}"
        try:
            with open(scratch, "wb") as handle:
                pickle.dump((summary,), handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(scratch, target)
        except (OSError, pickle.PicklingError, RecursionError):
            try:
                os.unlink(scratch)
            except OSError:
                pass
