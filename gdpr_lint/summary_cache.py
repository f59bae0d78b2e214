"""Module summaries on disk, by the sha256 of the file's content (semantic/summary.py), and
the content digests that tell whether a cached result still holds for the files its
analysis read (the modules whose loggers, clients and helpers it used).

Summaries depend on the file's bytes and the summariser's version only, not on the settings:
one folder serves every configuration. Sharded by key, written atomically at the end of a
run, as the result cache is; a pre-commit run reads the few shards its imports fall in.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, Optional

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
    """sha256 of files' content, each file read once per run."""

    def __init__(self) -> None:
        self._known: Dict[str, Optional[str]] = {}

    def __call__(self, path: str) -> Optional[str]:
        if path not in self._known:
            try:
                with open(path, "rb") as handle:
                    self._known[path] = sha256(handle.read()).hexdigest()
            except OSError:
                self._known[path] = None
        return self._known[path]
