"""Parsing a module fast, and line/column positions of its nodes (computed only for files
that have something to report).
"""

from __future__ import annotations

import re
from typing import List, Optional

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider


def original_line(origin: Optional[List[int]], line: int) -> int:
    """A line of the parsed source as a line of the file: `origin` lists the file's line
    number of each source line when the pre-filter dropped blocks (None: the same)."""
    return origin[line - 1] if origin is not None and 0 < line <= len(origin) else line


def _no_validation(self) -> None:
    """Stands in for CSTNode.__post_init__ while parsing."""


try:  # libcst internals: if they change, positions take the public route
    from libcst.metadata.position_provider import (
        PositionProvidingCodegenState as _PositionState,
    )

    class _FastPositionState(_PositionState):
        __slots__ = ()

        def _update_position(self, value: str) -> None:
            if "\n" in value or "\r" in value:
                _PositionState._update_position(self, value)
            else:
                self.column += len(value)
except (ImportError, TypeError):
    _FastPositionState = None  # type: ignore[assignment,misc]  # libcst without these internals


def _positions(module: cst.Module):
    """libcst's PositionProvider ranges for every node of the module, from its own code
    generation with a cheaper column count (a regex split of every token is most of the
    cost of the public route, which is the fallback)."""
    if _FastPositionState is not None:
        try:
            provider = PositionProvider()
            module._codegen(
                _FastPositionState(
                    default_indent=module.default_indent, default_newline=module.default_newline, provider=provider
                )
            )
            return provider._computed
        except (AttributeError, TypeError):
            pass
    return MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)


# a line that is only a backslash continuation: libcst's parser drops it, so every position
# after it would be a line short
_LONE_BACKSLASH = re.compile(r"(?m)^([ \t\f]*)\\(?=\r?\n)")


def _parse_module(text: str) -> cst.Module:
    """libcst validates every node as it is built; nodes made by its own parser from valid
    source need no second check (libcst's own comment in CSTNode.__post_init__ says as
    much), and skipping it saves about a sixth of the parse. Restored before returning,
    so nodes built anywhere else are still validated.

    A line holding only a backslash continuation becomes a blank line of the same length
    (the same code to Python): libcst would lose it, and with it the line count."""
    if "\\" in text:
        text = _LONE_BACKSLASH.sub(r"\1 ", text)
    post_init = cst.CSTNode.__post_init__
    cst.CSTNode.__post_init__ = _no_validation  # type: ignore[method-assign]
    try:
        return cst.parse_module(text)
    finally:
        cst.CSTNode.__post_init__ = post_init  # type: ignore[method-assign]
