"""Files opened as logs ([[objects.conditional-factories]] with `modes`): `open("audit.log", "a")`
is a log, what is written or printed into it is written to a log (GDPR101)."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from gdpr_lint.analysis.names import split_words
from gdpr_lint.syntax.nodes import dotted_name


def opened_kind(constant, call: cst.Call, entry: dict) -> Optional[str]:
    """The kind of a file opened for writing as a log: its path ends with one of the
    entry's `path-suffixes` (`open("audit.log", "a")`, `os.path.join(LOG_DIR, "access.log")`),
    or it, or the name holding it, spells one of its `path-words` and is opened to append
    (`open(log_path, "a")`, `open("audit_trail.txt", "a")`); its mode starts with one of `modes`."""
    path = mode = None
    for position, arg in enumerate(call.args):
        name = arg.keyword.value if arg.keyword is not None else ("file", "mode")[position] if position < 2 else ""
        if name == "file":
            path = arg.value
        elif name == "mode":
            folded = constant(arg.value)
            mode = folded.value if folded is not None and isinstance(folded.value, str) else None
    if path is None or mode is None or not mode.startswith(tuple(entry.get("modes", ()))):
        return None
    while type(path) is cst.Call and path.args and path.args[-1].keyword is None:
        path = path.args[-1].value  # `os.path.join(LOG_DIR, "access.log")`: its last part
    folded = constant(path)
    text = folded.value if folded is not None and isinstance(folded.value, str) else None
    if text is None and type(path) is cst.FormattedString and path.parts:
        last = path.parts[-1]
        text = last.value if type(last) is cst.FormattedStringText else None
    if text is not None and text.lower().endswith(tuple(entry.get("path-suffixes", ()))):
        return entry["kind"]
    words = split_words(text if text is not None else dotted_name(path) or "")
    if mode.startswith("a") and not frozenset(entry.get("path-words", ())).isdisjoint(words):
        return entry["kind"]
    return None
