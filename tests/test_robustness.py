"""Hostile and odd input, through the real CLI in a subprocess (issue 7).

Every case runs `python -m gdpr_lint check --format json` on a hostile file *and* a
good file, and requires: no traceback, valid JSON, the hostile file gets a result
(findings, a clean result, or a clear GDPR001/error entry), the run goes on (the good
file's finding is still reported) and findings land on the right lines.
Hostile files carry a personal-data token so that the pre-filter cannot skip them:
they must really be read, decoded and parsed.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Optional

import pytest

ROOT = Path(__file__).resolve().parent.parent

GOOD = 'import logging\nlogger = logging.getLogger(__name__)\ndef f(user):\n    logger.info("signup %s", user.email)\n'
GOOD_LINE = 4  # GDPR101 on this line of GOOD
LOG_LINE = '    logger.info("signup %s", user.email)\n'
LOG_PRELUDE = "import logging\nlogger = logging.getLogger(__name__)\n"


def run_cli(args, cwd: Path, stdin: bytes = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run the CLI in its own process group, so a hang kills its worker processes too."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.pop("FORCE_COLOR", None)
    argv = [sys.executable, "-m", "gdpr_lint", "check", "--no-cache", *args]
    proc = subprocess.Popen(
        argv,
        cwd=cwd,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        stdout, stderr = proc.communicate(stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"gdpr-lint hung: no result within {timeout:.0f} s for {args}")
    return subprocess.CompletedProcess(argv, proc.returncode, stdout, stderr)


def run_json(args, cwd: Path, **kwargs):
    proc = run_cli(["--format", "json", *args], cwd, **kwargs)
    stderr = proc.stderr.decode("utf-8", "replace")
    assert "Traceback" not in stderr, stderr
    try:
        report = json.loads(proc.stdout.decode("utf-8"))
    except ValueError as exc:  # pragma: no cover - the assertion message is the point
        raise AssertionError(f"exit {proc.returncode}: stdout is not JSON ({exc}); stderr: {stderr[-2000:]}") from exc
    return proc, report


def findings_of(report: dict, path: str) -> list:
    return [f for f in report["findings"] if f["path"] == path]


def errors_of(report: dict, path: str) -> list:
    return [e for e in report["errors"] if e["path"] == path]


def assert_good_reported(proc, report, path: str = "good.py") -> None:
    """The run went on: the good file's finding is there, on its line, and exit is 1."""
    hits = [(f["line"], f["rule"]) for f in findings_of(report, path)]
    assert (GOOD_LINE, "GDPR101") in hits, (hits, report["errors"])
    assert proc.returncode == 1, (proc.returncode, proc.stderr.decode("utf-8", "replace")[-2000:])


def assert_result_or_clear_error(report: dict, path: str) -> None:
    """A file that cannot be checked is named: a GDPR001 finding or an error entry with a message."""
    gdpr001 = [f for f in findings_of(report, path) if f["rule"] == "GDPR001"]
    errors = errors_of(report, path)
    assert gdpr001 or errors, (path, report)
    for error in errors:
        assert error["message"].strip() and "internal error" not in error["message"], error
    for finding in gdpr001:
        assert finding["line"] >= 1 and finding["message"].strip(), finding


def cpython_rejects(data: bytes) -> bool:
    try:
        compile(data, "<hostile>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return True
    return False


def libcst_parses(text: str) -> bool:
    import libcst

    try:
        libcst.parse_module(text)
    except Exception:  # noqa: BLE001 - any failure means "libcst cannot parse it"
        return False
    return True


# ---- files whose content is valid Python: real results on the right lines ---------------

VALID_CASES = {
    # name: (bytes, lines with an expected GDPR101)
    "empty": (b"", []),
    "comment_only": (b"# just a comment mentioning user.email\n# and another\n", []),
    "whitespace_only": (b"\n\n   \n\t\n", []),
    "no_trailing_newline": (GOOD.rstrip("\n").encode(), [4]),
    "bom": (b"\xef\xbb\xbf" + GOOD.encode(), [4]),
    "crlf": (GOOD.replace("\n", "\r\n").encode(), [4]),
    "cr_only": (GOOD.replace("\n", "\r").encode(), [4]),
    "tabs": (GOOD.replace("    ", "\t").encode(), [4]),
    "form_feed": (("\f" + GOOD).encode(), [4]),
    "form_feed_between_blocks": (
        (LOG_PRELUDE + "def a():\n    return 1\n\x0c\ndef f(user):\n" + LOG_LINE).encode(),
        [7],
    ),
    "line_separator_chars_in_comment": (  # str.splitlines() breaks here, Python does not
        (LOG_PRELUDE + "# section\x0b\x1c\x1d\x1e\x85\u2028\u2029 end\ndef f(user):\n" + LOG_LINE).encode(),
        [5],
    ),
    "record_separator_in_first_comment": (("##\x1e\n" + GOOD).encode(), [5]),  # found by hypothesmith
    # a line that is only a backslash continuation (libcst's parser drops it): found by hypothesmith
    "lone_backslash_line_crlf": (("\n\\\r\n" + GOOD).encode(), [6]),
    "lone_backslash_line_in_function": (
        (LOG_PRELUDE + "def f(user):\n    x = 1\n    \\\n    y = 2\n" + LOG_LINE).encode(),
        [7],
    ),
    "coding_latin1": (
        b"# -*- coding: latin-1 -*-\n" + b'GREETING = "caf\xe9"\n' + GOOD.encode(),
        [6],
    ),
    "coding_utf8_declared": (b"# coding: utf-8\n" + GOOD.encode(), [5]),
    "unicode_identifiers": (
        (LOG_PRELUDE + "def f(usér, user):\n    café = 1\n" + LOG_LINE).encode(),
        [5],
    ),
    "nested_parens_150": (
        (LOG_PRELUDE + "def f(user):\n    x = " + "(" * 150 + "1" + ")" * 150 + "\n" + LOG_LINE).encode(),
        [5],
    ),
    "nested_lists_150": (
        (LOG_PRELUDE + "def f(user):\n    x = " + "[" * 150 + "]" * 150 + "\n" + LOG_LINE).encode(),
        [5],
    ),
    "long_operator_chain_1000": (
        (LOG_PRELUDE + "def f(user):\n    x = " + " + ".join(["user.id"] * 1000) + "\n" + LOG_LINE).encode(),
        [5],
    ),
    "long_fallback_chain": (
        (LOG_PRELUDE + "def f(user, a, b, c, d, e):\n    x = a or b or c or d or e or None\n" + LOG_LINE).encode(),
        [5],
    ),
    "deeply_nested_blocks_90": (
        (
            LOG_PRELUDE
            + "def f(user):\n"
            + "".join("    " * (i + 1) + "if user:\n" for i in range(90))
            + "    " * 91
            + 'logger.info("deep %s", user.email)\n'
            + LOG_LINE
        ).encode(),
        [94, 95],
    ),
    "very_long_line_1mb": (
        (
            LOG_PRELUDE
            + 'BLOB = "'
            + "a" * 1_000_000
            + '"\n'
            + "TABLE = {"
            + ", ".join(f"'k{i}': {i}" for i in range(20000))
            + "}\n"
            + "def f(user):\n"
            + LOG_LINE
        ).encode(),
        [6],
    ),
}


@pytest.mark.parametrize("kind", sorted(VALID_CASES))
def test_valid_odd_file_gets_real_result(tmp_path: Path, kind: str):
    data, expected_lines = VALID_CASES[kind]
    assert not cpython_rejects(data), "the case itself must be valid Python"
    (tmp_path / "odd.py").write_bytes(data)
    (tmp_path / "good.py").write_text(GOOD)
    proc, report = run_json(["odd.py", "good.py"], tmp_path)
    assert_good_reported(proc, report)
    assert errors_of(report, "odd.py") == []
    lines = sorted(f["line"] for f in findings_of(report, "odd.py") if f["rule"] == "GDPR101")
    assert lines == expected_lines, findings_of(report, "odd.py")
    assert not [f for f in findings_of(report, "odd.py") if f["rule"] == "GDPR001"]
    assert report["summary"]["files"] == 2


def test_finding_column_on_very_long_line(tmp_path: Path):
    prefix = 'def f(user): x = "' + "b" * 50_000 + '"; '
    line = prefix + 'logger.info("signup %s", user.email)\n'
    (tmp_path / "wide.py").write_text(LOG_PRELUDE + line)
    proc, report = run_json(["wide.py"], tmp_path)
    hits = [f for f in findings_of(report, "wide.py") if f["rule"] == "GDPR101"]
    assert [(f["line"], f["column"]) for f in hits] == [(3, len(prefix) + 1)], hits
    assert proc.returncode == 1


def test_hundred_thousand_line_file(tmp_path: Path):
    body = ["import logging", "logger = logging.getLogger(__name__)"]
    while len(body) < 100_000 - 2:
        n = len(body)
        body.append(f"def handler_{n}(request):")
        body.append(f"    return request.GET.get('page', {n})")
    body.append("def last(user):")
    body.append('    logger.info("signup %s", user.email)')
    (tmp_path / "huge.py").write_text("\n".join(body) + "\n")
    (tmp_path / "good.py").write_text(GOOD)
    proc, report = run_json(["huge.py", "good.py"], tmp_path, timeout=600)
    assert_good_reported(proc, report)
    assert errors_of(report, "huge.py") == []
    hits = [f["line"] for f in findings_of(report, "huge.py") if f["rule"] == "GDPR101"]
    assert hits == [len(body)], hits


# ---- files that CPython rejects, or that are not text: GDPR001 or an error entry ---------

BROKEN_CASES = {
    "invalid_utf8": b'user_email = "\xff\xfe not utf-8"\n' + LOG_LINE.encode(),
    "unknown_codec": b"# coding: no-such-codec\n" + GOOD.encode(),
    "nul_bytes": b"import logging\x00\n" + GOOD.encode(),
    "binary_junk": bytes(range(256)) * 4 + b" user.email logger.info " + bytes(reversed(range(256))) * 4,
    "python2_print": b'print "signup", user.email\n' + GOOD.encode(),
    "python2_except": GOOD.encode() + b"try:\n    pass\nexcept Exception, e:\n    print user.email\n",
    "unterminated_string": GOOD.encode() + b'x = "user.email\n',
    "inconsistent_tabs": b"def f(user):\n    if user:\n\tlogger.info(user.email)\n        return 1\n",
    "nested_parens_3000": (LOG_PRELUDE + "x = " + "(" * 3000 + "1" + ")" * 3000 + "\n" + GOOD).encode(),
    "operator_chain_20000": (LOG_PRELUDE + "x = " + " + ".join(["user.email"] * 20000) + "\n" + GOOD).encode(),
}


@pytest.mark.parametrize("kind", sorted(BROKEN_CASES))
def test_broken_file_is_named_and_run_goes_on(tmp_path: Path, kind: str):
    data = BROKEN_CASES[kind]
    assert cpython_rejects(data), "the case itself must be rejected by CPython"
    (tmp_path / "broken.py").write_bytes(data)
    (tmp_path / "good.py").write_text(GOOD)
    proc, report = run_json(["broken.py", "good.py"], tmp_path)
    assert_good_reported(proc, report)
    assert_result_or_clear_error(report, "broken.py")
    for finding in findings_of(report, "broken.py"):
        assert finding["line"] >= 1 and finding["column"] >= 1


# ---- the newest syntax: parsed when libcst can, otherwise named ---------------------------

NEW_SYNTAX = {
    "pep695_alias": "type UserId = int\n",
    "pep695_generic_function": "def first[T](items: list[T]) -> T:\n    return items[0]\n",
    "pep695_generic_class": "class Box[T: (int, str)]:\n    item: T\n",
    "pep701_nested_quotes": 'profile = {"name": "x"}\nlabel = f"{profile["name"]}"\n',
    "pep701_nested_fstrings": 'label = f"{f"{f"{1}"}"}"\n',
    "pep701_multiline_expr": 'label = f"{\n    1 + 2\n}"\n',
    "match_statement": (
        "match command:\n"
        '    case {"action": action, **rest}:\n'
        "        pass\n"
        "    case [first, *others] if first:\n"
        "        pass\n"
        "    case Point(x=0) | None:\n"
        "        pass\n"
        "    case _:\n"
        "        pass\n"
    ),
    "except_star": "try:\n    pass\nexcept* (ValueError, TypeError) as group:\n    pass\n",
    "walrus_and_posonly": "def g(a, /, b, *, c):\n    if (n := a) > b:\n        return n\n",
    "pep750_template_string": 'greeting = t"hello {1 + 2}"\n',
    "pep758_except_without_parens": "try:\n    pass\nexcept ValueError, TypeError:\n    pass\n",
}


@pytest.mark.parametrize("kind", sorted(NEW_SYNTAX))
def test_newest_syntax(tmp_path: Path, kind: str):
    text = LOG_PRELUDE + NEW_SYNTAX[kind] + "def f(user):\n" + LOG_LINE
    expected_line = text.count("\n")
    (tmp_path / "new.py").write_text(text)
    (tmp_path / "good.py").write_text(GOOD)
    proc, report = run_json(["new.py", "good.py"], tmp_path)
    assert_good_reported(proc, report)
    if libcst_parses(text):
        assert errors_of(report, "new.py") == []
        assert not [f for f in findings_of(report, "new.py") if f["rule"] == "GDPR001"]
        hits = [f["line"] for f in findings_of(report, "new.py") if f["rule"] == "GDPR101"]
        assert hits == [expected_line], findings_of(report, "new.py")
    else:  # this libcst cannot parse it: the file must still be named, not dropped
        assert_result_or_clear_error(report, "new.py")


TEMPLATE_STRINGS = (
    LOG_PRELUDE
    + "def greet(user):\n"
    + '    message = t"welcome {user.email}"\n'
    + "    logger.info(message)\n"  # line 5: a Template's text shows every interpolated value
    + "def refuse(user):\n"
    + '    raise ValueError(t"no account for {user.email}")\n'  # line 7
    + "def count(user):\n"
    + '    logger.info(t"user {user.id} signed in")\n'  # ok: an id
)


def test_template_strings_carry_their_interpolations(tmp_path: Path):
    """Python 3.14's t-strings: the values interpolated into a Template are the data it carries,
    as an f-string's are (only where this libcst parses them; else the file is still named)."""
    (tmp_path / "tstrings.py").write_text(TEMPLATE_STRINGS)
    proc, report = run_json(["tstrings.py"], tmp_path)
    if not libcst_parses(TEMPLATE_STRINGS):
        assert_result_or_clear_error(report, "tstrings.py")
        return
    assert errors_of(report, "tstrings.py") == []
    hits = sorted((f["line"], f["rule"]) for f in findings_of(report, "tstrings.py"))
    assert hits == [(5, "GDPR101"), (7, "GDPR103")], findings_of(report, "tstrings.py")


# ---- the file system ---------------------------------------------------------------------


def test_folder_named_like_a_module(tmp_path: Path):
    (tmp_path / "x.py").mkdir()
    (tmp_path / "x.py" / "inner.py").write_text(GOOD)
    (tmp_path / "good.py").write_text(GOOD)
    for args in (["."], ["x.py", "good.py"]):
        proc, report = run_json(args, tmp_path)
        assert_good_reported(proc, report)
        assert_good_reported(proc, report, "x.py/inner.py")
        assert errors_of(report, "x.py") == [], args


def test_a_gitignore_above_the_project_counts_only_inside_a_repository(tmp_path: Path):
    """Outside a git repository every .gitignore up to / was applied: a stray `*.py` in a
    parent folder (/tmp, a home folder) made the run check 0 files and pass."""
    project = tmp_path / "project"
    (project / "pkg").mkdir(parents=True)
    (project / "pkg" / "good.py").write_text(GOOD)
    (project / "pkg" / "generated.py").write_text(GOOD)
    (tmp_path / ".gitignore").write_text("*.py\n")
    (project / ".gitignore").write_text("generated.py\n")  # the project's own still counts
    proc, report = run_json(["."], project)
    assert_good_reported(proc, report, "pkg/good.py")
    assert report["summary"]["files"] == 1
    (tmp_path / ".git").mkdir()  # now the parent is the repository, and git reads its .gitignore
    proc, report = run_json(["."], project)
    assert report["summary"]["files"] == 0


def test_a_file_named_twice_in_different_spellings_is_checked_once(tmp_path: Path):
    """`sub/../good.py` was told apart from `good.py` (pathlib keeps `..`), so the file was
    checked twice and each finding reported twice under the same name."""
    (tmp_path / "sub").mkdir()
    (tmp_path / "good.py").write_text(GOOD)
    for args in (["good.py", "./good.py", "sub/../good.py", str(tmp_path / "good.py")], [".", "sub/.."]):
        proc, report = run_json(args, tmp_path)
        assert_good_reported(proc, report)
        assert report["summary"]["files"] == 1 and len(report["findings"]) == 1, (args, report)


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks on this platform")
def test_symlink_loops_terminate(tmp_path: Path):
    (tmp_path / "good.py").write_text(GOOD)
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    os.symlink("..", pkg / "parent")  # a folder loop
    os.symlink(".", pkg / "self")  # another folder loop
    os.symlink("b.py", tmp_path / "a.py")  # a file loop
    os.symlink("a.py", tmp_path / "b.py")
    os.symlink("missing.py", tmp_path / "dangling.py")
    proc, report = run_json(["."], tmp_path, timeout=60)
    assert_good_reported(proc, report)
    good_hits = [f for f in report["findings"] if f["rule"] == "GDPR101"]
    assert len(good_hits) == 1, good_hits  # the loops did not make the good file count twice
    # named explicitly, a looping link is reported, not silently dropped
    proc, report = run_json(["a.py", "good.py"], tmp_path, timeout=60)
    assert_good_reported(proc, report)
    assert_result_or_clear_error(report, "a.py")


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks on this platform")
def test_links_to_folders_are_not_walked_into(tmp_path: Path):
    """A committed `evil -> /` made the walk read the whole machine, a link to a folder
    outside the project put its code in the report, and `alias -> src` reported every
    finding twice. As git and ruff: such links are skipped, unless named on the command line."""
    project = tmp_path / "project"
    (project / "src").mkdir(parents=True)
    (project / "src" / "good.py").write_text(GOOD)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text(GOOD)
    os.symlink(outside, project / "vendor")
    os.symlink("src", project / "alias")
    proc, report = run_json(["."], project, timeout=60)
    assert_good_reported(proc, report, "src/good.py")
    assert [f["path"] for f in report["findings"]] == ["src/good.py"]
    proc, report = run_json(["vendor"], project, timeout=60)  # named: checked
    assert [f["path"] for f in report["findings"]] == ["vendor/secret.py"]


def test_missing_file_named_on_the_command_line(tmp_path: Path):
    """Stands in for a file deleted during the run: it is named, the run goes on."""
    (tmp_path / "good.py").write_text(GOOD)
    proc, report = run_json(["vanished.py", "good.py"], tmp_path)
    assert_good_reported(proc, report)
    assert_result_or_clear_error(report, "vanished.py")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this platform")
def test_named_pipe_does_not_hang_the_walk(tmp_path: Path):
    (tmp_path / "good.py").write_text(GOOD)
    os.mkfifo(tmp_path / "pipe.py")
    proc, report = run_json(["."], tmp_path, timeout=60)
    assert_good_reported(proc, report)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_named_pipe_does_not_hang_the_project_scans(tmp_path: Path):
    """The project index's own scans of the project's files (the callers of a function whose
    keyword default is a destination, the subclasses of an annotated class) read other
    files than those checked: a named pipe among them is skipped, not waited on."""
    (tmp_path / "good.py").write_text(GOOD)
    (tmp_path / "embeddings.py").write_text(
        "import requests\n\n\n"
        'def embed(text, url="https://api.openai.com/v1"):\n'
        '    return requests.post(f"{url}/embeddings", json={"input": text})\n'
    )
    (tmp_path / "notify.py").write_text(
        "class Notifier:\n    def send(self, addr):\n        pass\n\n\n"
        "def welcome(n: Notifier, user):\n    n.send(user.email)\n"
    )
    os.mkfifo(tmp_path / "pipe.py")
    proc, report = run_json(["good.py", "embeddings.py", "notify.py"], tmp_path, timeout=60)
    assert_good_reported(proc, report)
    assert [f["rule"] for f in findings_of(report, "embeddings.py")] == ["GDPR202"]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file(tmp_path: Path):
    (tmp_path / "good.py").write_text(GOOD)
    secret = tmp_path / "secret.py"
    secret.write_text(GOOD)
    secret.chmod(0)
    try:
        proc, report = run_json(["secret.py", "good.py"], tmp_path)
        assert_good_reported(proc, report)
        assert_result_or_clear_error(report, "secret.py")
        proc, report = run_json(["."], tmp_path)
        assert_good_reported(proc, report)
        assert_result_or_clear_error(report, "secret.py")
    finally:
        secret.chmod(0o644)


def test_every_hostile_file_in_one_walked_folder(tmp_path: Path):
    """All of the above at once, walked as a folder: the run finishes and reports the good file."""
    src = tmp_path / "src"
    src.mkdir()
    for kind, (data, _) in VALID_CASES.items():
        if kind != "very_long_line_1mb":
            (src / f"valid_{kind}.py").write_bytes(data)
    for kind, data in BROKEN_CASES.items():
        (src / f"broken_{kind}.py").write_bytes(data)
    (src / "good.py").write_text(GOOD)
    proc, report = run_json(["src"], tmp_path)
    assert_good_reported(proc, report, "src/good.py")
    for kind in BROKEN_CASES:
        assert_result_or_clear_error(report, f"src/broken_{kind}.py")
    for kind in VALID_CASES:
        assert errors_of(report, f"src/valid_{kind}.py") == []


def test_stdin_with_odd_bytes(tmp_path: Path):
    proc, report = run_json(
        ["--stdin-filename", "app/views.py", "-"], tmp_path, stdin=b"\xef\xbb\xbf" + GOOD.replace("\n", "\r\n").encode()
    )
    assert [(f["path"], f["line"], f["rule"]) for f in report["findings"]] == [("app/views.py", 4, "GDPR101")]
    proc, report = run_json(["--stdin-filename", "junk.py", "-"], tmp_path, stdin=b"\xff\xfe\x00 user.email")
    assert_result_or_clear_error(report, "junk.py")
    assert proc.returncode == 1


# ---- output safety ------------------------------------------------------------------------

CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]")


def test_control_characters_are_escaped_in_text_output(tmp_path: Path):
    hostile = (
        LOG_PRELUDE + "def f(user):\n"
        '    logger.info("\x1b[2J\x1b[31mowned\x07\x08\x0b\x7f\u009b %s", user.email)\n'
        '    logger.info("\x1b]0;title\x07" + user.email + "\x1b[0m")\n'
        '    logger.info(user["\x1b[31memail"])\n'
    )
    assert not cpython_rejects(hostile.encode())
    (tmp_path / "ansi.py").write_text(hostile)
    evil_name = "evil\x1b[31mname\x07.py"
    (tmp_path / evil_name).write_text(GOOD)
    proc = run_cli(["--format", "text", "ansi.py", evil_name], tmp_path)
    out = proc.stdout.decode("utf-8", "replace") + proc.stderr.decode("utf-8", "replace")
    assert "Traceback" not in out, out
    assert proc.returncode == 1, out
    assert not CONTROL.search(out), repr(CONTROL.findall(out))
    assert "GDPR101" in out
    assert out.count("GDPR101") >= 3, out  # both files reported, the evil name escaped, not dropped


def test_json_stays_valid_with_hostile_names_and_literals(tmp_path: Path):
    hostile_literal = 'logger.info("\x1b[31m NUL-free but \u2028\u2029 and \\ud800 %s", user.email)'
    (tmp_path / "ansi.py").write_text(LOG_PRELUDE + "def f(user):\n    " + hostile_literal + "\n")
    names = ["evil\x1b[31mname.py", 'quote"back\\slash.py', "new\nline.py"]
    for name in names:
        (tmp_path / name).write_text(GOOD)
    raw_name = os.fsencode(tmp_path) + b"/caf\xe9.py"  # not valid UTF-8
    try:
        with open(raw_name, "wb") as handle:
            handle.write(GOOD.encode())
    except OSError:
        raw_name = None
    proc, report = run_json(["."], tmp_path)
    assert proc.returncode == 1
    reported = {f["path"] for f in report["findings"] if f["rule"] == "GDPR101"}
    assert {"ansi.py", *names} <= reported, reported
    if raw_name is not None:
        assert len(reported) == len(names) + 2, reported
    json.dumps(report)  # round-trips


def test_sarif_stays_valid_with_hostile_names(tmp_path: Path):
    (tmp_path / "evil\x1b[31mname.py").write_text(GOOD)
    proc = run_cli(["--format", "sarif", "."], tmp_path)
    assert "Traceback" not in proc.stderr.decode("utf-8", "replace")
    sarif = json.loads(proc.stdout.decode("utf-8"))
    assert sarif["runs"][0]["results"], sarif


@pytest.mark.skipif(sys.platform in ("darwin", "win32"), reason="the file system wants UTF-8 names")
def test_sarif_with_a_file_name_that_is_not_utf8(tmp_path: Path):
    """A raw byte in a file name crashed the SARIF reporter (UnicodeEncodeError in quote)."""
    os.mkdir(os.path.join(os.fsencode(tmp_path), b"d\xfe"))
    with open(os.path.join(os.fsencode(tmp_path), b"d\xfe", b"bad\xff.py"), "w") as handle:
        handle.write(GOOD)
    proc = run_cli(["--format", "sarif", "."], tmp_path)
    assert "Traceback" not in proc.stderr.decode("utf-8", "replace")
    sarif = json.loads(proc.stdout.decode("utf-8"))
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]]
    assert uris == ["d%FE/bad%FF.py"]


# ---- configuration ------------------------------------------------------------------------

WRONG_TYPES = {
    # a key, and a TOML value of the wrong type for it
    "select": "select = 1",
    "select-items": "select = [1, 2]",
    "ignore": "ignore = true",
    "exclude": "exclude = 3.5",
    "per-file-ignores": 'per-file-ignores = ["tests/**"]',
    "per-file-ignores-values": 'per-file-ignores = { "tests/**" = 1 }',
    "rule-packs": "rule-packs = { a = 1 }",
    "pii": "pii = 1",
    "extra-identifiers": 'pii = { extra-identifiers = ["msisdn"] }',
    "ignore-identifiers": "pii = { ignore-identifiers = 7 }",
    "sanitizers": "pii = { sanitizers = { a = 1 } }",
    "residency": 'residency = "EU"',
    "allowed-jurisdictions": "residency = { allowed-jurisdictions = 1 }",
    "allowed-regions": "residency = { allowed-regions = true }",
    "retention": "retention = []",
    "max-days": 'retention = { max-days = "a year" }',
    "limits": "retention = { limits = 5 }",
    "logs": 'retention = { limits = { logs = "365" } }',
}


def assert_one_clear_line(proc, *needles: str) -> None:
    stderr = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 2, (proc.returncode, stderr, proc.stdout[:500])
    assert "Traceback" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])


@pytest.mark.parametrize("key", sorted(WRONG_TYPES))
@pytest.mark.parametrize("where", ["gdpr-lint.toml", "pyproject.toml"])
def test_config_wrong_type_is_one_clear_line(tmp_path: Path, key: str, where: str):
    body = WRONG_TYPES[key]
    if where == "pyproject.toml":
        body = "[tool.gdpr-lint]\n" + body
    (tmp_path / where).write_text(body + "\n")
    (tmp_path / "good.py").write_text(GOOD)
    proc = run_cli(["good.py"], tmp_path)
    assert_one_clear_line(proc, key.split("-items")[0].split("-values")[0])


@pytest.mark.parametrize(
    "text",
    [
        "select = [",
        "select = ['GDPR1'",
        "[pii\nextra-identifiers = {}",
        "select = ['GDPR1']\nselect = ['GDPR2']",
        "= 1",
        "select = 'unterminated",
    ],
)
def test_config_toml_syntax_error_is_one_clear_line(tmp_path: Path, text: str):
    (tmp_path / "gdpr-lint.toml").write_text(text + "\n")
    (tmp_path / "good.py").write_text(GOOD)
    proc = run_cli(["good.py"], tmp_path)
    assert_one_clear_line(proc, "gdpr-lint.toml")


@pytest.mark.parametrize(
    "text, needle",
    [
        ('selec = ["GDPR1"]', 'unknown key "selec" at the top level (did you mean "select"?)'),
        ("[pii]\nfoo = 1", 'unknown key "foo" in [pii]'),
        ("retention = 3", "[retention] must be a table, not 3"),
        ("[retention.limits]\nlogs = 0", '"limits" in [retention]: "logs" must be a positive integer (days), not 0'),
        (
            '[pii]\nextra-identifiers = { msisdn = "fone" }',
            "gdpr-lint.toml: [pii] extra-identifiers: unknown data category",
        ),
    ],
)
def test_config_errors_name_tables_as_gdpr_lint_toml_writes_them(tmp_path: Path, text: str, needle: str):
    """They said `[gdpr-lint.toml.pii]` (no such table), or `[tool.gdpr-lint.pii]` for a file
    that has no [tool] table, and `"limits" in [...].logs`."""
    (tmp_path / "gdpr-lint.toml").write_text(text + "\n")
    (tmp_path / "good.py").write_text(GOOD)
    assert_one_clear_line(run_cli(["good.py"], tmp_path), needle)


@pytest.mark.parametrize(
    "text, needle",
    [
        ("[retention.limits]\nsesions = 30", 'unknown data category "sesions" (did you mean "sessions"?)'),
        ("[retention.limits]\nuploads = 30", 'unknown data category "uploads" (known: analytics, backups'),
    ],
)
def test_retention_limit_for_an_unknown_category_is_one_clear_line(tmp_path: Path, text: str, needle: str):
    """A typo in a category limited nothing, silently: sessions kept the 365-day default."""
    (tmp_path / "gdpr-lint.toml").write_text(text + "\n")
    (tmp_path / "good.py").write_text(GOOD)
    assert_one_clear_line(run_cli(["good.py"], tmp_path), "[retention.limits]", needle)


def test_config_not_utf8_is_one_clear_line(tmp_path: Path):
    (tmp_path / "gdpr-lint.toml").write_bytes(b'select = ["GDPR\xff"]\n')
    (tmp_path / "good.py").write_text(GOOD)
    assert_one_clear_line(run_cli(["good.py"], tmp_path), "gdpr-lint.toml")


@pytest.mark.parametrize(
    "name, text",
    [
        (".gdpr-lint.toml", 'select = ["GDPR3"]\r\n'),
        ("pyproject.toml", '[tool.gdpr-lint]\nselect = ["GDPR3"]\n'),
    ],
)
def test_config_with_a_byte_order_mark_is_read(tmp_path: Path, name: str, text: str):
    (tmp_path / "good.py").write_text(GOOD)
    (tmp_path / name).write_bytes(b"\xef\xbb\xbf" + text.encode())
    proc, report = run_json(["good.py"], tmp_path)
    assert proc.returncode == 0 and report["findings"] == [], proc.stderr  # GDPR3 only: the leak is GDPR101


def test_pyproject_syntax_error_is_one_clear_line(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text("[tool.gdpr-lint\nselect = ['GDPR']\n")
    (tmp_path / "good.py").write_text(GOOD)
    assert_one_clear_line(run_cli(["good.py"], tmp_path), "pyproject.toml")


@pytest.mark.parametrize(
    "name,text",
    [
        ("pyproject.toml", '[project]\nname = "app"\nversion = "1.0"\n'),
        ("pyproject.toml", "[tool.ruff]\nline-length = 100\n"),
        ("pyproject.toml", ""),
    ],
)
def test_pyproject_without_our_table_is_not_an_error(tmp_path: Path, name: str, text: str):
    (tmp_path / name).write_text(text)
    (tmp_path / "good.py").write_text(GOOD)
    proc, report = run_json(["good.py"], tmp_path)
    assert_good_reported(proc, report)


@pytest.mark.parametrize(
    "name,text",
    [
        ("gdpr-lint.toml", ""),
        (".gdpr-lint.toml", "\n# nothing configured\n"),
        ("pyproject.toml", "[tool.gdpr-lint]\n"),
    ],
)
def test_empty_config_file(tmp_path: Path, name: str, text: str):
    """An empty config either means the defaults or is refused in one clear line; never a traceback."""
    (tmp_path / name).write_text(text)
    (tmp_path / "good.py").write_text(GOOD)
    proc = run_cli(["--format", "json", "good.py"], tmp_path)
    if proc.returncode == 2:
        assert_one_clear_line(proc, name)
    else:
        assert_good_reported(proc, json.loads(proc.stdout))


def test_explicit_empty_config_file(tmp_path: Path):
    (tmp_path / "empty.toml").write_text("")
    (tmp_path / "good.py").write_text(GOOD)
    proc = run_cli(["--format", "json", "--config", "empty.toml", "good.py"], tmp_path)
    if proc.returncode == 2:
        assert_one_clear_line(proc, "empty.toml")
    else:
        assert_good_reported(proc, json.loads(proc.stdout))


def test_explicit_missing_config_file(tmp_path: Path):
    (tmp_path / "good.py").write_text(GOOD)
    proc = run_cli(["--config", "nope.toml", "good.py"], tmp_path)
    assert_one_clear_line(proc, "nope.toml")


@pytest.mark.parametrize(
    "select,ignore",
    [
        ('["GDPR101"]', '["GDPR101"]'),
        ('["pii-in-log"]', '["GDPR101"]'),
        ('["GDPR101"]', '["pii-in-log"]'),
    ],
)
def test_conflicting_select_and_ignore_is_one_clear_line(tmp_path: Path, select: str, ignore: str):
    (tmp_path / "gdpr-lint.toml").write_text(f"select = {select}\nignore = {ignore}\n")
    (tmp_path / "good.py").write_text(GOOD)
    proc = run_cli(["good.py"], tmp_path)
    assert_one_clear_line(proc)
    line = proc.stderr.decode("utf-8", "replace").strip()
    assert "GDPR101" in line or "pii-in-log" in line, line


def test_unknown_key_suggests_the_close_one(tmp_path: Path):
    (tmp_path / "gdpr-lint.toml").write_text('selct = ["GDPR"]\n')
    (tmp_path / "good.py").write_text(GOOD)
    proc = run_cli(["good.py"], tmp_path)
    assert_one_clear_line(proc, "selct", "select")


def test_unknown_rule_in_select_is_one_clear_line(tmp_path: Path):
    (tmp_path / "gdpr-lint.toml").write_text('select = ["GDPR999"]\n')
    (tmp_path / "good.py").write_text(GOOD)
    assert_one_clear_line(run_cli(["good.py"], tmp_path), "GDPR999")


# ---- safety of the tool itself -------------------------------------------------------------


def test_scanned_code_is_never_imported_or_run(tmp_path: Path):
    marker = tmp_path / "executed"
    pkg = tmp_path / "src" / "pkg"
    pkg.mkdir(parents=True)
    side_effect = f"open({str(marker)!r}, 'w').write('ran')\n"
    (pkg / "__init__.py").write_text(side_effect)
    (pkg / "views.py").write_text(side_effect + "import pkg\n" + GOOD)
    (tmp_path / "src" / "conftest.py").write_text(side_effect)
    (tmp_path / "src" / "setup.py").write_text(side_effect)
    proc, report = run_json(["src"], tmp_path)
    assert proc.returncode == 1
    assert not marker.exists(), "scanned code was executed"
    assert [(f["path"], f["line"]) for f in report["findings"] if f["rule"] == "GDPR101"] == [
        ("src/pkg/views.py", 3 + GOOD_LINE - 1)
    ]


@pytest.mark.parametrize("args", [["--format", "json", "."], ["."]])
def test_python_m_does_not_import_modules_of_the_checked_project(tmp_path: Path, args):
    """`python -m gdpr_lint` puts the working directory first on sys.path: a project with a
    click.py, libcst/ or tomllib.py at its root had that code run in place of ours."""
    marker = tmp_path / "executed"
    side_effect = f"open({str(marker)!r}, 'w').write('ran')\n"
    for name in ("click.py", "tomllib.py", "libcst.py", "typing_extensions.py"):
        (tmp_path / name).write_text(side_effect)
    (tmp_path / "good.py").write_text(GOOD)
    proc = run_cli(args, tmp_path)
    assert not marker.exists(), "a module of the checked project was imported"
    assert proc.returncode == 1, proc.stderr.decode()[-2000:]


# ---- gitignore-style patterns ------------------------------------------------------------


@pytest.mark.parametrize("where", ["exclude", "per-file-ignores", ".gitignore"])
@pytest.mark.parametrize("pattern", ["[z-a].py", "x[]", "[[:digit:]]*.py", "[\\\\]]", "[&&~|--]"])
def test_odd_bracket_patterns_never_crash_the_walk(tmp_path: Path, where: str, pattern: str):
    """`[z-a]` used to be a regex error (a traceback, exit 1), `[[:alpha:]]` a FutureWarning."""
    (tmp_path / "good.py").write_text(GOOD)
    if where == ".gitignore":
        (tmp_path / ".git").mkdir()
        (tmp_path / ".gitignore").write_text(pattern + "\n")
    else:
        value = (
            f"exclude = [{json.dumps(pattern)}]"
            if where == "exclude"
            else f'per-file-ignores = {{ {json.dumps(pattern)} = ["GDPR3"] }}'
        )
        (tmp_path / ".gdpr-lint.toml").write_text(value + "\n")
    proc, report = run_json(["."], tmp_path)
    assert proc.stderr.decode().count("\n") <= 1, proc.stderr.decode()  # the summary line only
    assert_good_reported(proc, report)


@pytest.mark.parametrize(
    "pattern, path, matches",
    [
        ("[z-a]", "z", True),
        ("[z-a]", "a", False),  # git: a reversed range is its first character
        ("[]]x", "]x", True),
        ("[!]]x", "ax", True),
        ("[!]]x", "]x", False),
        ("[^a].py", "b.py", True),
        ("[^a].py", "a.py", False),
        ("[[:alpha:]]", "a", True),
        ("[[:alpha:]]", "1", False),
        ("[[:digit:][:upper:]]q", "1q", True),
        ("[[:digit:][:upper:]]q", "aq", False),
        ("[a-]", "-", True),
        ("[a-]", "b", False),
        ("a[.-0]b", "a0b", True),
        ("a[.-0]b", "a/b", False),
        ("[[:punct:]]x", "/x", False),
        ("[\\]]", "]", True),
        ("[&~]", "~", True),
        ("[a-c]*.py", "b_test.py", True),
    ],
)
def test_bracket_expressions_read_as_git_reads_them(pattern: str, path: str, matches: bool):
    from gdpr_lint.files import _pattern_regex

    assert bool(_pattern_regex(pattern)[0].match(path)) is matches


# ---- the cache folder is part of the checkout ------------------------------------------


class _RunsCode:
    """A pickle that runs code when loaded (what a hostile repository could commit)."""

    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def _start_up_caches(folder: Path) -> list:
    return sorted(
        p for p in folder.glob("*") if p.is_file() and p.name.split("-")[0] in ("knowledge", "prefilter", "config")
    )


@pytest.mark.skipif(not hasattr(os, "system") or os.name != "posix", reason="uses touch")
@pytest.mark.parametrize("payload", ["pickle", "marshal-code", "garbage", "wrong-shape"])
def test_a_committed_start_up_cache_cannot_run_code_or_change_results(tmp_path: Path, payload: str):
    """`.gdpr_lint_cache/knowledge-<digest>.pickle` had a predictable name: a repository that
    shipped one ran arbitrary code in `gdpr-lint check` (CI on a pull request, a contributor's
    hook). The start-up caches are marshal data now, which names no function: whatever a
    committed file holds (a pickle that runs code, a code object, bytes that are neither, data
    of another shape), the run neither runs it nor reports anything else."""
    import marshal
    import pickle

    (tmp_path / "good.py").write_text(GOOD)
    (tmp_path / ".gdpr-lint.toml").write_text('extend-select = ["GDPR204"]\n')
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    argv = [sys.executable, "-m", "gdpr_lint", "check", "--format", "json", "good.py"]
    first = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, timeout=120)
    subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, timeout=120)  # keeps the config's parse
    caches = _start_up_caches(tmp_path / ".gdpr_lint_cache")
    assert {p.name.split("-")[0] for p in caches} == {"knowledge", "prefilter", "config"}
    marker = tmp_path / "ran-code"
    code = compile(f"open({str(marker)!r}, 'w')", "cache", "exec")
    hostile = {
        "pickle": pickle.dumps(_RunsCode(str(marker))),
        "marshal-code": marshal.dumps({"format": 1, "rules": code, "tables": code, "digest": code, "frozen": code}),
        "garbage": b"\x00\xffnot marshal data",
        "wrong-shape": marshal.dumps({"format": 1, "rules": [{"code": 1}], "select": 3, "frozen": (1, 2, 3)}),
    }[payload]
    for path in caches:
        path.write_bytes(hostile)
    shutil_rmtree_results(tmp_path / ".gdpr_lint_cache")
    second = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, timeout=120)
    assert not marker.exists()
    assert second.returncode == first.returncode == 1 and second.stdout == first.stdout, second.stderr


def test_the_start_up_caches_are_read_back(tmp_path: Path):
    """What the caches are written from must load again, or every run builds them anew: the
    packs, the pre-filter and the config's parse (on the run after the one that made the
    cache folder)."""
    from gdpr_lint.knowledge import _from_plain, read_cache_file

    (tmp_path / "good.py").write_text(GOOD)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.gdpr-lint]\nextend-select = ["GDPR204"]\n[tool.gdpr-lint.pii]\nsanitizers = ["app.mask"]\n'
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    for _ in range(2):
        subprocess.run(
            [sys.executable, "-m", "gdpr_lint", "check", "good.py"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            timeout=120,
        )
    caches = {p.name.split("-")[0]: p for p in _start_up_caches(tmp_path / ".gdpr_lint_cache")}
    assert sorted(caches) == ["config", "knowledge", "prefilter"]
    assert _from_plain(read_cache_file(caches["knowledge"])) is not None
    text, parsed = read_cache_file(caches["config"])
    assert text == (tmp_path / "pyproject.toml").read_text()
    assert parsed["tool"]["gdpr-lint"]["pii"] == {"sanitizers": ["app.mask"]}
    assert isinstance(read_cache_file(caches["prefilter"]), dict)


def shutil_rmtree_results(cache: Path) -> None:
    """Drop the results cache, so the second run has to load the start-up caches and analyse."""
    import shutil

    for folder in cache.glob("results-*"):
        shutil.rmtree(folder)


@pytest.mark.parametrize("damage", ["entries-list", "entry-not-a-table", "finding-fields-missing", "errors-bad"])
def test_a_damaged_results_cache_is_a_miss_not_a_crash(tmp_path: Path, damage: str):
    """Valid JSON of the wrong shape in a results shard (a damaged disk, or a shard written by
    another build of the same version) raised KeyError/AttributeError with a traceback."""
    (tmp_path / "good.py").write_text(GOOD)
    argv = ["--format", "json", "good.py"]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    cmd = [sys.executable, "-m", "gdpr_lint", "check", *argv]
    first = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, timeout=120)
    shards = list((tmp_path / ".gdpr_lint_cache").glob("results-*/*.json"))
    assert len(shards) == 1
    shard = json.loads(shards[0].read_text())
    if damage == "entries-list":
        shard["entries"] = [1, 2]
    else:
        for key, entry in list(shard["entries"].items()):
            if damage == "entry-not-a-table":
                shard["entries"][key] = 7
            elif damage == "finding-fields-missing":
                entry["f"] = [{"rule": "GDPR101"}]
            else:
                entry["e"] = [[1]]
        shard["entries"]["other"] = 7  # a damaged entry of a file this run does not check
    shards[0].write_text(json.dumps(shard))
    for _ in range(2):  # the run that meets the damage, and the one after it
        again = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, timeout=120)
        assert b"Traceback" not in again.stderr, again.stderr.decode()
        assert again.returncode == first.returncode == 1 and again.stdout == first.stdout


# ---- rule packs and internal errors ------------------------------------------------------


@pytest.mark.parametrize(
    "pack, needle",
    [
        ("pii = 5", "mine.toml: pii: must be a table, not 5"),
        ("[pii]\ncategories = 5", "mine.toml: pii.categories: must be a table, not 5"),
        ("rule = 5", "rule must be an array of [[rule]] tables"),
        ("rule = [5]", "each rule must be a [[rule]] table"),
        (
            '[[rule]]\ncode = 5\nname = "x"\nfamily = "exposure"\nseverity = "error"\ngdpr = "a"\nsummary = "s"',
            "code must be a string",
        ),
        ("[residency.saas.x]\neu_hosts = 5", "mine.toml: residency.saas.x.eu_hosts: must be a list of strings, not 5"),
        ("[residency.regions.aws]\nfoo = 1", "mine.toml: residency.regions.aws.foo: must be a table, not 1"),
    ],
)
def test_malformed_rule_pack_is_one_clear_line(tmp_path: Path, pack: str, needle: str):
    """A rule pack of the wrong shape crashed with a traceback and exit code 1 ("findings")."""
    (tmp_path / "packs").mkdir()
    (tmp_path / "packs" / "mine.toml").write_text(pack + "\n")
    (tmp_path / "gdpr-lint.toml").write_text('rule-packs = ["packs"]\n')
    (tmp_path / "good.py").write_text(GOOD)
    assert_one_clear_line(run_cli(["good.py"], tmp_path), needle)


@pytest.mark.parametrize("args", [["good.py"], ["--format", "json", "good.py"]])
def test_an_escaped_exception_is_an_internal_error_with_exit_2(tmp_path: Path, args):
    """Python exits 1 on an uncaught exception, which CI reads as "findings"."""
    (tmp_path / "good.py").write_text(GOOD)
    code = (
        "import sys\nimport gdpr_lint.commands as commands\n"
        "def broken(**options):\n    raise RuntimeError('a bug')\n"
        "commands.check = broken\n"
        f"sys.argv = ['gdpr-lint', 'check'] + {args!r}\n"
        "from gdpr_lint.entry import main\nmain()\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.decode().splitlines() == [
        "gdpr-lint: internal error: RuntimeError: a bug (at <string>:4); please report it"
    ]


@pytest.mark.parametrize("jobs, files, expected", [(1000, 30, 8), (2, 30, 2), (8, 24, 6), (64, 10_000, 64)])
def test_worker_processes_are_capped_by_the_work(jobs: int, files: int, expected: int):
    """The pool forks every worker up front: `--jobs 1000` forked a thousand processes."""
    from gdpr_lint.workers import worker_count

    assert worker_count(jobs, files) == (min(expected, 61) if os.name == "nt" else expected)


@pytest.mark.skipif(os.name != "posix", reason="signals to a process group")
@pytest.mark.parametrize("extra", [[], ["--format", "json"], ["--jobs", "1"]])
def test_ctrl_c_stops_the_run_with_one_line(tmp_path: Path, extra):
    """Ctrl-C printed a KeyboardInterrupt traceback (the plain `check` path), one more per
    worker process, and exit code 1 (click's "Aborted!"), which CI reads as "findings"."""
    body = LOG_PRELUDE + "".join(f"def f{i}(email):\n    logger.info(email)\n" for i in range(2500))
    for i in range(30):
        (tmp_path / f"m{i}.py").write_text(body)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, "-m", "gdpr_lint", "check", "--no-cache", *extra, "."],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        _wait_until_busy(proc, cpu_seconds=1.5)  # well into the analysis (30 files of 5,000 lines)
        os.killpg(proc.pid, signal.SIGINT)
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, stderr.decode()
    assert stderr.decode().strip() == "Aborted!"


def _group_cpu_seconds(group: int) -> Optional[float]:
    """CPU time used so far by the processes of a process group (Linux's /proc), or None."""
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total, seen = 0.0, False
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # a process that ended meanwhile
        if int(fields[2]) == group:  # pgrp; then utime and stime are fields 11 and 12 after ")"
            total += (int(fields[11]) + int(fields[12])) / ticks
            seen = True
    return total if seen else None


def _wait_until_busy(proc, cpu_seconds: float) -> None:
    """Until the run (the process and its workers) has used `cpu_seconds` of CPU: on a loaded
    machine a fixed sleep could end before the interpreter had even set up its Ctrl-C
    handling (the process then died of the signal, -2, not 130). Without /proc, a sleep."""
    import time

    if not Path(f"/proc/{proc.pid}/stat").exists():
        time.sleep(2.5)
        return
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        used = _group_cpu_seconds(proc.pid)
        if used is not None and used >= cpu_seconds:
            return
        time.sleep(0.05)


def test_an_error_raised_while_ctrl_c_unwinds_stops_the_run(monkeypatch):
    """libcst's position tracking raises KeyError in a `finally:` when Ctrl-C cuts its code
    generation short; reported as one file's internal error, it swallowed the Ctrl-C and the
    run went on (seen on Python 3.9)."""
    from gdpr_lint import file_check
    from gdpr_lint.config import Config
    from gdpr_lint.settings import RunSettings

    def interrupted(*args):
        try:
            raise KeyboardInterrupt
        finally:
            raise KeyError("IndentedBlock(...)")

    monkeypatch.setattr(file_check, "analyze_bytes", interrupted)
    with pytest.raises(KeyboardInterrupt):
        file_check.check_data(b"x = 1\n", "app.py", RunSettings(Config()))
