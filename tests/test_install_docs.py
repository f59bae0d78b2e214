"""The README's install command and pre-commit snippet, run as printed (against a local
clone of this repository instead of the hosted one), and the release tag they name."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from test_cli import LEAK

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
#: the repository URL the docs print; the tests use a clone of this checkout in its place
REPO_URL = "https://github.com/your-org/gdpr-lint"
PRE_COMMIT = shutil.which("pre-commit") or str(Path(sys.executable).parent / "pre-commit")

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is needed")


def version() -> str:
    return re.search(r'^version\s*=\s*"([^"]+)"', (ROOT / "pyproject.toml").read_text(), re.M).group(1)


def git(cwd, *args) -> str:
    env = dict(
        os.environ,
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@example.com",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@example.com",
    )
    return subprocess.run(["git", *args], cwd=str(cwd), check=True, capture_output=True, text=True, env=env).stdout


def has_release_tag(repo: Path) -> bool:
    return (
        subprocess.run(
            ["git", "rev-parse", "-q", "--verify", f"refs/tags/v{version()}"], cwd=str(repo), capture_output=True
        ).returncode
        == 0
    )


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    """A clone of this checkout standing in for the hosted repository after the release of
    pyproject's version: it has the tag ``v<version>``. When this checkout has no such tag (CI
    clones carry no tags, and an unreleased version has none), the clone tags its own head."""
    path = tmp_path_factory.mktemp("hosted") / "gdpr-lint"
    git(ROOT, "clone", "-q", str(ROOT), str(path))
    if not has_release_tag(path):
        git(path, "tag", "-a", f"v{version()}", "-m", f"gdpr-lint {version()}")
    return path


def as_local(text: str, clone: Path) -> str:
    assert REPO_URL in text
    return text.replace(REPO_URL, clone.as_uri())


def test_the_docs_install_a_tagged_release_not_the_unpublished_index_name():
    docs = README + (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    commands = re.findall(r"^\s*(?:- (?:run: )?)?(pip install .+)$", docs, re.M)
    assert commands, "no install command in the docs"
    tagged = f'pip install "git+{REPO_URL}@v{version()}"'
    for command in commands:
        assert command in (tagged, "pip install ./gdpr-lint                 # a local checkout"), command


@needs_git
@pytest.mark.skipif(not has_release_tag(ROOT), reason="this clone has no release tag (CI clones carry no tags)")
def test_the_release_tag_is_on_the_released_version():
    shown = git(ROOT, "show", f"v{version()}:pyproject.toml")
    assert f'version = "{version()}"' in shown
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")


@needs_git
def test_readme_install_command_as_printed(clone, tmp_path):
    command = re.search(r"^pip install \"git\+.+$", README, re.M).group(0)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    done = subprocess.run(
        ["bash", "-c", f"{venv}/bin/{as_local(command, clone)}"],
        capture_output=True,
        text=True,
        timeout=600,
        env=dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1"),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    installed = subprocess.run(
        [str(venv / "bin" / "gdpr-lint"), "--version"], capture_output=True, text=True, cwd=str(tmp_path)
    )
    assert installed.stdout.strip() == f"gdpr-lint {version()}"


@needs_git
@pytest.mark.skipif(not Path(PRE_COMMIT).exists(), reason="pre-commit is needed")
def test_readme_pre_commit_snippet_as_printed(clone, tmp_path):
    snippet = re.search(r"## pre-commit\n\n```yaml\n(.*?)```", README, re.S).group(1)
    assert f"rev: v{version()}" in snippet
    project = tmp_path / "project"
    project.mkdir()
    git(project, "init", "-q")
    (project / ".pre-commit-config.yaml").write_text(as_local(snippet, clone))
    (project / "app.py").write_text(LEAK)
    git(project, "add", ".")
    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"), NO_COLOR="1")
    leaking = subprocess.run(
        [PRE_COMMIT, "run", "--all-files"], cwd=str(project), capture_output=True, text=True, env=env, timeout=900
    )
    assert leaking.returncode == 1, leaking.stdout + leaking.stderr
    assert "app.py:7:5: GDPR101" in leaking.stdout
