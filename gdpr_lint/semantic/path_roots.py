"""Packages that put their own folder on `sys.path`: imports from inside them are absolute.

calibre-web's `calibreweb/__init__.py` runs `sys.path.insert(0, os.path.dirname(os.path.abspath(
__file__)))`, and every module under it imports `from cps import logger`: `cps` is found in
`calibreweb/`, not in the folder above the top-level package. A package folder between the top
and the importing file whose `__init__.py` inserts or appends its own folder (`__file__`'s
`dirname`) is one more root for absolute imports, after the usual ones (semantic/project.py).
"""

from __future__ import annotations

import os
import re
from typing import Dict, List

_SELF_PATH = re.compile(r"sys\.path\.(?:insert|append)\([^\n]*")
_cache: Dict[str, bool] = {}


def _registers_itself(package: str) -> bool:
    known = _cache.get(package)
    if known is not None:
        return known
    found = False
    try:
        with open(os.path.join(package, "__init__.py"), "rb") as handle:
            text = handle.read(65536).decode("utf-8", "replace")
    except OSError:
        text = ""
    if "sys.path" in text and "__file__" in text:
        # `path = os.path.dirname(os.path.abspath(__file__)); sys.path.insert(0, path)` or in one line
        found = (
            bool(_SELF_PATH.search(text))
            and re.search(r"dirname\(\s*(?:os\.path\.\w+\()?\s*__file__", text) is not None
        )
    _cache[package] = found
    return found


def self_registered_roots(top: str, folder: str) -> List[str]:
    """The package folders from just below `top` down to `folder` that put themselves on sys.path."""
    if not folder.startswith(top + os.sep):
        return []
    roots = []
    current = top
    for part in folder[len(top) + 1 :].split(os.sep):
        current = os.path.join(current, part)
        if _registers_itself(current):
            roots.append(current)
    return roots
