"""Runs the engine over many files: cache, pre-filter, worker processes, deterministic order.
One file's check is file_check.py, the worker pool workers.py, the result cache result_cache.py.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from gdpr_lint.file_check import _project_outputs, check_one, observations_of
from gdpr_lint.model import FileError, Finding, Observation, RunResult
from gdpr_lint.result_cache import ResultCache
from gdpr_lint.workers import _size, analyse_in_workers
from gdpr_lint._memory import release_after

# below this many files to analyse, worker processes cost more than they save
PARALLEL_THRESHOLD = 24


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

    # (the project's files are listed only if a cached result depends on them)
    spelling = _spelling_index(index, cache_dir)
    if index is not None and cache is not None:
        # once the index is current (a cached result asked it), the scans read only the files it names
        index.known_spellers = lambda words: spelling.made.spellers(words) if spelling.made is not None else None
    digest = ContentDigests((lambda: index.scan.fingerprint()) if index is not None else None, spelling)
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
    if cache is not None:
        digest.prepare(dep for _findings, _errors, deps in results for dep in deps)
    for (_path, display, key), (file_findings, file_errors, deps) in zip(pending, results):
        findings.extend(file_findings)
        errors.extend(file_errors)
        observations.extend(observations_of(file_findings))
        if cache is not None and key:
            cache.put(key, display, file_findings, file_errors, {dep: digest(dep) for dep in deps})
    if cache is not None:
        cache.save(keys)
        if spelling.made is not None:
            spelling.made.save()
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


class _Lazy:
    """The spelling index (spelling_index.py), made when a dependency first needs it."""

    def __init__(self, make: Callable):
        self.made = None
        self._make = make

    def __call__(self):
        if self.made is None:
            self.made = self._make()
        return self.made


def _spelling_index(index, cache_dir: Optional[Path]) -> _Lazy:
    def make():
        from gdpr_lint.spelling_index import SpellingIndex

        return SpellingIndex(cache_dir, index.roots, index.scan.listed)

    return _Lazy(make)


def _project_index(settings, cache_dir: Optional[Path]):
    """The run's project index (semantic/project.py), rooted at the configuration's folder;
    forked workers inherit it with the settings."""
    from gdpr_lint.semantic.project import ProjectIndex
    from gdpr_lint.summary_cache import SummaryCache

    cache = SummaryCache(cache_dir) if cache_dir is not None else None
    settings.project = ProjectIndex([settings.config.root], settings.kb.tables, cache=cache)
    return settings.project


def _analyse(pending, settings, jobs: int, use_prefilter: bool, progress):
    if jobs <= 1 or len(pending) < PARALLEL_THRESHOLD:
        out = []
        for path, display, _ in pending:
            file_findings, file_errors = check_one(path, display, settings, use_prefilter)
            deps, _ = _project_outputs(settings, display)
            out.append((file_findings, file_errors, deps))
            release_after(_size(path))  # the file's tree freed: its pages go back to the system
            if progress:
                progress(1)
        return out
    return analyse_in_workers(pending, settings, jobs, use_prefilter, progress)


def _apply_per_file_ignores(findings: List[Finding], settings) -> List[Finding]:
    if not settings.config.per_file_ignores:
        return findings
    return [f for f in findings if f.rule not in settings.ignored_for(f.path)]  # findings or observations
