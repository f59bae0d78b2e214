"""Which lines of a parsed module spell a word, noted where its text is parsed, so that a
question asked later of the tree alone (semantic/form_fields.py: does a method assign
`self.fields[...]`?) can skip the walk of a node whose lines never spell the word.

Exact only for text where an identifier is spelled as written: ASCII (Python folds other
identifiers by NFKC, `ﬁelds` is `fields`) and `\\n` line ends (CPython also ends lines at
a lone `\\r`). For any other text, or a tree noted by no parser, nothing is known and the
caller walks as before.
"""

from __future__ import annotations

import ast
import re
import weakref
from bisect import bisect_left
from typing import List, Optional

# the words asked about (one today); a tree's entry: {word: sorted line numbers}
_WORDS = ("fields",)
_WORD_CHAR = re.compile(r"\w", re.ASCII)
_NOTED: "weakref.WeakKeyDictionary[ast.AST, dict]" = weakref.WeakKeyDictionary()


def note(tree: ast.AST, text: str) -> None:
    """Records, for `tree` parsed from `text`, the lines that spell each word of _WORDS."""
    if not text.isascii() or "\r" in text:
        return
    found = {}
    for word in _WORDS:
        lines: List[int] = []
        line, at = 1, 0
        start = text.find(word)
        while start >= 0:
            end = start + len(word)
            if not (start and _WORD_CHAR.match(text, start - 1)) and not _WORD_CHAR.match(text, end):
                line += text.count("\n", at, start)
                at = start
                if not lines or lines[-1] != line:
                    lines.append(line)
            start = text.find(word, end)
        found[word] = lines
    _NOTED[tree] = found


def lines_of(tree: ast.AST, word: str) -> Optional[List[int]]:
    """The sorted numbers of the lines of `tree`'s text that spell `word`, or None when not
    known (see the module docstring)."""
    found = _NOTED.get(tree)
    return found.get(word) if found is not None else None


def spelled_between(lines: Optional[List[int]], first: int, last: int) -> bool:
    """Whether a line from `first` to `last` spells the word; True when `lines` is None."""
    if lines is None:
        return True
    index = bisect_left(lines, first)
    return index < len(lines) and lines[index] <= last
