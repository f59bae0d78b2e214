"""A warm run after one edit (issue 15, speed): results that rest on a project-wide scan are
redone when a file the scan reads changes, and only then (gdpr_lint/spelling_index.py).

tests/fixtures/projects/warm_edits: receipts.py's `donor.name` is not reported because
models.py declares a donor's name unique (semantic/project_unique_names.py: a scan of the files
that spell `unique`); pledges.py's raise is reported until a module registers an error handler
for its exception (semantic/project_registered.py: a scan of the files that spell a
registration). settings.py spells none of the scans' words."""

import os
import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, make_settings

RECEIPTS = "charity/receipts.py"
PLEDGES = "charity/pledges.py"
HANDLERS = """from flask import jsonify

from charity.errors import PledgeLimitReached


def register(app):
    @app.errorhandler(PledgeLimitReached)
    def refuse(error):
        return jsonify({"status": "error", "message": str(error)}), 429
"""


@pytest.fixture
def project(tmp_path, monkeypatch):
    """(the project folder, run(): [(path, line, rule)] of a warm run and the files it analysed)."""
    from gdpr_lint import runner

    folder = tmp_path / "proj"
    shutil.copytree(FIXTURES / "projects" / "warm_edits", folder)
    cache = tmp_path / "cache"
    analysed: list = []
    check_one = runner.check_one

    def spy(path, display, *args, **kwargs):
        analysed.append(display)
        return check_one(path, display, *args, **kwargs)

    monkeypatch.setattr(runner, "check_one", spy)

    def run():
        analysed.clear()
        settings = make_settings({}, root=folder)
        files = sorted(folder.rglob("*.py"))
        pairs = [(str(f), f.relative_to(folder).as_posix()) for f in files]
        result = runner.run(pairs, settings, jobs=1, cache_dir=cache)
        assert not result.errors, result.errors
        return sorted((f.path, f.line, f.rule) for f in result.findings), sorted(analysed)

    return folder, run


BASE = [(PLEDGES, 6, "GDPR103"), (RECEIPTS, 8, "GDPR101")]


def test_an_edit_to_a_file_no_scan_reads_keeps_the_others_cached(project):
    folder, run = project
    assert run() == (
        BASE,
        ["charity/__init__.py", "charity/errors.py", "charity/models.py", PLEDGES, RECEIPTS, "charity/settings.py"],
    )
    assert run() == (BASE, [])  # all from the cache
    settings = folder / "charity" / "settings.py"
    settings.write_text(settings.read_text(encoding="utf-8") + "# reviewed\n", encoding="utf-8")
    assert run() == (BASE, ["charity/settings.py"])
    models = folder / "charity" / "models.py"
    later = models.stat().st_mtime + 10
    os.utime(models, (later, later))  # touched, not changed
    assert run() == (BASE, [])


def test_an_edit_to_a_file_a_scan_read_redoes_the_results_resting_on_it(project):
    folder, run = project
    run()
    models = folder / "charity" / "models.py"
    text = models.read_text(encoding="utf-8")
    assert text.count("unique=True, ") == 1
    models.write_text(text.replace("unique=True, ", ""), encoding="utf-8")
    findings, analysed = run()
    assert findings == sorted(BASE + [(RECEIPTS, 7, "GDPR101")])  # a donor's name is no longer unique
    assert RECEIPTS in analysed and "charity/models.py" in analysed
    assert PLEDGES not in analysed  # its scans read no file that changed
    models.write_text(text, encoding="utf-8")
    assert run()[0] == BASE


def test_a_file_added_or_removed_redoes_the_results_whose_scan_it_spells(project):
    folder, run = project
    run()
    handlers = folder / "charity" / "handlers.py"
    handlers.write_text(HANDLERS, encoding="utf-8")
    findings, analysed = run()
    assert findings == [(RECEIPTS, 8, "GDPR101")]  # the raise is answered as a 429 now
    assert analysed == ["charity/handlers.py", PLEDGES]
    handlers.unlink()
    findings, analysed = run()
    assert findings == BASE
    assert analysed == [PLEDGES]


def test_the_spelling_index_rereads_only_changed_files(tmp_path, monkeypatch):
    from gdpr_lint import spelling_index
    from gdpr_lint.spelling_index import SpellingIndex

    folder = tmp_path / "proj"
    folder.mkdir()
    names = [str(folder / f"m{i}.py") for i in range(5)]
    for i, name in enumerate(names):
        Path(name).write_text(f"def f{i}():\n    return 'send_report'\n" if i % 2 else "X = 1\n", encoding="utf-8")
    cache = tmp_path / "cache"

    def index():
        return SpellingIndex(cache, [str(folder)], lambda: sorted(names))

    first = index()
    before = first.digest(["send_report"])
    assert first.spellers([b"send_report"]) == [names[1], names[3]]
    assert first.files_read == 5
    first.save()
    again = index()
    assert again.digest(["send_report"]) == before
    assert again.files_read == 5  # made within a tick of the files' last change: not trusted yet
    monkeypatch.setattr(spelling_index, "_RACY_NS", 0)  # (as if the files had been written long before)
    again.save()
    second = index()
    assert second.digest(["send_report"]) == before
    assert second.files_read == 0
    Path(names[0]).write_text("X = 2\n", encoding="utf-8")  # spells none of the words
    third = index()
    assert third.digest(["send_report"]) == before
    assert third.files_read == 1
    third.save()
    Path(names[4]).write_text("from m1 import send_report\n", encoding="utf-8")  # starts spelling it
    fourth = index()
    assert fourth.digest(["send_report"]) != before
    assert fourth.spellers([b"send_report"]) == [names[1], names[3], names[4]]
    assert fourth.files_read == 1
    fourth.save()
    info = os.stat(names[4])
    Path(names[4]).write_text("from m1 import send_reporT\n", encoding="utf-8")  # same size, and
    os.utime(names[4], ns=(info.st_atime_ns, info.st_mtime_ns))  # its modification time set back
    fifth = index()
    assert fifth.digest(["send_report"]) == before  # its inode change time shows it
    assert fifth.spellers([b"unknown_word"]) is None  # not looked for yet: the scan reads every file
