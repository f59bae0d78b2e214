"""`gdpr-lint inventory` and the data-map comparison `check` makes (GDPR004)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Dict, List, Optional

from gdpr_lint import __version__
from gdpr_lint.inventory.datamap import MAP_FILENAME, DataMapError, compare, describe, load_map, render_map
from gdpr_lint.inventory.describe import Describer
from gdpr_lint.inventory.entries import Entry, build
from gdpr_lint.model import Finding

if TYPE_CHECKING:
    from gdpr_lint.settings import RunSettings

GDPR004 = "GDPR004"


def map_path(config) -> Path:
    """The data map sits at the project root: where the configuration was found (the
    working directory when there is none)."""
    return Path(config.root) / MAP_FILENAME


def entries_of(result, config, cwd: Optional[Path] = None, tables: Optional[dict] = None) -> List[Entry]:
    """The run's entries, keyed by paths relative to the project root. With the knowledge's
    `tables`, test, example and demo code (rules/confidence.toml file roles, judged from the
    project root as check judges them) is left out, as check leaves out its findings, unless
    `min-confidence = "low"`: a test's made-up customer is no processing to record."""
    root = Path(config.root).resolve()
    cwd = (cwd or Path.cwd()).resolve()

    def relative(display: str) -> str:
        absolute = Path(display) if os.path.isabs(display) else cwd / display
        try:
            return Path(os.path.relpath(absolute, root)).as_posix()
        except ValueError:  # another drive (Windows)
            return Path(display).as_posix()

    entries = build(result.observations, relative)
    if tables is None or getattr(config, "min_confidence", "medium") == "low":
        return entries
    from gdpr_lint.analysis.confidence import file_role

    return [e for e in entries if file_role(e.path, tables) is None]


def describer_for(settings, entries: List[Entry]) -> Describer:
    """Names for the entries; a service's place is where this code sends it when it says so."""
    places: Dict[str, str] = {}
    for entry in entries:
        if entry.kind == "recipient":
            places.setdefault(entry.facts["recipient"], entry.facts["place"])
    return Describer(settings.kb, places)


def policy_text(config) -> str:
    return ", ".join(config.residency.allowed_jurisdictions) if hasattr(config, "residency") else "EU, EEA"


def render_inventory(entries, settings, output_format: str, files: int) -> str:
    from gdpr_lint.inventory import render

    describer = describer_for(settings, entries)
    if output_format == "json":
        return render.as_json(entries, describer, files=files, version=__version__)
    if output_format == "csv":
        return render.as_csv(entries, describer)
    return render.markdown(entries, describer, files=files, policy=policy_text(settings.config))


# ---- GDPR004 --------------------------------------------------------------------------------


def data_map_findings(result, settings, checked: List[str], paths) -> List[Finding]:
    """GDPR004: one finding per difference between the code and the committed map (none
    when there is no map, or the rule is off). See `scope_for_partial_run` for what a run
    on some files compares."""
    from gdpr_lint.inventory.datamap import scope_for_partial_run

    path = map_path(settings.config)
    if GDPR004 not in settings.enabled or not path.is_file():
        return []
    old, lines = load_map(path)
    new = entries_of(result, settings.config, tables=settings.kb.tables)
    root, cwd = Path(settings.config.root).resolve(), Path.cwd().resolve()
    walked = any(os.path.isdir(p) for p in (paths or ["."]) if p != "-")
    scope = scope_for_partial_run(checked, walked, root, cwd, old)
    looked = _kinds_looked_at(settings)
    old = [e for e in old if e.path in scope and e.kind in looked]
    new = [e for e in new if e.path in scope and e.kind in looked]
    describer = describer_for(settings, new)
    rule = settings.kb.rules[GDPR004]
    display_map = _display(path, cwd)
    findings = []
    from gdpr_lint.baseline import fingerprint

    for change in compare(old, new):
        text = describe(change, describer)
        if change.sign == "-" or not change.entry.evidence:
            where, line = display_map, lines.get(change.entry.key, 1)
        else:
            evidence_path, line = change.entry.evidence[0]
            where = _display(root / evidence_path, cwd)
        message = f"{MAP_FILENAME} is outdated: {text}"
        findings.append(
            Finding(
                GDPR004,
                rule.name,
                rule.severity,
                where,
                line,
                1,
                line,
                1,
                message,
                (),
                "high",
                fingerprint(GDPR004, where, text, 0),
                text,
                {"change": change.sign, "text": text, "entry": change.entry.to_map()},
            )
        )
    return [f for f in findings if GDPR004 not in settings.ignored_for(f.path)]


# the rule family whose check makes each kind of entry (None: the engine, always)
KIND_FAMILIES = {
    "data": None,
    "sent": "exposure",
    "stored": "retention",
    "recipient": "residency",
    "region": "residency",
    "lifetime": "retention",
    "no-expiry": "retention",
}


def _kinds_looked_at(settings) -> set:
    """The kinds of entries this run's rule selection produces: a run with GDPR1xx ignored
    sees no flows to logs, which does not make the map's flows outdated."""
    families = {settings.kb.rules[code].family for code in settings.enabled}
    return {kind for kind, family in KIND_FAMILIES.items() if family is None or family in families}


def _display(path: Path, cwd: Path) -> str:
    try:
        return Path(os.path.relpath(path, cwd)).as_posix()
    except ValueError:
        return path.as_posix()


# ---- the command ----------------------------------------------------------------------------


def inventory(
    paths=(),
    config_path=None,
    select=(),
    extend_select=(),
    ignore=(),
    output_format="markdown",
    output_file=None,
    write=False,
    diff_ref=None,
    force_exclude=False,
    no_cache=False,
    cache_dir=None,
    jobs=0,
    quiet=False,
) -> None:
    from gdpr_lint.commands import EXIT_CLEAN, EXIT_ERROR, _fail, _run, _settings, _write_atomic, echo_err

    if write and diff_ref is not None:
        _fail("--write and --diff do different things: write the map, or compare with a ref")
    settings = _settings(config_path, select, extend_select, ignore, no_cache, cache_dir, paths=paths)
    result, checked = _run(
        paths, settings, force_exclude=force_exclude, no_cache=no_cache, cache_dir=cache_dir, jobs=jobs
    )
    for error in result.errors:
        echo_err(f"gdpr-lint: {'internal error' if error.internal else 'not checked'}: {error.path}: {error.message}")
    internal = any(error.internal for error in result.errors)
    entries = entries_of(result, settings.config, tables=settings.kb.tables)
    if write:
        if internal:
            _fail("data map not written: the run had internal errors")
        target = map_path(settings.config)
        if paths and list(paths) != ["."] and target.is_file():
            entries = _merged_with_map(entries, target, checked, paths, settings)
        _write_atomic(target, render_map(entries))
        if not quiet:
            echo_err(f"wrote {_display(target, Path.cwd())}: {len(entries)} entr{'ies' if len(entries) != 1 else 'y'}")
        sys.exit(EXIT_ERROR if internal else EXIT_CLEAN)
    if diff_ref is not None:
        text = _diff_against(diff_ref, paths, settings, entries, output_format, force_exclude, jobs)
    else:
        text = render_inventory(entries, settings, output_format, result.files)
    if output_file is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(text.encode("utf-8", "backslashreplace"))
        sys.stdout.flush()
    else:
        _write_atomic(Path(output_file), text)
    sys.exit(EXIT_ERROR if internal else EXIT_CLEAN)


def _merged_with_map(entries, target: Path, checked, paths, settings) -> List[Entry]:
    """`inventory --write some/files`: those files' entries replace theirs in the map; the
    others' stay as they were."""
    from gdpr_lint.commands import _fail
    from gdpr_lint.inventory.datamap import scope_for_partial_run

    try:
        old, _ = load_map(target)
    except DataMapError as exc:
        _fail(str(exc))
    root, cwd = Path(settings.config.root).resolve(), Path.cwd().resolve()
    scope = scope_for_partial_run(checked, any(os.path.isdir(p) for p in paths), root, cwd, old)
    kept = [e for e in old if e.path not in scope]
    merged = {e.key: e for e in kept}
    merged.update({e.key: e for e in entries})
    return sorted(merged.values(), key=Entry.sort_key)


def _diff_against(
    ref: str, paths, settings: RunSettings, entries, output_format: str, force_exclude: bool, jobs: int
) -> str:
    """The inventory of the merge base of REF and HEAD (its files read from git, checked
    with this run's configuration) compared with the working tree's."""
    import tempfile

    from gdpr_lint._records import replace
    from gdpr_lint.commands import _fail, _run
    from gdpr_lint.diffmode import DiffError, merge_base, repository_root
    from gdpr_lint.inventory import render
    from gdpr_lint.settings import RunSettings

    cwd = Path.cwd().resolve()
    try:
        top = Path(repository_root(str(cwd))).resolve()
        base = merge_base(ref, str(cwd))
    except DiffError as exc:
        _fail(str(exc).replace("--diff", "inventory --diff"))
    root = Path(settings.config.root).resolve()
    with tempfile.TemporaryDirectory(prefix="gdpr-lint-base-") as folder:
        _export_tree(top, base, Path(folder))
        base_root = Path(folder) / os.path.relpath(root, top)
        base_cwd = Path(folder) / os.path.relpath(cwd, top)
        base_cwd.mkdir(parents=True, exist_ok=True)
        config = replace(settings.config, root=str(base_root))
        base_settings = RunSettings(config, *settings.select_args, cache_dir=None)
        previous = os.getcwd()
        os.chdir(base_cwd)
        try:
            existing = [p for p in paths if os.path.exists(p)]  # files the branch adds are not at the base
            before = []
            if existing or not paths:
                base_result, _ = _run(existing, base_settings, force_exclude=force_exclude, no_cache=True, jobs=jobs)
                before = entries_of(base_result, config, base_cwd, tables=base_settings.kb.tables)
        finally:
            os.chdir(previous)
    changes = compare(before, entries)
    describer = describer_for(settings, entries)
    if output_format == "json":
        return render.diff_json(changes, describer, ref=ref)
    return render.diff_markdown(changes, describer, ref=ref)


def _export_tree(top: Path, commit: str, into: Path) -> None:
    """The commit's files (git archive), without touching the working tree or the index."""
    import io
    import tarfile

    from gdpr_lint.commands import _fail
    from gdpr_lint.diffmode import _git, _GitFailed

    try:
        data = _git(["archive", "--format=tar", commit], str(top))
    except _GitFailed as exc:
        _fail(f"inventory --diff: git archive failed: {exc}")
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        members = [m for m in archive.getmembers() if m.isfile() or m.isdir()]  # no links out of the folder
        if hasattr(tarfile, "data_filter"):
            archive.extractall(into, members=members, filter="data")
        else:
            archive.extractall(into, members=members)
