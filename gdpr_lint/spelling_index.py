"""Which project files spell which words: the digest of a project-wide scan's dependency.

A result that rests on a project-wide scan ("who calls `embed`", "which modules register an
error handler", semantic/project_scan.py) depends on the files that spell the scan's words and
on nothing else of the project: the digest of such a dependency (`spelled_key(words)`) is the
list of those files, each with the sha256 of its content. A file that starts spelling a word, a
file removed, or an edit to a file that spells one changes the digest; an edit to a file that
spells none of them does not. (A file spells a word when its bytes hold it, as the scans test:
a file too large for a scan to read may be listed too, which only costs a re-check.)

Deciding that without reading the project: a record per file (its size, modification time,
content digest and the known words it spells), kept in the cache folder. A run reads only the
files whose size, modification time or inode change time changed since (the last one cannot be
set back: a tool that keeps a file's modification time, `rsync -t`, `cp -p`, still shows) and
looks for every known word in them;
a word not known yet is looked for in every file once, in one pass for all the run's new words.
A record made within a couple of seconds of its file's last change is not trusted by the next run
(an edit in the same clock tick may leave size and times as they were).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Set

from gdpr_lint._lazy import sha256

# A dependency on the files that spell some words: this prefix, then the words, "\0"-separated.
SPELLED = "\0spelled\0"
_FORMAT = 2
_RACY_NS = 2_000_000_000  # a record made closer than this to its file's mtime is checked again
_MAX_READ = 64_000_000  # larger files are read by no scan (theirs read at most a few MB)


def spelled_key(words: Iterable[bytes]) -> str:
    """The dependency on the project files that spell one of `words`."""
    return SPELLED + "\0".join(sorted({w.decode("utf-8", "surrogateescape") for w in words}))


def spelled_words(key: str) -> List[str]:
    return key[len(SPELLED) :].split("\0")


class SpellingIndex:
    """The project's files with their content digest and the known words each spells (one per
    run, in the process that keys the results)."""

    def __init__(self, folder: Optional[Path], roots: Sequence[str], listed: Callable[[], List[str]]):
        name = sha256("\0".join(roots).encode("utf-8", "surrogatepass")).hexdigest()[:16]
        self.path = folder / f"spelling-{name}.json" if folder is not None else None
        self._listed = listed
        # path -> [size, mtime_ns, sha256, words, checked_ns, ctime_ns]
        self._records: Optional[Dict[str, list]] = None
        self._words: Set[str] = set()  # every record was checked for each of these
        self._spellers: Optional[Dict[str, List[str]]] = None  # word -> the paths that spell it
        self._current = False  # the records were checked against the files in this run
        self._dirty = False
        self.files_read = 0  # how many files this run read (tests)

    def digest(self, words: Sequence[str]) -> str:
        """sha256 of the paths and content digests of the files that spell one of `words`."""
        self.learn(words)
        assert self._records is not None
        spellers = self._inverse()
        paths: Set[str] = set()
        for word in words:
            paths.update(spellers.get(word, ()))
        digest = sha256()
        for path in sorted(paths):
            digest.update(("%s\0%s\n" % (path, self._records[path][2])).encode("utf-8", "surrogatepass"))
        return digest.hexdigest()

    def spellers(self, words: Sequence[bytes]) -> Optional[List[str]]:
        """The project files that spell one of `words`, sorted, when this run's records already
        know every one of them (else None: the asker reads every file)."""
        if not self._current or self._records is None:
            return None
        names = {w.decode("utf-8", "surrogateescape") for w in words}
        if not names <= self._words:
            return None
        spellers = self._inverse()
        paths: Set[str] = set()
        for name in names:
            paths.update(spellers.get(name, ()))
        return sorted(paths)

    def _inverse(self) -> Dict[str, List[str]]:
        assert self._records is not None
        spellers = self._spellers
        if spellers is None:
            spellers = self._spellers = {}
            for path, record in self._records.items():
                for word in record[3]:
                    spellers.setdefault(word, []).append(path)
        return spellers

    def learn(self, words: Iterable[str]) -> None:
        """Bring the records up to date with the files, and make `words` known words (one pass:
        a file is read when it changed, or when some of `words` are new)."""
        if self._records is None:
            self._records = self._load()
        new = set(words) - self._words
        if self._current and not new:
            return
        known = self._words | new
        records: Dict[str, list] = {}
        now = time.time_ns()
        for path in self._listed():
            try:
                status = os.stat(path)
            except OSError:
                continue
            old = self._records.get(path)
            changed = max(status.st_mtime_ns, status.st_ctime_ns)
            same = (
                old is not None
                and old[0] == status.st_size
                and old[1] == status.st_mtime_ns
                and old[5] == status.st_ctime_ns
                and old[4] - changed >= _RACY_NS
            )
            if same and not new and old is not None:
                records[path] = old
                continue
            data = _read(path)
            if data is None:
                continue  # no scan reads it either (the next run tries again)
            self.files_read += 1
            digest = sha256(data).hexdigest()
            record: list
            if same and old is not None and old[2] == digest:
                record = [*old[:3], old[3] + [w for w in sorted(new) if _spells(data, w)], *old[4:]]
            else:
                checked = now if changed < now else changed
                record = [status.st_size, status.st_mtime_ns, digest, [w for w in sorted(known) if _spells(data, w)]]
                record += [checked, status.st_ctime_ns]
            records[path] = record
            self._dirty = True
        if records.keys() != self._records.keys():
            self._dirty = True
        self._records, self._words, self._spellers, self._current = records, known, None, True

    def save(self) -> None:
        if not self._dirty or self.path is None or self._records is None:
            return
        from gdpr_lint.knowledge import write_cache_file

        document = {"format": _FORMAT, "words": sorted(self._words), "files": self._records}
        write_cache_file(self.path, json.dumps(document, separators=(",", ":")).encode("ascii"))
        self._dirty = False

    def _load(self) -> Dict[str, list]:
        """The records a previous run kept (none when missing, damaged or of another format)."""
        if self.path is None:
            return {}
        try:
            # written again at least daily while in use (result_cache.py removes one untouched for a month)
            self._dirty = self.path.stat().st_mtime < time.time() - 86400
            document = json.loads(self.path.read_bytes())
            if not isinstance(document, dict) or document.get("format") != _FORMAT:
                return {}
            words, files = document["words"], document["files"]
            if not isinstance(words, list) or not isinstance(files, dict):
                return {}
            records = {}
            for path, record in files.items():
                if _valid(record):
                    records[path] = record
            self._words = {w for w in words if isinstance(w, str)}
            if len(self._words) != len(words):
                return {}
            return records
        except (OSError, ValueError, KeyError, TypeError):
            self._words = set()
            return {}


def _valid(record) -> bool:
    return (
        isinstance(record, list)
        and len(record) == 6
        and all(isinstance(record[i], int) for i in (0, 1, 4, 5))
        and isinstance(record[2], str)
        and isinstance(record[3], list)
        and all(isinstance(w, str) for w in record[3])
    )


def _spells(data: bytes, word: str) -> bool:
    return word.encode("utf-8", "surrogateescape") in data


def _read(path: str) -> Optional[bytes]:
    """The bytes of a regular file (never blocking on a pipe named `*.py`), or None."""
    from gdpr_lint.semantic.source_bytes import read_source

    return read_source(path, _MAX_READ)
