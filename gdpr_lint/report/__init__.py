"""Output formats. Each module exposes

    render(result: RunResult, rules: Dict[str, Rule], *, tool_version: str, root: str, **options) -> str

and is imported only when chosen, so `gdpr-lint check` never pays for formats it does
not print. Reporters never re-derive anything: everything comes from the Findings.
"""

from __future__ import annotations

import functools
import importlib
import inspect
from typing import Callable

#: `--format` name -> module implementing it
FORMATS = {
    "text": "gdpr_lint.report.text",
    "json": "gdpr_lint.report.json_format",
    "sarif": "gdpr_lint.report.sarif",
    "github": "gdpr_lint.report.github",
    "gitlab": "gdpr_lint.report.gitlab",
    "junit": "gdpr_lint.report.junit",
    "markdown": "gdpr_lint.report.markdown",
}

#: `--statistics` renderer (not a `--format`: it replaces the findings listing)
STATISTICS = "gdpr_lint.report.statistics"


def get_renderer(name: str) -> Callable[..., str]:
    """The `render` function of format `name`; KeyError naming the formats otherwise."""
    try:
        module_path = FORMATS[name]
    except KeyError:
        raise KeyError(f"unknown format {name!r}; choose one of {', '.join(sorted(FORMATS))}") from None
    return importlib.import_module(module_path).render


def renderer(name: str) -> Callable[..., str]:
    """Like `get_renderer`, but options a format does not have (`color` for SARIF,
    `link_base` for text) are dropped, so the CLI can pass the same options to any format."""
    render = get_renderer(name)
    accepted = set(inspect.signature(render).parameters)

    @functools.wraps(render)
    def call(result, rules, **options) -> str:
        return render(result, rules, **{k: v for k, v in options.items() if k in accepted})

    return call
