"""The JSON contract of DESIGN.md (extra keys: confidence, facts)."""
from __future__ import annotations

import json


def render(result, rules, *, tool_version: str, root: str = ".", color: bool = False) -> str:
    document = {
        "tool": "gdpr-lint",
        "version": tool_version,
        "findings": [f.to_dict() for f in result.findings],
        "errors": [e.to_dict() for e in result.errors],
        "summary": {"files": result.files, "findings": len(result.findings), "errors": len(result.errors)},
    }
    return json.dumps(document, indent=2, ensure_ascii=True) + "\n"
