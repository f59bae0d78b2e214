"""One file: parse once, walk once, assemble the findings."""

from __future__ import annotations

from typing import List, Optional

import libcst as cst

from gdpr_lint.engine.findings import _findings
from gdpr_lint.engine.observations import located_observations
from gdpr_lint.engine.outcome import FileOutcome, apply_file_suppressions, syntax_error
from gdpr_lint.engine.walker import Walker
from gdpr_lint.model import FileError
from gdpr_lint.syntax.positions import _parse_module, original_line

_DEEP = 12000  # recursion limit while libcst works on a file: long operator chains nest deeply


def analyze_source(
    text: str,
    path: str,
    settings,
    rejected=None,
    *,
    origin: Optional[List[int]] = None,
    original: Optional[str] = None,
    checks: Optional[List] = None,
    project=None,
) -> FileOutcome:
    """Findings for one file's text (decoded, past the skip-file check and the pre-filter).
    `rejected`: CPython's own verdict (line, column, message) when it refused the text as
    newer syntax than it knows; the runner has parsed the file with CPython already.
    `project`: the project index as this file sees it (semantic.project_use.FileProject).

    libcst's code generation and positions recurse once per nesting level, so the
    recursion limit is raised while it works; what still does not fit is reported."""
    import sys
    import threading

    if threading.current_thread() is not threading.main_thread():
        return _analyze_source(text, path, settings, rejected, origin, original, checks, project)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, _DEEP))
    try:
        return _analyze_source(text, path, settings, rejected, origin, original, checks, project)
    except RecursionError:
        return FileOutcome(errors=[FileError(path, "nesting too deep to analyse; file not checked")])
    finally:
        sys.setrecursionlimit(limit)


def _analyze_source(text: str, path: str, settings, rejected, origin, original, checks, project=None) -> FileOutcome:
    try:
        module = _parse_module(text)
    except cst.ParserSyntaxError as exc:
        if rejected is not None:  # neither parser accepts it
            return FileOutcome([syntax_error(settings, path, *rejected)])
        line = original_line(origin, exc.raw_line)
        return FileOutcome(
            errors=[FileError(path, f"syntax not supported by the parser at line {line}: {exc.message}")]
        )
    except RecursionError:
        return FileOutcome(errors=[FileError(path, "expression nesting too deep to parse; file not checked")])
    walker = Walker(settings, path, module, origin, checks, project)
    walker.original = original if origin is not None else None
    walker.sends_mail = any(token in text for token in settings.vocab.use_spec.recipient_tokens)
    try:
        walker.run()
    except RecursionError:
        return FileOutcome(errors=[FileError(path, "expression nesting too deep to analyse; file not checked")])
    if original is None:
        original = text
    observations = located_observations(walker, text, path) if walker.observations else ()
    if not walker.reports:
        # suppressions can still be unused, also in blocks the pre-filter dropped
        return FileOutcome(apply_file_suppressions([], original, path, settings), (), observations)
    return FileOutcome(_findings(walker, original, path, settings), (), observations)
