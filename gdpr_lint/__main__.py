import os
import sys


def _drop_working_directory_from_path() -> None:
    """`python -m gdpr_lint` puts the working directory first on sys.path, so a `click.py`,
    `libcst/` or `tomllib.py` of the project being checked would be imported, that is run,
    in place of ours or the standard library's: the linter must never run scanned code.
    (The console script has no such entry.) Kept when this package itself comes from there,
    as when gdpr-lint is run from its own checkout."""
    if getattr(sys.flags, "safe_path", False) or not sys.path:
        return
    try:
        cwd = os.path.realpath(os.getcwd())
    except OSError:
        return
    first = os.path.realpath(sys.path[0] or os.curdir)
    package_home = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
    if first == cwd and package_home != cwd:
        del sys.path[0]


_drop_working_directory_from_path()

from gdpr_lint.entry import main  # noqa: E402 (after the path is safe)

if __name__ == "__main__":  # a spawned worker process imports this module as __mp_main__
    main()
