"""The name of this gdpr-lint's code in its caches: the version number and a fingerprint of its
modules (each one's path, size and modification time).

The version number alone does not say which code wrote a cache: a pre-commit hook moved to
another commit, `pip install git+...@main` or an editable checkout all keep 0.1.0 while the
analysis changes, and a cache written by other code would hand back that code's findings for
every unchanged file. A stat of the package's ~120 modules costs well under a millisecond.
"""

from __future__ import annotations

import os
from functools import lru_cache

from gdpr_lint import __version__
from gdpr_lint._lazy import sha256  # hashlib's import loads OpenSSL: a few ms of every start


@lru_cache(maxsize=1)
def code_version() -> str:
    """`0.1.0+<16 hex digits>`: equal for two runs of the same installed code."""
    root = os.path.dirname(os.path.abspath(__file__))
    entries = []
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as found:
                for entry in found:
                    if entry.is_dir(follow_symlinks=False):
                        if entry.name != "__pycache__":
                            stack.append(entry.path)
                    elif entry.name.endswith(".py"):
                        stat = entry.stat()
                        entries.append(f"{os.path.relpath(entry.path, root)}\0{stat.st_size}\0{stat.st_mtime_ns}")
        except OSError:
            continue  # an unreadable folder: the fingerprint of what could be read
    digest = sha256("\n".join(sorted(entries)).encode("utf-8", "surrogatepass")).hexdigest()
    return f"{__version__}+{digest[:16]}"
