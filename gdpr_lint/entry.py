"""The console script.

The pre-commit hook runs `gdpr-lint check --force-exclude FILE...` on every commit, where
loading click costs a third of the run. A call made only of `check`, paths and the plain
flags below is run directly; anything else (another command, an option with a value,
`--help`, `-`, `--`) goes to the click command line, which gives the same result for
these calls and is the only place that parses the rest.
"""

from __future__ import annotations

import sys
from typing import List, NoReturn, Optional

# `check` flags that take no value: command-line spelling -> parameter of commands.check
PLAIN_FLAGS = {
    "--force-exclude": "force_exclude",
    "--no-cache": "no_cache",
    "--quiet": "quiet",
    "-q": "quiet",
    "--exit-zero": "exit_zero",
    "--statistics": "statistics",
}


def plain_check(args: List[str]) -> Optional[dict]:
    """The keyword arguments of commands.check when `args` is a plain check call, else None."""
    if not args or args[0] != "check":
        return None
    options: dict = {}
    paths = []
    for arg in args[1:]:
        if arg in PLAIN_FLAGS:
            options[PLAIN_FLAGS[arg]] = True
        elif arg.startswith("-"):
            return None
        else:
            paths.append(arg)
    options["paths"] = tuple(paths)
    return options


def main() -> None:
    """The console script. An exception that escapes is a bug in the linter: it must exit 2
    (an internal error), never Python's 1, which CI reads as "findings"."""
    try:
        _main()
    except KeyboardInterrupt:
        # Ctrl-C: no traceback; 130 as a shell reports SIGINT, since 1 would read as "findings"
        sys.stdout.flush()
        sys.stderr.write("Aborted!\n")
        exit_interrupted()
    except BrokenPipeError:
        # the reader went away (`gdpr-lint rules | head -1`): stop quietly, as click does, and
        # point standard output at nothing so the interpreter's last flush cannot fail again
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    except Exception as exc:  # noqa: BLE001 - reported, with where it happened, and exit 2
        import traceback

        where = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
        at = f" (at {where.filename.replace(chr(92), '/').rsplit('/', 1)[-1]}:{where.lineno})" if where else ""
        sys.stdout.flush()
        sys.stderr.write(f"gdpr-lint: internal error: {type(exc).__name__}: {exc}{at}; please report it\n")
        sys.exit(2)


def exit_interrupted() -> "NoReturn":
    """Exit 130 after Ctrl-C. `sys.exit(130)` was not always 130: when CPython judges that the
    KeyboardInterrupt went unhandled (it can, though the run caught it), it ends the process by
    SIGINT at exit, and a parent saw -2 in about one interrupted run in three. Every `finally:`
    has run by now (the workers are stopped, the scratch folder removed): flush and leave."""
    import os

    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(130)


def _main() -> None:
    args = sys.argv[1:]
    if args == ["--version"]:
        from gdpr_lint import __version__

        print(f"gdpr-lint {__version__}")
        return
    options = plain_check(args)
    if options is not None:
        from gdpr_lint.commands import check

        check(**options)  # exits with the run's code
        return
    from gdpr_lint.cli import main as click_main

    click_main()
