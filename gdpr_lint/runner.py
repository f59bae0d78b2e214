"""Runs the engine over many files: cache, pre-filter, worker processes, deterministic order."""

from __future__ import annotations

import gc
import json
import os
import signal
import stat
import sys
import time
import zlib
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from gdpr_lint._lazy import sha256
from gdpr_lint.cache_store import ShardedStore
from gdpr_lint.model import FileError, FileFindings, Finding, Observation, RunResult

PER_FILE_SECONDS = 60
# below this many files to analyse, worker processes cost more than they save
PARALLEL_THRESHOLD = 24
# the workers' start method: fork where the platform has it (they inherit the parsed rule
# packs and the project index); None is the platform's default (spawn on macOS and Windows)
START_METHOD: Optional[str] = "fork"


class FileTimeout(Exception):
    pass


def _read_text(data: bytes, path: str):
    """(text, None) or (None, FileError/Finding-producing message)."""
    from gdpr_lint.prefilter import decode_source

    try:
        return decode_source(data), None
    except (UnicodeDecodeError, SyntaxError, LookupError) as exc:
        return None, f"cannot decode file: {exc}"


def analyze_bytes(data: bytes, display: str, settings, use_prefilter: bool = True, path: Optional[str] = None):
    """(findings, errors) for one file's bytes; never raises for bad input. `path`: the
    file on disk, for the project index (`settings.project`) to resolve its imports from."""
    from gdpr_lint.prefilter import has_skip_file
    from gdpr_lint.prefilter_blocks import MAX_DEPTH, only_newer_syntax, python_syntax, relevant_blocks, too_deep

    text, problem = _read_text(data, display)
    if text is None:
        return [_undecodable(settings, display, problem)], []
    if has_skip_file(text):
        return _skipped_file_hygiene(text, display, settings), []
    # one scan of the text finds the anchors it has: they decide the file, then its blocks
    token_filter = settings.prefilter.narrowed(text) if use_prefilter and settings.prefilter is not None else None
    if token_filter is not None and not token_filter.passes_span(0, len(text)):
        if "gdpr-lint:" in text:  # its suppressions can only be unused
            from gdpr_lint.engine.outcome import apply_file_suppressions

            return apply_file_suppressions([], text, display, settings), []
        return [], []
    tree, problem = python_syntax(text)
    if tree is None and not only_newer_syntax(problem):
        from gdpr_lint.engine.outcome import syntax_error

        line, column, message = problem
        return [syntax_error(settings, display, line, column, message)], []
    if tree is not None and too_deep(text, tree):
        return [], [FileError(display, f"expressions nested more than {MAX_DEPTH} levels deep; file not checked")]
    from gdpr_lint.engine.analyze import analyze_source  # libcst is imported only when a file needs parsing

    project = _file_project(settings, tree, path, display, data)
    reduce = token_filter is not None and tree is not None
    source, origin = relevant_blocks(text, token_filter, tree) if reduce else (text, None)
    del tree
    # only the checks with an anchor in the file can find anything in it
    checks = settings.checks_for(token_filter.owners_present()) if token_filter is not None else None
    outcome = analyze_source(
        source, display, settings, problem, origin=origin, original=text, checks=checks, project=project
    )
    if project is not None:
        project.index.forget_tree(project.path)
        if project.deps:
            project.index.deps_of[display] = project.deps - {project.path}
    return FileFindings.of(outcome.findings, outcome.observations), outcome.errors


def _file_project(settings, tree, path: Optional[str], display: str, data: bytes):
    """The project index as this file sees it, its own summary made from CPython's tree
    (parsed from `data`, the file's bytes)."""
    if tree is None:
        return None
    from gdpr_lint.semantic.project import ProjectIndex
    from gdpr_lint.semantic.project_use import FileProject

    index = getattr(settings, "project", None)
    if index is None or path is None:
        # one text (standard input, a test): its own functions only, no other file is read
        index = ProjectIndex((), settings.kb.tables, local_only=True)
        path = path or display

    project = FileProject(index, path, display)
    index.register(project.path, tree, data if index is getattr(settings, "project", None) else None)
    return project


def _skipped_file_hygiene(text: str, display: str, settings) -> List[Finding]:
    if not settings.config.require_justification:
        return []
    from gdpr_lint import suppressions

    return suppressions.skipped_file_hygiene(
        suppressions.parse_suppressions(text),
        path=display,
        enabled=settings.enabled_for(display),
        require_justification=True,
        rules=settings.kb.rules,
    )


def _undecodable(settings, display: str, problem: str) -> Finding:
    from gdpr_lint.engine.outcome import syntax_error

    return syntax_error(settings, display, 1, 1, problem)


def _on_main_thread() -> bool:
    """Whether this is the main thread; a process that never imported threading started no
    thread with it (the pre-commit run of a few files does not import it at all)."""
    threading = sys.modules.get("threading")
    return threading is None or threading.current_thread() is threading.main_thread()


def _with_budget(seconds: int, fn: Callable, *args):
    """Run fn with a wall-clock budget where the platform allows (main thread, SIGALRM)."""
    usable = hasattr(signal, "SIGALRM") and _on_main_thread()
    if not usable or seconds <= 0:
        return fn(*args)

    def on_alarm(signum, frame):
        raise FileTimeout()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return fn(*args)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def check_one(path: str, display: str, settings, use_prefilter: bool = True, budget: int = PER_FILE_SECONDS):
    """Read and analyse one file: (findings, errors). Problems become entries, not exceptions."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return [], [FileError(display, "not a regular file (a pipe, device or socket); not checked")]
        with open(path, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        return [], [FileError(display, "no such file (deleted, or a link to nothing)")]
    except IsADirectoryError:
        return [], [FileError(display, "is a folder, not a file")]
    except OSError as exc:
        return [], [FileError(display, f"cannot read file: {exc.strerror or exc}")]
    return check_data(data, display, settings, use_prefilter, budget, path=path)


def check_data(
    data: bytes,
    display: str,
    settings,
    use_prefilter: bool = True,
    budget: int = PER_FILE_SECONDS,
    path: Optional[str] = None,
):
    # A syntax tree is hundreds of thousands of objects, and Python's cycle collector
    # would run every few hundred of them: it is paused while one file is analysed (about
    # a tenth of the run), and the file's cyclic garbage is collected right after.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _check_data(data, display, settings, use_prefilter, budget, path)
    finally:
        if collecting:
            gc.enable()
            gc.collect(0)


def _check_data(data: bytes, display: str, settings, use_prefilter: bool, budget: int, path: Optional[str] = None):
    try:
        return _with_budget(budget, analyze_bytes, data, display, settings, use_prefilter, path)
    except FileTimeout:
        return [], [FileError(display, f"analysis took longer than the {budget}-second budget; file not checked")]
    except RecursionError:
        return [], [FileError(display, "file nesting too deep to analyse; file not checked")]
    except MemoryError:
        return [], [FileError(display, "ran out of memory analysing this file; file not checked")]
    except Exception as exc:  # noqa: BLE001 - an internal error is reported with the file, never swallowed (exit 2)
        if _raised_during_interrupt(exc):
            raise KeyboardInterrupt from None  # Ctrl-C stops the run, whatever a cleanup raised on its way
        return [], [FileError(display, f"internal error: {type(exc).__name__}: {exc}", internal=True)]


def _raised_during_interrupt(exc: BaseException) -> bool:
    """Whether the exception was raised while a Ctrl-C unwound (a `finally:` in libcst's
    position tracking raises KeyError when the interrupt cut the code generation short)."""
    seen = 0
    context = exc.__context__
    while context is not None and seen < 20:
        if isinstance(context, KeyboardInterrupt):
            return True
        context, seen = context.__context__, seen + 1
    return False


# ---- worker processes -------------------------------------------------------------------

_WORKER_SETTINGS = None


def _init_worker(settings_args) -> None:
    global _WORKER_SETTINGS
    # Ctrl-C reaches the whole process group: the parent stops the run and reports it once;
    # each worker printing its own KeyboardInterrupt traceback is noise
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if _WORKER_SETTINGS is not None:
        return  # forked from the parent, which set it: the rule packs are parsed already
    from gdpr_lint.settings import RunSettings

    (config, select, ignore, extend_select, cache_dir), project = settings_args
    settings: Any = RunSettings(config, select, ignore, extend_select, cache_dir)
    _WORKER_SETTINGS = settings
    if project is not None:  # a spawned worker: its own project index over the same roots and cache
        from gdpr_lint.semantic.project import ProjectIndex
        from gdpr_lint.summary_cache import SummaryCache

        roots, summaries, scratch = project
        cache = SummaryCache(Path(summaries)) if summaries is not None else None
        settings.project = ProjectIndex(roots, settings.kb.tables, cache=cache)
        if scratch is not None:
            from gdpr_lint.summary_cache import RunSummaries

            settings.project.shared = RunSummaries(scratch)


def _work(item: Tuple[str, str, bool]):
    path, display, use_prefilter = item
    findings, errors = check_one(path, display, _WORKER_SETTINGS, use_prefilter)
    deps, summaries = _project_outputs(_WORKER_SETTINGS, display, drain=True)
    return (
        display,
        [dict(f.to_dict(), source=f.source) for f in findings],
        [(e.path, e.message, e.internal) for e in errors],
        [o.to_dict() for o in observations_of(findings)],
        deps,
        summaries,
    )


def observations_of(findings) -> List[Observation]:
    """The observations that came with one file's findings (none for a file not parsed)."""
    return getattr(findings, "observations", [])


def _project_outputs(settings, display: str, drain: bool = False):
    """(files the check of `display` read through the project index, summaries this
    process made since the last call) for the parent's caches."""
    index = getattr(settings, "project", None)
    if index is None:
        return (), {}
    deps = sorted(index.deps_of.pop(display, ()))
    return deps, index.cache.drain() if drain and index.cache is not None else {}


# ---- cache --------------------------------------------------------------------------------


class ResultCache(ShardedStore):
    """Results by sha256(path + content), in a folder per settings digest, sharded by path:
    a pre-commit run on two files reads and writes two small files, not the whole cache.

    Each shard is written atomically at the end of a run; a read-only or missing folder
    just means no cache. Concurrent runs each write complete shards, the last one wins. A
    run replaces the entries of the files it checked and keeps the others, so the hook on
    two files does not throw away what a full run cached for the rest.

    Nothing grows for ever: an entry records the day a run last read its file, and a shard
    written again drops the entries of files no run has read for STALE_DAYS (deleted or
    renamed files); a run that writes also removes what other settings (an older version, a
    changed config) left in the folder and nothing has touched for STALE_DAYS."""

    SHARDS = 64
    STALE_DAYS = 30

    def __init__(self, folder: Optional[Path], digest: str):
        ShardedStore.__init__(self, folder / f"results-{digest[:24]}" if folder else None)
        self.dirty: set = set()

    @staticmethod
    def key(display: str, data: bytes) -> str:
        return sha256(display.encode("utf-8", "surrogatepass") + b"\0" + data).hexdigest()

    @classmethod
    def shard(cls, display: str) -> str:
        return "%02x" % (zlib.crc32(display.encode("utf-8", "surrogatepass")) % cls.SHARDS)

    def get(self, key: str, display: str, digest=None) -> Optional[Tuple[List[Finding], List[FileError]]]:
        """The cached (findings, errors) of a file; None when absent or not readable as an
        entry (a damaged file, or one written by another build of the same version), or
        when a file its analysis read through the project index has changed since (`digest`:
        path -> sha256 of its content now)."""
        if self.root is None:
            return None
        hit = self._entries(self.shard(display)).get(key)
        if hit is None:
            return None
        try:
            for dep, known in (hit.get("d") or {}).items():
                if digest is None or digest(dep) != known:
                    return None
            return (
                FileFindings.of(_from_dicts(hit["f"]), [Observation.from_dict(o) for o in hit["o"]]),
                [FileError(p, m) for p, m in hit["e"]],
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            return None

    def put(
        self,
        key: str,
        display: str,
        findings: List[Finding],
        errors: List[FileError],
        deps: Optional[Dict[str, Optional[str]]] = None,
    ) -> None:
        if self.root is None or any(e.internal for e in errors):
            return
        shard = self.shard(display)
        entry: Dict[str, Any] = {
            "p": display,
            "f": [dict(f.to_dict(), source=f.source) for f in findings],
            "e": [[e.path, e.message] for e in errors],
            "o": [o.to_dict() for o in observations_of(findings)],
        }
        if deps:
            entry["d"] = deps
        self._entries(shard)[key] = entry
        self.dirty.add(shard)

    def save(self, checked: Dict[str, str]) -> None:
        """checked: cache key -> display path of each file this run read."""
        if self.root is None or not self.dirty:
            return
        today = int(time.time() // 86400)
        paths = set(checked.values())
        for shard in sorted(self.dirty):
            entries = {}
            for key, entry in self.shards[shard].items():
                if not isinstance(entry, dict):
                    continue  # a shard of the wrong shape: its entries are misses
                if key in checked:
                    entries[key] = dict(entry, s=today)
                elif entry.get("p") not in paths:
                    seen = entry.get("s", today)
                    if not isinstance(seen, int) or seen >= today - self.STALE_DAYS:
                        entries[key] = entry
            self._write(shard, entries)
        self._remove_stale_siblings(time.time() - self.STALE_DAYS * 86400)

    def _remove_stale_siblings(self, before: float) -> None:
        """Result folders and start-up caches of other settings, untouched since `before`."""
        assert self.root is not None  # called by save() only when there is a folder
        try:
            siblings = [
                p
                for p in self.root.parent.iterdir()
                if p != self.root and p.name.startswith(("results-", "knowledge-", "prefilter-"))
            ]
        except OSError:
            return
        for path in siblings:
            try:
                if path.lstat().st_mtime >= before:
                    continue
                if path.is_dir() and not path.is_symlink():
                    import shutil  # rarely needed: not on the hook's start-up path

                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink()
            except OSError:
                pass  # another run removed it, or the folder is read-only: the next run tries again


# ---- the run -----------------------------------------------------------------------------


def _from_dicts(findings: List[dict]) -> List[Finding]:
    return [Finding.from_dict(f) for f in findings]


def run(
    files: Sequence[Tuple[str, str]],
    settings,
    *,
    jobs: int = 0,
    cache_dir: Optional[Path] = None,
    use_prefilter: bool = True,
    progress: Optional[Callable] = None,
) -> RunResult:
    """files: (absolute path, display path). Results are sorted, whatever the job count."""
    cache = ResultCache(cache_dir, settings.digest) if cache_dir is not None else None
    index = _project_index(settings, cache_dir)
    from gdpr_lint.summary_cache import ContentDigests

    digest = ContentDigests()
    findings: List[Finding] = []
    errors: List[FileError] = []
    observations: List[Observation] = []
    pending: List[Tuple[str, str, str]] = []  # path, display, cache key
    keys: Dict[str, str] = {}
    for path, display in files:
        if cache is None:
            pending.append((path, display, ""))
            continue
        try:
            if not stat.S_ISREG(os.stat(path).st_mode):
                raise IsADirectoryError(path)
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:
            pending.append((path, display, ""))  # check_one reports why it cannot be read
            continue
        key = ResultCache.key(display, data)
        keys[key] = display
        hit = cache.get(key, display, digest)
        if hit is not None:
            findings.extend(hit[0])
            errors.extend(hit[1])
            observations.extend(observations_of(hit[0]))
        else:
            pending.append((path, display, key))
    jobs = jobs or (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
    results = _analyse(pending, settings, jobs, use_prefilter, progress)
    for (_path, display, key), (file_findings, file_errors, deps) in zip(pending, results):
        findings.extend(file_findings)
        errors.extend(file_errors)
        observations.extend(observations_of(file_findings))
        if cache is not None and key:
            cache.put(key, display, file_findings, file_errors, {dep: digest(dep) for dep in deps})
    if cache is not None:
        cache.save(keys)
    if index is not None:
        if index.cache is not None:
            index.cache.save()
        settings.project = None
    findings = _apply_per_file_ignores(findings, settings)
    findings.sort(key=Finding.sort_key)
    errors.sort(key=lambda e: (e.path, e.message))
    return RunResult(
        findings=findings,
        errors=errors,
        files=len(files),
        observations=sort_observations(observations_kept(observations, settings)),
    )


def observations_kept(observations: List[Observation], settings) -> List[Observation]:
    """per-file-ignores apply to observations as to findings; the engine's own (where data
    enters, no rule) are dropped where every rule is off (`"tests/**" = ["GDPR"]`)."""
    if not settings.config.per_file_ignores:
        return observations
    kept = []
    for observation in observations:
        ignored = settings.ignored_for(observation.path)
        if observation.rule not in ignored if observation.rule else settings.enabled - ignored:
            kept.append(observation)
    return kept


def sort_observations(observations: List[Observation]) -> List[Observation]:
    return sorted(observations, key=lambda o: (o.path, o.line, o.kind, o.scope, json.dumps(o.facts, sort_keys=True)))


CHUNK = 4  # files handed to a worker at a time
# Windows' wait for process handles takes at most 63: ProcessPoolExecutor refuses more than 61
MAX_WINDOWS_WORKERS = 61


def worker_count(jobs: int, files: int) -> int:
    """Worker processes to start. The pool forks all of them up front, so `--jobs 1000` on a
    2-core machine forked a thousand processes for a few dozen files; never more than
    there are chunks of work (nor than Windows allows)."""
    count = max(1, min(jobs, -(-files // CHUNK)))
    return min(count, MAX_WINDOWS_WORKERS) if os.name == "nt" else count


def _project_index(settings, cache_dir: Optional[Path]):
    """The run's project index (semantic/project.py), rooted at the configuration's folder;
    forked workers inherit it with the settings."""
    from gdpr_lint.semantic.project import ProjectIndex
    from gdpr_lint.summary_cache import SummaryCache

    cache = SummaryCache(cache_dir) if cache_dir is not None else None
    settings.project = ProjectIndex([settings.config.root], settings.kb.tables, cache=cache)
    return settings.project


def _analyse(pending, settings, jobs: int, use_prefilter: bool, progress):
    global _WORKER_SETTINGS
    if jobs <= 1 or len(pending) < PARALLEL_THRESHOLD:
        out = []
        for path, display, _ in pending:
            file_findings, file_errors = check_one(path, display, settings, use_prefilter)
            deps, _ = _project_outputs(settings, display)
            out.append((file_findings, file_errors, deps))
            if progress:
                progress(1)
        return out
    import multiprocessing

    # biggest files first so one huge file does not leave a core idle at the end
    order = sorted(range(len(pending)), key=lambda i: -_size(pending[i][0]))
    method = START_METHOD if START_METHOD in multiprocessing.get_all_start_methods() else None
    context = multiprocessing.get_context(method)
    index = getattr(settings, "project", None)
    project = None
    scratch = _share_summaries(index)
    if index is not None:  # what a spawned worker needs to make the same index
        folder = index.cache.root.parent if index.cache is not None and index.cache.root is not None else None
        project = (list(index.roots), str(folder) if folder is not None else None, scratch)
    args = ((settings.config,) + tuple(settings.select_args) + (settings.cache_dir,), project)
    # forked workers inherit it; spawned ones make their own (_init_worker)
    forked = context.get_start_method() == "fork"
    _WORKER_SETTINGS = settings if forked else None
    if forked:
        _preload()
    try:
        return _pool_run(pending, settings, jobs, use_prefilter, progress, order, context, args)
    finally:
        if forked:
            gc.unfreeze()
        if index is not None and scratch is not None:
            index.shared = None
            import shutil

            shutil.rmtree(scratch, ignore_errors=True)


# what every worker imports for its first file to check (libcst among them, 0.18 s of CPU)
_WORKER_MODULES = (
    "gdpr_lint.engine.analyze",
    "gdpr_lint.semantic.project_use",
    "gdpr_lint.semantic.summary_classes",
    "gdpr_lint.analysis.command_helpers",
)


def _preload() -> None:
    """Before the workers fork: the modules each would import, imported once here, and the
    objects made so far (rule packs, modules) frozen out of the cycle collector's reach, so
    a worker's collections neither walk them nor copy the memory pages they sit on."""
    import importlib

    for name in _WORKER_MODULES:
        importlib.import_module(name)
    gc.freeze()


def _share_summaries(index) -> Optional[str]:
    """A scratch folder through which the workers hand each other the module summaries they
    make (summary_cache.RunSummaries), set on the index the forked workers inherit; None
    when there is no index or no folder can be made."""
    if index is None:
        return None
    import tempfile

    from gdpr_lint.summary_cache import RunSummaries

    try:
        scratch = tempfile.mkdtemp(prefix="gdpr-lint-summaries-", dir=_memory_folder())
    except OSError:
        return None
    index.shared = RunSummaries(scratch)
    return scratch


# a folder in memory (Linux): a summary written there costs a quarter of the CPU it costs on
# a journalling disk's /tmp (ext4: 0.22 ms a file against 0.06 ms, measured), and no I/O
_MEMORY_FOLDER = "/dev/shm"


def _memory_folder() -> Optional[str]:
    """Where the run's scratch folder goes: the folder in memory when there is one this
    process may write, else the platform's temporary folder (None)."""
    if os.environ.get("TMPDIR"):
        return None  # the user chose where temporary files go
    if os.path.isdir(_MEMORY_FOLDER) and os.access(_MEMORY_FOLDER, os.W_OK | os.X_OK):
        return _MEMORY_FOLDER
    return None


def _pool_run(pending, settings, jobs: int, use_prefilter: bool, progress, order, context, args):
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    results: Dict[int, tuple] = {}
    try:
        with ProcessPoolExecutor(
            max_workers=worker_count(jobs, len(pending)), mp_context=context, initializer=_init_worker, initargs=(args,)
        ) as pool:
            items = [(pending[i][0], pending[i][1], use_prefilter) for i in order]
            try:
                for index, (_display, finding_dicts, error_tuples, observed, deps, summaries) in zip(
                    order, pool.map(_work, items, chunksize=CHUNK)
                ):
                    results[index] = (
                        FileFindings.of(_from_dicts(finding_dicts), [Observation.from_dict(o) for o in observed]),
                        [FileError(p, m, internal) for p, m, internal in error_tuples],
                        deps,
                    )
                    project = getattr(settings, "project", None)
                    if summaries and project is not None and project.cache is not None:
                        project.cache.new.update(summaries)
                    if progress:
                        progress(1)
            except KeyboardInterrupt:
                # the workers ignore Ctrl-C (one message, not one traceback each): stop them
                # now rather than let the pool's shutdown wait for their current files. The
                # pool's manager thread then finds them gone and, in CPython 3.11, fails on
                # the futures Ctrl-C cancelled (InvalidStateError): the run is over, be quiet
                _quiet_executor_manager_thread()
                for process in list((getattr(pool, "_processes", None) or {}).values()):
                    process.terminate()
                raise
    except BrokenProcessPool:
        # a worker died (killed, or a crash in native code): the files it had are reported,
        # never silently passed over
        for index in range(len(pending)):
            if index not in results:
                results[index] = (
                    [],
                    [
                        FileError(
                            pending[index][1],
                            "a worker process died while checking this "
                            "file or one near it; run with --jobs 1 to find which",
                            internal=True,
                        )
                    ],
                    (),
                )
    return [results[i] for i in range(len(pending))]


def _quiet_executor_manager_thread() -> None:
    import threading

    previous = threading.excepthook

    def hook(args) -> None:
        if type(args.thread).__name__ != "_ExecutorManagerThread":
            previous(args)

    threading.excepthook = hook


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def _apply_per_file_ignores(findings: List[Finding], settings) -> List[Finding]:
    if not settings.config.per_file_ignores:
        return findings
    return [f for f in findings if f.rule not in settings.ignored_for(f.path)]  # findings or observations
