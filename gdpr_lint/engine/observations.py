"""The walk's observations (Context.observe) with their lines, for the inventory.

A file with findings has its positions already. Otherwise only the top-level statements
holding an observed node are laid out: positions for every parsed file would double a
run's time (most parsed files have observations and no finding).
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Mapping, Optional

import libcst as cst
from libcst.metadata import PositionProvider

from gdpr_lint.model import Observation
from gdpr_lint.syntax import positions as _layout


def located_observations(walker, text: str, path: str) -> List[Observation]:
    """`text` is the source the walker's module was parsed from."""
    lines = _observed_lines(walker, text)
    out = []
    for kind, node, _, scope, rule, facts in walker.observations:
        line = lines.get(id(node))
        if line is None:
            continue
        facts = json.loads(json.dumps(facts, default=str))
        out.append(Observation(kind, path, walker.original_line(line), scope, facts, rule))
    return out


def _observed_lines(walker, text: str) -> Dict[int, int]:
    """{id(node): line in the parsed text} for the observed nodes."""
    if walker._positions is None and _layout._FastPositionState is not None:
        starts = _top_level_starts(walker.module, text)
        if starts is not None:
            return _lines_by_statement(walker, starts)
    positions = walker.positions()
    out = {}
    for _, node, *_ in walker.observations:
        pos = positions.get(node)
        if pos is not None:
            out[id(node)] = pos.start.line
    return out


def _top_level_starts(module: cst.Module, text: str) -> Optional[List[int]]:
    """The line where each top-level statement of `module` starts (its `def`/`class` line
    for a decorated one, as libcst positions it), from CPython's parser, which is an order
    of magnitude cheaper than laying out the tree; None when the two do not line up."""
    import ast
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the scanned code's own (`"\d"`), as in parse_guards.python_syntax
            body = ast.parse(text).body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    starts, end = [], 0
    for stmt in body:
        if stmt.lineno > end:  # `a = 1; b = 2` is one statement line to libcst
            starts.append(stmt.lineno)
        end = max(end, stmt.end_lineno or stmt.lineno)
    return starts if len(starts) == len(module.body) else None


def _lines_by_statement(walker, starts: List[int]) -> Dict[int, int]:
    module = walker.module
    index = {id(stmt): i for i, stmt in enumerate(module.body)}
    laid_out: Dict[int, Mapping[Any, Any]] = {}

    def layout(i: int) -> Mapping[Any, Any]:
        found = laid_out.get(i)
        if found is None:
            provider = PositionProvider()
            module.body[i]._codegen(
                _layout._FastPositionState(
                    default_indent=module.default_indent, default_newline=module.default_newline, provider=provider
                )
            )
            found = laid_out[i] = provider._computed
        return found

    out: Dict[int, int] = {}
    for _, node, top, *_ in walker.observations:
        order = [index[id(top)]] if id(top) in index else []
        order += [i for i in range(len(module.body)) if i not in order]  # made at the end of the walk
        for i in order:
            positions = layout(i)
            pos = positions.get(node)
            if pos is not None:
                first = positions[module.body[i]].start.line
                out[id(node)] = starts[i] + pos.start.line - first
                break
    return out
