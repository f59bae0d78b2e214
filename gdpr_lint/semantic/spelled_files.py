"""Which project files spell a word, answered in memory for the project-wide scans of a run
without a spelling index (semantic/project_scan.py `ProjectScan.spelling`; a run with a
result cache asks spelling_index.py first).

A scan asks for the files whose bytes hold one of a few words (`handle`, `get_user`,
`errorhandler`): without this, every question read every file of the project again (22
questions on the corpus's django + wagtail: 76,000 file reads, 6 % of a cold run). Here the
project's files are read once, each kept as the set of its identifier-like runs (the runs of
ASCII letters, digits and `_`, joined by a space, in one buffer for the whole project: about a
fifth of the text), and a question searches that buffer; only the files it names are read
again, by the asker, as before.

Exact for a word made of those characters only: such a word occurs in a file's bytes if and
only if it occurs inside one of the file's runs (every other byte ends a run). A word with
any other byte is answered by reading every file, as before. Making the buffer costs about
five questions answered by reading (0.27 s against 0.05 s on the corpus's 3,764 files), so it
is made at the fifth question of a process (or before the workers fork, when a run will ask
many): a run that asks a few (a pre-commit hook's) reads the files as it did.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import List, Optional, Sequence

from gdpr_lint.semantic.source_bytes import read_source

_PLAIN = re.compile(rb"[A-Za-z0-9_]+")
# every byte that is not a letter, digit or `_` becomes a space (then split: the runs)
_TO_SPACE = bytes(b if chr(b).isascii() and (chr(b).isalnum() or b == 0x5F) else 0x20 for b in range(256))
_MAX_READ = 64_000_000  # (spelling_index.py's: larger files are read by no scan)
_MAX_BUFFER = 48_000_000  # a project whose runs take more is answered by reading, as before
ASKED_BEFORE = 4  # questions answered by reading before the buffer is made


class SpelledFiles:
    """The project's files (`paths`, sorted) as one buffer of their identifier-like runs."""

    __slots__ = ("paths", "_buffer", "_starts")

    def __init__(self, paths: List[str], buffer: bytes, starts: List[int]):
        self.paths = paths  # the files read (the others cannot be read: no scan reads them)
        self._buffer = buffer
        self._starts = starts  # where each file's runs start in the buffer

    @staticmethod
    def make(listed: Sequence[str]) -> Optional["SpelledFiles"]:
        """The buffer of the files `listed`, or None when their runs are too large to keep."""
        paths: List[str] = []
        parts: List[bytes] = []
        starts: List[int] = []
        size = 0
        for path in listed:
            data = read_source(path, _MAX_READ)
            if data is None:
                continue
            runs = b" ".join(set(data.translate(_TO_SPACE).split())) + b" "
            paths.append(path)
            starts.append(size)
            parts.append(runs)
            size += len(runs)
            if size > _MAX_BUFFER:
                return None
        return SpelledFiles(paths, b"".join(parts), starts)

    def spellers(self, words: Sequence[bytes]) -> Optional[List[str]]:
        """The files whose bytes hold one of `words`, in the order of `paths`; None when a
        word is not made of letters, digits and `_` only (the asker reads every file)."""
        if not all(_PLAIN.fullmatch(word) for word in words):
            return None
        found = set()
        buffer, starts = self._buffer, self._starts
        for word in words:
            at = buffer.find(word)
            while at != -1:
                number = bisect_right(starts, at) - 1
                found.add(number)
                if number + 1 >= len(starts):
                    break
                at = buffer.find(word, starts[number + 1])
        return [self.paths[number] for number in sorted(found)]
