"""The command line (click). It and `commands`, which does what the commands do, are the
only places that print or exit; `entry` is the console script in front of both."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from gdpr_lint import __version__
from gdpr_lint.commands import _fail, _load_baseline, _run, _settings, require_cwd
from gdpr_lint.commands import check as run_check
from gdpr_lint.config import ConfigError, load_config
from gdpr_lint.model import SEVERITIES
from gdpr_lint.report import FORMATS


class _Group(click.Group):
    """click's usage errors take four lines (usage, a hint, a blank line, the error); the
    contract is one line naming the problem and exit code 2, as for a bad config."""

    def main(self, *args, **kwargs):
        kwargs["standalone_mode"] = False
        try:
            code = super().main(*args, **kwargs)
        except click.UsageError as exc:
            if type(exc).__name__ == "NoArgsIsHelpError":  # a bare group: its help, as before
                exc.show()
                sys.exit(exc.exit_code)
            where = exc.ctx.command_path if exc.ctx is not None else "gdpr-lint"
            _fail(f"{exc.format_message()} (see `{where} --help`)")
        except click.ClickException as exc:
            _fail(exc.format_message())
        except click.Abort:  # Ctrl-C: 130 as a shell reports SIGINT, since 1 would read as "findings"
            from gdpr_lint.entry import exit_interrupted

            click.echo("Aborted!", err=True)
            exit_interrupted()
        sys.exit(code if isinstance(code, int) else 0)  # --help, --version: click's Exit code


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="gdpr-lint", message="%(prog)s %(version)s")
def main() -> None:
    """Static analysis for GDPR-sensitive Python code.

    Flags personal data written to logs and other outputs (GDPR1xx), data stored in or
    sent to regions outside the allowed jurisdictions (GDPR2xx), and retention beyond the
    configured limits (GDPR3xx).
    """


def _stacked(*decorators):
    """One decorator that applies ``decorators`` as if they were stacked in this order."""

    def apply(command):
        for decorator in reversed(decorators):
            command = decorator(command)
        return command

    return apply


# The options that check, inventory and the baseline commands share, defined once.
_PATHS = click.argument("paths", nargs=-1, type=click.Path(path_type=str))
_CONFIG = click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=str),
    help="Use this config file instead of discovering one.",
)
_RULE_SELECTION = _stacked(
    click.option(
        "--select",
        multiple=True,
        help="Rule codes, prefixes or names to enable (replaces the configured select). Comma-separated or repeated.",
    ),
    click.option("--extend-select", multiple=True, help="Rules to enable in addition to the configured select."),
    click.option(
        "--ignore", multiple=True, help="Rule codes, prefixes or names to disable (added to the configured ignore)."
    ),
)
_FORCE_EXCLUDE = click.option(
    "--force-exclude", is_flag=True, help="Apply excludes to files named on the command line too (pre-commit)."
)
_NO_CACHE = click.option("--no-cache", is_flag=True, help="Neither read nor write the result cache.")
_CACHE_DIR = click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=str),
    help="Folder of the result cache (default: .gdpr_lint_cache in the project root).",
)
_JOBS = click.option(
    "--jobs", "-j", type=click.IntRange(min=0), default=0, help="Worker processes (default 0: one per available CPU)."
)


def _output_file(what: str):
    return click.option(
        "--output-file",
        "-o",
        type=click.Path(dir_okay=False, path_type=str),
        help=f"Write the {what} to this file instead of standard output.",
    )


@main.command()
@_PATHS
@_CONFIG
@_RULE_SELECTION
@click.option(
    "--format",
    "output_format",
    type=click.Choice(list(FORMATS)),
    default="text",
    show_default=True,
    help="Output format.",
)
@_output_file("report")
@_FORCE_EXCLUDE
@click.option("--stdin-filename", help="The name used in findings for a file read from standard input (`-`).")
@_NO_CACHE
@_CACHE_DIR
@_JOBS
@click.option("--exit-zero", is_flag=True, help="Exit with 0 even when there are findings.")
@click.option(
    "--fail-on",
    type=click.Choice(list(SEVERITIES)),
    help="Lowest severity that makes the exit code 1 (default: any finding).",
)
@click.option(
    "--min-confidence",
    metavar="low|medium|high",
    help="Report only findings at least this sure (default: medium, or the `min-confidence` config key).",
)
@click.option(
    "--statistics",
    is_flag=True,
    help="Print the number of findings per rule instead of the findings (a table, or JSON with --format json).",
)
@click.option("--quiet", "-q", is_flag=True, help="Print no summary on standard error.")
@click.option(
    "--baseline",
    "baseline_path",
    type=click.Path(dir_okay=False, path_type=str),
    help="Report and fail only on findings not in this baseline file (default: the `baseline` config key).",
)
@click.option(
    "--diff",
    "diff_ref",
    metavar="REF",
    help="Report only findings on lines added or changed since the merge base with git REF.",
)
@click.option(
    "--show-settings",
    is_flag=True,
    help="Print which config file each checked file uses and the settings it resolves to, then exit.",
)
@click.option(
    "--no-prefilter",
    is_flag=True,
    hidden=True,
    help="Parse every file (for testing that the pre-filter changes nothing).",
)
def check(**options):
    """Check PATHS (files or folders, default `.`; `-` reads standard input)."""
    run_check(**options)


@main.command()
@_PATHS
@_CONFIG
@_RULE_SELECTION
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["markdown", "json", "csv"]),
    default="markdown",
    show_default=True,
    help="Output format (a --diff: markdown or json).",
)
@_output_file("inventory")
@click.option(
    "--write",
    is_flag=True,
    help="Write the data map (gdpr-data-map.json at the project root) that `check` compares the code with (GDPR004).",
)
@click.option(
    "--diff",
    "diff_ref",
    metavar="REF",
    help="Show what the working tree adds, removes and changes against the merge base with git REF.",
)
@_FORCE_EXCLUDE
@_NO_CACHE
@_CACHE_DIR
@_JOBS
@click.option("--quiet", "-q", is_flag=True, help="Print nothing on standard error but errors.")
def inventory(**options):
    """List the personal data the code in PATHS handles: categories and where they enter,
    where each goes, recipients and regions, lifetimes (a draft of the Art. 30 record)."""
    from gdpr_lint.inventory.command import inventory as run_inventory

    if options["diff_ref"] is not None and options["output_format"] == "csv":
        _fail("inventory --diff prints markdown or json, not csv")
    run_inventory(**options)


# paths, --config/--select/--extend-select/--ignore, --baseline and the run options of the
# commands that accept findings into a baseline
_selection_options = _stacked(
    _PATHS,
    _CONFIG,
    _RULE_SELECTION,
    click.option(
        "--baseline",
        "baseline_path",
        type=click.Path(dir_okay=False, path_type=str),
        help="The baseline file (default: the `baseline` config key, else .gdpr-lint-baseline.json in the project root).",
    ),
    _FORCE_EXCLUDE,
    _NO_CACHE,
    _JOBS,
)


@main.group()
def baseline():
    """Accept the current findings, so `check --baseline` fails only on new ones.

    The baseline is written only by these commands, never by `check` or the pre-commit hook.
    """


def _baseline_run(paths, config_path, select, extend_select, ignore, baseline_path, force_exclude, no_cache, jobs):
    from gdpr_lint.baseline import BASELINE_FILENAME

    settings = _settings(config_path, select, extend_select, ignore, no_cache, paths=paths)
    path = baseline_path or settings.config.baseline or str(Path(settings.config.root) / BASELINE_FILENAME)
    result, checked = _run(paths, settings, force_exclude=force_exclude, no_cache=no_cache, jobs=jobs)
    for error in result.errors:
        kind = "internal error" if error.internal else "not checked"
        click.echo(f"gdpr-lint: {kind}: {error.path}: {error.message}", err=True)
    if any(error.internal for error in result.errors):
        _fail("baseline not written: the run had internal errors")
    return result, checked, path


def _save_baseline(data, path: str) -> None:
    from gdpr_lint.baseline import save

    try:
        save(data, path)
    except OSError as exc:
        _fail(f"cannot write {path}: {exc.strerror or exc}")


@baseline.command("create")
@_selection_options
def baseline_create(paths, config_path, select, extend_select, ignore, baseline_path, force_exclude, no_cache, jobs):
    """Write a baseline accepting every current finding in PATHS (default `.`)."""
    from gdpr_lint.baseline import create

    result, _, path = _baseline_run(
        paths, config_path, select, extend_select, ignore, baseline_path, force_exclude, no_cache, jobs
    )
    data = create(result.findings, root=os.path.dirname(os.path.abspath(path)), tool_version=__version__)
    _save_baseline(data, path)
    n = len(data.entries)
    click.echo(f"wrote {path}: {n} finding{'s' if n != 1 else ''} accepted", err=True)


@baseline.command("update")
@_selection_options
@click.option("--add-new", is_flag=True, help="Also accept findings that are not in the baseline yet.")
def baseline_update(
    paths, config_path, select, extend_select, ignore, baseline_path, force_exclude, no_cache, jobs, add_new
):
    """Drop baseline entries whose finding is gone (fixed); keep the others.

    New findings are not added unless --add-new is given, so an update can never hide a new leak.
    """
    from gdpr_lint.baseline import update

    result, checked, path = _baseline_run(
        paths, config_path, select, extend_select, ignore, baseline_path, force_exclude, no_cache, jobs
    )
    existing = _load_baseline(path)
    data, dropped, new = update(
        existing, result.findings, tool_version=__version__, checked_paths=checked, add_new=add_new
    )
    _save_baseline(data, path)
    message = f"updated {path}: {len(dropped)} stale entr{'ies' if len(dropped) != 1 else 'y'} dropped, {len(data.entries)} kept"
    if new:
        message += f", {len(new)} new finding{'s' if len(new) != 1 else ''} " + (
            "accepted" if add_new else "not accepted (fix them, or use --add-new)"
        )
    click.echo(message, err=True)


@main.command()
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=str),
    help="Include the rule packs of this config.",
)
def rules(output_format, config_path):
    """List every rule: code, name, default severity, summary."""
    kb = _knowledge(config_path)
    if output_format == "json":
        import json

        click.echo(
            json.dumps(
                [
                    {
                        "code": r.code,
                        "name": r.name,
                        "severity": r.severity,
                        "family": r.family,
                        "default_enabled": r.default_enabled,
                        "summary": r.summary,
                        "gdpr": r.gdpr,
                    }
                    for r in kb.rules.values()
                ],
                indent=2,
            )
        )
        return
    width = max((len(r.name) for r in kb.rules.values()), default=10)
    for rule in kb.rules.values():
        optin = "" if rule.default_enabled else " (opt-in)"
        click.echo(f"{rule.code}  {rule.name:<{width}}  {rule.severity:<7}  {rule.summary}{optin}")


def _knowledge(config_path):
    from gdpr_lint.knowledge import KnowledgeError, load

    require_cwd()
    try:
        config = load_config(config_path)
        return load(config.rule_packs)
    except (ConfigError, KnowledgeError) as exc:
        _fail(str(exc))


@main.command()
@click.argument("code")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=str),
    help="Include the rule packs of this config.",
)
def explain(code, config_path):
    """Print a rule's documentation (CODE is a code such as GDPR101 or a name such as pii-in-log)."""
    kb = _knowledge(config_path)
    rule = kb.rules.get(code.upper()) or kb.by_name.get(code) or kb.by_name.get(code.lower())
    if rule is None:
        from gdpr_lint.hints import did_you_mean

        _fail(f'no rule "{code}"{did_you_mean(code, list(kb.rules) + list(kb.by_name))}; `gdpr-lint rules` lists them')
    click.echo(render_rule_doc(rule))


def _confidence_doc(rule) -> str:
    """The low/medium/high scale every finding carries, and what it means for this rule."""
    scale = (
        "Every finding carries a confidence, low, medium or high, and the reason for it in its facts "
        "(JSON `facts.confidence_reason`, SARIF `properties.precision`). Findings below medium are "
        'not reported unless `min-confidence = "low"` ([tool.gdpr-lint]) or `--min-confidence low`.'
    )
    return scale + ("\n\n" + rule.confidence_notes.strip() if rule.confidence_notes.strip() else "")


def render_rule_doc(rule) -> str:
    out = [
        f"# {rule.code} {rule.name}",
        "",
        f"{rule.summary}.",
        "",
        f"Default severity: {rule.severity}" + ("" if rule.default_enabled else " (opt-in: select it to enable)"),
        f"GDPR: {rule.gdpr}",
        "",
    ]
    for title, body, code in (
        ("What it does", rule.what, False),
        ("Why is this bad", rule.why, False),
        ("Example", rule.example, True),
        ("Use instead", rule.use_instead, True),
        ("Configuration", rule.configuration, False),
        ("Confidence", _confidence_doc(rule), False),
    ):
        if not body.strip():
            continue
        out.append(f"## {title}")
        out.append("")
        out.append(f"```python\n{body.strip()}\n```" if code else body.strip())
        out.append("")
    return "\n".join(out).rstrip() + "\n"
