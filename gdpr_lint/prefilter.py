"""The cheap steps before parsing: decoding, `skip-file`, and the token pre-filter.

A file whose lower-cased text contains no token that an enabled rule starts from cannot
produce a finding, so it is never parsed. The tokens come from the same catalogues the
checks use (settings.RunSettings builds the regex), so the filter cannot drift from them.
"""
from __future__ import annotations

import io
import re
import tokenize

_SKIP_FILE = re.compile(r"#\s*gdpr-lint:\s*skip-file\b")


def decode_source(data: bytes) -> str:
    """Decode as Python does (BOM, coding cookie, else UTF-8)."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    if encoding == "utf-8-sig":
        encoding = "utf-8"
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
    return data.decode(encoding)


def has_skip_file(text: str) -> bool:
    """`# gdpr-lint: skip-file` in the file's first comment block."""
    if "skip-file" not in text:
        return False
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            return False
        if _SKIP_FILE.search(stripped):
            return True
    return False


def passes(settings, text: str) -> bool:
    pattern = settings.prefilter
    return pattern is None or pattern.search(text.lower()) is not None
