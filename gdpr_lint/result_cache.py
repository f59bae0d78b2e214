"""The result cache: each file's findings by its path and content, reused while neither
they nor the files its analysis read through the project index changed.
"""

from __future__ import annotations

import time
import zlib
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from gdpr_lint._lazy import sha256
from gdpr_lint.cache_store import ShardedStore
from gdpr_lint.file_check import observations_of
from gdpr_lint.model import FileError, FileFindings, Finding, Observation


class ResultCache(ShardedStore):
    """Results by sha256(path + content), in a folder per settings digest, sharded by path:
    a pre-commit run on two files reads and writes two small files, not the whole cache.

    Each shard is written atomically at the end of a run; a read-only or missing folder
    just means no cache. Concurrent runs each write complete shards, the last one wins. A
    run replaces the entries of the files it checked and keeps the others, so the hook on
    two files does not throw away what a full run cached for the rest.

    Nothing grows for ever: an entry records the day a run last read its file, and a shard
    written again drops the entries of files no run has read for STALE_DAYS (deleted or
    renamed files); a run that writes also removes what other settings (an older version, a
    changed config, another project root's spelling index) left in the folder and nothing has
    touched for STALE_DAYS."""

    SHARDS = 64
    STALE_DAYS = 30

    def __init__(self, folder: Optional[Path], digest: str):
        ShardedStore.__init__(self, folder / f"results-{digest[:24]}" if folder else None)
        self.dirty: set = set()

    @staticmethod
    def key(display: str, data: bytes) -> str:
        return sha256(display.encode("utf-8", "surrogatepass") + b"\0" + data).hexdigest()

    @classmethod
    def shard(cls, display: str) -> str:
        return "%02x" % (zlib.crc32(display.encode("utf-8", "surrogatepass")) % cls.SHARDS)

    def get(self, key: str, display: str, digest=None) -> Optional[Tuple[List[Finding], List[FileError]]]:
        """The cached (findings, errors) of a file; None when absent or not readable as an
        entry (a damaged file, or one written by another build of the same version), or
        when a file its analysis read through the project index has changed since (`digest`:
        path -> sha256 of its content now)."""
        if self.root is None:
            return None
        hit = self._entries(self.shard(display)).get(key)
        if hit is None:
            return None
        try:
            for dep, known in (hit.get("d") or {}).items():
                if digest is None or digest(dep) != known:
                    return None
            return (
                FileFindings.of(_from_dicts(hit["f"]), [Observation.from_dict(o) for o in hit["o"]]),
                [FileError(p, m) for p, m in hit["e"]],
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            return None

    def put(
        self,
        key: str,
        display: str,
        findings: List[Finding],
        errors: List[FileError],
        deps: Optional[Dict[str, Optional[str]]] = None,
    ) -> None:
        if self.root is None or any(e.internal for e in errors):
            return
        shard = self.shard(display)
        entry: Dict[str, Any] = {
            "p": display,
            "f": [dict(f.to_dict(), source=f.source) for f in findings],
            "e": [[e.path, e.message] for e in errors],
            "o": [o.to_dict() for o in observations_of(findings)],
        }
        if deps:
            entry["d"] = deps
        self._entries(shard)[key] = entry
        self.dirty.add(shard)

    def save(self, checked: Dict[str, str]) -> None:
        """checked: cache key -> display path of each file this run read."""
        if self.root is None or not self.dirty:
            return
        today = int(time.time() // 86400)
        paths = set(checked.values())
        for shard in sorted(self.dirty):
            entries = {}
            for key, entry in self.shards[shard].items():
                if not isinstance(entry, dict):
                    continue  # a shard of the wrong shape: its entries are misses
                if key in checked:
                    entries[key] = dict(entry, s=today)
                elif entry.get("p") not in paths:
                    seen = entry.get("s", today)
                    if not isinstance(seen, int) or seen >= today - self.STALE_DAYS:
                        entries[key] = entry
            self._write(shard, entries)
        self._remove_stale_siblings(time.time() - self.STALE_DAYS * 86400)

    def _remove_stale_siblings(self, before: float) -> None:
        """Result folders and start-up caches of other settings, untouched since `before`."""
        assert self.root is not None  # called by save() only when there is a folder
        try:
            siblings = [
                p
                for p in self.root.parent.iterdir()
                if p != self.root
                and p.name.startswith(("results-", "knowledge-", "prefilter-", "config-", "spelling-"))
            ]
        except OSError:
            return
        for path in siblings:
            try:
                if path.lstat().st_mtime >= before:
                    continue
                if path.is_dir() and not path.is_symlink():
                    import shutil  # rarely needed: not on the hook's start-up path

                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink()
            except OSError:
                pass  # another run removed it, or the folder is read-only: the next run tries again


def _from_dicts(findings: List[dict]) -> List[Finding]:
    return [Finding.from_dict(f) for f in findings]
