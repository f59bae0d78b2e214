"""ruff-style text: `path:line:col: GDPR101 [pii-in-log] message`."""
from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def escape(text: str) -> str:
    """Control characters and ANSI escapes from scanned code must not reach the terminal."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text).replace("\n", "\\n")


def render(result, rules, *, tool_version: str, root: str = ".", color: bool = False) -> str:
    lines = []
    for f in result.findings:
        location = f"{escape(f.path)}:{f.line}:{f.column}:"
        code = f"{f.rule} [{f.name}]"
        if color:
            location = f"\x1b[1m{location}\x1b[0m"
            code = f"\x1b[{'31' if f.severity == 'error' else '33'}m{code}\x1b[0m"
        lines.append(f"{location} {code} {escape(f.message)}")
    for e in result.errors:
        lines.append(f"{escape(e.path)}: error: {escape(e.message)}")
    return "\n".join(lines) + ("\n" if lines else "")
