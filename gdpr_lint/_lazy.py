"""A module proxy that imports on first attribute access.

Check modules reach libcst through it so that loading the checks (to build the
pre-filter) does not import libcst: a pre-commit run on files that cannot match
then never pays for it. After the first access the real module's names are copied
onto the proxy, so later lookups cost what a normal module attribute costs.
"""

from __future__ import annotations

import importlib
import types


class _LazyModule(types.ModuleType):
    def __init__(self, name: str):
        super().__init__(name)
        self._target = name

    def __getattr__(self, attr: str):
        module = importlib.import_module(self._target)
        self.__dict__.update(module.__dict__)
        return getattr(module, attr)


cst = _LazyModule("libcst")


_SHA256 = None


def sha256(data: bytes = b""):
    """hashlib.sha256 without loading OpenSSL (hashlib's first import costs a few
    milliseconds, a tenth of a one-file run): CPython's own built-in SHA-256 gives the
    same digests. Found once: a failed import is not remembered, so trying it per call
    would search the path every time."""
    global _SHA256
    if _SHA256 is None:
        try:
            from _sha2 import sha256 as impl  # Python 3.12+
        except ImportError:
            try:
                from _sha256 import sha256 as impl  # Python 3.9-3.11
            except ImportError:  # other interpreters
                from hashlib import sha256 as impl
        _SHA256 = impl
    return _SHA256(data)
