"""Giving the C allocator's free memory back to the system between files.

A file's libcst tree and its analysis are freed when its check ends, but glibc's malloc keeps
the freed pages for the process: a long-lived worker's resident memory only grows, to about
twice what it holds (180 MB where 94 MB is in use, after django and wagtail of the speed
corpus in one process). `malloc_trim(0)` hands the free pages back. Called after a large
file, and after every few files, it costs a few milliseconds a call. Where the platform has
no glibc (macOS, Windows, musl without the symbol), nothing is done.
"""

from __future__ import annotations

from typing import Any, Optional

_TRIM_BYTES = 48_000  # a file this large frees enough to be worth a trim at once
_TRIM_EVERY = 16  # else after this many files

_libc: Any = None  # the C library's handle; False when it has no malloc_trim
_files = 0


def release_after(size: int) -> None:
    """Called after each file is checked (`size`: its bytes): trims the C heap after a large
    file, and after every _TRIM_EVERY files."""
    global _files
    _files += 1
    if size < _TRIM_BYTES and _files % _TRIM_EVERY:
        return
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def _malloc_trim() -> Optional[Any]:
    global _libc
    if _libc is None:
        _libc = False
        import sys

        if sys.platform.startswith("linux"):
            try:
                import ctypes

                libc = ctypes.CDLL(None)
                libc.malloc_trim.argtypes = [ctypes.c_size_t]
                _libc = libc
            except (OSError, AttributeError):
                _libc = False
    return _libc.malloc_trim if _libc else None
