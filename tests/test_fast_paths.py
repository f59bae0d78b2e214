"""The shortcuts taken for speed must give what the slow, public routes give.

Each test compares a fast path with the route it replaces, on the project's own fixtures
and sources (realistic code with comments, decorators, f-strings, CRLF and odd strings).
"""

from __future__ import annotations

import ast
import warnings
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from gdpr_lint import _regex_cache as regex_cache
from gdpr_lint import engine, parse_guards, prefilter, prefilter_blocks
from gdpr_lint.config import Config
from gdpr_lint.settings import RunSettings

from conftest import reference_filter_passes

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "tests" / "fixtures").rglob("*.py")) + sorted((ROOT / "gdpr_lint").rglob("*.py"))


@pytest.fixture(scope="module")
def token_filter():
    return RunSettings(Config()).prefilter


@pytest.mark.parametrize("path", SOURCES[::3], ids=lambda p: str(p.relative_to(ROOT)))
def test_positions_match_libcst_provider(path):
    module = cst.parse_module(path.read_text(encoding="utf-8"))
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    got = engine._positions(module)
    assert len(got) == len(expected) > 0
    assert all(got[node] == expected[node] for node in expected)


def test_positions_count_crlf_and_lone_cr_lines():
    module = cst.parse_module("x = 1\r\ny = (\r  2)\nz = 3\n")
    positions = engine._positions(module)
    starts = [positions[stmt].start.line for stmt in module.body]
    assert starts == [1, 2, 4]


@pytest.mark.parametrize(
    "literal",
    [
        r'"plain"',
        r'"a\nb"',
        r"'\x41\u20ac\N{BULLET}'",
        '"é\\t€"',
        r'"\d+"',
        '"""x\\\ny"""',
        r"'\101\0'",
        r'u"\\"',
        r'"\q"',
        r'"\'"',
        r"'''it\'s'''",
        r'"\N{NO SUCH NAME}"',
        r'"\x4"',
    ],
)
def test_string_values_match_python(literal):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = ast.literal_eval(literal)
    except (SyntaxError, ValueError):
        expected = None
    assert engine._simple_string(literal) == expected


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_narrowed_filter_decides_blocks_as_the_full_one(path, token_filter):
    """Blocks are tested with a filter narrowed to the file's anchors, on spans of the
    file's text: it must keep exactly the blocks the full filter keeps."""
    text = path.read_text(encoding="utf-8")
    if not token_filter.passes(text):
        return
    narrow = token_filter.narrowed(text)
    tree = ast.parse(text)
    lines = parse_guards.python_lines(text)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    for node in ast.walk(tree):
        if isinstance(node, ast.stmt):
            first, last = prefilter_blocks._span(node)
            block = "".join(lines[first - 1 : last])
            expected = token_filter.passes(block)
            assert narrow.passes(block) == expected, (path, first)
            assert narrow.passes_span(starts[first - 1], starts[last]) == expected, (path, first)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_filter_decides_blocks_as_its_specification(path, token_filter):
    """Words looked up once, anchors found once per file, phrases looked for only in a
    window around each anchor: none of it may change what a block's text decides."""
    text = path.read_text(encoding="utf-8")
    narrow = token_filter.narrowed(text)
    lines = parse_guards.python_lines(text)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    assert narrow.passes_span(0, len(text)) == reference_filter_passes(token_filter, text), path
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.stmt):
            first, last = prefilter_blocks._span(node)
            block = "".join(lines[first - 1 : last])
            assert narrow.passes_span(starts[first - 1], starts[last]) == reference_filter_passes(
                token_filter, block
            ), (path, first)


def test_short_words_match_only_as_identifier_parts(token_filter):
    assert token_filter.passes("client_ip = request.META['REMOTE_ADDR']\nlog.info(client_ip)\n")
    assert not token_filter.passes("archive = zipfile.ZipFile(path)\nskip = True\n")


# ---- the console script's direct route for plain `check` calls --------------------------

import subprocess  # noqa: E402
import sys  # noqa: E402

from gdpr_lint.entry import plain_check  # noqa: E402


def test_plain_check_takes_only_paths_and_flags_without_values():
    assert plain_check(["check", "--force-exclude", "a.py", "b.py"]) == {
        "force_exclude": True,
        "paths": ("a.py", "b.py"),
    }
    assert plain_check(["check"]) == {"paths": ()}
    for args in (
        ["check", "--format", "json", "a.py"],
        ["check", "-"],
        ["check", "--", "a.py"],
        ["check", "--help"],
        ["check", "-j", "2"],
        ["rules"],
        [],
        ["--version", "x"],
    ):
        assert plain_check(args) is None, args


def _run(argv, cwd):
    return subprocess.run([sys.executable, *argv], cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    "flags",
    [
        [],
        ["--force-exclude"],
        ["--no-cache", "--quiet"],
        ["--exit-zero"],
        ["--statistics"],
        ["-q", "--no-cache"],
    ],
)
def test_direct_route_prints_and_exits_as_click_does(flags, tmp_path):
    """The same plain call through the console script (direct) and through click."""
    app = tmp_path / "app"
    app.mkdir()
    (app / "views.py").write_text(
        "import logging\nlogger = logging.getLogger(__name__)\n\n\n"
        "def signup(request):\n    email = request.POST['email']\n    logger.info('signup %s', email)\n"
    )
    (app / "clean.py").write_text("def add(a, b):\n    return a + b\n")
    (app / "broken.py").write_text("def f(:\n    email = 1\n")
    args = ["check", *flags, "views.py", "clean.py", "broken.py", "missing.py"]
    direct = _run(["-m", "gdpr_lint", *args], app)
    via_click = _run(
        ["-c", "import sys; from gdpr_lint.cli import main; sys.argv[0] = 'gdpr-lint'; main()", *args], app
    )
    assert plain_check(args) is not None
    assert (direct.returncode, direct.stdout, direct.stderr) == (
        via_click.returncode,
        via_click.stdout,
        via_click.stderr,
    )
    assert direct.returncode in (0, 1) and direct.stdout + direct.stderr


def test_direct_route_never_loads_click(tmp_path):
    # ids of things and an account's own id: no person's id the project could bind from a login
    # (in a project, which the project-wide questions need: a configuration's folder)
    (tmp_path / ".gdpr-lint.toml").write_text("")
    (tmp_path / "clean.py").write_text("order_id = 1\nuser_id = 2\nx = [order_id, user_id]\n")
    code = (
        "import sys; sys.argv = ['gdpr-lint', 'check', '--no-cache', 'clean.py']\n"
        "from gdpr_lint.entry import main\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    print(exc.code, 'click' in sys.modules, 'libcst' in sys.modules)\n"
    )
    out = _run(["-c", code], tmp_path)
    assert out.stdout.split() == ["0", "False", "False"], out.stderr


# what the pre-commit run of a clean file needs none of: `dataclasses` (which imports
# `inspect`, `dis`, ...) was a sixth of its time; CPython's parser and the summariser serve
# files that pass the pre-filter; `tokenize` only decodes a file with a coding cookie
UNUSED_BY_A_CLEAN_FILE = (
    "dataclasses",
    "inspect",
    "libcst",
    "ast",
    "tokenize",
    "threading",
    "gdpr_lint.semantic.summary",
    "gdpr_lint.analysis.pii",  # the vocabulary: only a file that may spell a person's id needs it
)


def test_a_clean_file_imports_only_what_it_uses(tmp_path):
    """The pre-commit run of a file that fails the pre-filter, with the start-up caches
    filled (the records of gdpr_lint._records and the reporters need no dataclasses)."""
    (tmp_path / "clean.py").write_text("x = 1\n")
    code = (
        "import sys; sys.argv = ['gdpr-lint', 'check', 'clean.py']\n"
        "from gdpr_lint.entry import main\n"
        "try:\n    main()\nexcept SystemExit as exc:\n"
        "    print(exc.code, *(m in sys.modules for m in %r))\n" % (UNUSED_BY_A_CLEAN_FILE,)
    )
    _run(["-c", code], tmp_path)  # fills the start-up caches (rule packs, pre-filter)
    with open(tmp_path / "clean.py", "a") as handle:  # edited, as a pre-commit run's files are
        handle.write("y = order_id\n")
    out = _run(["-c", code], tmp_path)
    assert out.stdout.split() == ["0"] + ["False"] * len(UNUSED_BY_A_CLEAN_FILE), out.stderr


def test_records_behave_as_the_dataclasses_they_replace():
    import dataclasses

    from gdpr_lint import _records
    from gdpr_lint.model import Finding

    @dataclasses.dataclass(frozen=True)
    class Twin:
        rule: str
        line: int
        categories: tuple = ()
        facts: dict = dataclasses.field(default_factory=dict, compare=False, hash=False)

    @_records.record(frozen=True)
    class Record:
        rule: str
        line: int
        categories: tuple = ()
        facts: dict = _records.field(default_factory=dict, compare=False, hash=False)

    a, b = Record("GDPR101", 3, ("email",), {"x": 1}), Record("GDPR101", 3, ("email",))
    assert a == b and hash(a) == hash(b) and a.facts is not b.facts and b.facts == {}
    assert a != Record("GDPR101", 4) and a != Twin("GDPR101", 3, ("email",))
    assert repr(a).split("(", 1)[1] == repr(Twin("GDPR101", 3, ("email",), {"x": 1})).split("(", 1)[1]
    assert _records.asdict(a) == dataclasses.asdict(Twin("GDPR101", 3, ("email",), {"x": 1}))
    assert _records.replace(a, line=9) == Record("GDPR101", 9, ("email",))
    assert [f.name for f in _records.fields(Finding)][:3] == ["rule", "name", "severity"]
    with pytest.raises(AttributeError):
        a.line = 4  # type: ignore[misc]
    with pytest.raises(TypeError):
        Record("GDPR101")  # type: ignore[call-arg]


def test_a_cached_filter_compiles_no_pattern_and_decides_as_a_new_one(token_filter):
    """The start-up cache keeps each pattern's compiled form (gdpr_lint._regex_cache): a
    filter loaded from it makes the same patterns as re.compile, without compiling them."""
    import pickle
    import re

    loaded = pickle.loads(pickle.dumps(token_filter))
    sources = loaded._sources()
    assert sources and set(sources) <= set(loaded._frozen)
    text = "\n".join(path.read_text(encoding="utf-8") for path in SOURCES[:40]).lower()
    compile_calls = []
    real_compile = re.compile
    re.compile = lambda *args: compile_calls.append(args) or real_compile(*args)
    try:
        thawed = [(source, loaded._frozen.get(source)) for source in sources]
        patterns = [(source, regex_cache.thaw(source, parts)) for source, parts in thawed]
    finally:
        re.compile = real_compile
    assert not compile_calls
    for source, pattern in patterns:
        fresh = re.compile(source)
        assert (pattern.pattern, pattern.flags, pattern.groups, pattern.groupindex) == (
            fresh.pattern,
            fresh.flags,
            fresh.groups,
            fresh.groupindex,
        )
        assert [m.span() for m in pattern.finditer(text)] == [m.span() for m in fresh.finditer(text)]
    for anchor, source in loaded.precise_source.items():
        if source is not None:
            assert loaded._reach(anchor) == token_filter._reach(anchor)
    for path in SOURCES[:40]:
        source = path.read_text(encoding="utf-8")
        assert loaded.passes(source) == token_filter.passes(source)


def test_compiled_forms_of_another_python_are_not_used(token_filter):
    state = token_filter.__getstate__()
    tag, frozen = state["frozen"]
    state["frozen"] = ("another-python", {source: (0, b"\0\0\0\0", 0, {}, (), 1) for source in frozen})
    loaded = prefilter.TokenFilter.__new__(prefilter.TokenFilter)
    loaded.__setstate__(state)
    assert loaded._frozen == {} and loaded.long.pattern == token_filter.long_source
    damaged = {source: (0, b"\xff\xff\xff\xff", 0, {}, (), 1) for source in frozen}
    assert all(regex_cache.thaw(source, parts).pattern == source for source, parts in list(damaged.items())[:20])


@pytest.mark.parametrize(
    "data",
    [
        b"x = 1\n",
        b"x = 1",
        b"",
        b"# -*- coding: latin-1 -*-\nname = '\xe9'\n",
        b"#!/usr/bin/env python\n# vim: set fileencoding=cp1252 :\nname = '\x80'\n",
        b"x = 1\n# coding: latin-1\n",
        b"x = 1\ny = 2\n# coding: latin-1\nname = '\xc3\xa9'\n",
        b"\xef\xbb\xbfname = '\xc3\xa9'\n",
        b"name = '\xe9'\n",
        b"x = 1\n\nname = '\xe9'\n",
        b"# coding: nonsense-codec\nx = 1\n",
        b"x = 1\r# coding: latin-1\rname = '\xe9'\r",
    ],
)
def test_decoding_without_tokenize_gives_what_tokenize_gives(data):
    import io
    import tokenize

    def reference(data: bytes):
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        if encoding == "utf-8-sig":
            encoding = "utf-8"
            if data.startswith(b"\xef\xbb\xbf"):
                data = data[3:]
        return data.decode(encoding)

    def outcome(decode):
        try:
            return decode(data)
        except (UnicodeDecodeError, SyntaxError, LookupError) as exc:
            return type(exc), str(exc)

    assert outcome(prefilter.decode_source) == outcome(reference)


def test_version_is_the_same_both_ways(tmp_path):
    direct = _run(["-m", "gdpr_lint", "--version"], tmp_path)
    via_click = _run(["-c", "from gdpr_lint.cli import main; main()", "--version"], tmp_path)
    assert direct.stdout == via_click.stdout and direct.stdout.startswith("gdpr-lint ")


def test_one_imported_name_with_a_token_does_not_keep_every_block_using_its_neighbours(token_filter):
    text = (
        "from .typing import EmailT, KeyT\n\n\n"
        "def keys(k: KeyT):\n    return [k]\n\n\n"
        "def emails(e: EmailT):\n    return [e]\n"
    )
    kept, origin = prefilter_blocks.relevant_blocks(text, token_filter)
    assert "def emails" in kept and "def keys" not in kept
    assert [origin[i] for i, line in enumerate(kept.splitlines()) if line.startswith("def ")] == [8]


def test_a_module_path_with_a_token_keeps_the_blocks_using_its_names(token_filter):
    text = (
        "from azure.mgmt.storage import StorageManagementClient\n\n\n"
        "def make(credential, subscription):\n    return StorageManagementClient(credential, subscription)\n"
    )
    assert prefilter_blocks.relevant_blocks(text, token_filter) == (text, None)


def test_dropped_blocks_keep_line_numbers_and_suppressions():
    """The pre-filter drops the lines of blocks without tokens: findings still name the
    file's own lines, and a stale suppression in a dropped block is still reported."""
    from gdpr_lint.file_check import check_data

    source = (
        b"import logging\n\nlogger = logging.getLogger(__name__)\n\n\n"
        b"def unrelated(x):\n    total = 0\n    for i in range(x):\n        total += i\n    return total\n\n\n"
        b"class Accounts:\n    def helper(self):\n        return 1  # gdpr-lint: ignore[GDPR101] -- stale\n\n"
        b"    def signup(self, user):\n        logger.info('signup %s', user.email)\n"
    )
    settings = RunSettings(Config())
    with_filter, _ = check_data(source, "app.py", settings, use_prefilter=True)
    without, _ = check_data(source, "app.py", settings, use_prefilter=False)
    assert [f.to_dict() for f in with_filter] == [f.to_dict() for f in without]
    assert sorted((f.rule, f.line) for f in with_filter) == [("GDPR003", 15), ("GDPR101", 18)]


def test_a_parser_refusal_names_the_files_line():
    """When libcst refuses a reduced source that CPython accepted, the message names the
    line of the file, not of the reduced source."""
    source = "x = 1\ny = (\n"
    try:
        cst.parse_module(source)
    except cst.ParserSyntaxError as exc:
        raw_line = exc.raw_line
    origin = [10, 40, 41]
    outcome = engine.analyze_source(source, "app.py", RunSettings(Config()), origin=origin, original="...")
    assert [e.message.split(":")[0] for e in outcome.errors] == [
        f"syntax not supported by the parser at line {origin[raw_line - 1]}"
    ]


def test_offsets_survive_letters_whose_lower_case_is_longer(token_filter):
    """`İ`.lower() is two characters: the filter's offsets into the lower-cased text must
    still be offsets into the file, or the blocks after such a letter are misjudged."""
    text = "NAME = 'İİİİİİİİİİİİİİİİİİİİİİİİİİİİİİ'\nuser_email = form.cleaned_data\nx = 1\n"
    narrow = token_filter.narrowed(text)
    lines = parse_guards.python_lines(text)
    second = len(lines[0])
    third = second + len(lines[1])
    assert narrow.passes_span(second, third)
    assert not narrow.passes_span(third, len(text))
    assert narrow.passes_span(0, len(text)) == reference_filter_passes(token_filter, text)


def test_lower_case_keeps_offsets_and_lowers_everything_else():
    text = "Ä İstanbul ÖZ İ x" * 3
    lower = prefilter._aligned_lower(text)
    assert len(lower) == len(text)
    assert lower == "".join(c if c == "İ" else c.lower() for c in text)


def test_a_large_literal_table_is_not_parsed_but_the_code_beside_it_is():
    """A module-level literal of thousands of lines (a place-name table) is data: the
    pre-filter drops it, so libcst never spends most of a minute parsing it; the code
    after it keeps its own line numbers, and a small literal or a large non-literal stays."""
    from gdpr_lint.file_check import check_data

    rows = "".join(f"    ('US-{i:04d}', 'Sample Place {i}, us-east-1'),\n" for i in range(2500))
    source = (
        "import logging\n\nlogger = logging.getLogger(__name__)\nREGIONS = {'eu': 'eu-west-1'}\n"
        "PLACES = (\n" + rows + ")\n\n\ndef signup(user):\n    logger.info('signup %s', user.email)\n"
    )
    settings = RunSettings(Config())
    kept, origin = prefilter_blocks.relevant_blocks(source, settings.prefilter.narrowed(source))
    assert "PLACES" not in kept and "REGIONS" in kept and "Sample Place" not in kept
    findings, _ = check_data(source.encode(), "places.py", settings, use_prefilter=True)
    assert [(f.rule, f.line) for f in findings] == [("GDPR101", 2510)]
    calls = source.replace("    ('US-", "    make('US-")
    kept, _ = prefilter_blocks.relevant_blocks(calls, settings.prefilter.narrowed(calls))
    assert "PLACES" in kept  # calls are code, not a table


def test_a_check_runs_only_on_files_with_its_own_anchors():
    settings = RunSettings(Config())
    names = [type(check).__name__ for check in settings.checks]
    exposure = names.index("ExposureCheck")
    residency = names.index("ResidencyCheck")
    narrow = settings.prefilter.narrowed("def signup(user):\n    logger.info(user.email)\n")
    chosen = [type(check).__name__ for check in settings.checks_for(narrow.owners_present())]
    assert "ExposureCheck" in chosen and "ResidencyCheck" not in chosen
    narrow = settings.prefilter.narrowed("s3 = boto3.client('s3', region_name='us-east-1')\n")
    assert "ResidencyCheck" in [type(c).__name__ for c in settings.checks_for(narrow.owners_present())]
    assert settings.checks_for((1 << exposure) | (1 << residency)) == [
        c for c in settings.checks if type(c).__name__ in ("ExposureCheck", "ResidencyCheck")
    ]
    assert settings.checks_for((1 << len(settings.checks)) - 1) == settings.checks


def test_checks_without_tokens_are_present_in_every_file():
    token_filter = prefilter.TokenFilter(["email"], [0], always=0b10)
    assert token_filter.narrowed("x = 1\n").owners_present() == 0b10
    assert token_filter.narrowed("email = 1\n").owners_present() == 0b11
