"""The command line through a real subprocess: exit codes, JSON shape, config errors, stdin."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

LEAK = textwrap.dedent("""\
    import logging

    logger = logging.getLogger(__name__)


    def register(user):
        logger.info("new signup: %s", user.email)
""")
CLEAN = LEAK.replace("user.email", "user.id")


def run(args, cwd, stdin=None, env=None):
    full_env = dict(os.environ, PYTHONPATH=str(ROOT), NO_COLOR="1")
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "gdpr_lint"] + args,
        cwd=str(cwd),
        input=stdin,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=120,
    )


@pytest.fixture
def project(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "views.py").write_text(LEAK)
    (tmp_path / "app" / "clean.py").write_text(CLEAN)
    return tmp_path


def test_findings_exit_1_and_ruff_style_text(project):
    result = run(["check", "--no-cache", "app"], project)
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines()[0] == (
        "app/views.py:7:5: GDPR101 [pii-in-log] error (high confidence): email address (user.email) is written to a log"
    )
    assert "1 finding (1 error) in 1 file (2 files checked)." in result.stderr


def test_clean_exit_0(project):
    result = run(["check", "--no-cache", "app/clean.py"], project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def test_json_contract(project):
    result = run(["check", "--no-cache", "--format", "json", "app"], project)
    document = json.loads(result.stdout)
    assert document["tool"] == "gdpr-lint"
    summary = document["summary"]
    assert {k: summary[k] for k in ("files", "findings", "errors")} == {"files": 2, "findings": 1, "errors": 0}
    assert summary["files_with_findings"] == 1 and summary["severities"] == {"error": 1, "warning": 0, "info": 0}
    finding = document["findings"][0]
    for key in (
        "rule",
        "name",
        "severity",
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "message",
        "categories",
        "fingerprint",
    ):
        assert key in finding
    assert (finding["rule"], finding["path"], finding["line"], finding["column"]) == ("GDPR101", "app/views.py", 7, 5)
    assert finding["end_column"] == 46 and finding["categories"] == ["email"]


def test_output_file_and_exit_zero(project):
    result = run(["check", "--no-cache", "--exit-zero", "--format", "json", "-o", "out/report.json", "app"], project)
    assert result.returncode == 0
    assert result.stdout == ""
    assert json.loads((project / "out" / "report.json").read_text())["summary"]["findings"] == 1


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_output_file_that_is_not_a_regular_file_is_written_in_place(project):
    """`-o /dev/null` or a named pipe: writing through a temp file and a rename would put a
    regular file where the device or pipe was (it once replaced this machine's /dev/null)."""
    import stat
    import threading

    fifo = project / "report.pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = run(["check", "--no-cache", "--exit-zero", "--format", "json", "-o", "report.pipe", "app"], project)
    reader.join(timeout=60)
    assert result.returncode == 0, result.stderr
    assert stat.S_ISFIFO(os.stat(fifo).st_mode), "the pipe was replaced by a regular file"
    assert received and json.loads(received[0])["summary"]["findings"] == 1


def test_output_file_through_a_symlink_keeps_the_link_and_the_mode(project):
    target = project / "reports" / "latest.json"
    target.parent.mkdir()
    target.write_text("{}")
    os.chmod(target, 0o640)
    (project / "latest.json").symlink_to(target)
    result = run(["check", "--no-cache", "--exit-zero", "--format", "json", "-o", "latest.json", "app"], project)
    assert result.returncode == 0, result.stderr
    assert (project / "latest.json").is_symlink()
    assert json.loads(target.read_text())["summary"]["findings"] == 1
    assert os.stat(target).st_mode & 0o777 == 0o640


def test_stdin_uses_stdin_filename(project):
    result = run(["check", "--no-cache", "--stdin-filename", "pkg/mod.py", "-"], project, stdin=LEAK)
    assert result.returncode == 1
    assert result.stdout.startswith("pkg/mod.py:7:5: GDPR101")


def test_stdin_filename_follows_force_exclude_and_means_stdin(project):
    """--force-exclude did nothing for standard input (an editor passing an excluded or
    .venv file got findings); --stdin-filename without `-` checked the whole folder."""
    (project / "pyproject.toml").write_text('[tool.gdpr-lint]\nexclude = ["generated/**"]\n')
    for name in ("generated/mod.py", ".venv/lib/mod.py"):
        skipped = run(["check", "--no-cache", "--force-exclude", "--stdin-filename", name, "-"], project, stdin=LEAK)
        assert skipped.returncode == 0 and skipped.stdout == "", (name, skipped.stdout)
        checked = run(["check", "--no-cache", "--stdin-filename", name, "-"], project, stdin=LEAK)
        assert checked.returncode == 1 and checked.stdout.startswith(f"{name}:7:5: GDPR101")
    alone = run(["check", "--no-cache", "--stdin-filename", "pkg/mod.py"], project, stdin=LEAK)
    assert alone.returncode == 1 and alone.stdout.startswith("pkg/mod.py:7:5: GDPR101")
    assert "app/views.py" not in alone.stdout
    mixed = run(["check", "--no-cache", "--stdin-filename", "pkg/mod.py", "app"], project, stdin=LEAK)
    assert mixed.returncode == 2 and "--stdin-filename" in mixed.stderr and mixed.stdout == ""


@pytest.mark.parametrize(
    "args", [["rules"], ["check", "--no-cache", "app"], ["check", "--no-cache", "--format", "json", "app"]]
)
def test_a_reader_that_goes_away_is_not_an_internal_error(project, args):
    """`gdpr-lint check | head -1`: BrokenPipeError escaped as a traceback (or, through the
    internal-error net, as exit 2); it stops quietly with exit 1, as click does."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), NO_COLOR="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "gdpr_lint"] + args,
        cwd=str(project),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    proc.stdout.close()  # the reader is gone before anything is written
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 1
    assert "Traceback" not in stderr and "rror" not in stderr, stderr


@pytest.mark.parametrize("args", [["check", ""], ["check", "--no-cache", "app", ""], ["check", "--format", "json", ""]])
def test_an_empty_path_is_a_usage_error(project, args):
    """pathlib reads "" as ".": `gdpr-lint check "$FILES"` with FILES unset checked everything."""
    result = run(args, project)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.splitlines() == [
        "gdpr-lint: error: an empty path was given (an unset variable?); name files or folders, or `.`"
    ]


@pytest.mark.skipif(os.name != "posix", reason="a working directory cannot be removed under Windows")
@pytest.mark.parametrize("args", [["check", "."], ["check", "--format", "json", "."], ["rules"]])
def test_a_deleted_working_directory_is_one_clear_line(tmp_path, args):
    """It was `internal error: FileNotFoundError ... (at pathlib.py)`, exit 2, 'please report it'."""
    (tmp_path / "gone").mkdir()
    script = 'cd gone && rmdir ../gone && exec "$0" -m gdpr_lint "$@"'
    result = subprocess.run(
        ["sh", "-c", script, sys.executable, *args],
        cwd=str(tmp_path),
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "gdpr-lint: error: the working directory cannot be read "
        "(No such file or directory; was it deleted?): cd into the project"
    ]


def test_missing_path_is_usage_error(project):
    result = run(["check", "--no-cache", "nope/"], project)
    assert result.returncode == 2
    assert "nope/" in result.stderr and "Traceback" not in result.stderr


def test_non_python_file_named_is_skipped_with_warning(project):
    (project / "notes.txt").write_text("email = user.email")
    result = run(["check", "--no-cache", "notes.txt", "app/clean.py"], project)
    assert result.returncode == 0
    assert "notes.txt: not a Python file" in result.stderr


def test_shebang_file_is_checked(project):
    (project / "tool").write_text("#!/usr/bin/env python3\n" + LEAK)
    result = run(["check", "--no-cache", "tool"], project)
    assert result.returncode == 1 and result.stdout.startswith("tool:8:5: GDPR101")


@pytest.mark.parametrize(
    "config, fragment",
    [
        ('[tool.gdpr-lint]\nselct = ["GDPR1"]\n', 'unknown key "selct" in [tool.gdpr-lint] (did you mean "select"?)'),
        ('[tool.gdpr-lint]\nselect = "GDPR1"\n', '"select" in [tool.gdpr-lint] must be a list of strings'),
        (
            '[tool.gdpr-lint.retention]\nmax-days = "a year"\n',
            '"max-days" in [tool.gdpr-lint.retention] must be a positive integer',
        ),
        (
            '[tool.gdpr-lint.residency]\nallowed-jurisdictions = ["Europe"]\n',
            '"Europe" is neither an ISO 3166 country code nor one of EU, EEA, adequacy (did you mean "EU"?)',
        ),
        ("[tool.gdpr-lint]\nselect = [\n", "is not valid TOML"),
        ('[tool.gdpr-lint]\nselect = ["GDPR9"]\n', '"GDPR9" matches no rule'),
        ('[tool.gdpr-lint.pii]\nextra-identifiers = { msisdn = "fone" }\n', 'unknown data category "fone"'),
    ],
)
def test_bad_config_is_one_line_and_exit_2(project, config, fragment):
    (project / "pyproject.toml").write_text(config)
    result = run(["check", "--no-cache", "app"], project)
    assert result.returncode == 2
    assert fragment in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_pyproject_without_table_is_not_an_error(project):
    (project / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert run(["check", "--no-cache", "app"], project).returncode == 1


def test_select_ignore_by_code_prefix_and_name(project):
    assert run(["check", "--no-cache", "--ignore", "pii-in-log", "app"], project).returncode == 0
    assert run(["check", "--no-cache", "--select", "GDPR102", "app"], project).returncode == 0
    assert run(["check", "--no-cache", "--select", "GDPR1", "--ignore", "GDPR101", "app"], project).returncode == 0
    assert run(["check", "--no-cache", "--select", "GDPR101", "--ignore", "GDPR1", "app"], project).returncode == 1
    bad = run(["check", "--no-cache", "--select", "GDPR101", "--ignore", "GDPR101", "app"], project)
    assert bad.returncode == 2 and "both selected and ignored" in bad.stderr


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["check", "--jobs", "-1"], "'--jobs'"),
        (["check", "--formt", "json"], ("--formt", "--format")),  # click 8.1 (Python 3.9) writes no quotes
        (["check", "--fail-on", "fatal"], "'--fail-on'"),
        (["check", "--output-file", "."], "'--output-file'"),
        (["chek"], "'chek'"),  # click 8.2+ adds "Did you mean 'check'?"
        (["explain"], "Missing argument 'CODE'"),
        (["baseline", "create", "--jobs", "x"], "'--jobs'"),
    ],
)
def test_bad_flag_is_one_line_and_exit_2(project, args, fragment):
    """click's own usage errors took four lines (usage, hint, blank line, error)."""
    result = run(args, project)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    fragments = fragment if isinstance(fragment, tuple) else (fragment,)
    assert (
        len(lines) == 1 and lines[0].startswith("gdpr-lint: error: ") and all(part in lines[0] for part in fragments)
    ), result.stderr


def test_help_and_bare_groups_still_print_help(project):
    assert run(["check", "--help"], project).stdout.startswith("Usage:")
    bare = run(["baseline"], project)
    assert bare.returncode in (0, 2) and "Usage:" in bare.stdout + bare.stderr and "error" not in bare.stderr


def test_statistics_follows_format_json_and_refuses_the_others(project):
    """--format was silently ignored with --statistics (a text table came out for json)."""
    result = run(["check", "--no-cache", "--statistics", "--format", "json", "app"], project)
    assert result.returncode == 1
    assert json.loads(result.stdout) == [{"rule": "GDPR101", "name": "pii-in-log", "severity": "error", "count": 1}]
    refused = run(["check", "--no-cache", "--statistics", "--format", "sarif", "app"], project)
    assert refused.returncode == 2 and refused.stdout == ""
    assert refused.stderr.startswith("gdpr-lint: error: --statistics") and len(refused.stderr.splitlines()) == 1


def test_rule_names_ignore_case_everywhere(project):
    """Codes ignored case (`gdpr101`), suppressions ignored it for names, but `--select`,
    `--ignore` and `explain` refused `PII-IN-LOG` as matching no rule."""
    assert run(["check", "--no-cache", "--ignore", "PII-IN-LOG", "app"], project).returncode == 0
    assert run(["check", "--no-cache", "--select", "Pii-In-Log", "app"], project).returncode == 1
    explained = run(["explain", "PII-IN-LOG"], project)
    assert explained.returncode == 0 and explained.stdout.startswith("# GDPR101 pii-in-log")


def test_all_is_accepted_and_does_something_wherever_a_selector_is(project):
    """`ALL` passed validation everywhere but only `select` understood it: `--ignore ALL`,
    `per-file-ignores = { .. = ["ALL"] }` and `non-suppressible = ["ALL"]` did nothing."""
    assert run(["check", "--no-cache", "--ignore", "ALL", "app"], project).returncode == 0
    assert run(["check", "--no-cache", "--ignore", "all", "--select", "GDPR101", "app"], project).returncode == 1
    (project / "pyproject.toml").write_text('[tool.gdpr-lint.per-file-ignores]\n"app/**" = ["ALL"]\n')
    assert run(["check", "--no-cache", "app"], project).returncode == 0
    (project / "pyproject.toml").write_text('[tool.gdpr-lint]\nnon-suppressible = ["ALL"]\n')
    (project / "app" / "views.py").write_text(
        LEAK.replace("user.email)", "user.email)  # gdpr-lint: ignore[GDPR101] -- consented audit log")
    )
    refused = run(["check", "--no-cache", "app"], project)
    assert refused.returncode == 1 and "inline suppression refused" in refused.stdout


def test_configured_exclude_and_force_exclude(project):
    (project / "pyproject.toml").write_text('[tool.gdpr-lint]\nexclude = ["app/views.py"]\n')
    assert run(["check", "--no-cache", "app"], project).returncode == 0
    assert run(["check", "--no-cache", "app/views.py"], project).returncode == 1
    assert run(["check", "--no-cache", "--force-exclude", "app/views.py"], project).returncode == 0


def test_config_patterns_may_start_with_dot_slash(project):
    """`./app/views.py` matched nothing (gitignore syntax has no "./"): the exclude and the
    per-file-ignores entry silently did nothing."""
    (project / "pyproject.toml").write_text('[tool.gdpr-lint]\nexclude = ["./app/views.py"]\n')
    assert run(["check", "--no-cache", "app"], project).returncode == 0
    (project / "pyproject.toml").write_text('[tool.gdpr-lint.per-file-ignores]\n"./app/**" = ["GDPR1"]\n')
    assert run(["check", "--no-cache", "app"], project).returncode == 0
    (project / "other").mkdir()
    (project / "other" / "app").mkdir()
    (project / "other" / "app" / "views.py").write_text(LEAK)  # "./" anchors at the config's folder
    assert run(["check", "--no-cache", "other"], project).returncode == 1


def test_gitignore_respected(project):
    (project / ".git").mkdir()
    (project / ".gitignore").write_text("app/views.py\n")
    assert run(["check", "--no-cache", "."], project).returncode == 0
    (project / "pyproject.toml").write_text("[tool.gdpr-lint]\nrespect-gitignore = false\n")
    assert run(["check", "--no-cache", "."], project).returncode == 1


def test_default_excludes(project):
    (project / ".venv" / "lib").mkdir(parents=True)
    (project / ".venv" / "lib" / "leak.py").write_text(LEAK)
    result = run(["check", "--no-cache", "."], project)
    assert ".venv" not in result.stdout


def test_per_file_ignores(project):
    (project / "pyproject.toml").write_text('[tool.gdpr-lint.per-file-ignores]\n"app/**" = ["GDPR1"]\n')
    assert run(["check", "--no-cache", "app"], project).returncode == 0


def test_suppressions(project):
    (project / "app" / "views.py").write_text(
        LEAK.replace("user.email)", "user.email)  # gdpr-lint: ignore[GDPR101] -- consented audit log")
    )
    assert run(["check", "--no-cache", "app"], project).returncode == 0
    (project / "app" / "views.py").write_text(LEAK.replace("user.email)", "user.email)  # gdpr-lint: ignore[GDPR102]"))
    assert run(["check", "--no-cache", "app"], project).returncode == 1
    multi = LEAK.replace(
        'logger.info("new signup: %s", user.email)',
        'logger.info(\n        "new signup: %s",\n        user.email,\n    )  # gdpr-lint: ignore[pii-in-log]',
    )
    (project / "app" / "views.py").write_text(multi)
    assert run(["check", "--no-cache", "app"], project).returncode == 0
    (project / "app" / "views.py").write_text("# gdpr-lint: skip-file\n" + LEAK)
    assert run(["check", "--no-cache", "app"], project).returncode == 0


def test_syntax_error_is_gdpr001_and_run_goes_on(project):
    (project / "app" / "broken.py").write_text("def broken(:\n    user.email\n")
    result = run(["check", "--no-cache", "--select", "GDPR", "app"], project)
    assert result.returncode == 1
    assert "app/broken.py:1:12: GDPR001" in result.stdout
    assert "app/views.py:7:5: GDPR101" in result.stdout


def test_output_identical_whatever_the_jobs(project):
    for i in range(40):
        (project / "app" / f"m{i}.py").write_text(LEAK)
    one = run(["check", "--no-cache", "--format", "json", "-j", "1", "app"], project).stdout
    two = run(["check", "--no-cache", "--format", "json", "-j", "2", "app"], project).stdout
    assert one == two and json.loads(one)["summary"]["findings"] == 41


def test_cache_gives_same_result(project):
    first = run(["check", "--format", "json", "app"], project).stdout
    assert (project / ".gdpr_lint_cache").is_dir()
    second = run(["check", "--format", "json", "app"], project).stdout
    assert first == second


def test_a_run_on_some_files_keeps_the_cache_of_the_others(project):
    """Pre-commit checks a file or two; the full run after it still finds the rest cached."""
    run(["check", "app"], project)
    (project / "app" / "views.py").write_text(LEAK + "\n# edited\n")
    run(["check", "app/views.py"], project)  # what the hook does
    shards = {path: json.loads(path.read_text()) for path in (project / ".gdpr_lint_cache").glob("results-*/*.json")}
    entries = {k: v for shard in shards.values() for k, v in shard["entries"].items()}
    assert sorted(entry["p"] for entry in entries.values()) == ["app/clean.py", "app/views.py"]
    # the stale entry of the edited file is gone; the untouched file's entry is served
    # (marked here, so the full run shows whether it read the file or the cache)
    for path, shard in shards.items():
        for entry in shard["entries"].values():
            if entry["p"] == "app/clean.py":
                entry["e"] = [["app/clean.py", "served from the cache"]]
                path.write_text(json.dumps(shard))
    assert "served from the cache" in run(["check", "--format", "json", "app"], project).stdout


def test_a_cache_written_by_other_code_of_the_same_version_is_not_served(project):
    """A pre-commit hook moved to another commit keeps the version number (0.1.0) while the
    analysis changes: a cache another build wrote must not hand back that build's findings."""
    from gdpr_lint import __version__
    from gdpr_lint.code_id import code_version

    run(["check", "app"], project)
    shards = list((project / ".gdpr_lint_cache").glob("results-*/*.json"))
    assert shards and all(json.loads(path.read_text())["version"] == code_version() for path in shards)
    for path in shards:
        shard = json.loads(path.read_text())
        shard["version"] = __version__  # what another build of the same version number wrote
        for entry in shard["entries"].values():
            entry["e"] = [[entry["p"], "served from the cache"]]
        path.write_text(json.dumps(shard))
    assert "served from the cache" not in run(["check", "--format", "json", "app"], project).stdout


def test_the_cache_forgets_files_and_settings_unused_for_a_month(project):
    """Entries of files no run has read for 30 days (deleted, renamed) and the folders other
    settings left untouched for 30 days go when a run writes; recent ones stay."""
    import time

    from gdpr_lint.result_cache import ResultCache

    run(["check", "app"], project)
    cache = project / ".gdpr_lint_cache"
    [root] = cache.glob("results-*")
    shard_path = root / f"{ResultCache.shard('app/views.py')}.json"
    shard = json.loads(shard_path.read_text())
    today = int(time.time() // 86400)
    assert {entry["s"] for entry in shard["entries"].values()} == {today}
    shard["entries"]["old"] = {"p": "app/deleted.py", "f": [], "e": [], "s": today - 40}
    shard["entries"]["recent"] = {"p": "app/renamed.py", "f": [], "e": [], "s": today - 3}
    shard_path.write_text(json.dumps(shard))
    month_ago = time.time() - 40 * 86400
    for name in ("results-0ld", "prefilter-0ld.pickle", "results-recent"):
        path = cache / name
        path.mkdir() if name.startswith("results-") else path.write_bytes(b"x")
        if "0ld" in name:
            os.utime(path, (month_ago, month_ago))
    (project / "app" / "views.py").write_text(LEAK + "\n# edited\n")
    run(["check", "app/views.py"], project)  # the hook writes the shard of views.py
    paths = {entry["p"] for entry in json.loads(shard_path.read_text())["entries"].values()}
    assert "app/deleted.py" not in paths and {"app/renamed.py", "app/views.py"} <= paths
    assert sorted(p.name for p in cache.iterdir() if "0ld" in p.name or "recent" in p.name) == ["results-recent"]


def test_the_scanned_codes_warnings_are_not_printed(tmp_path):
    """`"\\d"` in scanned code is a SyntaxWarning from Python 3.12 (a DeprecationWarning
    before): CPython's parse of the file must not print it into the user's output."""
    (tmp_path / "app.py").write_text(
        'import logging\nimport re\n\nlogger = logging.getLogger(__name__)\nPHONE = re.compile("\\d+")\n\n\n'
        'def signup(user):\n    logger.info("signup %s", user.email)\n    return PHONE.match(user.phone)\n'
    )
    result = subprocess.run(
        [sys.executable, "-W", "always", "-m", "gdpr_lint", "check", "--no-cache", "app.py"],
        cwd=str(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ, PYTHONPATH=str(ROOT), NO_COLOR="1"),
    )
    assert result.returncode == 1 and "GDPR101" in result.stdout
    assert "Warning" not in result.stderr, result.stderr


def test_rules_and_explain():
    listing = run(["rules"], ROOT)
    assert listing.returncode == 0 and "GDPR101  pii-in-log" in listing.stdout
    doc = run(["explain", "pii-in-log"], ROOT)
    assert doc.returncode == 0
    for section in ("## What it does", "## Why is this bad", "## Example", "## Use instead", "## Configuration"):
        assert section in doc.stdout
    assert run(["explain", "GDPR101"], ROOT).stdout == doc.stdout
    unknown = run(["explain", "GDPR999"], ROOT)
    assert unknown.returncode == 2 and "Traceback" not in unknown.stderr


def test_version_and_help():
    version = run(["--version"], ROOT)
    assert version.returncode == 0 and version.stdout.startswith("gdpr-lint ")
    for command in ([], ["check"], ["rules"], ["explain"]):
        assert run(command + ["--help"], ROOT).returncode == 0
    assert run(["check", "--format", "nope"], ROOT).returncode == 2


def test_version_and_unmatched_files_do_not_import_libcst(project):
    code = (
        "import sys, runpy; sys.argv = ['gdpr-lint'] + sys.argv[1:]\n"
        "try:\n    runpy.run_module('gdpr_lint', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "print('LIBCST' if 'libcst' in sys.modules else 'NO-LIBCST', file=sys.stderr)\n"
    )
    (project / "plain.py").write_text("def add(a, b):\n    return a + b\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    for args in (["--version"], ["check", "--no-cache", "plain.py"]):
        out = subprocess.run(
            [sys.executable, "-c", code] + args, cwd=str(project), capture_output=True, text=True, env=env
        )
        assert "NO-LIBCST" in out.stderr, (args, out.stderr)


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_progress_bar_only_on_a_terminal_and_not_in_ci(tmp_path):
    """Long runs show click's progress bar on a terminal's stderr; never in CI or when piped."""
    for i in range(205):
        (tmp_path / f"m{i:03}.py").write_text(f"VALUE_{i} = {i}\n")
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "GITHUB_ACTIONS", "GITLAB_CI")}
    env.update(PYTHONPATH=str(ROOT), NO_COLOR="1")

    def stderr_of(extra_env):
        master, slave = os.openpty()
        try:
            proc = subprocess.run(
                [sys.executable, "-m", "gdpr_lint", "check", "--no-cache", "-j", "1", "."],
                cwd=str(tmp_path),
                stdout=subprocess.PIPE,
                stderr=slave,
                timeout=120,
                env=dict(env, **extra_env),
            )
            os.close(slave)
            chunks = []
            while True:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                chunks.append(chunk)
            return proc.returncode, b"".join(chunks).decode("utf-8", "replace")
        finally:
            os.close(master)

    code, on_terminal = stderr_of({})
    assert code == 0 and "checking" in on_terminal and "No findings in 205 checked files." in on_terminal
    code, in_ci = stderr_of({"CI": "true"})
    assert code == 0 and "checking" not in in_ci and "No findings in 205 checked files." in in_ci
    piped = run(["check", "--no-cache", "."], tmp_path, env={"CI": ""})
    assert "checking" not in piped.stderr


def test_cache_folder_that_cannot_be_written_means_no_cache(project):
    """A cache folder that cannot be created (here: below a regular file, which stops root
    too) costs the cache, never the run."""
    (project / "blocker").write_text("not a folder\n")
    first = run(["check", "--format", "json", "--cache-dir", "blocker/cache", "app"], project)
    second = run(["check", "--format", "json", "--cache-dir", "blocker/cache", "app"], project)
    assert first.returncode == second.returncode == 1
    assert first.stdout == second.stdout and "Traceback" not in first.stderr + second.stderr
    assert (project / "blocker").is_file()


@pytest.mark.parametrize("how", [["--cache-dir", "."], ["--cache-dir", "app"]])
def test_a_cache_dir_in_the_project_does_not_gitignore_the_project(project, how):
    """`--cache-dir .` wrote `*` into the project's own .gitignore (the cache folder's marker),
    and the walk then skipped every file as git-ignored: 0 files, exit 0, the leak passed."""
    for _ in range(2):
        result = run(["check", *how, "--format", "json", "app"], project)
        assert result.returncode == 1 and json.loads(result.stdout)["summary"]["files"] == 2, result.stderr
    assert not (project / ".gitignore").exists() and not (project / "app" / ".gitignore").exists()


def test_concurrent_runs_share_the_cache_safely(project):
    """Runs started together write the same shards; each finishes with the same report, and
    the cache they leave is read back by the next run."""
    for i in range(40):
        (project / "app" / f"mod{i:02}.py").write_text(LEAK if i % 4 == 0 else CLEAN)
    env = dict(os.environ, PYTHONPATH=str(ROOT), NO_COLOR="1")
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "gdpr_lint", "check", "--format", "json", "-j", "1", "app"],
            cwd=str(project),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        for _ in range(4)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert {p.returncode for p in procs} == {1}
    assert len({out for out, _ in outputs}) == 1 and all(b"Traceback" not in err for _, err in outputs)
    shards = list((project / ".gdpr_lint_cache").glob("results-*/*.json"))
    assert shards and all(json.loads(path.read_text())["entries"] for path in shards)
    assert run(["check", "--format", "json", "app"], project).stdout.encode() == outputs[0][0]


def test_one_stale_baseline_entry_is_grammatical(project):
    """It said "1 baseline entry no longer match a finding"."""
    run(["check", "--no-cache"], project)
    assert run(["baseline", "create", "--no-cache", "app"], project).returncode == 0
    (project / "app" / "views.py").write_text(CLEAN)
    result = run(["check", "--no-cache", "--baseline", ".gdpr-lint-baseline.json", "app"], project)
    assert "1 baseline entry no longer matches a finding (fixed?)" in result.stderr, result.stderr


def test_fail_on_says_why_the_exit_code_is_zero(tmp_path):
    (tmp_path / "app.py").write_text(
        LEAK.replace("user.email", "request.META['REMOTE_ADDR']").replace("def register(user)", "def register(request)")
    )
    result = run(["check", "--no-cache", "--fail-on", "error", "app.py"], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "GDPR101 [pii-in-log] warning" in result.stdout
    assert "1 warning below --fail-on error: the run passes." in result.stderr
    failing = run(["check", "--no-cache", "app.py"], tmp_path)
    assert failing.returncode == 1 and "below --fail-on" not in failing.stderr


def test_a_run_that_checks_no_file_says_so(tmp_path):
    (tmp_path / "notes.txt").write_text("nothing to see\n")
    result = run(["check", "--no-cache", "."], tmp_path)
    assert result.returncode == 0
    assert "warning: no Python file was checked" in result.stderr
