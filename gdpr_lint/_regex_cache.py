"""Compiled regexes kept in a start-up cache, so that a run does not compile them again.

`re.compile` parses a pattern and generates its matcher code in Python: for the pre-filter's
patterns (the anchors' phrases and the trie of every anchor) that was a third of a one-file
pre-commit run. `freeze` keeps what `re.compile` hands to the C engine (the code words, the
flags and the groups) together with the widest match; `thaw` hands it to the engine again,
which validates the code and makes the same Pattern that `re.compile(source)` makes. The
code depends on the Python version and on the engine, so frozen parts carry both (`TAG`)
and are only thawed by the same ones; otherwise, or on any error, the source is compiled.
"""

from __future__ import annotations

import re
import sys
from typing import Dict, Optional, Tuple

try:
    import _sre

    TAG: Optional[str] = f"{sys.implementation.cache_tag}:{sys.version_info[:3]}:{_sre.MAGIC}:{_sre.CODESIZE}"
except (ImportError, AttributeError):  # pragma: no cover - another implementation: always compile
    TAG = None

Frozen = Tuple[int, bytes, int, Dict[str, int], Tuple[Optional[str], ...], int]


def freeze(source: str) -> Optional[Frozen]:
    """(flags, code, groups, group index, index group, widest match) of a pattern, or None
    when this Python cannot give them (then `thaw` compiles the source)."""
    if TAG is None:
        return None
    try:
        from re import _compiler, _parser  # type: ignore[attr-defined]  # Python 3.11+
    except ImportError:  # pragma: no cover - older Pythons
        try:
            import sre_compile as _compiler
            import sre_parse as _parser
        except ImportError:
            return None
    try:
        parsed = _parser.parse(source, 0)
        code = _compiler._code(parsed, 0)
        state = parsed.state
        groupindex = dict(state.groupdict)
        indexgroup = [None] * state.groups
        for name, index in groupindex.items():
            indexgroup[index] = name
        words = _words(code)
        if words is None:
            return None
        # int(): an unbounded width is MAXREPEAT, a constant that Python 3.9-3.10 cannot pickle
        return (state.flags, words, state.groups - 1, groupindex, tuple(indexgroup), int(parsed.getwidth()[1]))
    except Exception:  # noqa: BLE001 - an internal of `re` that differs here: compile as usual
        return None


def _words(code) -> Optional[bytes]:
    from array import array

    words = array("I", code)
    return words.tobytes() if words.itemsize == _sre.CODESIZE == 4 else None


def thaw(source: str, frozen: Optional[Frozen]):
    """The compiled pattern of `source`, from its frozen parts when they are usable."""
    if frozen is not None:
        try:
            flags, words, groups, groupindex, indexgroup, _width = frozen
            code = memoryview(words).cast("I").tolist()
            return _sre.compile(source, flags, code, groups, groupindex, indexgroup)
        except Exception:  # noqa: BLE001 - damaged or foreign parts: compile the source
            pass
    return re.compile(source)


def width(frozen: Optional[Frozen]) -> Optional[int]:
    """The widest match of a frozen pattern (its parser's figure), or None."""
    return frozen[5] if frozen is not None else None
