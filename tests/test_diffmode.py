"""`--diff REF` in a real git repository with commits and branches."""

from __future__ import annotations

import pytest

from ciflow_support import PII_IN_LOG, GitRepo, finding, git_env
from gdpr_lint import diffmode
from gdpr_lint.diffmode import DiffError, changed_lines, filter_changed, parse_unified_diff

BASE = "".join(f"line{i} = {i}\n" for i in range(1, 11))


@pytest.fixture
def repo(tmp_path, monkeypatch):
    env = git_env(tmp_path)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    repo = GitRepo(tmp_path / "project", env)
    repo.write("app/models.py", BASE)
    repo.write("app/keep.py", BASE)
    repo.write(".gitignore", "*.log\nbuild/\n")
    repo.commit("initial")
    repo.git("checkout", "-q", "-b", "feature")
    return repo


def test_added_and_changed_lines_since_the_merge_base(repo):
    lines = BASE.splitlines(keepends=True)
    lines[2] = "line3 = 'changed'\n"
    lines.insert(6, "inserted = True\n")
    del lines[9]
    repo.write("app/models.py", "".join(lines))
    repo.commit("feature work")
    # main moves on after the branch point: its changes are not the feature's
    repo.git("checkout", "-q", "main")
    repo.write("app/keep.py", BASE + "on_main = 1\n")
    repo.commit("main work")
    repo.git("checkout", "-q", "feature")

    changed = changed_lines("main", str(repo.path))
    assert changed == {"app/models.py": {3, 7}}


def test_working_tree_staged_and_untracked_files_count(repo):
    repo.write("app/keep.py", BASE.replace("line5 = 5", "line5 = 'staged'"))
    repo.git("add", "app/keep.py")
    repo.write("app/models.py", BASE + "tail = 1\n")  # unstaged
    repo.write("app/new_view.py", "a = 1\nb = 2\nc = 3")  # untracked, no final newline
    repo.write("debug.log", "ignored\n")  # ignored by .gitignore
    repo.write("build/gen.py", "x = 1\n")
    changed = changed_lines("main", str(repo.path))
    assert changed == {"app/keep.py": {5}, "app/models.py": {11}, "app/new_view.py": {1, 2, 3}}


def test_deletions_only_and_renames_add_no_lines(repo):
    repo.git("mv", "app/keep.py", "app/kept.py")
    repo.write("app/models.py", BASE.replace("line4 = 4\n", ""))
    repo.commit("rename and delete")
    assert changed_lines("main", str(repo.path)) == {}


def test_paths_are_relative_to_the_working_directory(repo):
    repo.write("app/models.py", BASE + "tail = 1\n")
    repo.write("docs/conf.py", "project = 'x'\n")
    changed = changed_lines("main", str(repo.path / "app"))
    assert changed == {"models.py": {11}, "../docs/conf.py": {1}}


def test_unusual_file_names(repo):
    repo.write("app/with space.py", "a = 1\n")
    repo.write('app/quo"te.py', "a = 1\n")
    repo.write("app/ünïcode.py", "a = 1\n")
    repo.commit("odd names")
    changed = changed_lines("main", str(repo.path))
    assert changed == {"app/with space.py": {1}, 'app/quo"te.py': {1}, "app/ünïcode.py": {1}}


def test_filter_findings_by_any_line_of_their_span(repo):
    repo.write("app/models.py", BASE.replace("line5 = 5", "line5 = user.email"))
    changed = changed_lines("main", str(repo.path))
    on_changed = finding(PII_IN_LOG, "app/models.py", 5, 1, 10, "leak")
    spanning = finding(PII_IN_LOG, "app/models.py", 4, 1, 10, "leak", end_line=6)
    old = finding(PII_IN_LOG, "app/models.py", 8, 1, 10, "leak")
    other_file = finding(PII_IN_LOG, "app/keep.py", 5, 1, 10, "leak")
    dotted = finding(PII_IN_LOG, "./app/models.py", 5, 1, 10, "leak")
    absolute = finding(PII_IN_LOG, str(repo.path / "app/models.py"), 5, 1, 10, "leak")
    kept = filter_changed([on_changed, spanning, old, other_file, dotted, absolute], changed, cwd=str(repo.path))
    assert kept == [on_changed, spanning, dotted, absolute]


def test_unknown_ref_is_a_clear_error(repo):
    with pytest.raises(DiffError, match="unknown git ref 'origin/nope'"):
        changed_lines("origin/nope", str(repo.path))
    with pytest.raises(DiffError, match="not a git ref"):
        changed_lines("--output=/tmp/x", str(repo.path))


def test_an_empty_ref_is_a_clear_error(repo):
    """`--diff "$BASE"` with BASE unset used to check everything, as if --diff were absent."""
    with pytest.raises(DiffError, match="needs a git ref"):
        changed_lines("", str(repo.path))


def test_lines_ended_by_a_lone_cr_are_counted_as_python_counts_them(repo):
    """git counts LF-ended lines only: a file with CR line ends is one git line, so every
    finding below its first line fell outside the changed lines and slipped through."""
    repo.write("app/mac.py", "import logging\rdef f(email):\r    logging.info(email)\r")  # untracked
    repo.write("app/keep.py", BASE + "a = 1\rb = 2\r\nc = 3\n")  # a git line holding two Python lines
    assert changed_lines("main", str(repo.path)) == {"app/mac.py": {1, 2, 3}, "app/keep.py": {11, 12, 13}}
    repo.git("add", "-A")
    assert changed_lines("main", str(repo.path)) == {"app/mac.py": {1, 2, 3}, "app/keep.py": {11, 12, 13}}


def test_outside_a_repository_is_a_clear_error(tmp_path, monkeypatch):
    for key, value in git_env(tmp_path).items():
        monkeypatch.setenv(key, value)
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(DiffError, match="needs a git repository"):
        changed_lines("main", str(plain))


def test_unborn_head_is_a_clear_error(tmp_path, monkeypatch):
    env = git_env(tmp_path)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    repo = GitRepo(tmp_path / "fresh", env)
    for ref in ("main", "HEAD"):  # `--diff HEAD` read "unknown git ref 'HEAD' (fetch it first)"
        with pytest.raises(DiffError, match="the repository has no commit yet") as info:
            changed_lines(ref, str(repo.path))
        assert "\n" not in str(info.value) and "fetch" not in str(info.value)


def test_unrelated_histories_are_a_clear_error(repo):
    repo.git("checkout", "-q", "--orphan", "island")
    repo.commit("unrelated root")
    with pytest.raises(DiffError, match="no common ancestor"):
        changed_lines("main", str(repo.path))


def test_git_missing(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(DiffError, match="needs git"):
        changed_lines("main", str(tmp_path))


def test_parse_unified_diff_hunks():
    diff = (
        b"diff --git a/x.py b/x.py\n--- a/x.py\n+++ b/x.py\n"
        b"@@ -1,0 +1,2 @@\n+a\n+b\n@@ -10 +12 @@\n-x\n+y\n@@ -20,3 +22,0 @@\n-q\n"
        b"diff --git a/gone.py b/gone.py\n--- a/gone.py\n+++ /dev/null\n@@ -1 +0,0 @@\n-z\n"
    )
    assert parse_unified_diff(diff) == {"x.py": {1, 2, 12}}
    assert diffmode._unquote(b'"b/caf\\303\\251 \\"x\\".py"') == 'b/café "x".py'
