"""Output formats. Each module has `render(result, rules, *, tool_version, root, color=False) -> str`."""
from __future__ import annotations

import importlib

FORMATS = {
    "text": "gdpr_lint.report.text",
    "json": "gdpr_lint.report.json_format",
}


def renderer(name: str):
    return importlib.import_module(FORMATS[name]).render
