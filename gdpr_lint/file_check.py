"""One file's check: read, decode, pre-filter, parse, analyse, within a time budget;
problems become entries, never exceptions. The runner (runner.py) calls it for each file,
in this process or in a worker (workers.py).
"""

from __future__ import annotations

import gc
import os
import signal
import stat
import sys
from typing import Callable, List, Optional

from gdpr_lint.model import FileError, FileFindings, Finding, Observation

PER_FILE_SECONDS = 60


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
    from gdpr_lint.parse_guards import MAX_DEPTH, only_newer_syntax, python_syntax, too_deep
    from gdpr_lint.prefilter_blocks import relevant_blocks
    from gdpr_lint.prefilter_classes import dumps_a_record

    text, problem = _read_text(data, display)
    if text is None:
        return [_undecodable(settings, display, problem)], []
    if has_skip_file(text):
        return _skipped_file_hygiene(text, display, settings), []
    # one scan of the text finds the anchors it has: they decide the file, then its blocks
    token_filter = settings.prefilter.narrowed(text) if use_prefilter and settings.prefilter is not None else None
    passed = token_filter is None or token_filter.passes_span(0, len(text))
    # `print(vars(profile))`: a person's record dumped whole, though no word of the file names data
    record = not passed and token_filter is not None and dumps_a_record(token_filter, text)
    passed = passed or record
    # a person's id the project binds from a login (`student_id`) is a token of this project
    project, logins = _login_names(settings, text, path, display) if token_filter is not None else (None, frozenset())
    if not passed and not logins:
        if project is not None and project.deps:
            project.index.deps_of[display] = project.deps - {project.path}
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

    project = _file_project(settings, tree, path, display, data, project)
    reduce = token_filter is not None and tree is not None
    gives = project.gives if project is not None else None
    source, origin = relevant_blocks(text, token_filter, tree, gives, logins) if reduce else (text, None)
    del tree
    # only the checks with an anchor in the file can find anything in it
    checks = (
        settings.checks_for(_owners(settings, token_filter, logins or record)) if token_filter is not None else None
    )
    outcome = analyze_source(
        source, display, settings, problem, origin=origin, original=text, checks=checks, project=project
    )
    if project is not None:
        project.index.forget_tree(project.path)
        if project.deps:
            project.index.deps_of[display] = project.deps - {project.path}
    return FileFindings.of(outcome.findings, outcome.observations), outcome.errors


def _login_names(settings, text: str, path: Optional[str], display: str):
    """(the file's project, or None; the person's ids the file spells that the project binds
    from a login name: analysis/login_ids.py). The project is asked only when the file spells
    a person's id (`student_id`, `authorId`)."""
    from gdpr_lint.analysis.login_ids import login_names, may_spell_person_ids, person_ids_spelled

    index = getattr(settings, "project", None)
    if index is None or path is None or index.local_only:
        return None, frozenset()
    pii = settings.kb.tables.get("pii", {})
    nouns = frozenset(pii.get("person-nouns", ())) - frozenset(pii.get("flow", {}).get("account-id-nouns", ()))
    if not may_spell_person_ids(nouns, text):
        return None, frozenset()  # (without building the PII vocabulary)
    spelled = person_ids_spelled(settings.vocab, text)
    if not spelled:
        return None, frozenset()
    from gdpr_lint.semantic.project_use import FileProject

    project = FileProject(index, path, display)
    return project, login_names(project, settings.vocab, spelled)


def _owners(settings, token_filter, logins) -> int:
    """The checks to run (TokenFilter.owners_present), with the exposure checks when the file
    spells a person's id that is a login, or dumps a person's record whole."""
    owners = token_filter.owners_present()
    if logins:
        for number, check in enumerate(settings.checks):
            if getattr(check, "family", "") == "exposure":
                owners |= 1 << number
    return owners


def _file_project(settings, tree, path: Optional[str], display: str, data: bytes, project=None):
    """The project index as this file sees it, its own summary made from CPython's tree
    (parsed from `data`, the file's bytes); `project`: the one made for it already."""
    if tree is None:
        return None
    if project is not None:
        project.index.register(project.path, tree, data)
        return project
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
