"""Worker processes: the files of a run shared out over a process pool (forked where the
platform allows, so that each worker inherits the parsed rule packs and the project index),
their results handed back in the run's order.
"""

from __future__ import annotations

import gc
import os
import signal
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

from gdpr_lint._memory import release_after
from gdpr_lint.file_check import _project_outputs, check_one, observations_of
from gdpr_lint.model import FileError, FileFindings, Observation
from gdpr_lint.result_cache import _from_dicts

# the workers' start method: fork where the platform has it (they inherit the parsed rule
# packs and the project index); None is the platform's default (spawn on macOS and Windows)
START_METHOD: Optional[str] = "fork"

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
    release_after(_size(path))  # the file's tree freed: its pages go back to the system
    return (
        display,
        [dict(f.to_dict(), source=f.source) for f in findings],
        [(e.path, e.message, e.internal) for e in errors],
        [o.to_dict() for o in observations_of(findings)],
        deps,
        summaries,
    )


CHUNK = 4  # files handed to a worker at a time
# Windows' wait for process handles takes at most 63: ProcessPoolExecutor refuses more than 61
MAX_WINDOWS_WORKERS = 61


def worker_count(jobs: int, files: int) -> int:
    """Worker processes to start. The pool forks all of them up front, so `--jobs 1000` on a
    2-core machine forked a thousand processes for a few dozen files; never more than
    there are chunks of work (nor than Windows allows)."""
    count = max(1, min(jobs, -(-files // CHUNK)))
    return min(count, MAX_WINDOWS_WORKERS) if os.name == "nt" else count


def analyse_in_workers(pending, settings, jobs: int, use_prefilter: bool, progress):
    """(findings, errors, files read through the project index) of each pending file, in
    order, checked by a pool of worker processes."""
    global _WORKER_SETTINGS
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
        _scan_project(index, settings)
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


def _scan_project(index, settings) -> None:
    """The project-wide scans that the check of nearly every project asks for once (which
    functions its commands call, where it registers error handlers), made before the workers
    fork, so that they inherit the answers (and the list of the project's files) instead of
    each process reading and parsing the same files again. Each answer is what the first
    file to ask would get (the same memo, semantic/project_resolve.py `_tracked`)."""
    if index is None or index.local_only:
        return
    from gdpr_lint.analysis.command_callers import command_callees, command_modules
    from gdpr_lint.semantic.project_registered import project_registrations

    modules = command_modules(settings.kb.tables)
    if index.known_spellers is None:  # (no result cache: no spelling index) the scans' words
        index.scan.prepare_spellers()  # looked up in memory, by every worker (semantic/spelled_files.py)
    if modules:
        command_callees(index, modules)
    project_registrations(index)


def _preload() -> None:
    """Before the workers fork: the objects made so far (rule packs, settings, the project
    index) frozen out of the cycle collector's reach, so a worker's collections neither
    walk them nor copy the memory pages they sit on. The engine and libcst are not imported
    here for the workers (each imports them for its first file, 0.18 s of CPU): pages the
    parent holds count in the resident set of every process, and the benchmark's peak
    memory of the process tree (the sum) was at its 300 MiB limit with them (300.0 MiB on
    the corpus; 295.0 without, same run)."""
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
    workers = worker_count(jobs, len(pending))
    # forked, the parent is one of the workers: it checks chunks of files itself between
    # handing them out, so one process fewer holds a copy of its pages, the engine and the
    # project's summaries (the run's peak memory is the sum over the processes)
    shared = context.get_start_method() == "fork" and workers > 1

    def keep(index: int, outcome: tuple) -> None:
        _display, finding_dicts, error_tuples, observed, deps, summaries = outcome
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

    try:
        with ProcessPoolExecutor(
            max_workers=workers - 1 if shared else workers,
            mp_context=context,
            initializer=_init_worker,
            initargs=(args,),
        ) as pool:
            items = [(pending[i][0], pending[i][1], use_prefilter) for i in order]
            try:
                if shared:
                    _share_out(pool, order, items, workers - 1, keep)
                else:
                    for index, outcome in zip(order, pool.map(_work, items, chunksize=CHUNK)):
                        keep(index, outcome)
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


def _share_out(pool, order, items, others: int, keep) -> None:
    """The chunks of files, in order, to the pool's `others` workers and to this process:
    each worker has two chunks queued at most; this process takes the next chunk whenever
    the workers have theirs, and waits only when no chunk is left."""
    from concurrent.futures import FIRST_COMPLETED, wait

    chunks = [range(start, min(start + CHUNK, len(items))) for start in range(0, len(items), CHUNK)]
    queued: Dict[Any, range] = {}
    taken = 0

    def collect(done) -> None:
        for future in done:
            for position, outcome in zip(queued.pop(future), future.result()):
                keep(order[position], outcome)

    while taken < len(chunks) or queued:
        collect([future for future in list(queued) if future.done()])
        while taken < len(chunks) and len(queued) < 2 * others:
            queued[pool.submit(_work_chunk, [items[i] for i in chunks[taken]])] = chunks[taken]
            taken += 1
        if taken < len(chunks):
            for position in chunks[taken]:
                keep(order[position], _work(items[position]))
            taken += 1
        elif queued:
            done, _ = wait(list(queued), return_when=FIRST_COMPLETED)
            collect(done)


def _work_chunk(chunk):
    return [_work(item) for item in chunk]


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
