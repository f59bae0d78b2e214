"""What the commands do, without click: the console script runs the common pre-commit
call (`check` with paths and plain flags) straight from here, so it never pays for
loading click; every other call goes through `gdpr_lint.cli`, which uses these too."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import List, NoReturn, Optional, Tuple

from gdpr_lint import __version__
from gdpr_lint._records import replace
from gdpr_lint.config import ConfigError, load_config, with_overrides
from gdpr_lint.model import RunResult

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def echo_err(message: str) -> None:
    """One line on standard error, as click's echo to stderr prints it."""
    sys.stdout.flush()
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def _fail(message: str) -> "NoReturn":
    echo_err(f"gdpr-lint: error: {message}")
    sys.exit(EXIT_ERROR)


def _split(values: Tuple[str, ...]) -> Tuple[str, ...]:
    out: List[str] = []
    for value in values:
        out.extend(part.strip() for part in value.split(",") if part.strip())
    return tuple(out)


def _use_color(stream) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return hasattr(stream, "isatty") and stream.isatty()


def _cache_folder(config, no_cache: bool, cache_dir: Optional[str]) -> Optional[Path]:
    if no_cache:
        return None
    return Path(cache_dir or config.cache_dir or Path(config.root) / ".gdpr_lint_cache")


def require_cwd() -> None:
    """Config discovery and display paths start from the working directory: one that was
    deleted under the shell made every command an 'internal error' in pathlib."""
    try:
        os.getcwd()
    except OSError as exc:
        _fail(f"the working directory cannot be read ({exc.strerror or exc}; was it deleted?): cd into the project")


def _settings(config_path, select, extend_select, ignore, no_cache=False, cache_dir=None, paths=(), **overrides):
    """The run's own settings (a SettingsTree finds the others from each file upward)."""
    from gdpr_lint.settings import RunSettings
    from gdpr_lint.settings_tree import SettingsTree, discovery_start

    from gdpr_lint import config_cache

    require_cwd()

    # config files parsed in an earlier run come from the start-up cache (config_cache.py)
    config_cache.ACTIVE = parses = None if no_cache else config_cache.ParseCache(cache_dir)
    try:
        if config_path is None:
            shared = discovery_start(paths, Path.cwd()) if paths else None
            config = load_config(str(shared)) if shared is not None else load_config(None)
        else:
            config = load_config(config_path)
        config = with_overrides(config, **overrides)
        settings = RunSettings(
            config,
            _split(select) or None,
            _split(ignore),
            _split(extend_select),
            _cache_folder(config, no_cache, cache_dir),
        )
        settings.tree = SettingsTree(settings, explicit=config_path is not None, overrides=overrides)
        if parses is not None:
            parses.save(settings.cache_dir)
        return settings
    except ConfigError as exc:
        _fail(str(exc))
    finally:
        config_cache.ACTIVE = None


def check(
    paths=(),
    config_path=None,
    select=(),
    extend_select=(),
    ignore=(),
    output_format="text",
    output_file=None,
    force_exclude=False,
    stdin_filename=None,
    no_cache=False,
    cache_dir=None,
    jobs=0,
    exit_zero=False,
    fail_on=None,
    min_confidence=None,
    statistics=False,
    quiet=False,
    baseline_path=None,
    diff_ref=None,
    no_prefilter=False,
    show_settings=False,
) -> "NoReturn":
    """The `check` command; the defaults are the command line's."""
    if statistics:
        from gdpr_lint.report.statistics import FORMATS as STATISTICS_FORMATS

        if output_format not in STATISTICS_FORMATS:
            _fail(f"--statistics prints a table (text) or JSON, not --format {output_format}")
    if min_confidence is not None:
        from gdpr_lint.model import CONFIDENCES

        if min_confidence not in CONFIDENCES:
            _fail(f'--min-confidence must be one of {", ".join(CONFIDENCES)}, not "{min_confidence}"')
    settings = _settings(
        config_path,
        select,
        extend_select,
        ignore,
        no_cache,
        cache_dir,
        paths=paths,
        fail_on=fail_on,
        min_confidence=min_confidence,
    )
    config = settings.config
    if show_settings:
        _show_settings(paths, settings, force_exclude)
    changed = _changed_lines(diff_ref) if diff_ref is not None else None  # `--diff ""` is an error, not off
    baseline = _load_baseline(baseline_path or config.baseline)
    result, checked = _run(
        paths,
        settings,
        force_exclude=force_exclude,
        stdin_filename=stdin_filename,
        no_cache=no_cache,
        cache_dir=cache_dir,
        jobs=jobs,
        no_prefilter=no_prefilter,
        show_progress=output_format == "text" and not quiet,
    )
    from gdpr_lint.gate import apply_gate, exit_code

    result = _with_data_map(result, settings, checked, paths)
    result = apply_gate(result, baseline=baseline, changed=changed, checked_paths=checked)
    result = replace(result, fail_on=config.fail_on)
    _emit(result, settings, output_format, output_file, statistics)
    if not quiet:
        _summary(result)
    for error in result.errors:
        if error.internal:
            echo_err(f"gdpr-lint: internal error in {error.path}: {error.message}")
    sys.exit(exit_code(result, fail_on=config.fail_on, exit_zero=exit_zero))


def _with_data_map(result: RunResult, settings, checked: List[str], paths) -> RunResult:
    """GDPR004: the committed data map (gdpr-data-map.json at the project root) against
    the code's inventory; nothing to do, and nothing imported, when there is no map."""
    if "GDPR004" not in settings.enabled or not (Path(settings.config.root) / "gdpr-data-map.json").is_file():
        return result
    from gdpr_lint.inventory.command import data_map_findings
    from gdpr_lint.inventory.datamap import DataMapError

    try:
        extra = data_map_findings(result, settings, checked, paths)
    except DataMapError as exc:
        _fail(str(exc))
    result.findings = sorted(result.findings + extra, key=lambda f: f.sort_key())
    return result


def _changed_lines(ref: str):
    from gdpr_lint.diffmode import DiffError, changed_lines

    try:
        return changed_lines(ref, os.getcwd())
    except DiffError as exc:
        _fail(str(exc))


def _load_baseline(path: Optional[str]):
    if not path:
        return None
    from gdpr_lint.baseline import BaselineError, load

    try:
        return load(path)
    except BaselineError as exc:
        _fail(str(exc))


def _run(
    paths,
    settings,
    *,
    force_exclude=False,
    stdin_filename=None,
    no_cache=False,
    cache_dir=None,
    jobs=0,
    no_prefilter=False,
    show_progress=False,
) -> Tuple[RunResult, List[str]]:
    """Collect and check the files: (result, display paths of the files checked)."""
    config = settings.config
    from gdpr_lint import file_check, runner
    from gdpr_lint.files import FileCollector, display_path

    cwd = Path.cwd()
    if "" in paths:  # pathlib reads "" as ".": `check "$FILES"` with FILES unset checked the whole tree
        _fail("an empty path was given (an unset variable?); name files or folders, or `.`")
    # --stdin-filename alone means standard input (as in ruff), not "check the whole folder"
    paths = list(paths) or (["-"] if stdin_filename is not None else ["."])
    if stdin_filename is not None and "-" not in paths:
        _fail("--stdin-filename names the file read from standard input: pass `-` as the path")
    if "-" in paths:
        if len(paths) > 1:
            _fail("`-` (standard input) cannot be combined with other paths")
        data = sys.stdin.buffer.read()
        display = stdin_filename or "-"
        if stdin_filename and force_exclude:
            collector = FileCollector(
                Path(config.root),
                tuple(config.exclude) + tuple(config.extend_exclude),
                config.respect_gitignore,
                force_exclude,
            )
            if collector.excludes_named_file(Path(stdin_filename).absolute()):
                return RunResult([], [], 0), []
        findings, errors = file_check.check_data(data, display, settings, not no_prefilter)
        result = RunResult(
            sorted(findings, key=lambda f: f.sort_key()),
            list(errors),
            1,
            observations=runner.sort_observations(file_check.observations_of(findings)),
        )
        if stdin_filename:
            result.observations = runner.observations_kept(result.observations, settings)
        result.findings = (
            runner._apply_per_file_ignores(result.findings, settings) if stdin_filename else result.findings
        )
        return result, [display]
    missing = [p for p in paths if not Path(p).exists() and not Path(p).is_symlink()]
    if missing and len(missing) == len(paths):
        _fail(f"{missing[0]}: no such file or folder")
    groups = _collect(paths, settings, force_exclude)
    pairs = [(str(f), display_path(f, cwd)) for _, files in groups for f in files]
    progress_bar = None
    show_progress = show_progress and sys.stderr.isatty() and len(pairs) > 200 and not os.environ.get("CI")
    if show_progress:
        import click

        progress_bar = click.progressbar(length=len(pairs), label="checking", file=sys.stderr)
        progress_bar.__enter__()
    results = []
    try:
        for group_settings, files in groups:
            results.append(
                runner.run(
                    [(str(f), display_path(f, cwd)) for f in files],
                    group_settings,
                    jobs=jobs,
                    cache_dir=_cache_folder(group_settings.config, no_cache, cache_dir),
                    use_prefilter=not no_prefilter,
                    progress=progress_bar.update if progress_bar else None,
                )
            )
    finally:
        if progress_bar is not None:
            progress_bar.__exit__(None, None, None)
    return _merged(results), [display for _, display in pairs]


def _collect(paths, settings, force_exclude: bool):
    """[(settings, files)]: the files of each named path, walked with the excludes of the
    config nearest to that path, then grouped by the config nearest to each file."""
    from gdpr_lint.files import FileCollector

    tree = settings.tree
    if tree is None:
        from gdpr_lint.settings_tree import SettingsTree

        tree = settings.tree = SettingsTree(settings, explicit=True)
    by_walk: dict = {}
    for raw in paths:
        path = Path(raw)
        folder = path if path.is_dir() else path.parent
        try:
            walk_settings = tree.for_folder(folder.absolute())
        except ConfigError as exc:
            _fail(str(exc))
        by_walk.setdefault(id(walk_settings), (walk_settings, []))[1].append(raw)
    files = []
    for walk_settings, named in by_walk.values():
        config = walk_settings.config
        collector = FileCollector(
            Path(config.root),
            tuple(config.exclude) + tuple(config.extend_exclude),
            config.respect_gitignore,
            force_exclude,
        )
        files.extend(collector.collect(named))
        for warning in collector.warnings:
            echo_err(f"gdpr-lint: warning: {warning}")
    try:
        return tree.group(files)
    except ConfigError as exc:
        _fail(str(exc))


def _merged(results: List[RunResult]) -> RunResult:
    if len(results) == 1:
        return results[0]
    findings = sorted((f for r in results for f in r.findings), key=lambda f: f.sort_key())
    errors = sorted((e for r in results for e in r.errors), key=lambda e: (e.path, e.message))
    from gdpr_lint.runner import sort_observations

    return RunResult(
        findings=findings,
        errors=errors,
        files=sum(r.files for r in results),
        observations=sort_observations([o for r in results for o in r.observations]),
    )


def _show_settings(paths, settings, force_exclude: bool) -> "NoReturn":
    """`--show-settings`: which config file each group of the checked files uses, and the
    settings it resolves to; nothing is checked."""
    from gdpr_lint.files import display_path
    from gdpr_lint.settings_tree import describe_settings

    groups = _collect(list(paths) or ["."], settings, force_exclude) if "-" not in paths else [(settings, [])]
    if not groups:
        groups = [(settings, [])]
    cwd = Path.cwd()
    out = []
    for group_settings, files in groups:
        shown = ", ".join(display_path(f, cwd) for f in files[:3]) + (", ..." if len(files) > 3 else "")
        out.append(f"# {len(files)} file{'s' if len(files) != 1 else ''}" + (f": {shown}" if files else ""))
        out.extend(describe_settings(group_settings))
        out.append("")
    sys.stdout.write("\n".join(out))
    sys.stdout.flush()
    sys.exit(EXIT_CLEAN)


def _emit(result: RunResult, settings, output_format: str, output_file: Optional[str], statistics: bool) -> None:
    import importlib

    if output_format == "text" and not statistics and not result.findings and not result.errors:
        text = ""  # what report/text.py renders for a clean run (a pre-commit run's usual one)
    elif statistics:
        from gdpr_lint.report import STATISTICS

        text = importlib.import_module(STATISTICS).render(
            result, settings.kb.rules, tool_version=__version__, root=settings.config.root, output_format=output_format
        )
    else:
        from gdpr_lint.report import github_link_base, renderer

        stream = sys.stdout if output_file is None else None
        text = renderer(output_format)(
            result,
            settings.kb.rules,
            tool_version=__version__,
            root=settings.config.root,
            color=output_format == "text" and stream is not None and _use_color(stream),
            link_base=github_link_base(),
        )
    if output_file is None:
        sys.stdout.flush()
        # file names need not be valid UTF-8: undecodable bytes come out escaped, not as a crash
        sys.stdout.buffer.write(text.encode("utf-8", "backslashreplace"))
        sys.stdout.flush()
        return
    _write_atomic(Path(output_file), text)


def _write_atomic(path: Path, text: str) -> None:
    from gdpr_lint.gate import write_output

    try:
        write_output(text, str(path))
    except OSError as exc:
        _fail(f"cannot write {path}: {exc.strerror or exc}")


def _summary(result: RunResult) -> None:
    """The run in words on standard error: what was found where, what was checked, and
    why the exit code is what it is (gdpr_lint.report.summary, shared by every format)."""
    from gdpr_lint.report.summary import summarize

    summary = summarize(result)
    if not summary.files_checked and not summary.not_checked:
        echo_err("gdpr-lint: warning: no Python file was checked (all excluded, git-ignored, or none there)")
    echo_err(summary.headline())
    for note in summary.notes():
        echo_err(note)
