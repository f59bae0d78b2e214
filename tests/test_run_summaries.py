"""Module summaries shared by the worker processes of one run (summary_cache.RunSummaries):
a module files of both workers import is parsed by the first that needs it, and the run's
findings are those of a run in one process."""

import shutil
import tempfile
from pathlib import Path

from conftest import FIXTURES, make_settings

MAIL_HELPERS = FIXTURES / "projects" / "mail_helpers"


def _index(tmp_path: Path, store: Path):
    from gdpr_lint.semantic.project import ProjectIndex
    from gdpr_lint.summary_cache import RunSummaries

    settings = make_settings({}, root=tmp_path)
    index = ProjectIndex([str(tmp_path)], settings.kb.tables)
    index.shared = RunSummaries(str(store))
    return index


def test_a_summary_made_by_one_process_is_read_by_another(tmp_path):
    """The second index (another worker) gets the first one's summaries without reading the
    module: here the module is gone by then, and its summaries are still answered."""
    project, store = tmp_path / "proj", tmp_path / "store"
    project.mkdir()
    store.mkdir()
    module = project / "mail.py"
    module.write_text(
        "import logging\n"
        "log = logging.getLogger(__name__)\n"
        "def notify(address):\n"
        "    log.info('sent to %s', address)\n",
        encoding="utf-8",
    )
    first = _index(project, store)
    partial = first.summary(str(module))
    assert partial is not None and partial["partial"] and "notify" in partial["functions"]
    whole = first.function_summary(str(module), "notify")
    assert whole is not None and whole["flows"]
    module.unlink()

    second = _index(project, store)
    assert second.summary(str(module)) == partial
    assert second.function_summary(str(module), "notify") == whole
    assert second.summary(str(project / "missing.py")) is None


def test_a_module_without_summary_is_shared_too(tmp_path):
    """A module that does not parse has no summary: the next process is told so, and does
    not parse it again."""
    project, store = tmp_path / "proj", tmp_path / "store"
    project.mkdir()
    store.mkdir()
    broken = project / "broken.py"
    broken.write_text("def (:\n", encoding="utf-8")
    assert _index(project, store).summary(str(broken)) is None
    broken.write_text("import logging\nlog = logging.getLogger()\n", encoding="utf-8")
    assert _index(project, store).summary(str(broken)) is None  # as the run first saw it


def test_an_unreadable_entry_is_a_miss(tmp_path):
    from gdpr_lint.summary_cache import RunSummaries

    store = RunSummaries(str(tmp_path))
    store.put("/p/a.py", {"functions": {}})
    assert store.get("/p/a.py") == ({"functions": {}},)
    assert store.get("/p/a.py", whole=True) is None
    for entry in tmp_path.iterdir():
        entry.write_bytes(b"\x80not a pickle")
    assert store.get("/p/a.py") is None


def test_parallel_run_shares_summaries_and_removes_the_folder(monkeypatch, tmp_path):
    """Two forked workers over a project whose modules import each other: the findings
    across modules are those of one process, and the scratch folder is gone afterwards."""
    from gdpr_lint import runner

    made = []
    real_mkdtemp = tempfile.mkdtemp

    def mkdtemp(prefix="", dir=None):
        folder = real_mkdtemp(prefix=prefix, dir=tmp_path)
        made.append(folder)
        return folder

    def run(jobs: int):
        settings = make_settings({}, root=MAIL_HELPERS)
        pairs = [(str(f), f.relative_to(MAIL_HELPERS).as_posix()) for f in sorted(MAIL_HELPERS.rglob("*.py"))]
        result = runner.run(pairs, settings, jobs=jobs, cache_dir=None)
        assert not result.errors, result.errors
        return [f.to_dict() for f in result.findings]

    alone = run(1)
    assert any(f["related"] for f in alone)
    monkeypatch.setattr(runner, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(tempfile, "mkdtemp", mkdtemp)
    kept = []
    real_rmtree = shutil.rmtree

    def rmtree(path, ignore_errors=False):
        kept.extend(sorted(p.name for p in Path(path).iterdir()))
        real_rmtree(path, ignore_errors=ignore_errors)

    monkeypatch.setattr(shutil, "rmtree", rmtree)
    assert run(2) == alone
    assert len(made) == 1 and not Path(made[0]).exists()
    assert kept  # the workers' summaries went through the folder


def test_the_scratch_folder_is_made_in_memory_unless_the_user_chose_a_temporary_folder(monkeypatch, tmp_path):
    """The workers' scratch folder goes to the folder in memory where one is writable
    (a file written there costs a fraction of one on a journalling disk), and where TMPDIR
    says when the user set it, or when there is no such folder."""
    from gdpr_lint import workers

    memory = tmp_path / "shm"
    memory.mkdir()
    monkeypatch.setattr(workers, "_MEMORY_FOLDER", str(memory))
    monkeypatch.delenv("TMPDIR", raising=False)
    assert workers._memory_folder() == str(memory)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    assert workers._memory_folder() is None
    monkeypatch.delenv("TMPDIR")
    monkeypatch.setattr(workers, "_MEMORY_FOLDER", str(tmp_path / "absent"))
    assert workers._memory_folder() is None


def test_a_checked_file_that_used_its_own_summary_keeps_it_as_read_from_the_file(tmp_path):
    """A file whose check asked for its own summary (its code uses its module's names): when
    the check ends, the partial summary made from its tree is kept and shared, equal to the
    one made from its bytes, so a file importing it later parses it no more. A file whose
    check did not ask keeps nothing."""
    import ast

    from gdpr_lint.semantic.project_files import _summarize_bytes

    project, store = tmp_path / "proj", tmp_path / "store"
    project.mkdir()
    store.mkdir()
    source = (
        "import logging\n"
        "log = logging.getLogger(__name__)\n"
        "def notify(address):\n"
        "    log.info('sent to %s', address)\n"
        "class Mailer:\n"
        "    def send(self, to):\n"
        "        notify(to)\n"
    ).encode()
    used, unused = project / "used.py", project / "unused.py"
    used.write_bytes(source)
    unused.write_bytes(source)
    index = _index(project, store)
    for path in (used, unused):
        index.register(str(path), ast.parse(source), source)
    lazy = index.summary(str(used))
    assert "_lazy" in lazy and index.function_summary(str(used), "notify")["flows"]
    for path in (used, unused):
        index.forget_tree(str(path))
        path.unlink()  # what follows is answered without the files
    expected = _summarize_bytes(source)
    assert expected is not None and expected["partial"]
    assert index.summary(str(used)) == expected
    assert index.shared is not None and index.shared.get(str(used)) == (expected,)
    assert index.summary(str(unused)) is None  # read from the file, which is gone
