"""Output formats. Each module exposes

    render(result: RunResult, rules: Dict[str, Rule], *, tool_version: str, root: str, **options) -> str

and is imported only when chosen, so `gdpr-lint check` never pays for formats it does
not print. Reporters never re-derive anything: everything comes from the Findings.
"""

from __future__ import annotations

import functools
import importlib
import os
from typing import Callable, Mapping, Optional

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
    code = render.__code__  # a plain function: its parameters, without importing inspect
    accepted = set(code.co_varnames[: code.co_argcount + code.co_kwonlyargcount])

    @functools.wraps(render)
    def call(result, rules, **options) -> str:
        return render(result, rules, **{k: v for k, v in options.items() if k in accepted})

    return call


def github_link_base(env: Mapping[str, str] = os.environ) -> Optional[str]:
    """`https://github.com/OWNER/REPO/blob/SHA` inside GitHub Actions, else None (the base
    of the links the markdown format puts on each `path:line`)."""
    server, repo, sha = env.get("GITHUB_SERVER_URL"), env.get("GITHUB_REPOSITORY"), env.get("GITHUB_SHA")
    if server and repo and sha:
        return f"{server.rstrip('/')}/{repo}/blob/{sha}"
    return None
