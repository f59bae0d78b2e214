"""The real `pre-commit try-repo` against this repository, in a temporary git repository."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from test_cli import CLEAN, LEAK

ROOT = Path(__file__).resolve().parent.parent
PRE_COMMIT = shutil.which("pre-commit") or str(Path(sys.executable).parent / "pre-commit")

pytestmark = pytest.mark.skipif(
    not Path(PRE_COMMIT).exists() or shutil.which("git") is None, reason="pre-commit and git are needed"
)


def git(cwd, *args):
    subprocess.run(
        ["git", *args],
        cwd=str(cwd),
        check=True,
        capture_output=True,
        env=dict(
            os.environ,
            GIT_AUTHOR_NAME="t",
            GIT_AUTHOR_EMAIL="t@example.com",
            GIT_COMMITTER_NAME="t",
            GIT_COMMITTER_EMAIL="t@example.com",
        ),
    )


def try_repo(cwd, home, *files):
    env = dict(os.environ, PRE_COMMIT_HOME=str(home), NO_COLOR="1")
    return subprocess.run(
        [PRE_COMMIT, "try-repo", str(ROOT), "gdpr-lint", "--files", *files],
        cwd=str(cwd),
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )


def test_hook_fails_on_leak_passes_when_fixed_and_respects_excludes(tmp_path_factory):
    home = tmp_path_factory.mktemp("pre-commit-home")
    repo = tmp_path_factory.mktemp("repo")
    git(repo, "init", "-q")
    (repo / "pyproject.toml").write_text('[tool.gdpr-lint]\nexclude = ["legacy/**"]\n')
    (repo / "app.py").write_text(LEAK)
    (repo / "legacy").mkdir()
    (repo / "legacy" / "old.py").write_text(LEAK)
    git(repo, "add", ".")

    leaking = try_repo(repo, home, "app.py", "legacy/old.py")
    assert leaking.returncode == 1, leaking.stdout + leaking.stderr
    assert "app.py:7:5: GDPR101" in leaking.stdout
    assert "legacy/old.py" not in leaking.stdout.replace("--files", "")  # excluded even though named

    (repo / "app.py").write_text(CLEAN)
    git(repo, "add", ".")
    fixed = try_repo(repo, home, "app.py", "legacy/old.py")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
