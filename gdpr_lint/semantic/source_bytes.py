"""Reading another file of the project for the project index and its scans: only a regular
file, never blocking (a named pipe or a device named `*.py` in the project would wait for a
writer for ever), and only up to a size."""

from __future__ import annotations

import os
import stat
from typing import Optional


def read_source(path: str, limit: int) -> Optional[bytes]:
    """The bytes of the regular file at `path`, or None: not a regular file, larger than
    `limit` bytes, or not readable."""
    try:
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        with os.fdopen(handle, "rb", closefd=False) as stream:
            data = stream.read(limit + 1)
    except OSError:
        return None
    finally:
        os.close(handle)
    return data if len(data) <= limit else None
